"""The content words of a question or a heading, cheap to import: retrieval ranks sections by
them and the reply composer checks a passage's subject with them.
"""

from __future__ import annotations

import re

FILLER = frozenset(
    [
        "what",
        "which",
        "when",
        "where",
        "there",
        "this",
        "that",
        "with",
        "from",
        "your",
        "have",
        "does",
        "into",
        "make",
        "sound",
        "like",
        "just",
        "about",
        "should",
        "could",
        "would",
        "will",
        "some",
        "more",
        "most",
        "much",
        "very",
        "really",
        "always",
        "thing",
        "things",
    ]
)


def content_stems(text: str, filler: frozenset[str] = FILLER) -> set[str]:
    """Content words cut to five letters (modulate/modulation, rhyme/rhymes meet), without
    the question words and fillers of ``filler``.

    >>> sorted(content_stems("Why does the deceptive cadence sound so surprising?"))
    ['caden', 'decep', 'surpr']
    """
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in filler}
