"""The real graph: embedded SmolLM2, real Chroma over our articles, real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from etude.config import Settings
from etude.mentor import Mentor


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def mentor(settings: Settings) -> Iterator[Mentor]:
    mentor = Mentor(settings)
    mentor.warm_up()
    yield mentor
    mentor.close()
