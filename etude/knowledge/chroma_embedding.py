"""Our embedder in Chroma's interface, in a module of its own because importing chromadb costs
about half a second: a turn that never searches the knowledge index (a chord spelled, a lesson
step) imports the embedder, not Chroma."""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from etude.knowledge.embeddings import MODEL_NAME, Embedder, shared_embedder


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
