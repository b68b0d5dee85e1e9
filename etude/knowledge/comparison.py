"""Questions that compare two things ("what's the difference between a motif and a phrase?").

A comparison is answered by what each side *is*: retrieval looks each side up on its own (the
question as a whole sits between the two articles and may find only one), and the reply quotes
a passage for each side. Cheap to import: the reply composer reads it too.
"""

from __future__ import annotations

import re

_ARTICLE = r"(?:an?\s+|the\s+)?"
_SIDE = r"([a-z0-9#♭♯' -]{2,40}?)"
_END = r"\s*(?:[?.!,;—–]|\s+(?:in|for|when|and why|and how)\b|$)"

_PATTERNS = (
    re.compile(rf"\bdifferences?\s+between\s+{_ARTICLE}{_SIDE}\s+and\s+{_ARTICLE}{_SIDE}{_END}"),
    re.compile(
        rf"\bhow\s+(?:is|are|does|do)\s+{_ARTICLE}{_SIDE}\s+differ(?:ent)?\s+from\s+"
        rf"{_ARTICLE}{_SIDE}{_END}"
    ),
    re.compile(rf"\bcompare\s+{_ARTICLE}{_SIDE}\s+(?:and|with|to)\s+{_ARTICLE}{_SIDE}{_END}"),
    re.compile(rf"(?:^|[:,]\s*){_ARTICLE}{_SIDE}\s+(?:vs\.?|versus)\s+{_ARTICLE}{_SIDE}{_END}"),
)

_LEAD = re.compile(
    r"^(?:what(?:'s| is| are)?|whats|so|ok|okay|and|but|explain|tell me|the|a|an)\s+", re.I
)


def _clean(side: str) -> str:
    side = side.strip(" -'")
    while True:
        shorter = _LEAD.sub("", side)
        if shorter == side:
            return side
        side = shorter


def comparison_sides(question: str) -> tuple[str, str] | None:
    """The two things a question compares, or ``None`` when it compares nothing.

    >>> comparison_sides("What's the difference between a motif and a phrase?")
    ('motif', 'phrase')
    >>> comparison_sides("how is a suspension different from an appoggiatura?")
    ('suspension', 'appoggiatura')
    >>> comparison_sides("plagal vs authentic cadence — which is stronger?")
    ('plagal cadence', 'authentic cadence')
    >>> comparison_sides("compare the dorian mode with natural minor")
    ('dorian mode', 'natural minor')
    >>> comparison_sides("Which notes are in a D7 chord?") is None
    True
    >>> comparison_sides("difference between C and C") is None
    True
    """
    text = question.lower().replace("’", "'")
    for pattern in _PATTERNS:
        found = pattern.search(text)
        if found:
            first, second = _clean(found.group(1)), _clean(found.group(2))
            if " " not in first and len(second.split()) > 1:
                first = f"{first} {second.split()[-1]}"  # "plagal vs authentic cadence"
            if first and second and first != second:
                return first, second
    return None
