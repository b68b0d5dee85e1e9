"""What kind of thing a learner's message asks for, read from its wording alone.

Cheap to import (regular expressions only): the router asks it on every turn, and a tool
plug-in's own grammar may ask it too, so that "how do I end a melody?" is answered from the
knowledge base and never taken for an order to compose one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    r"\b(?:wrong|mistakes?|slips?|typos?|sour|out of place|clash(?:es|ing)?"
    r"|(?:sounds?|sounding|feels?|feeling|seems?|is|'s) (?:a (?:bit|little) )?"
    r"(?:off|weird|strange|funny|odd)|sounds? bad"
    r"|(?:sound|feel|seem)s? (?:not|n't) right|(?:does|do)n't (?:sound|feel|seem) right)\b",
    re.I,
)


def believes_a_note_wrong(message: str) -> bool:
    """Whether the learner says (or suspects) a note of their piece is wrong: the wrong-note
    ranker's best candidate answers them, sure or not, since they told us what its "no wrong
    note" option cannot know.

    >>> believes_a_note_wrong("Something sounds off in bar 3, which note?")
    True
    >>> believes_a_note_wrong("I think I made a mistake somewhere")
    True
    >>> believes_a_note_wrong("the alto feels off somewhere near the end, which note?")
    True
    >>> believes_a_note_wrong("bar 5 doesn't sound right"), believes_a_note_wrong("it's a bit odd")
    (True, True)
    >>> believes_a_note_wrong("Which note is the most unexpected?")
    False
    >>> believes_a_note_wrong("is the ending strong?"), believes_a_note_wrong("I feel good")
    (False, False)
    """
    return _WRONG_NOTE.search(message) is not None


_SURPRISE = re.compile(
    r"\b(?:unexpected|surpris\w*|wrong|odd|strange|out of place|stands? out|sounds? off)\b",
    re.I,
)


def asks_about_surprise(message: str) -> bool:
    """Whether the learner asks about a note that is unexpected, odd or wrong-sounding: the
    encoder's least expected note (or likeliest slip) is then the answer, not context.

    >>> asks_about_surprise("Which note stands out?"), asks_about_surprise("Is it in D?")
    (True, False)
    """
    return _SURPRISE.search(message) is not None


_ROLES = {
    "soprano": "top", "treble": "top", "melody": "top", "top": "top", "upper": "top",
    "highest": "top", "alto": "alto", "tenor": "tenor", "bass": "bass", "bassline": "bass",
    "bottom": "bass", "lowest": "bass", "inner": "inner", "middle": "inner",
}  # fmt: skip
_VOICE = re.compile(
    r"\b(?:(?P<plain>soprano|alto|tenor|bass(?:line)?|melody)(?:\s+(?:line|part|voice))?"
    r"|(?P<placed>top|upper|highest|bottom|lowest|inner|middle)\s+(?:line|part|voices?))\b",
    re.I,
)
_BARS = re.compile(
    r"\b(?:bars?|measures?|m\.)\s*(?P<a>\d{1,4})"
    r"(?:\s*(?:-|–|to|through|and|or|&)\s*(?:bars?\s*|measures?\s*)?(?P<b>\d{1,4}))?\b",
    re.I,
)
_START = re.compile(r"\b(?:near|at|in|towards?) the (?:very )?(?:start|beginning|opening)\b", re.I)
_END = re.compile(r"\b(?:near|at|in|towards?) the (?:very )?(?:end|ending|close)\b", re.I)
_MIDDLE = re.compile(r"\b(?:in|around|near) the middle\b(?!\s+(?:voices?|parts?|lines?)\b)", re.I)


_PARTS_OF_PIECE = (("start", _START), ("middle", _MIDDLE), ("end", _END))


@dataclass(frozen=True)
class Place:
    """Where in their piece the learner points: voices by role, a span of bars (the numbers
    engraved in the score), or the start or end of the piece."""

    voices: frozenset[str] = frozenset()
    """Roles: "top", "alto", "tenor", "bass", "inner" (every part between the outer two)."""
    bars: tuple[int, int] | None = None
    """First and last bar, both included."""
    part_of_piece: str | None = None
    """ "start", "middle" or "end" when the learner says "near the start", "somewhere in the
    middle" or "at the end"."""

    def __bool__(self) -> bool:
        return bool(self.voices) or self.bars is not None or self.part_of_piece is not None


def where_the_learner_points(message: str) -> Place:
    """The voices and bars a message names, so an answer about "the tenor line" or "bar 5"
    looks there first.

    >>> where_the_learner_points("the tenor line feels weird in bars 3-4, what's wrong?")
    Place(voices=frozenset({'tenor'}), bars=(3, 4), part_of_piece=None)
    >>> where_the_learner_points("Something sounds sour near the start of the melody")
    Place(voices=frozenset({'top'}), bars=None, part_of_piece='start')
    >>> sorted(where_the_learner_points("the inner voices of measure 12").voices)
    ['inner']
    >>> where_the_learner_points("the alto feels odd somewhere in the middle").part_of_piece
    'middle'
    >>> where_the_learner_points("in the middle voices").part_of_piece is None
    True
    >>> bool(where_the_learner_points("Which note is wrong?"))
    False
    """
    voices = frozenset(
        _ROLES[(found["plain"] or found["placed"]).lower()] for found in _VOICE.finditer(message)
    )
    bars = None
    span = _BARS.search(message)
    if span:
        first, last = int(span["a"]), int(span["b"] or span["a"])
        bars = (min(first, last), max(first, last))
    part = next(
        (name for name, said in _PARTS_OF_PIECE if said.search(message)),
        None,
    )
    return Place(voices, bars, part)


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


_HELP_TO_PICK = re.compile(
    r"\b(?:help(?:ing)?\s+(?:me\s+|us\s+)?(?:to\s+)?|(?:need|want|like)\s+(?:some\s+)?help\s+"
    r"(?:with\s+)?)(?:pick(?:ing)?|choos(?:e|ing)|find(?:ing)?|select(?:ing)?|decid(?:e|ing)|"
    r"figur(?:e|ing) out|work(?:ing)? out)\b",
    re.IGNORECASE,
)
_WHICH_TO_USE = re.compile(
    r"\b(?:which|what)\s+(?:\S+\s+){0,3}?(?:should|could|would|might)\s+(?:i|we)\s+"
    r"(?:\S+\s+)?(?:use|pick|choose|play|try|put|go with|write)\b"
    r"|\b(?:which|what)\s+(?:\S+\s+){0,2}?(?:chords?|progressions?|keys?|harmon(?:y|ies)|scales?|"
    r"notes?|modes?)\s+(?:would\s+|will\s+|might\s+)?(?:work|works|go|goes|fit|fits|suit|suits|"
    r"sound|sounds)\b",
    re.IGNORECASE,
)
_SUGGEST = re.compile(
    r"\b(?:suggest|recommend)(?:ions?)?\b(?!\s+(?:a|an|the)\s+(?:tune|melody|piece)\b)",
    re.IGNORECASE,
)


def asks_for_advice(message: str) -> bool:
    """Whether the message asks for help *choosing* something ("help me pick chords for a sad
    verse", "which chords should I use?", "what chords work for a hopeful chorus?"): a request
    for advice, answered from the knowledge base and the engine, never an order to compose.
    Similarity reads "pick chords for a verse in E minor" as close to "write a melody in E
    minor", and the composer's tune answered nothing that was asked.

    >>> asks_for_advice("help me pick chords for a sad verse in E minor")
    True
    >>> asks_for_advice("can you help me choose a key for my ballad?")
    True
    >>> asks_for_advice("I need help finding chords for my chorus")
    True
    >>> asks_for_advice("which chords should I use for a dark bridge in D minor?")
    True
    >>> asks_for_advice("what chords work for a hopeful chorus in D major?")
    True
    >>> asks_for_advice("suggest a progression for a sad song")
    True
    >>> asks_for_advice("write me a sad melody in E minor"), asks_for_advice("help me!")
    (False, False)
    >>> asks_for_advice("what is a chord?"), asks_for_advice("compose a waltz in D")
    (False, False)
    """
    return any(pattern.search(message) for pattern in (_HELP_TO_PICK, _WHICH_TO_USE, _SUGGEST))
