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


_KINDS = frozenset((
    "major", "minor", "perfect", "imperfect", "authentic", "plagal", "deceptive", "half",
    "interrupted", "phrygian", "diminished", "augmented", "half-diminished", "dominant",
    "suspended", "diatonic", "chromatic", "enharmonic", "consonant", "dissonant", "consonance",
    "dissonance", "modal", "tonal", "atonal", "pentatonic", "compound", "duple", "triple",
    "quadruple", "irregular", "syncopated", "parallel", "relative", "contrary", "oblique",
    "hidden", "secondary", "borrowed", "neapolitan", "passing", "neighbour", "neighbor",
    "monophonic", "homophonic", "polyphonic", "contrapuntal", "strophic", "through-composed",
    "binary", "ternary", "rondo", "sonata", "fugue", "canon", "chorale", "minuet", "waltz",
    "march", "blues", "cadence", "cadences", "chord", "chords", "triad", "triads", "interval",
    "intervals", "scale", "mode", "inversion", "unison", "second", "third", "fourth", "fifth",
    "sixth", "seventh", "octave", "ninth", "tritone", "note", "tone", "suspension",
    "appoggiatura", "anticipation", "pedal", "sequence", "modulation", "motif", "phrase", "hook",
    "riff", "ostinato", "counterpoint",
))  # fmt: skip
"""Words that name a kind of musical thing, or the property that puts a thing in its kind:
"what makes a cadence *deceptive*" asks what defines one. Evaluations ("bad", "weak",
"catchy") and effects ("sound sad", "work") are not kinds: those ask why."""

_WHAT_MAKES = re.compile(r"\bwhat\s+makes\s+(?P<rest>[^?.!;,]*)", re.IGNORECASE)
_CLAUSE_END = re.compile(
    r"\s+(?:rather than|instead of|as opposed to|compared (?:to|with)|and|or|but|when|if|"
    r"because|versus|vs\.?)\s.*$",
    re.IGNORECASE,
)
_TRAILING_PLACE = re.compile(r"\s+(?:in|on|at|for|from|of|to|by|with)\s+[\w#♭♯/ -]*$", re.I)
_EFFECT = re.compile(
    r"\b(?:sound|sounds|feel|feels|seem|seems|work|works|stand|stands|resolve|resolves|move|"
    r"moves|pull|pulls|flow|flows|good|better|best|bad|worse|wrong|weak|weaker|strong|"
    r"stronger|effective|interesting|boring|catchy|memorable|beautiful|special)\b",
    re.IGNORECASE,
)


def _what_makes(question: str) -> str | None:
    """What a "what makes …" clause asks for, "what" (the defining property) or "why" (a
    cause or an evaluation); None if there is no such clause.

    The clause's last word decides, read before any comparison ("… rather than minor") or
    place ("… in jazz"): a kind ("deceptive", "diminished", "a fugue") asks for the definition.
    A word of effect or judgement anywhere in it asks why, whatever else it names.

    >>> _what_makes("What makes a cadence deceptive?"), _what_makes("what makes a key minor")
    ('what', 'what')
    >>> _what_makes("what makes a chord diminished rather than minor?")
    'what'
    >>> _what_makes("what makes a cadence plagal in a hymn?")
    'what'
    >>> _what_makes("what makes a melody bad?"), _what_makes("what makes a minor chord sound sad?")
    ('why', 'why')
    >>> _what_makes("what makes a diminished chord unstable"), _what_makes("what makes it work")
    ('why', 'why')
    >>> _what_makes("why is it called deceptive?") is None
    True
    """
    found = _WHAT_MAKES.search(question)
    if found is None:
        return None
    clause = _CLAUSE_END.sub("", found["rest"].strip())
    if _EFFECT.search(clause):
        return "why"
    shorter = _TRAILING_PLACE.sub("", clause)
    words = (shorter if len(shorter.split()) >= 2 else clause).lower().split()
    return "what" if words and words[-1] in _KINDS else "why"


_WHY = re.compile(r"\bwhy\b|\bhow come\b", re.IGNORECASE)


def asks_why(question: str) -> bool:
    """Whether the question asks for a reason: "why", "how come", or "what makes" followed by
    an effect or a judgement ("what makes parallel fifths wrong?"), not by a kind.

    >>> asks_why("why do we avoid parallel fifths?"), asks_why("what makes a tune catchy?")
    (True, True)
    >>> asks_why("what makes a cadence deceptive?")
    False
    """
    return bool(_WHY.search(question)) or _what_makes(question) == "why"


def asks_what_defines(question: str) -> bool:
    """Whether a "what makes …" question asks what defines a kind ("what makes a chord
    diminished?"): the answer is the section that says what the thing is.

    >>> asks_what_defines("what makes a cadence plagal?"), asks_what_defines("what makes it sad?")
    (True, False)
    """
    return _what_makes(question) == "what"


_WRONG_NOTE = re.compile(
    r"\b(?:wrong|mistakes?|slips?|typos?|sour|out of place|sounds? (?:off|bad|weird))\b", re.I
)


def believes_a_note_wrong(message: str) -> bool:
    """Whether the learner says (or suspects) a note of their piece is wrong: the wrong-note
    ranker's best candidate answers them, sure or not, since they told us what its "no wrong
    note" option cannot know.

    >>> believes_a_note_wrong("Something sounds off in bar 3, which note?")
    True
    >>> believes_a_note_wrong("I think I made a mistake somewhere")
    True
    >>> believes_a_note_wrong("Which note is the most unexpected?")
    False
    """
    return _WRONG_NOTE.search(message) is not None


_TO_HEAR = re.compile(
    r"\b(?:sound(?:s|ing)?|feel(?:s|ing)?|felt|hear(?:d|ing)?|listen(?:s|ing)?|"
    r"clap(?:s|ping)?|tap(?:s|ping)?|by ear)\b",
    re.IGNORECASE,
)


def asks_how_it_sounds(question: str) -> bool:
    """Whether the question is about hearing something: how it sounds or feels, or telling it
    apart by listening. An example to play or clap is then part of the answer, whatever the
    learner's level.

    >>> asks_how_it_sounds("how does 9/8 feel?"), asks_how_it_sounds("tell 3/4 from 6/8 by ear")
    (True, True)
    >>> asks_how_it_sounds("what's the difference between 2/4 and 6/8 when you listen?")
    True
    >>> asks_how_it_sounds("is 12/8 simple or compound?")
    False
    """
    return bool(_TO_HEAR.search(question))
