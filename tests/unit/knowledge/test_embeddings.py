"""Our direct MiniLM path must give sentence-transformers' vectors."""

from __future__ import annotations

import numpy as np

from etude.knowledge.embeddings import Embedder

TEXTS = [
    "Which notes make up a G major triad?",
    "Why do composers avoid parallel fifths?",
    "hi",
    "A much longer sentence about four-part writing, " * 20,
]


def test_direct_path_matches_sentence_transformers() -> None:
    fast = Embedder()
    assert fast._library is None, "expected the direct transformers path for MiniLM"
    reference = Embedder(use_library=True)
    ours, theirs = fast.embed(TEXTS, batch_size=3), reference.embed(TEXTS)
    assert ours.shape == theirs.shape == (4, 384)
    assert np.allclose(ours, theirs, atol=1e-5)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_empty_input() -> None:
    assert Embedder().embed([]).shape == (0, 384)
