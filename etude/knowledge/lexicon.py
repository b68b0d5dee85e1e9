"""The words our knowledge base is about: how the mentor tells a music question from a pizza one.

Sentence embeddings score "how is a rondo put together?" and "what's a good pizza topping?"
about equally against the theory tool's examples (both near 0.2), so similarity cannot say
which is off-topic. The knowledge base can: every article title and section heading names
what it teaches ("Rondo form", "The minuet and trio", "Prosody, matching word stress to the
music"), and a message that uses one of those words is about music. Headings also hold everyday
English ("together", "set", "who"): a word among the ~6,000 most frequent of the embedding
model's English vocabulary (WordPiece vocabularies are ordered roughly by frequency) is left
out, as are a few generic heading words, so the lexicon keeps what is specific to music.

>>> words = music_words()
>>> {"rondo", "minuet", "prosody"} <= words, "pizza" in words, "writing" in words
(True, False, False)
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from etude.knowledge.articles import ARTICLES_DIR

_GENERIC = {
    "a",
    "about",
    "an",
    "and",
    "are",
    "as",
    "at",
    "basic",
    "basics",
    "before",
    "between",
    "build",
    "building",
    "by",
    "can",
    "choose",
    "choosing",
    "common",
    "create",
    "creating",
    "do",
    "does",
    "each",
    "example",
    "examples",
    "fix",
    "fixing",
    "for",
    "from",
    "get",
    "good",
    "guide",
    "how",
    "in",
    "into",
    "introduction",
    "is",
    "it",
    "its",
    "key",
    "keys",
    "kinds",
    "make",
    "making",
    "matching",
    "more",
    "most",
    "new",
    "not",
    "of",
    "on",
    "one",
    "or",
    "other",
    "overview",
    "part",
    "parts",
    "practical",
    "problem",
    "problems",
    "reading",
    "really",
    "simple",
    "some",
    "tip",
    "tips",
    "that",
    "the",
    "their",
    "them",
    "these",
    "this",
    "to",
    "two",
    "types",
    "use",
    "used",
    "using",
    "versus",
    "vs",
    "way",
    "ways",
    "what",
    "when",
    "where",
    "which",
    "why",
    "with",
    "work",
    "works",
    "write",
    "writing",
    "you",
    "your",
}


COMMON_RANK = 6000
"""Vocabulary ids below this are everyday English (BERT's WordPiece list starts at id ~2000 with
"the", "of", "and", roughly by frequency)."""


def _everyday_words() -> set[str]:
    from etude.knowledge.embeddings import model_path

    vocabulary = Path(model_path()) / "vocab.txt"
    try:
        lines = vocabulary.read_text(encoding="utf-8").splitlines()[:COMMON_RANK]
    except OSError:
        return set()
    return {line for line in lines if line.isalpha()}


@lru_cache(maxsize=2)
def music_words(folder: Path = ARTICLES_DIR) -> frozenset[str]:
    """Music-specific content words of the articles: every word of a title or section heading,
    and the words of the text that at least three articles use (a term, not one article's
    turn of phrase), less everyday English."""
    words: set[str] = set()
    articles_using: dict[str, int] = {}
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            heading = re.match(r"^(?:title:\s*|#{1,3}\s+)(.+)$", line)
            if heading:
                words.update(re.findall(r"[a-z][a-z\-]+", heading.group(1).lower()))
        for word in set(re.findall(r"[a-z][a-z\-]+", text.lower())):
            articles_using[word] = articles_using.get(word, 0) + 1
    words.update(word for word, count in articles_using.items() if count >= 3)
    everyday = _everyday_words()
    return frozenset(word for word in words if word not in _GENERIC | everyday and len(word) > 2)


def mentions_music(text: str) -> bool:
    """Whether ``text`` uses a word the knowledge base is about.

    >>> mentions_music("How is a rondo put together?"), mentions_music("best pizza toppings?")
    (True, False)
    """
    return bool(set(re.findall(r"[a-z][a-z\-]+", text.lower())) & music_words())
