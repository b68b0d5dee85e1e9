"""The batched piece embedding used by the probes must be the tool's own piece vector."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from etude.encoders.evaluation import piece_embeddings
from etude.encoders.musicbert import MusicBert, MusicBertConfig
from etude.encoders.octuple import Note, OctupleEncoder, Performance

TINY = MusicBertConfig(hidden=32, layers=2, heads=4, ffn=64, max_notes=64, name="tiny")


def melody(bars: int, lowest: int) -> np.ndarray:
    notes = [Note(beat * 0.5, 0.5, lowest + beat % 7) for beat in range(bars * 8)]
    return OctupleEncoder().encode(Performance(notes)).tokens.astype(np.int64)


def test_batched_piece_vectors_equal_one_piece_at_a_time() -> None:
    torch.manual_seed(0)
    model = MusicBert(TINY).eval()
    # lengths below, at and above one window, so padding and multi-window pieces both occur
    pieces = [melody(bars, 55 + bars) for bars in (1, 3, 8, 9, 20)]
    batched = piece_embeddings(model, pieces, batch_size=2)
    single = np.stack([model.embed(piece)[1] for piece in pieces])
    assert batched.shape == (5, TINY.hidden)
    np.testing.assert_allclose(batched, single, atol=1e-5)


def test_a_piece_without_notes_is_refused() -> None:
    with pytest.raises(ValueError, match="without notes"):
        piece_embeddings(MusicBert(TINY), [np.zeros((0, 8), dtype=np.int64)])
