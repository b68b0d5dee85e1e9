"""The shipped model folders hold only files the package ships.

``pyproject.toml`` lists, file by file, what of the adapter and the encoder checkpoint goes
into the package; a file that sits in those folders but is not listed works in a checkout and
is missing once installed (or is a run record that belongs in ``bench/runs/``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "etude"
MODEL_FOLDERS = ("finetune/adapters", "encoders/checkpoints")


def _shipped() -> set[Path]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["etude"]
    return {path for pattern in patterns for path in PACKAGE.glob(pattern) if path.is_file()}


@pytest.mark.parametrize("folder", MODEL_FOLDERS)
def test_every_file_of_a_shipped_model_is_packaged(folder: str) -> None:
    present = {p for p in (PACKAGE / folder).rglob("*") if p.is_file()}
    assert present, folder
    assert sorted(p.relative_to(PACKAGE) for p in present - _shipped()) == []


def test_the_loaded_files_are_packaged() -> None:
    from etude.config import SHIPPED_ADAPTER
    from etude.encoders.embedding import CHECKPOINT

    shipped = _shipped()
    for name in ("adapter_model.safetensors", "adapter_config.json", "finetune_config.json"):
        assert SHIPPED_ADAPTER / name in shipped
    from etude.encoders.slip_detector import DETECTOR_CONFIG, DETECTOR_FILE
    from etude.encoders.wrong_notes import RANKER_FILE

    for name in ("model.safetensors", "config.json", "reference.npz", RANKER_FILE):
        assert CHECKPOINT / name in shipped
    for name in (DETECTOR_FILE, DETECTOR_CONFIG):
        assert CHECKPOINT / name in shipped
