"""Recognising a request for the composer exactly, where embedding similarity is unsure.

"Write a scale study in E flat major for trumpet, 8 bars" resembles a theory question to a
sentence embedding; the constraint parser is certain. The router asks ``recognizes`` on every
turn, so it is a few regular expressions and claims only what the composer can do: ABC pasted
in the message, a conversion to a named format, or a request to write a piece with at least two
stated constraints.
"""

from __future__ import annotations

import re

from etude_abc_composer.abc_text import extract_abc
from etude_abc_composer.constraints import STYLES, parse_constraints

_PIECES = ("melody", "melodies", "tune", "song", "piece", "exercise", "study", "etude",
           "hornpipe", *STYLES)  # fmt: skip
_WRITE = re.compile(
    r"\b(write|compose|make up|give me|create|i need|i'd like)\b.*?\b("
    + "|".join(_PIECES)
    + r")s?\b",
    re.IGNORECASE | re.DOTALL,
)
_FORMAT = re.compile(r"\b(midi|musicxml|music ?xml|abc)\b", re.IGNORECASE)
_LYRICS = re.compile(r"\b(lyrics?|words|rhymes?|verse|chorus|title[ds]?|called|named)\b", re.I)


def recognizes(message: str) -> bool:
    """Whether the message is plainly a job for the composer.

    >>> recognizes("Write a scale study in E flat major for trumpet, 8 bars")
    True
    >>> recognizes("Please turn this into a MIDI file:\\nX:1\\nK:C\\nCDEF GABc|")
    True
    >>> recognizes("How should a melody climax?"), recognizes("Write a song called 'Rain'")
    (False, False)
    """
    if extract_abc(message) is not None:
        return True
    constraints = parse_constraints(message)
    if constraints.task == "convert":
        return bool(_FORMAT.search(message))
    if _LYRICS.search(message):
        return False  # songs with words belong to a lyrics tool
    return bool(_WRITE.search(message)) and len(constraints.stated) >= 2
