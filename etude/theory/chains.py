"""Reading chained questions into plans: "the 5th of the rel minor of C" → a nested plan.

The phrase reader of :mod:`questions` finds the musical noun phrases (keys, notes, chords,
intervals, figures); this module reads the words *between* them as operations and nests them
the way English does — "X of Y" applies X to Y, "a third above Y" moves Y, "Y transposed up a
tone" moves Y — to any depth the wording allows. What it cannot read, it leaves alone
(``None``), so a question is never answered as something else.

Learners abbreviate and misspell ("rel minor", "dominent", "sig"), so cue words are looked up
in a small vocabulary with a spelling tolerance before parsing.

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
from dataclasses import dataclass
from difflib import get_close_matches

from etude.theory.plan import (
    Between,
    ChordFrom,
    DegreeOf,
    Direction,
    Enharmonic,
    IntervalFrom,
    Key,
    Literal,
    Note,
    NumeralOf,
    Parallel,
    Plan,
    Relative,
    RomanIn,
    Semitones,
    SignatureOf,
    Transpose,
    chord_of,
    depth,
)
from etude.theory.plan import Interval as IntervalValue
from etude.theory.questions import Phrase, Token, _Reader, tokenize
from etude.theory.spelling import normalise_text

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


# ----------------------------------------------------------------------------- items

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
}
_CONNECTORS = {"of", "in", "for", "from", "on", "to"}
_UP = {"above", "up", "over", "higher"}
_DOWN = {"below", "down", "under", "beneath", "lower"}


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


class _Parser:
    """Recursive descent over items; every ``expr`` returns (plan, next position) or None."""

    def __init__(self, items: list[_Item]) -> None:
        self.items = items
        self.last_key: Plan | None = None

    def word(self, pos: int) -> str:
        return self.items[pos].word if pos < len(self.items) else ""

    def phrase(self, pos: int) -> Phrase | None:
        return self.items[pos].phrase if pos < len(self.items) else None

    def skip(self, pos: int, extra: set[str] | None = None) -> int:
        fillers = _FILLER | (extra or set())
        while pos < len(self.items) and self.items[pos].word in fillers:
            pos += 1
        return pos

    def expr(self, pos: int, *, postfix: bool = True) -> tuple[Plan, int] | None:
        """A plan starting at ``pos``. A trailing "transposed up a tone" belongs to the whole
        noun phrase, so only the outermost call reads it (``postfix``)."""
        pos = self.skip(pos)
        found = (
            self.interval_from(pos)
            or self.degree(pos)
            or self.related(pos)
            or self.signature(pos)
            or self.enharmonic(pos)
            or self.figure(pos)
            or self.its(pos)
            or self.base(pos)
        )
        if found is None:
            return None
        return self.postfix(*found) if postfix else found

    def connector(self, pos: int) -> int | None:
        pos = self.skip(pos, {"key", "note", "scale"})
        if self.word(pos) in _CONNECTORS:
            return pos + 1
        return None

    # -- operations ----------------------------------------------------------------------

    def degree(self, pos: int) -> tuple[Plan, int] | None:
        word = self.word(pos)
        number: int | None = None
        leading = False
        cursor = pos + 1
        if word in _DEGREE_WORDS:
            number = _DEGREE_WORDS[word]
        elif word == "leading" and self.word(pos + 1) in ("tone", "note"):
            number, leading, cursor = 7, True, pos + 2
        elif word in ("scale", "degree") and self.word(pos + 1) in ("degree", *"1234567"):
            shift = 2 if word == "scale" else 1
            digit = self.word(pos + shift) if word == "scale" else self.word(pos + 1)
            if digit.isdigit() and 1 <= int(digit) <= 7:
                number, cursor = int(digit), pos + shift + 1
        elif word in _ORDINAL_DEGREES:
            number = _ORDINAL_DEGREES[word]
        else:
            phrase = self.phrase(pos)
            if phrase is not None and phrase.kind == "interval" and phrase.interval:
                # "the fifth of A minor" reads as an interval phrase to the reader
                digits = re.sub(r"\D", "", phrase.interval)
                if digits and self.word(pos + 1) in ("of", "degree", "note"):
                    number = int(digits) if int(digits) <= 7 else None
        if number is None:
            return None
        form = "auto"
        while self.word(cursor) in ("degree", "scale", "note", "chord", "triad", "key"):
            if self.word(cursor) in ("chord", "triad"):
                form = "chord"
            elif self.word(cursor) == "key":
                form = "key"
            elif self.word(cursor) == "note":
                form = "note"
            cursor += 1
        after = self.connector(cursor)
        if after is None:
            return None
        inner = self.expr(after, postfix=False)
        if inner is None:
            return None
        return DegreeOf(number, inner[0], form=form, leading=leading), inner[1]  # type: ignore[arg-type]

    def related(self, pos: int) -> tuple[Plan, int] | None:
        word = self.word(pos)
        if word not in ("relative", "parallel"):
            return None
        cursor = pos + 1
        phrase = self.phrase(cursor)
        mode = None
        if self.word(cursor) in ("major", "minor", "maj", "min"):
            mode = "major" if self.word(cursor).startswith("maj") else "minor"
            cursor += 1
        elif phrase is not None and phrase.kind == "number":
            return None
        after = self.connector(cursor)
        if after is None:
            return None
        inner = self.expr(after, postfix=False)
        if inner is None:
            return None
        kind = Relative if word == "relative" else Parallel
        return kind(inner[0], mode), inner[1]  # type: ignore[arg-type]

    def signature(self, pos: int) -> tuple[Plan, int] | None:
        cursor = pos
        if self.word(cursor) == "key" and self.word(cursor + 1) == "signature":
            cursor += 2
        elif self.word(cursor) == "signature":
            cursor += 1
        else:
            return None
        after = self.connector(cursor)
        if after is None:
            return None
        inner = self.expr(after, postfix=False)
        return (SignatureOf(inner[0]), inner[1]) if inner else None

    def enharmonic(self, pos: int) -> tuple[Plan, int] | None:
        if self.word(pos) != "enharmonic":
            return None
        cursor = pos + 1
        while self.word(cursor) in ("equivalent", "spelling", "name", "twin"):
            cursor += 1
        after = self.connector(cursor)
        if after is None:
            return None
        inner = self.expr(after, postfix=False)
        return (Enharmonic(inner[0]), inner[1]) if inner else None

    def interval_from(self, pos: int) -> tuple[Plan, int] | None:
        phrase = self.phrase(pos)
        if phrase is None or phrase.kind != "interval" or not phrase.interval:
            return None
        cursor = pos + 1
        word = self.word(cursor)
        joined = (word in ("higher", "lower") and self.word(cursor + 1) == "than") or (
            word in ("up", "down") and self.word(cursor + 1) == "from"
        )
        if joined:
            cursor += 1
        elif word not in _UP | _DOWN:
            return None
        direction: Direction = "below" if word in _DOWN else "above"
        inner = self.expr(cursor + 1, postfix=False)
        if inner is None:
            return None
        return IntervalFrom(phrase.interval, inner[0], direction), inner[1]

    def figure(self, pos: int) -> tuple[Plan, int] | None:
        phrase = self.phrase(pos)
        if phrase is None or phrase.kind != "figures" or len(phrase.figures) != 1:
            return None
        cursor = pos + 1
        if self.word(cursor) in ("chord", "triad"):
            cursor += 1
        after = self.connector(cursor)
        if after is None:
            return None
        inner = self.expr(after, postfix=False)
        return (RomanIn(phrase.figures[0], inner[0]), inner[1]) if inner else None

    def its(self, pos: int) -> tuple[Plan, int] | None:
        """'its dominant': the operation applied to the key named last."""
        if self.word(pos) != "its" or self.last_key is None:
            return None
        word = self.word(pos + 1)
        if word in _DEGREE_WORDS:
            return DegreeOf(_DEGREE_WORDS[word], self.last_key), pos + 2
        if word in ("relative", "parallel"):
            cursor = pos + 2 if self.word(pos + 2) not in ("major", "minor") else pos + 3
            plan: Plan = Relative(self.last_key) if word == "relative" else Parallel(self.last_key)
            return plan, cursor
        return None

    # -- values --------------------------------------------------------------------------

    def base(self, pos: int) -> tuple[Plan, int] | None:
        phrase = self.phrase(pos)
        if phrase is None:
            return None
        plan: Plan | None = None
        if phrase.kind == "key" and phrase.root and phrase.mode:
            plan = Literal(Key(phrase.root, phrase.mode))
            self.last_key = plan
        elif phrase.kind == "note" and phrase.root:
            if self.word(pos + 1) in ("major", "minor"):
                mode = self.word(pos + 1)
                plan = Literal(Key(phrase.root, "major" if mode == "major" else "minor"))
                self.last_key = plan
                return plan, pos + 2
            plan = Literal(Note(phrase.root))
            self.last_key = plan
        elif phrase.kind == "notes" and len(phrase.notes) >= 3:
            plan = ChordFrom(tuple(phrase.notes))
        elif phrase.kind == "chord" and phrase.symbol:
            plan = Literal(chord_of(phrase.symbol))
        elif phrase.kind == "scale" and phrase.root and phrase.scale in ("major", "natural minor"):
            plan = Literal(Key(phrase.root, "major" if phrase.scale == "major" else "minor"))
            self.last_key = plan
        elif phrase.kind == "interval" and phrase.interval:
            plan = Literal(IntervalValue(phrase.interval))
        if plan is None:
            return None
        return plan, pos + 1

    def postfix(self, plan: Plan, pos: int) -> tuple[Plan, int]:
        """'… transposed up a major third', '… moved down a tone'."""
        cursor = pos
        if self.word(cursor) in ("transposed", "moved", "shifted", "taken"):
            cursor += 1
        elif cursor == pos and self.word(cursor) not in ("up", "down"):
            return plan, pos
        direction = "above"
        if self.word(cursor) in ("up", "down"):
            direction = "below" if self.word(cursor) == "down" else "above"
            cursor += 1
        cursor = self.skip(cursor, {"by"})
        phrase = self.phrase(cursor)
        if phrase is None or phrase.kind != "interval" or not phrase.interval:
            return plan, pos
        cursor += 1
        if self.word(cursor) in ("up", "down", "higher", "lower"):
            direction = "below" if self.word(cursor) in ("down", "lower") else "above"
            cursor += 1
        return Transpose(plan, phrase.interval, direction), cursor  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- questions

_SEMITONE_CUES = {"semitones", "semitone", "half-steps", "halfsteps"}


def _between(parser: _Parser, words: list[str]) -> Plan | None:
    """'how many semitones between X and Y', 'the interval from X to Y'."""
    for opener, joiner in (("between", "and"), ("from", "to")):
        if opener not in words:
            continue
        start = words.index(opener) + 1
        first = parser.expr(start)
        if first is None or parser.word(first[1]) != joiner:
            continue
        second = parser.expr(first[1] + 1)
        if second is None:
            continue
        unit = "semitones" if _SEMITONE_CUES & set(words) or "half" in words else "interval"
        if not (unit == "semitones" or {"interval", "distance", "far"} & set(words)):
            continue
        return Between(first[0], second[0], unit)  # type: ignore[arg-type]
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
    moved, _ = parser.postfix(plan, cursor)
    if isinstance(moved, Transpose):
        return moved
    # "transpose X by a fifth up": postfix needs a movement word first
    parser_items = parser.items
    parser.items = [*parser_items[:cursor], _Item(word="up"), *parser_items[cursor:]]
    moved, _ = parser.postfix(plan, cursor)
    parser.items = parser_items
    return moved if isinstance(moved, Transpose) else None


def _signature_count(parser: _Parser, words: list[str]) -> Plan | None:
    """'how many sharps does the relative major of C# minor have'."""
    if not ({"sharps", "flats", "accidentals"} & set(words) and "many" in words):
        return None
    for start in range(len(parser.items)):
        if parser.word(start) in ("does", "in", "has", "have", "for", "are"):
            found = parser.expr(start + 1)
            if found is not None and not isinstance(found[0], Literal | IntervalFrom):
                return SignatureOf(found[0])
    return None


def _numeral(parser: _Parser, words: list[str]) -> Plan | None:
    """'which roman numeral is C in the relative major of E minor'."""
    if not {"numeral", "numerals", "roman", "function"} & set(words):
        return None
    for pos, item in enumerate(parser.items):
        phrase = item.phrase
        if phrase is None or phrase.kind not in ("chord", "key", "note", "notes"):
            continue
        chord = parser.expr(pos)
        if chord is None or parser.word(chord[1]) not in ("in", "of"):
            continue
        key = parser.expr(chord[1] + 1)
        if key is None or (depth(key[0]) == 0 and depth(chord[0]) == 0):
            continue
        return NumeralOf(chord[0], key[0])
    return None


def _semitones_in(parser: _Parser, words: list[str]) -> Plan | None:
    """'how many semitones are in a major third'."""
    if not (_SEMITONE_CUES & set(words) and "many" in words) or "between" in words:
        return None
    for pos, item in enumerate(parser.items):
        if item.phrase is not None and item.phrase.kind == "interval" and item.phrase.interval:
            if parser.word(pos + 1) in _UP | _DOWN:
                return None
            return Semitones(Literal(IntervalValue(item.phrase.interval)))
    return None


def _chain(parser: _Parser, words: list[str]) -> Plan | None:
    """The first operation in the question, with everything it applies to."""
    for pos in range(len(parser.items)):
        if parser.items[pos].word in _FILLER:
            continue
        found = parser.expr(pos)
        if found is not None and not isinstance(found[0], Literal | ChordFrom):
            return found[0]
    return None


def read_plan(question: str) -> Plan | None:
    """The plan of a question whose answer takes one or more chained operations, or None.

    >>> read_plan("How many semitones between the tonic of D major and its dominant?")
    ... # doctest: +NORMALIZE_WHITESPACE
    Between(first=DegreeOf(number=1, of=Literal(value=Key(tonic='D', mode='major')),
      form='auto', leading=False), second=DegreeOf(number=5,
      of=Literal(value=Key(tonic='D', mode='major')), form='auto', leading=False),
      unit='semitones')
    >>> read_plan("a major third above the subdominant of A")
    ... # doctest: +NORMALIZE_WHITESPACE
    IntervalFrom(interval='M3', of=DegreeOf(number=4, of=Literal(value=Note(name='A')),
      form='auto', leading=False), direction='above')
    """
    text = normalise_text(correct_words(question))
    tokens = tokenize(text)
    if not tokens:
        return None
    parser = _Parser(_items(tokens))
    words = [item.word for item in parser.items]
    for reader in (_between, _transpose_verb, _signature_count, _numeral, _semitones_in, _chain):
        parser.last_key = None
        plan = reader(parser, words)
        if plan is not None:
            return plan
    return None
