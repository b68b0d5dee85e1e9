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
    for batch, voices in batches:
        assert batch.shape[0] == 4 and batch.shape[2] == 8
        assert voices.shape == batch.shape[:2] and bool((voices == 0).all())  # no slots asked
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


def voiced(parts: int = 4, length: int = 40) -> CorpusPiece:
    tokens = np.zeros((length, 8), dtype=np.int16)
    tokens[:, BAR] = np.arange(length) // (4 * parts)
    tokens[:, PITCH] = 48 + np.arange(length) % 24
    return CorpusPiece("chorale", "bach", tokens, (np.arange(length) % parts).astype(np.int16))


def test_windows_carry_each_notes_voice_slot(script: ModuleType) -> None:
    rng = np.random.default_rng(0)
    tokens, slots = script.window_of(voiced(), 512, rng, voices=8)
    assert len(tokens) == 40
    assert slots.tolist() == [1 + i % 4 for i in range(40)]  # part k reads slot k + 1
    unknown = CorpusPiece("tune", "folk", voiced().tokens)  # parts not recorded
    assert set(script.window_of(unknown, 512, rng, voices=8)[1].tolist()) == {0}
    dropped = [script.window_of(voiced(), 512, rng, voices=8, voice_drop=0.5)[1] for _ in range(40)]
    told = sum(bool(s.any()) for s in dropped)
    assert 5 < told < 35  # about half the windows are trained as "voices unknown"
    assert not script.window_of(voiced(), 512, rng, voices=0)[1].any()


def test_weighted_collections_are_drawn_more_often(script: ModuleType) -> None:
    corpus = [voiced(), *pieces()]  # one chorale among six test pieces
    weights = script.sampling_weights(corpus, {"bach": 30.0})
    rng = np.random.default_rng(0)
    drawn = script.batches(corpus, 16, 512, 4, rng, weights=weights, voices=8)
    voiced_windows = sum(int((v > 1).any(dim=1).sum()) for _, v in drawn)
    assert voiced_windows > 0.7 * 64  # 30 / 35 of the draws; uniform would give about 1 in 7
    assert script.sampling_weights(corpus, {}) is None


def test_saved_corpus_keeps_the_parts(script: ModuleType, tmp_path: Path) -> None:
    script.save_corpus([voiced()], tmp_path / "corpus.npz")
    (loaded,) = script.load_corpus(tmp_path / "corpus.npz")
    assert loaded.parts is not None and np.array_equal(loaded.parts, voiced().parts)
