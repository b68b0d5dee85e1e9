"""Embedding a learner's score with our pre-trained MusicBERT-small (shipped in the package).

``ETUDE_MUSICBERT`` may point at another checkpoint folder (ours: ``model.safetensors`` +
``config.json``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from etude.encoders.musicbert import MusicBert
from etude.encoders.octuple import OctupleEncoder

CHECKPOINT = Path(__file__).parent / "checkpoints" / "musicbert-small"


class Embedding(BaseModel):
    """The ``etude embed --json`` object."""

    model: str
    dim: int
    bars: int
    piece: list[float]
    bar_vectors: list[list[float]] | None = None


@lru_cache(maxsize=2)
def load_model(folder: str | None = None) -> MusicBert:
    path = Path(folder or os.environ.get("ETUDE_MUSICBERT") or CHECKPOINT)
    if not (path / "model.safetensors").exists():
        raise FileNotFoundError(f"no MusicBERT checkpoint in {path}")
    return MusicBert.load(path)


def embed_midi(midi: bytes | str | Path, *, with_bars: bool = False) -> Embedding:
    model = load_model()
    tokens = OctupleEncoder().encode(midi).tokens.astype(np.int64)
    bar_vectors, piece = model.embed(tokens)
    return Embedding(
        model=model.config.name,
        dim=model.config.hidden,
        bars=len(bar_vectors),
        piece=[round(float(v), 6) for v in piece],
        bar_vectors=[[round(float(v), 6) for v in row] for row in bar_vectors]
        if with_bars
        else None,
    )
