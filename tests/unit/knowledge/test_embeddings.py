"""Every way of running MiniLM must give sentence-transformers' vectors: the knowledge index is
built by one backend and queried by another when a process falls back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from etude.knowledge.embeddings import Embedder, converted_dir

TEXTS = [
    "Which notes make up a G major triad?",
    "Why do composers avoid parallel fifths?",
    "hi",
    "A much longer sentence about four-part writing, " * 200,  # past the 256-token limit
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return Embedder(backend="sentence-transformers").embed(TEXTS)


@pytest.mark.parametrize("backend", ["ctranslate2", "transformers"])
def test_backend_matches_sentence_transformers(
    backend: str, reference: np.ndarray, tmp_path_factory: pytest.TempPathFactory
) -> None:
    embedder = Embedder(backend=backend, cache_dir=tmp_path_factory.mktemp("cache"))
    ours = embedder.embed(TEXTS, batch_size=3)
    assert ours.shape == reference.shape == (4, 384)
    assert np.allclose(ours, reference, atol=1e-5)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_ctranslate2_is_the_default_and_converts_once(tmp_path) -> None:
    first = Embedder(cache_dir=tmp_path)
    assert first.backend == "ctranslate2"
    target = converted_dir(Path(first.path), tmp_path)
    made = (target / "model.bin").stat().st_mtime_ns
    Embedder(cache_dir=tmp_path)
    assert (target / "model.bin").stat().st_mtime_ns == made


def test_unknown_backend_is_one_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown embedder backend 'onnx'"):
        Embedder(backend="onnx")


def test_empty_input() -> None:
    assert Embedder().embed([]).shape == (0, 384)


def test_a_repeated_question_is_embedded_once_and_its_vector_is_a_copy(tmp_path) -> None:
    embedder = Embedder(cache_dir=tmp_path)
    calls = []
    run = embedder._run
    embedder._run = lambda texts: calls.append(list(texts)) or run(texts)
    first = embedder.embed(["Spell a D7 chord"])
    first[0, 0] = 99.0  # a caller that changes its vector does not change the next one's
    again = embedder.embed(["Spell a D7 chord"])
    assert calls == [["Spell a D7 chord"]]
    assert again[0, 0] != 99.0 and np.isclose(np.linalg.norm(again[0]), 1.0)
