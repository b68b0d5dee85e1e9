"""What the whole suite shares — tests/, the package's doctests, docs/, examples/ and plugins/:
no hub at run time, no telemetry, and the built-in tools alone. Plug-ins that ``make run``
installs into .venv must not change how the core suite's questions are routed; the plug-ins'
own tests load them from source, or install them and set ``ETUDE_PLUGINS=1``.

Tests never touch the user's real lessons: a run gets its own data dir (``data_dir``); derived
caches (the converted chat model) are shared, so the conversion happens once per machine.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("ETUDE_PLUGINS", "0")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The run's Etude data folder (lessons, knowledge index), also set as ETUDE_DATA_DIR for
    the processes the tests start. One per run, so the index is built once."""
    path = tmp_path_factory.mktemp("etude-data")
    previous = os.environ.get("ETUDE_DATA_DIR")
    os.environ["ETUDE_DATA_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("ETUDE_DATA_DIR", None)
    else:
        os.environ["ETUDE_DATA_DIR"] = previous
