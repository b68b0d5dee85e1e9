"""Recognising a request for the composer exactly, where embedding similarity is unsure.

"Write a scale study in E flat major for trumpet, 8 bars" resembles a theory question to a
sentence embedding; the constraint parser is certain. The router asks ``recognizes`` on every
turn, so it is a few regular expressions and claims only what the composer can do: ABC pasted
in the message, a conversion to a named format, an order to make a piece ("make up a melody for
me"), or a request to write a piece with at least two stated constraints. A question about how to
write one ("how do I end a melody?", "what's the best way to write a waltz in 3/4?"), or for
help choosing ("help me pick chords for a tune in D major in 3/4"), is the knowledge base's,
however many constraints it names.
"""

from __future__ import annotations

import re

from etude.knowledge.asking import asks_for_advice, asks_how_to
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
_MADE = ("melody", "melodies", "tune", "piece", "hornpipe",
         *(style for style, meters in STYLES.items() if meters))  # fmt: skip
_ORDER = re.compile(
    r"^\W*(?:(?:please|ok(?:ay)?|so|now|hey|and|then)[\s,]+)*"
    r"(?:(?:can|could|would|will) you\s+(?:please\s+)?|i(?:'d| would) like you to\s+)?"
    r"(?:(?:write|compose|make up|make|create|generate|give)\s+(?:me\s+|us\s+)?|"
    r"(?:how|what) about\s+)"
    r"(?:a|an|another|one|some|two|three|four|\d+|a few)\s+"
    r"(?:(?!(?:for|on|about|of|with|to|in|that|which)\b)\S+\s+){0,3}("
    + "|".join(_MADE)
    + r")(?:e?s)?\b(?!\s+of\s+(?:advice|information|feedback))",
    re.IGNORECASE,
)
"""An order addressed to the composer, opening the message, for an instrumental piece (a
"song" may mean its words; "another exercise" is the lesson tool's; "folk" and "baroque" are
adjectives): it needs no stated constraint, the composer has defaults. At most
three words stand between the article and the piece, none a preposition: "give me some tips for
writing a melody" asks for advice, not a melody."""
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
    >>> recognizes("can you make up a melody for me?"), recognizes("how about a jig in D?")
    (True, True)
    >>> recognizes("how do I write a melody in D minor in 3/4?")
    False
    >>> recognizes("I need help picking chords for a tune in D major in 3/4")
    False
    """
    if extract_abc(message) is not None:
        return True
    constraints = parse_constraints(message)
    if constraints.task == "convert":
        return bool(_FORMAT.search(message))
    if _LYRICS.search(message):
        return False  # songs with words belong to a lyrics tool
    if _ORDER.search(message):
        return True  # an order first, even with a question after it
    if asks_how_to(message) or asks_for_advice(message):
        return False  # advice on how, or on what to choose, is the knowledge base's
    return bool(_WRITE.search(message)) and len(constraints.stated) >= 2
