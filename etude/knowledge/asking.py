"""What kind of thing a learner's message asks for, read from its wording alone.

Cheap to import (regular expressions only): the router asks it on every turn, and a tool
plug-in's own grammar may ask it too, so that "how do I end a melody?" is answered from the
knowledge base and never taken for an order to compose one.
"""

from __future__ import annotations

import re

_CLAUSE_START = r"(?:^|[.?!;:,]\s*|\b(?:and|but|so|then)\s+)"
_LEAD_IN = (
    r"(?:(?:please|ok(?:ay)?|hmm+|well|also)[\s,]+)?"
    r"(?:(?:can|could|would|will) you\s+)?"
    r"(?:(?:tell|show|teach) me\s+|explain\s+|i\s*(?:'d| would)? (?:like|want|need) to "
    r"(?:know|learn|understand)\s+|i(?:'m| am) (?:not sure|wondering)\s+|i (?:wonder|don'?t "
    r"(?:know|get|understand))\s+)?"
)
_HOW_TO = re.compile(
    _CLAUSE_START
    + _LEAD_IN
    + r"how\b(?!\s+(?:about|many|much|long|far|often|old|come)\b)"
    + r"|\b(?:best|right|good|proper|easiest|simplest|usual|common) ways? (?:to|of)\b"
    + r"|\b(?:any|some|a few|your)\s+(?:tips?|advice|pointers|tricks?|ideas)\b",
    re.IGNORECASE,
)


def asks_how_to(message: str) -> bool:
    """Whether the message asks *how* something is done (or the way, or tips for doing it):
    a question for the knowledge base, whatever it mentions making.

    A clause must open with "how" (after a lead-in such as "can you tell me"); a "how" inside
    an order ("write a tune that shows how to end on the tonic") does not make it a question,
    and "how about a jig?" or "how many bars?" ask no how-to.

    >>> asks_how_to("how do i end a melody so it sounds finished")
    True
    >>> asks_how_to("What's the best way to end a tune?"), asks_how_to("any tips for a bridge?")
    (True, True)
    >>> asks_how_to("I'm stuck on my coda. How should a melody finish?")
    True
    >>> asks_how_to("can you tell me how to write a good melody")
    True
    >>> asks_how_to("write me a melody that shows how to end on the tonic")
    False
    >>> asks_how_to("how about a jig in D?"), asks_how_to("How many flats in A flat major?")
    (False, False)
    >>> asks_how_to("can you make up a melody for me")
    False
    """
    return bool(_HOW_TO.search(message))
