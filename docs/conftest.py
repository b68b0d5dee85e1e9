"""docs/API.md's examples run as doctests against the real mentor, in the test run's data
folder (the root conftest's ``data_dir``), so they share its knowledge index and never touch
the reader's own lessons."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _run_data_dir(data_dir: Path) -> Path:
    return data_dir


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """They load the embedded model: marked like the other tests that do."""
    for item in items:
        if item.path.name == "API.md":
            item.add_marker(pytest.mark.integration)
