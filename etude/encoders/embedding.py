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


class StyleEstimate(BaseModel):
    """Where a piece sits among the reference pieces of music21's corpus."""

    model: str
    closest_collection: str
    collection_scores: dict[str, float]
    nearest: list[dict[str, object]]


@lru_cache(maxsize=1)
def _reference() -> tuple[np.ndarray, list[str], list[str]]:
    data = np.load(CHECKPOINT / "reference.npz")
    vectors = data["vectors"].astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return vectors, [str(n) for n in data["names"]], [str(c) for c in data["collections"]]


def estimate_style(piece: list[float] | np.ndarray, *, k: int = 10) -> StyleEstimate:
    """Nearest reference pieces by cosine similarity, and a similarity-weighted vote of the
    ``k`` nearest over their corpus collections."""
    vectors, names, collections = _reference()
    query = np.asarray(piece, dtype=np.float32)
    similarity = vectors @ (query / (np.linalg.norm(query) + 1e-9))
    order = np.argsort(-similarity)[:k]
    votes: dict[str, float] = {}
    for i in order:
        votes[collections[i]] = votes.get(collections[i], 0.0) + float(max(similarity[i], 0.0))
    total = sum(votes.values()) or 1.0
    scores = {name: round(v / total, 3) for name, v in sorted(votes.items(), key=lambda x: -x[1])}
    return StyleEstimate(
        model=load_model().config.name,
        closest_collection=next(iter(scores)),
        collection_scores=scores,
        nearest=[
            {
                "piece": names[i],
                "collection": collections[i],
                "similarity": round(float(similarity[i]), 3),
            }
            for i in order[:3]
        ],
    )
