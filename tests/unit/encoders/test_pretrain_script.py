"""The pre-training script's data plumbing: length-bucketed batches and the saved corpus."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from etude.encoders.corpus import CorpusPiece
from etude.encoders.octuple import BAR, PITCH

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "pretrain_musicbert.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pretrain_musicbert", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pieces() -> list[CorpusPiece]:
    found = []
    for length in (10, 40, 300, 700, 25, 90):
        tokens = np.zeros((length, 8), dtype=np.int16)
        tokens[:, BAR] = np.arange(length) // 4
        tokens[:, PITCH] = 60 + np.arange(length) % 12
        found.append(CorpusPiece(f"piece{length}", "test", tokens))
    return found


def test_batches_are_padded_only_to_their_own_longest_window(script: ModuleType) -> None:
    rng = np.random.default_rng(0)
    batches = script.batches(pieces(), batch=4, max_notes=512, bucket=3, rng=rng)
    assert len(batches) == 3
    lengths = []
    for batch in batches:
        assert batch.shape[0] == 4 and batch.shape[2] == 8
        real = (batch[..., 0] >= 0).sum(1)
        assert int(real.max()) == batch.shape[1]  # no column of padding only
        assert batch.shape[1] <= 512
        lengths.append(batch.shape[1])
        for row, count in enumerate(real.tolist()):
            window = batch[row, :count]
            assert int(window[0, BAR]) == 0  # bars counted from the window's start
            assert bool((batch[row, count:] == -1).all())
    assert len(set(lengths)) > 1  # short windows were not padded to the longest piece


def test_saved_corpus_reads_back_the_same_pieces(script: ModuleType, tmp_path: Path) -> None:
    original = pieces()
    script.save_corpus(original, tmp_path / "corpus.npz")
    loaded = script.load_corpus(tmp_path / "corpus.npz")
    assert [(p.name, p.collection) for p in loaded] == [(p.name, p.collection) for p in original]
    assert all(np.array_equal(a.tokens, b.tokens) for a, b in zip(loaded, original, strict=True))
