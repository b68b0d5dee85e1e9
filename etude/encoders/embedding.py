"""Embedding a learner's score with our pre-trained MusicBERT-small (shipped in the package).

``ETUDE_MUSICBERT`` may point at another checkpoint folder (``model.safetensors`` +
``config.json``, as ``etude encoder import-fairseq`` writes for the official MusicBERT). The
style estimate compares with a reference set embedded by the same model, so it lives in the
checkpoint's folder (``reference.npz``, from ``scripts/build_reference_set.py``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel

from etude.config import Settings
from etude.encoders.octuple import OctupleEncoder
from etude.encoders.runtime import EncoderModel, load_onnx

if TYPE_CHECKING:
    from etude.encoders.musicbert import MusicBert

CHECKPOINT = Path(__file__).parent / "checkpoints" / "musicbert-small"


class Embedding(BaseModel):
    """The ``etude embed --json`` object."""

    model: str
    dim: int
    bars: int
    piece: list[float]
    bar_vectors: list[list[float]] | None = None


class NoReferenceSet(FileNotFoundError):
    """The checkpoint in use has no reference set, so there is nothing to compare a piece with."""


def checkpoint_dir(folder: str | Path | None = None) -> Path:
    """The checkpoint in use: ``folder``, else ``ETUDE_MUSICBERT``, else the shipped one.

    Read here rather than passed down: the loaded model is cached per process, and the style
    estimate must use the reference set of the same checkpoint.
    """
    return Path(folder or Settings.one_from_env("musicbert") or CHECKPOINT).resolve()


def load_model(folder: str | Path | None = None) -> MusicBert:
    """The checkpoint as a torch module: for training, probing and exporting. The analysis
    uses :func:`inference_model`, which spares a process importing torch."""
    # resolved before the cache, so that a changed ETUDE_MUSICBERT is a different model
    return _load(checkpoint_dir(folder))


@lru_cache(maxsize=2)
def _load(path: Path) -> MusicBert:
    from etude.encoders.musicbert import MusicBert

    _require(path)
    return MusicBert.load(path)


def inference_model(folder: str | Path | None = None) -> EncoderModel:
    """The checkpoint for inference: its ONNX export run by ONNX Runtime (exported on first
    use, see ``etude.encoders.runtime``), else the torch model. Both give the same embeddings
    and pitch distributions to within float32 rounding (``tests/unit/encoders/test_runtime.py``)."""
    path = checkpoint_dir(folder)
    _require(path)
    return load_onnx(path) or _load(path)


def _require(path: Path) -> None:
    if not (path / "model.safetensors").exists():
        raise FileNotFoundError(f"no MusicBERT checkpoint in {path}")


def embed_midi(midi: bytes | str | Path, *, with_bars: bool = False) -> Embedding:
    return embed_tokens(OctupleEncoder().encode(midi).tokens, with_bars=with_bars)


def embed_tokens(tokens: np.ndarray, *, with_bars: bool = False) -> Embedding:
    """The embedding of a piece already encoded as octuples (the encoder tool has them)."""
    model = inference_model()
    bar_vectors, piece = model.embed(tokens.astype(np.int64))
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


@lru_cache(maxsize=2)
def _reference(folder: Path) -> tuple[np.ndarray, list[str], list[str]]:
    path = folder / "reference.npz"
    if not path.exists():
        raise NoReferenceSet(
            f"the MusicBERT checkpoint in {folder} has no reference set; build one with "
            "`python scripts/build_reference_set.py` (it writes reference.npz there)"
        )
    with np.load(path) as data:
        vectors = data["vectors"].astype(np.float32)
        names, collections = [str(n) for n in data["names"]], [str(c) for c in data["collections"]]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9
    return vectors, names, collections


def estimate_style(piece: list[float] | np.ndarray, *, k: int = 10) -> StyleEstimate:
    """Nearest reference pieces by cosine similarity, and a similarity-weighted vote of the
    ``k`` nearest over their corpus collections."""
    vectors, names, collections = _reference(checkpoint_dir())
    query = np.asarray(piece, dtype=np.float32)
    if query.shape != vectors.shape[1:]:
        raise ValueError(
            f"a {query.shape[-1]}-dimensional piece vector cannot be compared with the "
            f"{vectors.shape[1]}-dimensional reference set of {checkpoint_dir()}"
        )
    similarity = vectors @ (query / (np.linalg.norm(query) + 1e-9))
    order = np.argsort(-similarity)[:k]
    votes: dict[str, float] = {}
    for i in order:
        votes[collections[i]] = votes.get(collections[i], 0.0) + float(max(similarity[i], 0.0))
    total = sum(votes.values()) or 1.0
    scores = {name: round(v / total, 3) for name, v in sorted(votes.items(), key=lambda x: -x[1])}
    return StyleEstimate(
        model=inference_model().config.name,
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
