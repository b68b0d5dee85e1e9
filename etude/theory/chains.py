"""Reading chained questions into plans: "the 5th of the rel minor of C" → a nested plan.

The phrase reader of :mod:`questions` finds the musical noun phrases (keys, notes, chords,
intervals, figures); this module reads the words *between* them as operations and nests them
the way English does, to any depth the wording allows:

* an operation is a *head* — "the relative minor", "the dominant", "the 3rd degree", "the
  diatonic seventh chord", "the key signature", "the harmonic minor scale" — applied to a noun
  phrase after a connector ("… of Y"), before it as a possessive ("E major's submediant"), or
  to the key named last ("its dominant"), or to the key the question is asked in ("In D
  major, which note is the dominant?");
* some operations have their own shape: "a major third above Y", "the minor key whose tonic
  is Y", "the key a whole step above Y", "the major key whose relative minor is Y", "the
  major key with three sharps", "the half-diminished seventh chord whose root is Y", "Y
  transposed up a tone" (a trailing movement belongs to the whole noun phrase);
* question shapes with two arguments are read whole: the interval or the semitones "from X up
  to Y" / "between X and Y" / "X up to Y is what interval", the numeral of a chord in a key,
  the quality of a chord, the signature a key "has".

What it cannot read, it leaves alone (``None``): a reading that leaves an operation word or a
musical noun of the question unread is refused, so a question is never answered as something
else. Learners abbreviate and misspell ("rel minor", "dominent", "sig", "sharps/flats"), so
cue words are mended before parsing (:func:`prepare`).

>>> from etude.theory.plan import evaluate, show
>>> show(evaluate(read_plan("what's the 5th of the rel minor of C?"))[0])
'E'
>>> show(evaluate(read_plan("key signature of the relative minor of the dominant of E♭"))[0])
'2 flats (Bb, Eb)'
>>> read_plan("why do composers avoid parallel fifths?") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from difflib import get_close_matches

from etude.theory.plan import (
    SCALE_FORMS,
    Between,
    Chord,
    ChordFrom,
    ChordOn,
    DegreeOf,
    Direction,
    Enharmonic,
    IntervalFrom,
    Key,
    KeyOn,
    KeyWith,
    Literal,
    Mode,
    Note,
    NumeralOf,
    Parallel,
    Plan,
    Quality,
    Relative,
    RomanIn,
    ScaleOf,
    Semitones,
    SignatureOf,
    Transpose,
    chord_of,
)
from etude.theory.plan import Interval as IntervalValue
from etude.theory.questions import Phrase, Token, _Reader, tokenize
from etude.theory.spelling import human, normalise_text

# ----------------------------------------------------------------------------- vocabulary

_ABBREVIATIONS = {
    "rel": "relative",
    "rel.": "relative",
    "relatve": "relative",
    "par": "parallel",
    "dom": "dominant",
    "dom.": "dominant",
    "subdom": "subdominant",
    "sig": "signature",
    "keysig": "key signature",
    "semis": "semitones",
    "semi-tones": "semitones",
    "halfsteps": "semitones",
    "enharmonically": "enharmonic",
}

_VOCABULARY = (
    "relative",
    "parallel",
    "dominant",
    "subdominant",
    "mediant",
    "submediant",
    "supertonic",
    "tonic",
    "leading",
    "subtonic",
    "signature",
    "semitones",
    "semitone",
    "interval",
    "transpose",
    "transposed",
    "enharmonic",
    "equivalent",
    "between",
    "above",
    "below",
    "major",
    "minor",
    "sharps",
    "flats",
    "numeral",
    "degree",
    "diminished",
    "augmented",
    "perfect",
    "seventh",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "octave",
    "half-diminished",
    "fully-diminished",
    "neapolitan",
    "mixolydian",
    "phrygian",
    "locrian",
    "aeolian",
    # right words that sit close to a cue word, so they are never "mended" into one
    "harmonic",
    "melodic",
    "natural",
    "dominate",
    "dominates",
    "mediate",
    "relation",
    "relatives",
    "parallels",
    "signatures",
    "transposition",
    "interval",
    "intervals",
)


def correct_words(text: str, *, fuzzy: bool = True) -> str:
    """Expand abbreviations and mend near-misses of the cue words (not of note names).

    ``fuzzy=False`` only expands abbreviations (for prose that is spelled right, where a
    near-miss is more likely another word than a typo).

    >>> correct_words("wats the relitive minor of G, and the dominent of rel. maj of e")
    'wats the relative minor of G, and the dominant of relative maj of e'
    >>> correct_words("the A harmonic minor; don't let the bass dominate")
    "the A harmonic minor; don't let the bass dominate"
    """

    def mend(match: re.Match[str]) -> str:
        word = match.group(0)
        lowered = word.lower()
        if lowered in _ABBREVIATIONS:
            return _ABBREVIATIONS[lowered]
        if not fuzzy or len(lowered) < 6 or lowered in _VOCABULARY:
            return word
        close = get_close_matches(lowered, _VOCABULARY, n=1, cutoff=0.84)
        return close[0] if close else word

    return re.sub(r"[A-Za-z][A-Za-z.\-]*[A-Za-z.]", mend, text)


# ----------------------------------------------------------------------------- words

_DEGREE_WORDS = {
    "tonic": 1,
    "supertonic": 2,
    "mediant": 3,
    "subdominant": 4,
    "dominant": 5,
    "submediant": 6,
    "subtonic": 7,
}
_ORDINAL_DEGREES = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "seventh": 7,
    "7th": 7,
}
_COUNTS = {
    "no": 0,
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    **{str(n): n for n in range(8)},
}
_FILLER = {
    "the",
    "a",
    "an",
    "what",
    "what's",
    "whats",
    "which",
    "is",
    "are",
    "was",
    "tell",
    "me",
    "please",
    "find",
    "name",
    "give",
    "so",
    "then",
    "now",
    "exactly",
    "that",
}
_UP = {"above", "up", "over", "higher", "upward", "upwards"}
_DOWN = {"below", "down", "under", "beneath", "lower", "downward", "downwards"}
_MODES: dict[str, Mode] = {"major": "major", "minor": "minor", "maj": "major", "min": "minor"}
_MOVES = {"transposed", "moved", "shifted", "taken", "raised", "lowered", "transpose", "move"}
_POSSESSIVE = "_poss_"

# A chord's quality as the words before "triad"/"chord": (triad suffix, seventh-chord suffix);
# None where the words need the other size ("dominant" names a seventh chord only).
_CHORD_QUALITIES: dict[tuple[str, ...], tuple[str | None, str | None]] = {
    ("major",): ("", "maj7"),
    ("minor",): ("m", "m7"),
    ("diminished",): ("dim", "dim7"),
    ("fully", "diminished"): (None, "dim7"),
    ("fully-diminished",): (None, "dim7"),
    ("half-diminished",): (None, "m7b5"),
    ("half", "diminished"): (None, "m7b5"),
    ("augmented",): ("aug", "aug7"),
    ("dominant",): (None, "7"),
    ("minor-major",): (None, "mMaj7"),
    ("minor", "major"): (None, "mMaj7"),
}
_SCALE_FORMS: dict[tuple[str, ...], str] = {
    ("major",): "major",
    ("minor",): "natural minor",
    ("natural", "minor"): "natural minor",
    ("harmonic", "minor"): "harmonic minor",
    ("melodic", "minor"): "melodic minor",
}
# Words that carry an operation: a question whose reading leaves one of them unread was not
# understood, and is answered with nothing rather than with a part of it.
_CUES = {
    *_DEGREE_WORDS,
    "leading",
    "relative",
    "parallel",
    "signature",
    "enharmonic",
    "transposed",
    "moved",
    "shifted",
    "above",
    "below",
    "numeral",
    "quality",
    "whose",
}


@dataclass(frozen=True)
class _Item:
    """A phrase (a musical noun) or a plain word, in question order."""

    word: str = ""
    phrase: Phrase | None = None


def _items(tokens: list[Token]) -> list[_Item]:
    phrases = _Reader(tokens).read_all()
    by_start = {p.start: p for p in phrases}
    items: list[_Item] = []
    index = 0
    while index < len(tokens):
        phrase = by_start.get(index)
        if phrase is not None and phrase.kind != "number":
            items.append(_Item(phrase=phrase))
            index = max(phrase.end, index + 1)
            continue
        token = tokens[index]
        word = str(token.value) if token.kind == "WORD" else token.text.lower()
        items.append(_Item(word=word))
        index += 1
    return items


def prepare(text: str) -> str:
    """The question in the spelling the reader knows: abbreviations and typos mended, note
    names compact, possessives split off ("E major's" → "E major _poss_"), and a few
    learners' variants of one word made one.

    >>> prepare("E♭ major's rel. minor, sharps/flats, the leading-note, half steps")
    'Eb major _poss_ relative minor, sharps or flats, the leading tone, semitones'
    """
    text = normalise_text(correct_words(text))
    text = re.sub(
        r"\b([A-G](?:##|bb|#|b|x)?m?|major|minor|maj|min|key|scale|chord|triad)['’]s\b",
        rf"\1 {_POSSESSIVE}",
        text,
    )
    text = re.sub(r"(?<=[a-z])/(?=[a-z])", " or ", text)
    text = re.sub(r"(?<=[A-G#b])\s+[-–—]\s+(?=[A-G])", " ", text)
    text = re.sub(r"\bleading[- ](?:tone|note)\b", "leading tone", text, flags=re.I)
    text = re.sub(r"\bhalf[- ]?steps\b", "semitones", text, flags=re.I)
    text = re.sub(r"\bscale-degree\b", "scale degree", text, flags=re.I)
    text = re.sub(r"\bascending melodic minor\b", "melodic minor", text, flags=re.I)
    return text


# ----------------------------------------------------------------------------- kinds


def value_kind(plan: Plan) -> str:
    """What a plan computes, read from its shape: "key", "note", "chord", "degree"…

    >>> value_kind(DegreeOf(5, Literal(Key("C", "major")), form="chord"))
    'chord'
    """
    match plan:
        case Literal():
            return {
                Key: "key",
                Note: "note",
                IntervalValue: "interval",
            }.get(type(plan.value), "chord")
        case ChordFrom() | ChordOn() | RomanIn() | Quality():
            return "chord"
        case DegreeOf():
            return {"chord": "chord", "key": "key"}.get(plan.form, "degree")
        case Relative() | Parallel() | KeyOn() | KeyWith():
            return "key"
        case IntervalFrom() | Transpose():
            inner = value_kind(plan.of)
            return inner if inner in ("key", "chord") else "note"
        case ScaleOf():
            return "scale"
        case SignatureOf():
            return "signature"
        case Enharmonic():
            return "notes"
        case Between() | Semitones():
            return "interval"
        case NumeralOf():
            return "numeral"
    return "other"


def _key_on(plan: Plan, mode: Mode | None) -> Plan:
    """ "the (minor) key on X": folded into X where X already says it."""
    if isinstance(plan, Literal) and isinstance(plan.value, Note):
        return Literal(Key(plan.value.name, mode or "major"))
    if isinstance(plan, Literal) and isinstance(plan.value, Key):
        return Literal(Key(plan.value.tonic, mode or plan.value.mode))
    if isinstance(plan, DegreeOf) and plan.form in ("auto", "note"):
        return replace(plan, form="key", mode=mode)
    return KeyOn(plan, mode)


def _chordish(plan: Plan) -> bool:
    """A chord, or a key's name standing for its tonic triad ("is A minor vi in C?")."""
    return value_kind(plan) == "chord" or (
        isinstance(plan, Literal) and isinstance(plan.value, Key)
    )


def _keyish(plan: Plan) -> bool:
    """A key, or what names one: a note, a degree, a major or minor triad ("Cm")."""
    if isinstance(plan, Literal) and isinstance(plan.value, Chord):
        return plan.value.quality.endswith(("major triad", "minor triad"))
    return value_kind(plan) in ("key", "note", "degree")


# ----------------------------------------------------------------------------- parsing

Found = tuple[Plan, int]
Head = tuple[Callable[[Plan], Plan], int]


class _Parser:
    """Recursive descent over items; every reader returns (plan, next position) or None.

    An operation is a *head* ("the relative minor", "the dominant seventh chord", "the key
    signature") applied to a noun phrase, either after a connector ("… of X") or before it
    as a possessive ("X's …"), or to the key named last ("its …").
    """

    def __init__(self, items: list[_Item]) -> None:
        self.items = items
        self.last_key: Plan | None = None
        self.context_key: Plan | None = None
        self.start = 0
        """Where the question proper starts, after an "In D major," that sets its key."""

    def word(self, pos: int) -> str:
        return self.items[pos].word if 0 <= pos < len(self.items) else ""

    def phrase(self, pos: int) -> Phrase | None:
        return self.items[pos].phrase if 0 <= pos < len(self.items) else None

    def skip(self, pos: int, extra: set[str] | None = None) -> int:
        fillers = _FILLER | (extra or set())
        while pos < len(self.items) and self.items[pos].word in fillers:
            pos += 1
        return pos

    def interval_at(self, pos: int) -> str | None:
        phrase = self.phrase(pos)
        if phrase is not None and phrase.kind == "interval" and phrase.interval:
            return phrase.interval
        return None

    def expr(self, pos: int, *, postfix: bool = True) -> Found | None:
        """A plan starting at ``pos``. A trailing "transposed up a tone" belongs to the whole
        noun phrase, so only the outermost call reads it (``postfix``)."""
        pos = self.skip(pos)
        if self.word(pos) in ("note", "pitch") and self.interval_at(self.skip(pos + 1)):
            pos = self.skip(pos + 1)  # "the note a P4 below Bb"
        found = (
            self.interval_from(pos)
            or self.chord_on(pos)
            or self.key_head(pos)
            or self.applied(pos)
            or self.figure(pos)
            or self.its(pos)
            or self.base(pos)
        )
        if found is None:
            return None
        found = self.possessive(*found)
        return self.postfix(*found) if postfix else found

    def connector(self, pos: int, allowed: set[str] | None = None) -> int | None:
        if self.word(pos) in (allowed or {"of", "in", "for"}):
            return pos + 1
        return None

    # -- heads: an operation without what it applies to ----------------------------------

    def heads(self, pos: int) -> list[tuple[Head, set[str]]]:
        found = []
        for head, connectors in (
            (self.related_head, {"of", "to", "for"}),
            (self.degree_head, {"of", "in", "for"}),
            (self.signature_head, {"of", "for", "in"}),
            (self.enharmonic_head, {"of", "for"}),
            (self.scale_head, {"of", "on", "from", "in"}),
            (self.quality_head, {"of"}),
        ):
            result = head(pos)
            if result is not None:
                found.append((result, connectors))
        return found

    def applied(self, pos: int) -> Found | None:
        """A head, a connector and what it applies to: "the relative minor of X". A head
        whose result cannot be moved (an enharmonic set, a signature, a quality) takes the
        movement after X as X's: "the enharmonic of Bb moved down a seventh"."""
        for (build, cursor), connectors in self.heads(pos):
            cursor = self.skip_verbs(cursor)
            after = self.connector(cursor, connectors)
            if after is not None:
                unmovable = build in (Enharmonic, SignatureOf, Quality)
                inner = self.expr(after, postfix=unmovable)
                if inner is not None:
                    return build(inner[0]), inner[1]
            elif self.context_key is not None and build.__name__ in ("degree", "related"):
                return build(self.context_key), cursor  # "In D major, … the dominant?"
        return None

    def skip_verbs(self, pos: int) -> int:
        """'built on', 'starting on', 'based on': the verb adds nothing to "on"."""
        if self.word(pos) in ("built", "based", "constructed", "starting", "beginning"):
            return pos + 1
        return pos

    def degree_head(self, pos: int) -> Head | None:
        word = self.word(pos)
        number: int | None = None
        leading = False
        cursor = pos + 1
        if word in _DEGREE_WORDS:
            number = _DEGREE_WORDS[word]
        elif word == "leading" and self.word(pos + 1) in ("tone", "note"):
            number, leading, cursor = 7, True, pos + 2
        elif word == "scale" and self.word(pos + 1) == "degree":
            digit = self.word(pos + 2)
            if digit in "1234567" and digit:
                number, cursor = int(digit), pos + 3
        elif word == "degree" and self.word(pos + 1) in tuple("1234567"):
            number, cursor = int(self.word(pos + 1)), pos + 2
        elif word in _ORDINAL_DEGREES:
            number = _ORDINAL_DEGREES[word]
            # "the fourth chord in D major" counts chords up the scale, as "the fourth
            # degree" counts notes: both are the degree, and the chord is the one built on it
            if self.word(cursor) not in (
                "of",
                "in",
                "degree",
                "scale",
                "note",
                "chord",
                "triad",
                _POSSESSIVE,
            ):
                return None
        else:
            ordinal = self.interval_at(pos)
            phrase = self.phrase(pos)
            if ordinal and phrase is not None and phrase.end - phrase.start == 1:
                # "the fifth of A minor": the reader took "fifth" for an interval
                digits = re.sub(r"\D", "", ordinal)
                if digits and int(digits) <= 7 and self.word(pos + 1) in ("of", "degree"):
                    number = int(digits)
        if number is None:
            return None
        form = "auto"
        seventh = False
        while self.word(cursor) in (
            "degree",
            "scale",
            "note",
            "tone",
            "chord",
            "triad",
            "key",
            "seventh",
            "7th",
            "tetrad",
        ):
            word = self.word(cursor)
            if word in ("chord", "triad", "tetrad", "seventh", "7th"):
                form = "chord"
                seventh = seventh or word in ("seventh", "7th", "tetrad")
            elif word == "key":
                if self.word(cursor + 1) in ("signature", "sig"):
                    break
                form = "key"
            elif word in ("note", "tone"):
                form = "note"
            cursor += 1
        n, f, s, lead = number, form, seventh, leading

        def degree(of: Plan) -> Plan:
            return DegreeOf(n, of, form=f, leading=lead, seventh=s)  # type: ignore[arg-type]

        return degree, cursor

    def related_head(self, pos: int) -> Head | None:
        word = self.word(pos)
        cursor = pos + 1
        mode: Mode | None = None
        if self.word(cursor) in _MODES:
            mode = _MODES[self.word(cursor)]
            cursor += 1
        if word == "tonic" and mode is not None:
            word = "parallel"  # "the tonic minor of E major" is its parallel minor
        if word not in ("relative", "parallel"):
            return None
        if self.word(cursor) in ("key", "scale", "tonality"):
            cursor += 1
        kind = Relative if word == "relative" else Parallel

        def related(of: Plan) -> Plan:
            return kind(of, mode)

        return related, cursor

    def signature_head(self, pos: int) -> Head | None:
        cursor = pos
        if self.word(cursor) == "key" and self.word(cursor + 1) == "signature":
            cursor += 2
        elif self.word(cursor) == "signature":
            cursor += 1
        else:
            return None
        return SignatureOf, cursor

    def enharmonic_head(self, pos: int) -> Head | None:
        cursor = pos
        if self.word(cursor) == "enharmonic":
            cursor += 1
            while self.word(cursor) in ("equivalent", "spelling", "name", "twin", "respelling"):
                cursor += 1
        elif self.word(cursor) in ("another", "other", "different") and self.word(cursor + 1) in (
            "name",
            "spelling",
        ):
            cursor += 2
        else:
            return None
        return Enharmonic, cursor

    def scale_head(self, pos: int) -> Head | None:
        cursor = pos
        form: str | None = None
        for length in (2, 1):
            words = tuple(self.word(cursor + i) for i in range(length))
            if words in _SCALE_FORMS:
                form, cursor = _SCALE_FORMS[words], cursor + length
                break
        if self.word(cursor) != "scale":
            return None
        chosen = form

        def scale(of: Plan) -> Plan:
            return ScaleOf(of, chosen)

        return scale, cursor + 1

    def quality_head(self, pos: int) -> Head | None:
        cursor = pos + 1 if self.word(pos) == "chord" else pos
        if self.word(cursor) != "quality":
            return None
        return Quality, cursor + 1

    # -- operations with their own shape -------------------------------------------------

    def interval_from(self, pos: int) -> Found | None:
        """'a major third above X', 'a P4 up from X', 'a fifth higher than X'."""
        code = self.interval_at(pos)
        if code is None:
            return None
        cursor = pos + 1
        word = self.word(cursor)
        joined = (word in ("higher", "lower") and self.word(cursor + 1) == "than") or (
            word in ("up", "down", "upward", "downward") and self.word(cursor + 1) == "from"
        )
        if joined:
            cursor += 1
        elif word not in _UP | _DOWN or word in ("up", "down"):
            return None
        direction: Direction = "below" if word in _DOWN else "above"
        inner = self.expr(cursor + 1, postfix=False)
        if inner is None:
            return None
        return IntervalFrom(code, inner[0], direction), inner[1]

    def chord_on(self, pos: int) -> Found | None:
        """'the diatonic seventh chord built on the supertonic of X', 'the major triad on
        F#', 'the half-diminished seventh chord whose root is C#'."""
        cursor = pos
        diatonic = self.word(cursor) == "diatonic"
        cursor += diatonic
        quality: tuple[str | None, str | None] | None = None
        for length in (2, 1):
            words = tuple(self.word(cursor + i) for i in range(length))
            if words in _CHORD_QUALITIES:
                quality, cursor = _CHORD_QUALITIES[words], cursor + length
                break
        seventh = False
        if self.word(cursor) in ("seventh", "7th") and self.word(cursor + 1) == "chord":
            seventh, cursor = True, cursor + 2
        elif self.word(cursor) in ("triad", "chord", "tetrad"):
            seventh = self.word(cursor) == "tetrad"
            cursor += 1
        else:
            return None
        if quality is not None and quality[0] is None:
            seventh = True
        cursor = self.skip(cursor, {"which", "that", "is"})
        if self.word(cursor) in ("whose", "with", "having"):
            start = cursor
            cursor = self.skip(cursor + 1, {"its", "root", "note", "is", "of", "on", "at", "as"})
            if "root" not in {self.word(i) for i in range(start, cursor)}:
                return None
        else:
            cursor = self.skip_verbs(cursor)
            if self.word(cursor) == "rooted":
                cursor += 1
            if self.word(cursor) not in ("on", "upon", "above", "over", "at"):
                return None
            cursor += 1
        inner = self.expr(cursor, postfix=False)
        if inner is None:
            return None
        plan, end = inner
        if quality is not None:
            suffix = quality[1] if seventh else quality[0]
            return (ChordOn(plan, suffix), end) if suffix is not None else None
        if isinstance(plan, DegreeOf) and plan.form in ("auto", "note"):
            return replace(plan, form="chord", seventh=seventh), end
        return None

    def key_head(self, pos: int) -> Found | None:
        """'the minor key built on X', 'the key a whole step above X', 'the major key whose
        relative minor is X', 'the key with three sharps', 'the key of X'."""
        cursor = pos
        mode: Mode | None = None
        if self.word(cursor) in _MODES:
            mode, cursor = _MODES[self.word(cursor)], cursor + 1
        if self.word(cursor) not in ("key", "tonality") or self.word(cursor + 1) in (
            "signature",
            "sig",
        ):
            return None
        cursor = self.skip(cursor + 1, {"that", "which", "is", "lying", "lies"})
        moved = self.interval_from(cursor)
        if moved is not None:
            return _key_on(moved[0], mode), moved[1]
        word = self.word(cursor)
        if word in ("whose", "with", "having") and self.word(cursor + 1) in (
            "relative",
            "parallel",
        ):
            kind = Relative if self.word(cursor + 1) == "relative" else Parallel
            after = self.skip(cursor + 2, {"major", "minor", "key", "is"})
            inner = self.expr(after, postfix=False)
            return (kind(inner[0], mode), inner[1]) if inner else None
        if word in ("with", "has", "having", "whose"):
            count = self.signature_count(cursor + 1)
            if count is not None:
                # "the key with 1 sharp" is G major and E minor: only a named mode is one key
                return (KeyWith(count[0], mode), count[1]) if mode else None
        if word in ("whose", "with", "having"):
            after = self.skip(cursor + 1, {"its", "tonic", "keynote", "home", "note", "is", "on"})
            if not {"tonic", "keynote", "home"} & {self.word(i) for i in range(cursor, after)}:
                return None
        else:
            after = self.skip_verbs(cursor)
            if self.word(after) not in ("on", "upon", "at", "of", "from"):
                return None
            after += 1
        inner = self.expr(after, postfix=False)
        if inner is None:
            return None
        return _key_on(inner[0], mode), inner[1]

    def signature_count(self, pos: int) -> tuple[int, int] | None:
        """'three sharps', '2 flats', 'no sharps or flats' → (sharps, next position)."""
        count = _COUNTS.get(self.word(pos))
        if count is None:
            return None
        word = self.word(pos + 1)
        if word not in ("sharps", "sharp", "flats", "flat", "accidentals"):
            return None
        cursor = pos + 2
        if self.word(cursor) == "or" and self.word(cursor + 1) in ("sharps", "flats"):
            cursor += 2
        if count and word == "accidentals":
            return None
        return (count if word.startswith("sharp") else -count), cursor

    def figure(self, pos: int) -> Found | None:
        phrase = self.phrase(pos)
        if phrase is None or phrase.kind != "figures" or len(phrase.figures) != 1:
            return None
        cursor = pos + 1
        if self.word(cursor) in ("chord", "triad"):
            cursor += 1
        after = self.connector(cursor, {"in", "of"})
        if after is None and self.context_key is not None:
            return RomanIn(phrase.figures[0], self.context_key), cursor  # "In F, the IV chord"
        if after is None:
            return None
        inner = self.expr(after, postfix=False)
        return (RomanIn(phrase.figures[0], inner[0]), inner[1]) if inner else None

    def its(self, pos: int) -> Found | None:
        """'its dominant': the operation applied to the key named last."""
        if self.word(pos) != "its" or self.last_key is None:
            return None
        for (build, cursor), _ in self.heads(pos + 1):
            return build(self.last_key), cursor
        return None

    def possessive(self, plan: Plan, pos: int) -> Found:
        """'E major's submediant', "B♭'s relative minor": the head after 's applied to X."""
        while self.word(pos) == _POSSESSIVE:
            heads = self.heads(pos + 1)
            if not heads:
                break
            (build, pos), _ = heads[0]
            plan = build(plan)
        return plan, pos

    # -- values --------------------------------------------------------------------------

    def base(self, pos: int) -> Found | None:
        if self.word(pos) in ("chord", "notes", "note", "tones", "pitches") and (
            self.phrase(pos + 1) is not None
        ):
            pos += 1
        phrase = self.phrase(pos)
        if phrase is None:
            return None
        plan: Plan | None = None
        if phrase.kind == "key" and phrase.root and phrase.mode:
            plan = Literal(Key(phrase.root, phrase.mode))
            self.last_key = plan
        elif phrase.kind == "note" and phrase.root:
            if self.word(pos + 1) in _MODES:
                plan = Literal(Key(phrase.root, _MODES[self.word(pos + 1)]))
                self.last_key = plan
                return plan, pos + 2
            plan = Literal(Note(phrase.root))
            self.last_key = plan
        elif phrase.kind == "notes" and len(phrase.notes) >= 3:
            plan = ChordFrom(tuple(phrase.notes))
        elif phrase.kind == "chord" and phrase.symbol:
            symbol = phrase.symbol
            if phrase.inversion and "/" not in symbol:  # "G major in first inversion": G/B
                tones = chord_of(symbol).tones
                if phrase.inversion < len(tones):
                    symbol += "/" + human(tones[phrase.inversion])
            plan = Literal(chord_of(symbol))
            if phrase.symbol in (human(phrase.root or "") + suffix for suffix in ("", "m")):
                self.last_key = plan
        elif phrase.kind == "scale" and phrase.root and phrase.scale in SCALE_FORMS:
            mode: Mode = "major" if phrase.scale == "major" else "minor"
            inner = Literal(Key(phrase.root, mode))
            self.last_key = inner
            plan = ScaleOf(inner, phrase.scale)
        elif phrase.kind == "interval" and phrase.interval:
            plan = Literal(IntervalValue(phrase.interval))
        if plan is None:
            return None
        return plan, pos + 1

    def postfix(self, plan: Plan, pos: int) -> Found:
        """'… transposed up a major third', '…, moved down a tone', '… respelled
        enharmonically', as many as follow."""
        while True:
            cursor = self.skip(
                pos, {"is", "are", "were", "was", "be", "gets", "get", "become", "becomes"}
            )
            cursor = self.skip(cursor, {"when", "if", "after", "being", "once"})
            word = self.word(cursor)
            if word in ("respelled", "spelled", "enharmonic", "written") and (
                "enharmonic" in (self.word(cursor), self.word(cursor + 1))
            ):
                plan, pos = Enharmonic(plan), cursor + 2
                continue
            moved = self.movement(plan, cursor)
            if moved is None:
                return plan, pos
            plan, pos = moved

    def movement(self, plan: Plan, pos: int) -> Found | None:
        cursor = pos
        direction: Direction = "above"
        verb = self.word(cursor)
        if verb in _MOVES:
            cursor += 1
            direction = "below" if verb == "lowered" else "above"
        elif verb not in ("up", "down"):
            return None
        if self.word(cursor) in ("up", "down", "upward", "downward"):
            direction = "below" if self.word(cursor) in _DOWN else "above"
            cursor += 1
        cursor = self.skip(cursor, {"by"})
        code = self.interval_at(cursor)
        if code is None:
            return None
        cursor += 1
        if self.word(cursor) in ("up", "down", "higher", "lower", "upward", "downward"):
            direction = "below" if self.word(cursor) in _DOWN else "above"
            cursor += 1
        return Transpose(plan, code, direction), cursor


# ----------------------------------------------------------------------------- questions

_SEMITONE_CUES = {"semitones", "semitone", "half-steps", "halfsteps"}
_ASKS_INTERVAL = {"interval", "distance", "far", "apart", "span", "spans"}


def _pair(parser: _Parser, words: list[str]) -> tuple[Plan, Plan, int] | None:
    """The two notes of 'from X up to Y', 'between X and Y', 'X up to Y', 'X and Y form',
    in the order up from the first; and where the second ends."""
    for index, word in enumerate(words):
        if word == "between":
            found = _joined(parser, index + 1, "and")
            if found is not None:
                return found
        if word == "from":
            first = parser.expr(index + 1)
            if first is None:
                continue
            down = parser.word(first[1]) in ("down", "downward")
            for reach in range(first[1], min(first[1] + 9, len(words))):
                if words[reach] in ("to", "reach", "reaching") and not (
                    parser.phrase(reach) or words[reach - 1] in ("how", "need")
                ):
                    second = parser.expr(reach + 1)
                    if second is not None:
                        if down:
                            return second[0], first[0], second[1]
                        return first[0], second[0], second[1]
    for index, word in enumerate(words):
        if word in ("up", "down") and parser.word(index + 1) == "to":
            for start in range(index):
                first = parser.expr(start)
                if first is not None and first[1] == index:
                    second = parser.expr(index + 2)
                    if second is not None:
                        if word == "down":
                            return second[0], first[0], second[1]
                        return first[0], second[0], second[1]
    if {"separates", "separate", "form", "forms", "formed", "make", "makes", "lies"} & set(words):
        for start in range(len(words)):
            found = _joined(parser, start, "and")
            if found is not None:
                return found
    return None


def _two_notes(parser: _Parser) -> tuple[Plan, Plan, int] | None:
    """'between C and G', 'the interval C–E': the phrase reader took the two notes as one
    list of two."""
    pairs = [
        (pos, item.phrase)
        for pos, item in enumerate(parser.items)
        if item.phrase is not None and item.phrase.kind == "notes" and len(item.phrase.notes) == 2
    ]
    if len(pairs) != 1:
        return None
    pos, phrase = pairs[0]
    first, second = (Literal(Note(name)) for name in phrase.notes)
    return first, second, pos + 1


def _joined(parser: _Parser, start: int, joiner: str) -> tuple[Plan, Plan, int] | None:
    """'X and Y', where "the tonic and the mediant of E minor" shares its key."""
    first = parser.expr(start)
    if first is not None and parser.word(first[1]) == joiner:
        second = parser.expr(first[1] + 1)
        return (first[0], second[0], second[1]) if second else None
    cursor = parser.skip(start)
    for (build, end), _ in parser.heads(cursor):
        if parser.word(end) != joiner:
            continue
        second = parser.expr(end + 1)
        if second is not None and isinstance(second[0], DegreeOf):
            return build(second[0].of), second[0], second[1]
    return None


def _between(parser: _Parser, words: list[str]) -> Plan | None:
    """'how many semitones from X up to Y', 'X up to Y is what interval', 'the interval
    between X and Y', 'what interval separates X and Y'."""
    semitones = bool(_SEMITONE_CUES & set(words))
    if not (semitones or _ASKS_INTERVAL & set(words)):
        return None
    found = _pair(parser, words) or _two_notes(parser)
    if found is None:
        return None
    first, second, end = found
    if parser.word(end) == "below" and parser.word(end + 1) in ("it", "that"):
        first, second = second, first  # "between A and the F# below it"
    return Between(first, second, "semitones" if semitones else "interval")


def _motion(parser: _Parser, words: list[str]) -> Plan | None:
    """'starting on G#, go up a minor sixth', 'take Db and move it down a major third', 'go
    up a perfect fourth from X'."""
    if not {"go", "move", "step", "count", "climb", "descend", "going", "moving"} & set(words):
        return None
    for pos in range(len(words)):
        code = parser.interval_at(pos)
        if code is None:
            continue
        before = words[pos - 2 : pos] if pos >= 2 else words[:pos]
        after = parser.word(pos + 1)
        ways = [w for w in (*before, after) if w in ("up", "down", "upward", "downward")]
        if not ways:
            continue
        direction: Direction = "below" if ways[0] in ("down", "downward") else "above"
        anchor = None
        if parser.word(pos + 1) in ("from", "above", "below"):
            anchor = parser.expr(pos + 2, postfix=False)
        if anchor is None:
            for start, word in enumerate(words[:pos]):
                if word in ("starting", "start", "begin", "beginning", "take", "from"):
                    cursor = parser.skip(start + 1, {"on", "from", "at", "with"})
                    anchor = parser.expr(cursor, postfix=False)
                    if anchor is not None:
                        break
        if anchor is not None:
            return IntervalFrom(code, anchor[0], direction)
    return None


def _transpose_verb(parser: _Parser, words: list[str]) -> Plan | None:
    """'transpose X up a major third'."""
    if "transpose" not in words:
        return None
    start = words.index("transpose") + 1
    found = parser.expr(start)
    if found is None:
        return None
    plan, cursor = found
    if isinstance(plan, Transpose):
        return plan
    parser_items = parser.items
    parser.items = [*parser_items[:cursor], _Item(word="up"), *parser_items[cursor:]]
    moved = parser.movement(plan, cursor)
    parser.items = parser_items
    return moved[0] if moved is not None else None


def _signature_count(parser: _Parser, words: list[str]) -> Plan | None:
    """'how many sharps does the relative major of C# minor have', 'which key signature
    does X use'."""
    counts = {"sharps", "flats", "accidentals"} & set(words) and ({"many", "number"} & set(words))
    if not (counts or "signature" in words):
        return None
    for start in range(parser.start, len(parser.items)):
        if parser.word(start) in ("does", "in", "has", "have", "for", "are", "do", "of"):
            found = parser.expr(start + 1)
            if found is None:
                continue
            if isinstance(found[0], SignatureOf):
                return found[0]
            if _keyish(found[0]) and not (
                isinstance(found[0], IntervalFrom) and value_kind(found[0]) != "key"
            ):
                return SignatureOf(found[0])
    return None


def _numeral(parser: _Parser, words: list[str]) -> Plan | None:
    """'which roman numeral names the chord F## A# C# E in G# minor', 'in D major, what
    numeral is E G B'."""
    if not {"numeral", "numerals", "roman"} & set(words):
        return None
    for pos in range(parser.start, len(parser.items)):
        chord = parser.expr(pos)
        if chord is None or not _chordish(chord[0]):
            continue
        cursor = parser.skip(
            chord[1], {"get", "gets", "have", "has", "receive", "take", "does", "analysed"}
        )
        if parser.word(cursor) in ("in", "of"):
            key = parser.expr(cursor + 1)
            if key is not None and _keyish(key[0]):
                return NumeralOf(chord[0], key[0])
        elif parser.context_key is not None and value_kind(chord[0]) == "chord":
            return NumeralOf(chord[0], parser.context_key)
    return None


def _quality(parser: _Parser, words: list[str]) -> Plan | None:
    """'what kind of chord is X', 'what is the quality of X', 'is X major, minor,
    diminished or augmented'."""
    asks = "quality" in words or (
        {"kind", "type", "sort"} & set(words) and {"chord", "triad", "seventh"} & set(words)
    )
    listed = {"major", "minor", "diminished", "augmented"} <= set(words)
    if not (asks or listed):
        return None
    for pos in range(parser.start, len(parser.items)):
        if parser.word(pos) in ("quality", "kind", "type", "sort"):
            continue
        found = parser.expr(pos)
        if found is not None and isinstance(found[0], Quality):
            return found[0]
        if found is not None and _chordish(found[0]):
            return Quality(found[0])
    return None


def _semitones_in(parser: _Parser, words: list[str]) -> Plan | None:
    """'how many semitones are in a major third', 'how big is a P5 in semitones'."""
    if not _SEMITONE_CUES & set(words) or {"between", "from"} & set(words):
        return None
    for pos, item in enumerate(parser.items):
        if item.phrase is not None and item.phrase.kind == "interval" and item.phrase.interval:
            if parser.word(pos + 1) in _UP | _DOWN:
                return None
            return Semitones(Literal(IntervalValue(item.phrase.interval)))
    return None


def _chain(parser: _Parser, words: list[str], literal: bool = False) -> Plan | None:
    """The first operation in the question, with everything it applies to — provided the
    rest of the question holds no other operation or musical noun left unread."""
    for pos in range(parser.start, len(parser.items)):
        if parser.items[pos].word in _FILLER:
            continue
        found = parser.expr(pos)
        if found is None or (isinstance(found[0], Literal | ChordFrom) and not literal):
            continue
        if _unread(parser, pos, found[1]):
            return None
        return found[0]
    return None


def _unread(parser: _Parser, start: int, end: int) -> bool:
    """Whether a cue word or a musical noun lies outside ``items[start:end]`` (and after the
    question's context)."""
    outside = [*parser.items[parser.start : start], *parser.items[end:]]
    return any(
        (item.phrase is not None and item.phrase.kind != "number") or item.word in _CUES
        for item in outside
    )


def _context(parser: _Parser, key: Key | None = None) -> _Parser:
    """'In D major, which note is …': the key the rest of the question is asked in, and
    where the rest starts; else ``key``, if given."""
    if key is not None:
        parser.context_key = Literal(key)
    if parser.word(0) == "in":
        found = parser.expr(1, postfix=False)
        if found is not None and _keyish(found[0]):
            parser.context_key = found[0]
            parser.start = found[1]
    return parser


def read_plan(question: str, *, literal: bool = False, key: Key | None = None) -> Plan | None:
    """The plan of a question whose answer takes one or more chained operations, or None.

    ``literal`` also returns a question's bare subject ("which notes make up Cmaj7?" →
    the chord Cmaj7), for callers that compare it with given answers. ``key`` is the key the
    question is asked in when it names none ("the parallel minor" of a tune's key).

    >>> read_plan("How many semitones between the tonic of D major and its dominant?")
    ... # doctest: +NORMALIZE_WHITESPACE
    Between(first=DegreeOf(number=1, of=Literal(value=Key(tonic='D', mode='major')),
      form='auto', leading=False, seventh=False, mode=None),
      second=DegreeOf(number=5, of=Literal(value=Key(tonic='D', mode='major')),
      form='auto', leading=False, seventh=False, mode=None), unit='semitones')
    >>> from etude.theory.plan import describe
    >>> describe(read_plan("the minor key a perfect fourth above E♭ major's relative minor"))
    'the minor key a perfect fourth above the relative minor of Eb major'
    >>> describe(read_plan("Spell the diatonic seventh chord on the supertonic of B♭"))
    'the supertonic seventh chord of Bb'
    >>> read_plan("what is the frobnicated relative minor of C and the mediant?") is None
    True
    """
    tokens = tokenize(prepare(question))
    if not tokens:
        return None
    items = _items(tokens)
    words = [item.word for item in items]
    for reader in (
        _between,
        _motion,
        _transpose_verb,
        _signature_count,
        _numeral,
        _quality,
        _semitones_in,
    ):
        plan = reader(_context(_Parser(items), key), words)
        if plan is not None:
            return plan
    return _chain(_context(_Parser(items), key), words, literal)
