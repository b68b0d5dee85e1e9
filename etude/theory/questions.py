"""From a free-phrased question to typed queries: a tokenizer plus a small phrase grammar.

Three layers, each small enough to test on its own:

1. :func:`tokenize` — normalises spellings ("E-flat", "F♯", "mi bémol"), splits on spaces and
   on dashes between numerals or notes ("ii–V–I", "C-E-G"), and tags each token as a NOTE,
   CHORD symbol, roman FIGURE, INTERVAL code ("m6"), NUMBER, or plain WORD.
2. :func:`phrases` — a recursive-descent pass that reads musical noun phrases off the tokens:
   a note followed by quality words becomes a chord ("B half-diminished seventh in first
   inversion"), a note plus a scale name becomes a scale ("D dorian"), a note plus a mode
   becomes a key ("e minor"), a quality plus a number becomes an interval ("minor sixth"),
   runs of notes become note lists and runs of figures become progressions.
3. :func:`parse` — reads the intent from cue words ("sharps", "relative", "transpose",
   "fingering", "above" …) and combines the phrases into :data:`Query` objects.

No whole-question templates: any wording that contains the right phrases and cue words works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from etude.theory.chords import parse_symbol
from etude.theory.intervals import interval_code
from etude.theory.progressions import (
    NAMED_PROGRESSIONS,
    PROGRESSION_NICKNAMES,
    is_figure,
)
from etude.theory.scales import ALIASES as SCALE_ALIASES
from etude.theory.scales import SCALE_TYPES
from etude.theory.spelling import (
    COMPACT_NOTE_RE,
    normalise_text,
    pitch_class,
    to_music21,
)

Mode = Literal["major", "minor"]
Direction = Literal["above", "below"]

# ----------------------------------------------------------------------------- queries


class ChordQuery(BaseModel):
    kind: Literal["chord"] = "chord"
    symbol: str
    inversion: int = 0


class IdentifyQuery(BaseModel):
    kind: Literal["identify"] = "identify"
    notes: list[str]


class ScaleQuery(BaseModel):
    kind: Literal["scale"] = "scale"
    tonic: str
    scale: str


class IntervalBetweenQuery(BaseModel):
    kind: Literal["interval_between"] = "interval_between"
    first: str
    second: str


class NoteAtQuery(BaseModel):
    kind: Literal["note_at"] = "note_at"
    start: str
    interval: str
    direction: Direction = "above"


class IntervalInversionQuery(BaseModel):
    kind: Literal["interval_inversion"] = "interval_inversion"
    interval: str


class IntervalSizeQuery(BaseModel):
    kind: Literal["interval_size"] = "interval_size"
    interval: str


class MeterQuery(BaseModel):
    kind: Literal["meter"] = "meter"
    signature: str


class KeySignatureQuery(BaseModel):
    kind: Literal["key_signature"] = "key_signature"
    tonic: str
    mode: Mode


class KeyFromSignatureQuery(BaseModel):
    kind: Literal["key_from_signature"] = "key_from_signature"
    count: int
    accidental: Literal["sharp", "flat"]


class RelatedKeyQuery(BaseModel):
    kind: Literal["related_key"] = "related_key"
    tonic: str
    mode: Mode
    relation: Literal["relative", "parallel"]


class RomanQuery(BaseModel):
    kind: Literal["roman"] = "roman"
    figure: str
    tonic: str
    mode: Mode


class NumeralOfQuery(BaseModel):
    kind: Literal["numeral_of"] = "numeral_of"
    symbol: str
    tonic: str
    mode: Mode


class TransposeQuery(BaseModel):
    kind: Literal["transpose"] = "transpose"
    notes: list[str] = Field(default_factory=list)
    symbol: str | None = None
    interval: str
    direction: Direction = "above"


class EnharmonicQuery(BaseModel):
    kind: Literal["enharmonic"] = "enharmonic"
    note: str
    tonic: str | None = None
    mode: Mode = "major"


class CircleQuery(BaseModel):
    kind: Literal["circle"] = "circle"
    tonic: str | None = None
    mode: Mode = "major"


class DiatonicQuery(BaseModel):
    kind: Literal["diatonic"] = "diatonic"
    tonic: str
    mode: Mode
    sevenths: bool = False


class ProgressionQuery(BaseModel):
    kind: Literal["progression"] = "progression"
    figures: list[str]
    tonic: str
    mode: Mode
    name: str | None = None


class WriteProgressionQuery(BaseModel):
    """A request to write a progression in a key ("help me write a pop progression in A
    minor"): answered with chords, not with a fact the request happens to mention."""

    kind: Literal["write_progression"] = "write_progression"
    tonic: str
    mode: Mode
    style: str | None = None


class ModulationQuery(BaseModel):
    """A request for a progression that modulates from one key to another."""

    kind: Literal["modulation"] = "modulation"
    source: tuple[str, Mode]
    target: tuple[str, Mode]
    bars: int = 8


class HarmoniseQuery(BaseModel):
    """Chords for a melody given as note names, in a key ("harmonise E D C in C major")."""

    kind: Literal["harmonise"] = "harmonise"
    melody: list[str]
    tonic: str
    mode: Mode


class BassLineQuery(BaseModel):
    """A request for a bass line under chords given by symbol."""

    kind: Literal["bass_line"] = "bass_line"
    symbols: list[str]


class KeyOfChordsQuery(BaseModel):
    """Which key a list of chord symbols is in ("my chords are Bb F Gm Eb: which key am I
    in?"), asked without naming a key."""

    kind: Literal["key_of_chords"] = "key_of_chords"
    chords: list[str]


class SubstituteQuery(BaseModel):
    """Advice with computable candidates: chords to use instead of ``target``, or under a
    melody ``note``, in a key."""

    kind: Literal["substitute"] = "substitute"
    target: str | None = None
    note: str | None = None
    tonic: str
    mode: Mode


class CompareScalesQuery(BaseModel):
    """Two scales side by side: "how is D dorian different from D minor?"."""

    kind: Literal["compare_scales"] = "compare_scales"
    first: tuple[str, str]
    second: tuple[str, str]


class FingeringQuery(BaseModel):
    kind: Literal["fingering"] = "fingering"
    tonic: str
    mode: Mode
    subject: Literal["scale", "triad"]
    inversion: int = 0


Query = Annotated[
    ChordQuery
    | IdentifyQuery
    | ScaleQuery
    | IntervalBetweenQuery
    | NoteAtQuery
    | IntervalInversionQuery
    | IntervalSizeQuery
    | KeySignatureQuery
    | MeterQuery
    | KeyFromSignatureQuery
    | RelatedKeyQuery
    | RomanQuery
    | NumeralOfQuery
    | TransposeQuery
    | EnharmonicQuery
    | CircleQuery
    | DiatonicQuery
    | ProgressionQuery
    | WriteProgressionQuery
    | ModulationQuery
    | BassLineQuery
    | HarmoniseQuery
    | KeyOfChordsQuery
    | FingeringQuery
    | SubstituteQuery
    | CompareScalesQuery,
    Field(discriminator="kind"),
]

# ----------------------------------------------------------------------------- tokens

TokenKind = Literal["NOTE", "CHORD", "FIGURE", "INTERVAL", "NUMBER", "WORD", "ARTICLE"]


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    value: str | int | None = None


NUMBER_WORDS = {
    "none": 0,
    "no": 0,
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
}
ORDINAL_WORDS = {
    "unison": 1,
    "prime": 1,
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "octave": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
}
_ORDINAL_RE = re.compile(r"^(\d{1,2})(st|nd|rd|th)$")
_INTERVAL_RE = re.compile(r"^(P|M|m|A|d|AA|dd)(\d{1,2})$")
_STRIP = "\"'“”‘’.:;!?,"
_NOT_CHORDS = {
    "Go",
    "Do",
    "Ad",
    "Be",
    "Bo",
    "Add",
    "Dim",
    "Aug",
    "Ebb",
    "Egg",
    "Bed",
    "Cab",
    "Dab",
    "Fad",
    "Gag",
    "Ace",
    "Age",
    "Ago",
}


def _classify(raw: str) -> Token:
    """Tag one token; case matters (``Am`` is a chord, ``am`` a verb; ``M3`` ≠ ``m3``)."""
    text = raw
    if COMPACT_NOTE_RE.match(text):
        if text == "a":
            return Token("ARTICLE", text, text)
        return Token("NOTE", text, to_music21(text))
    if _INTERVAL_RE.match(text) and not (
        text[0] == "A" and text[1:] in ("6", "7", "9", "11", "13")
    ):
        return Token("INTERVAL", text, text)  # but A7, A9 … are chords (A4 stays an interval)
    ordinal = _ORDINAL_RE.match(text.lower())
    if ordinal:
        return Token("NUMBER", text, int(ordinal.group(1)))
    if text.isdigit():
        return Token("NUMBER", text, int(text))
    if is_figure(text):
        return Token("FIGURE", text, text)
    root_ok = text[:1].isupper() or (text[:1] in "abcdefg" and any(c.isdigit() for c in text))
    if root_ok and text[:1].upper() in "ABCDEFG" and text.capitalize() not in _NOT_CHORDS:
        candidate = text[0].upper() + text[1:]
        if not re.fullmatch(r"[A-G][#b]?o", candidate) and parse_symbol(candidate) is not None:
            return Token("CHORD", text, candidate)
    return Token("WORD", text, text.lower())


def _split_dashes(chunk: str) -> list[str]:
    """Split "ii–V–I" and "C-E-G" but keep "half-diminished", "12-bar" and "doo-wop" whole."""
    if re.search(r"[–—]", chunk):
        return [part for part in re.split(r"[–—]", chunk) if part]
    if "-" in chunk and not chunk.startswith("-"):
        parts = [part for part in chunk.split("-") if part]
        if len(parts) > 1 and all(is_figure(p) or COMPACT_NOTE_RE.match(p) for p in parts):
            return parts
    return [chunk]


_NAMED_CHORDS = (
    ("italian", "it", "It6"),
    ("french", "fr", "Fr43"),
    ("german", "ger", "Ger65"),
)
_SIXTH = r"(?:augmented\s+)?(?:sixth|6th|\+?6)(?:\s+chords?)?"


def named_chromatic_figures(text: str) -> str:
    """The chromatic chords learners name in words, written as the figures music21 realises:
    "the German sixth" is ``Ger65``, "a Neapolitan chord" ``N6``. Without this the key after
    "in" was the only thing read, and "the German sixth in C minor" got the C minor triad.

    >>> named_chromatic_figures("notes of the German augmented sixth chord in C minor")
    'notes of the Ger65 in C minor'
    >>> named_chromatic_figures("an Italian 6th, a french +6 and the Neapolitan sixth chord")
    'an It6, a Fr43 and the N6'
    >>> named_chromatic_figures("the neapolitan in A minor; German composers")
    'the N6 in A minor; German composers'
    """
    for name, short, figure in _NAMED_CHORDS:
        text = re.sub(rf"\b{name}\s+{_SIXTH}\b", figure, text, flags=re.I)
        text = re.sub(rf"\b{short}\+6\b", figure, text, flags=re.I)
    return re.sub(r"\bneapolitan(?:\s+(?:sixth|6th|6))?(?:\s+chords?)?\b", "N6", text, flags=re.I)


_COMPARES = re.compile(
    r"\bdiffer(?:ence|ences|ent|s)?\b|\bvs\.?(?=\s)|\bversus\b|\bcompare\b", re.I
)
"""A comparison ("the difference between a major and a minor scale") asks about every such
scale, like a why-question: its lowercase "a" is an article."""


def tokenize(question: str) -> list[Token]:
    """Normalise and tag a question's tokens.

    >>> [(t.kind, t.value) for t in tokenize("Spell E-flat maj7 and ii–V–I")][:4]
    [('WORD', 'spell'), ('NOTE', 'E-'), ('WORD', 'maj7'), ('WORD', 'and')]
    >>> [t.kind for t in tokenize("What chord is C E G Bb?")]
    ['WORD', 'WORD', 'WORD', 'NOTE', 'NOTE', 'NOTE', 'NOTE']
    >>> parse("why do we double the root in a major triad?"), parse("spell a minor triad")
    ([], [ChordQuery(kind='chord', symbol='Am', inversion=0)])
    >>> parse("what's the difference between a major scale and a harmonic minor scale?")
    []
    >>> [t.kind for t in tokenize("Am I right?")], [t.kind for t in tokenize("Am F C G")]
    (['WORD', 'FIGURE', 'WORD'], ['CHORD', 'CHORD', 'CHORD', 'CHORD'])
    """
    text = normalise_text(question)
    text = text.replace("Ø", "ø").replace("half diminished", "half-diminished")
    text = named_chromatic_figures(text)
    tokens: list[Token] = []
    glosses: set[int] = set()  # tokens written in parentheses: "B – D – F – A (Bm7b5)"
    for chunk in re.split(r"[\s,;?!]+", text):
        chunk = chunk.strip(_STRIP)
        bracketed = chunk.startswith("(") or chunk.endswith(")")
        if chunk.endswith(")") and "(" not in chunk:
            chunk = chunk[:-1]
        if chunk.startswith("(") and ")" not in chunk:
            chunk = chunk[1:]
        if chunk.startswith("(") and chunk.endswith(")"):
            chunk = chunk[1:-1]  # "an authentic (V-I) one"
        for part in _split_dashes(chunk):
            part = part.strip(_STRIP)
            if part:
                token = _classify(part)
                if token.kind == "CHORD" and part == "Am" and not tokens:
                    token = Token("WORD", part, "am")  # "Am I …?" opens a question
                if bracketed:
                    glosses.add(len(tokens))
                tokens.append(token)
    if (
        len(tokens) > 1
        and tokens[0].text == "Am"
        and tokens[1].kind in ("NOTE", "CHORD")
        and not {0, 1} & glosses
    ):
        tokens[0] = Token("CHORD", "Am", "Am")  # "Am F C G: which key?" opens with a chord
    if tokens and (tokens[0].value == "why" or _COMPARES.search(question)):
        # "Why do we double the root in a major triad?" asks about every major triad: in a
        # why-question or a comparison the article is an article, not the note A ("A major"
        # stays a note).
        tokens = [Token("WORD", t.text, "a") if t.kind == "ARTICLE" else t for t in tokens]
    return _letters_among_chord_symbols(tokens, glosses)


EXAMPLE_KEYS = {"major": "C major", "minor": "A minor"}
"""The key a question or claim about every major (minor) key is worked in: the one with no
sharps or flats."""


def example_key(question: str) -> str | None:
    """The key a question about every major (minor) scale or key is answered in, as the
    example: "C major" for "the 4th note of a major scale", "A minor" for "a minor key";
    None when the question names its key.

    >>> example_key("what is the 4th note of a major scale?"), example_key("in a minor key?")
    ('C major', 'A minor')
    >>> example_key("what is the 4th note of the A major scale?") is None
    True
    """
    tokens = tokenize(question)
    reader = _Reader(tokens)
    for index, token in enumerate(tokens):
        mode = reader.words(index + 1, 1)
        names_mode = bool(mode) and mode[0].lower() in ("major", "minor", "maj", "min")
        if token.kind == "ARTICLE" and names_mode and reader.every_key(index):
            return EXAMPLE_KEYS["major" if mode[0].lower().startswith("maj") else "minor"]
    return None


def _letters_among_chord_symbols(tokens: list[Token], glosses: set[int]) -> list[Token]:
    """In a run of chord symbols ("Am F C G"), the bare letters are chord symbols too (F
    major, C major, G major), not a set of notes to name as one chord: read as notes, "my
    chords are Am F C G" was answered "F C G is an F suspended second chord". A run of bare
    letters with no chord symbol in it stays a list of notes ("what chord is F A C?"), and a
    chord symbol in parentheses (the tokens in ``glosses``) names the notes before it, so it
    joins no run ("B – D – F – A (Bm7b5)"); nor does the article in "A Dm is …".

    >>> [(t.kind, t.text) for t in tokenize("my chords are Am F C G")][3:]
    [('CHORD', 'Am'), ('CHORD', 'F'), ('CHORD', 'C'), ('CHORD', 'G')]
    >>> [t.kind for t in tokenize("what chord is F A C")][3:]
    ['NOTE', 'NOTE', 'NOTE']
    >>> [t.kind for t in tokenize("B – D – F – A (Bm7b5)")]
    ['NOTE', 'NOTE', 'NOTE', 'NOTE', 'CHORD']
    >>> [t.kind for t in tokenize("A Dm is spelled D, F and A")][:2]
    ['NOTE', 'CHORD']
    """
    result = list(tokens)
    start = 0
    while start < len(result):
        end = start
        while end < len(result) and result[end].kind in ("NOTE", "CHORD") and end not in glosses:
            end += 1
        if (
            end - start > 1
            and result[start].text in ("A", "a")
            and result[start + 1].kind == "CHORD"
        ):
            start += 1  # "A Dm is spelled D, F and A": the article before a chord symbol
        run = result[start:end]
        if any(t.kind == "CHORD" for t in run) and any(t.kind == "NOTE" for t in run):
            for index in range(start, end):
                if result[index].kind == "NOTE":
                    text = result[index].text
                    result[index] = Token("CHORD", text, text)
        start = end + 1
    return result


# ----------------------------------------------------------------------------- phrases

_SCALE_WORDS: dict[tuple[str, ...], str] = {}
for _name in (*SCALE_TYPES, *SCALE_ALIASES):
    _SCALE_WORDS[tuple(_name.replace("-", " ").replace("(", "").replace(")", "").split())] = (
        SCALE_ALIASES.get(_name, _name)
    )
_SCALE_WORDS[("whole", "tone")] = "whole-tone"
_SCALE_WORDS[("pentatonic", "major")] = "major pentatonic"
_SCALE_WORDS[("pentatonic", "minor")] = "minor pentatonic"
_SCALE_WORDS[("major", "blues")] = "blues"
for _form in ("harmonic", "melodic", "natural"):
    _SCALE_WORDS[("minor", _form)] = f"{_form} minor"
_SCALE_WORDS.pop(("diminished",), None)  # "C diminished" is the triad; the scale needs "scale"
_SCALE_WORDS.pop(("minor",), None)
_SCALE_WORDS.pop(("major",), None)

_CHORD_WORDS: dict[tuple[str, ...], str] = {}


def _chord_words(suffix: str, *phrases: str) -> None:
    for phrase in phrases:
        _CHORD_WORDS[tuple(phrase.split())] = suffix


_chord_words(
    "m7b5",
    "half-diminished seventh",
    "half-diminished 7",
    "half-diminished",
    "halfdim",
    "half-diminished 7th",
    "minor seventh flat five",
    "minor 7 flat 5",
    "ø7",
    "ø",
)
_chord_words(
    "dim7",
    "fully diminished seventh",
    "fully-diminished seventh",
    "diminished seventh",
    "diminished 7",
    "diminished 7th",
    "dim 7",
    "dim7",
    "fully diminished",
    "fully-diminished",
)
_chord_words(
    "7",
    "dominant seventh",
    "dominant 7",
    "dominant 7th",
    "dom7",
    "dom 7",
    "seventh",
    "seven",
    "7",
    "7th",
    "dominant",
)
_chord_words(
    "maj7",
    "major seventh",
    "major seven",
    "major 7",
    "major 7th",
    "maj7",
    "maj 7",
    "maj seven",
    "maj seventh",
    "M7",
)
_chord_words(
    "m7",
    "minor seventh",
    "minor seven",
    "minor 7",
    "minor 7th",
    "min7",
    "min 7",
    "m7",
    "min seventh",
)
_chord_words(
    "mMaj7",
    "minor major seventh",
    "minor-major seventh",
    "minor major 7",
    "minor-major 7",
    "minor major seven",
    "minor-major",
)
_chord_words("aug7", "augmented seventh", "augmented 7", "aug 7", "aug7")
_chord_words("augMaj7", "augmented major seventh", "augmented major 7")
_chord_words("maj9", "major ninth", "major 9", "major nine", "maj9")
_chord_words("m9", "minor ninth", "minor 9", "minor nine", "m9")
_chord_words("9", "dominant ninth", "dominant 9", "ninth", "nine", "9")
_chord_words("11", "dominant eleventh", "dominant 11", "eleventh", "eleven", "11")
_chord_words("m11", "minor eleventh", "minor 11", "minor eleven", "m11")
_chord_words("13", "dominant thirteenth", "dominant 13", "thirteenth", "thirteen", "13")
_chord_words("maj13", "major thirteenth", "major 13", "major thirteen", "maj13")
_chord_words("m13", "minor thirteenth", "minor 13", "minor thirteen", "m13")
_chord_words("6", "major sixth", "major 6", "major six", "sixth", "six", "6", "add6")
_chord_words("m6", "minor sixth", "minor 6", "minor six", "m6")
_chord_words("6/9", "six nine", "six-nine", "6/9", "69")
_chord_words("sus4", "suspended fourth", "suspended 4", "sus4", "sus 4", "sus", "suspended")
_chord_words("sus2", "suspended second", "suspended 2", "sus2", "sus 2")
_chord_words(
    "7sus4",
    "seventh sus4",
    "7sus4",
    "7 sus4",
    "dominant seventh suspended fourth",
    "seventh suspended fourth",
)
_chord_words("add9", "add9", "add 9", "added ninth", "add nine", "add ninth")
_chord_words("madd9", "minor add9", "minor add 9", "minor added ninth", "minor add nine")
_chord_words("", "major", "maj", "major triad", "triad")
_chord_words("m", "minor", "min", "m", "minor triad")
_chord_words("dim", "diminished", "dim", "diminished triad", "°")
_chord_words("aug", "augmented", "aug", "+", "augmented triad")
_chord_words("5", "power", "5")

_ALTERATION_WORDS: dict[tuple[str, ...], str] = {}
for _acc_word, _acc in (("flat", "b"), ("sharp", "#")):
    for _num_words, _num in (
        (("nine", "9", "ninth"), "9"),
        (("five", "5", "fifth"), "5"),
        (("eleven", "11", "eleventh"), "11"),
        (("thirteen", "13", "thirteenth"), "13"),
    ):
        for _word in _num_words:
            _ALTERATION_WORDS[(_acc_word, _word)] = _acc + _num
for _alt in ("b9", "#9", "b5", "#5", "#11", "b13"):
    _ALTERATION_WORDS[(_alt,)] = _alt

_INVERSION_WORDS = {"root": 0, "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_QUALITY_WORDS = {
    "perfect": "P",
    "major": "M",
    "minor": "m",
    "augmented": "A",
    "aug": "A",
    "diminished": "d",
    "dim": "d",
    "maj": "M",
    "min": "m",
    "perf": "P",
}
_SPECIAL_INTERVALS: dict[tuple[str, ...], str] = {
    ("tritone",): "A4",
    ("half", "step"): "m2",
    ("half-step",): "m2",
    ("semitone",): "m2",
    ("whole", "step"): "M2",
    ("whole-step",): "M2",
    ("whole", "tone"): "M2",
    ("octave",): "P8",
    ("unison",): "P1",
    ("minor", "tenth"): "m10",
}


@dataclass
class Phrase:
    """One musical noun phrase read off the tokens, with where it sits in the question."""

    kind: Literal["note", "notes", "key", "chord", "scale", "interval", "figures", "number"]
    start: int
    end: int
    notes: list[str] = field(default_factory=list)
    mode: Mode | None = None
    symbol: str | None = None
    inversion: int = 0
    chord_word: bool = False
    scale: str | None = None
    interval: str | None = None
    figures: list[str] = field(default_factory=list)
    number: int | None = None
    preceded_by: str | None = None

    @property
    def root(self) -> str | None:
        return self.notes[0] if self.notes else None


class _Reader:
    """Recursive-descent reader over the token list; each ``read_*`` returns a phrase or None."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens

    def words(self, start: int, length: int) -> tuple[str, ...]:
        chunk = self.tokens[start : start + length]
        if len(chunk) < length:
            return ()
        return tuple(str(t.value) if t.kind in ("WORD",) else t.text for t in chunk)

    def match_table(self, start: int, table: dict[tuple[str, ...], str]) -> tuple[str, int]:
        """Longest entry of a word table starting at ``start``: (value, tokens used)."""
        for length in (5, 4, 3, 2, 1):
            key = tuple(w.lower() if w not in ("M7",) else w for w in self.words(start, length))
            if key and key in table:
                return table[key], length
        return "", 0

    def is_word(self, index: int, *choices: str) -> bool:
        return (
            index < len(self.tokens)
            and self.tokens[index].kind in ("WORD", "ARTICLE")
            and str(self.tokens[index].value or self.tokens[index].text) in choices
        )

    def read_inversion(self, index: int) -> tuple[int | None, int]:
        """'in first inversion' / 'root position' / '1st inversion' → (inversion, next index)."""
        start = index
        if self.is_word(index, "in"):
            index += 1
        if index < len(self.tokens):
            token = self.tokens[index]
            word = str(token.value).lower() if token.kind == "WORD" else token.text.lower()
            if word in _INVERSION_WORDS and (
                self.is_word(index + 1, "inversion")
                or (word == "root" and self.is_word(index + 1, "position"))
            ):
                return _INVERSION_WORDS[word], index + 2
        return None, start

    def read_bass(self, index: int) -> tuple[str | None, int]:
        """'over B' / 'with B in the bass' / '/B' → (bass note, next index)."""
        if (
            self.is_word(index, "over")
            and index + 1 < len(self.tokens)
            and self.tokens[index + 1].kind == "NOTE"
        ):
            return str(self.tokens[index + 1].value), index + 2
        if (
            self.is_word(index, "with")
            and index + 1 < len(self.tokens)
            and self.tokens[index + 1].kind == "NOTE"
            and self.is_word(index + 2, "in")
            and self.is_word(index + 4, "bass")
        ):
            return str(self.tokens[index + 1].value), index + 5
        return None, index

    def read_note_led(self, index: int) -> Phrase:
        """A note followed by scale, chord-quality or mode words (or by nothing)."""
        root = str(self.tokens[index].value)
        after = index + 1
        scale, used = self.match_table(after, _SCALE_WORDS)
        scale_word = self.is_word(after + used, "scale", "mode", "scales")
        if used and (scale_word or scale not in ("natural minor",)):
            end = after + used + (1 if scale_word else 0)
            return Phrase("scale", index, end, notes=[root], scale=scale)
        if (
            self.words(after, 1)
            and self.words(after, 1)[0].lower() in ("major", "minor")
            and self.is_word(after + 1, "scale", "scales")
        ):
            mode_word = self.words(after, 1)[0].lower()
            return Phrase(
                "scale",
                index,
                after + 2,
                notes=[root],
                scale="major" if mode_word == "major" else "natural minor",
            )
        if self.is_word(after, "scale", "scales"):
            return Phrase("scale", index, after + 1, notes=[root], scale="major")
        suffix, used = self.match_table(after, _CHORD_WORDS)
        if used:
            phrase = self.finish_chord(index, root, suffix, after + used, from_words=True)
            if phrase.kind == "key" and self.is_word(after + used - 1, "triad"):
                # "a C major triad" names the chord, not the key
                phrase = Phrase(
                    "chord", index, phrase.end, notes=[root], symbol=phrase.symbol, chord_word=True
                )
            return phrase
        chord_word = self.is_word(after, "chord", "triad")
        if chord_word:
            return self.finish_chord(index, root, "", after, from_words=True)
        return Phrase("note", index, after, notes=[root])

    def finish_chord(
        self, start: int, root: str, suffix: str, index: int, from_words: bool
    ) -> Phrase:
        """Alterations, 'chord', inversion and bass after a chord's quality."""
        while True:
            alteration, used = self.match_table(index, _ALTERATION_WORDS)
            skip = 0
            while not used and skip < 2 and self.is_word(index + skip, "with", "a", "and"):
                skip += 1
                alteration, used = self.match_table(index + skip, _ALTERATION_WORDS)
            if not used:
                break
            index += skip
            suffix += alteration if suffix not in ("", "m") else "7" + alteration
            index += used
        chord_word = False
        if self.is_word(index, "seventh", "7th") and suffix in ("", "m", "dim", "aug"):
            suffix = {"": "maj7", "m": "m7", "dim": "dim7", "aug": "aug7"}[suffix]
            index += 1
        if self.is_word(index, "chord", "triad", "chords", "triads"):
            chord_word, index = True, index + 1
        inversion, index = self.read_inversion(index)
        bass, index = self.read_bass(index)
        if bass is None and inversion is None and chord_word:
            inversion, index = self.read_inversion(index)
        mode: Mode | None = None
        if (
            from_words
            and suffix in ("", "m")
            and not chord_word
            and inversion is None
            and bass is None
        ):
            quality_word = self.words(start + 1, 1)
            if quality_word and quality_word[0].lower() in ("major", "minor", "maj", "min"):
                mode = "major" if suffix == "" else "minor"
                return Phrase(
                    "key", start, index, notes=[root], mode=mode, symbol=_human_root(root) + suffix
                )
        symbol = _human_root(root) + suffix + (f"/{_human_root(bass)}" if bass else "")
        if parse_symbol(symbol) is None:
            return Phrase("note", start, start + 1, notes=[root])
        return Phrase(
            "chord",
            start,
            index,
            notes=[root],
            symbol=symbol,
            inversion=inversion or 0,
            chord_word=chord_word or not from_words or suffix not in ("", "m"),
        )

    def read_scale_first(self, index: int) -> Phrase | None:
        """'the harmonic minor scale of A', 'dorian mode on D', 'major scale starting on Eb'."""
        scale, used = self.match_table(index, _SCALE_WORDS)
        if (
            not used
            and self.words(index, 1)
            and self.words(index, 1)[0].lower() in ("major", "minor")
            and self.is_word(index + 1, "scale", "scales")
        ):
            scale = "major" if self.words(index, 1)[0].lower() == "major" else "natural minor"
            used = 1
        if not used:
            return None
        cursor = index + used
        if self.is_word(cursor, "scale", "mode", "scales"):
            cursor += 1
        if self.is_word(cursor, "starting", "beginning", "built"):
            cursor += 1
        if not self.is_word(cursor, "of", "on", "from"):
            return None
        cursor += 1
        if cursor < len(self.tokens) and self.tokens[cursor].kind in ("NOTE", "ARTICLE"):
            if self.is_word(cursor + 1, "major", "minor", "maj", "min", "_poss_"):
                return None  # "the scale of Eb major's relative minor": a key, read later
            token = self.tokens[cursor]
            root = "A" if token.kind == "ARTICLE" else str(token.value)
            return Phrase("scale", index, cursor + 1, notes=[root], scale=scale)
        return None

    def read_interval(self, index: int) -> Phrase | None:
        """'minor sixth', 'm6', 'perfect 5th', 'aug 4', 'tritone', 'whole step', 'a sixth'."""
        token = self.tokens[index]
        if token.kind == "INTERVAL":
            return Phrase("interval", index, index + 1, interval=str(token.value))
        special, used = self.match_table(index, _SPECIAL_INTERVALS)
        if used:
            return Phrase("interval", index, index + used, interval=special)
        quality = ""
        cursor = index
        if token.kind == "WORD" and str(token.value) in _QUALITY_WORDS:
            quality = _QUALITY_WORDS[str(token.value)]
            cursor += 1
            if self.is_word(cursor, "compound"):
                cursor += 1
        if cursor >= len(self.tokens):
            return None
        number_token = self.tokens[cursor]
        number: int | None = None
        if number_token.kind == "NUMBER":
            number = int(number_token.value or 0)
        elif number_token.kind == "WORD" and str(number_token.value) in ORDINAL_WORDS:
            number = ORDINAL_WORDS[str(number_token.value)]
        if number is None or not 1 <= number <= 15:
            return None
        if self.is_word(cursor + 1, "chord", "chords", "triad", "triads"):
            return None  # "a minor seventh chord" names a chord, not an interval
        if not quality:
            # A bare "fifth" is an interval only as "a fifth"; "3" alone never is.
            if number_token.kind == "NUMBER" or not (index and self.is_word(index - 1, "a", "an")):
                return None
            quality = "P" if number % 7 in (1, 4, 5) else "M"
        try:
            code = interval_code(quality, number)
        except Exception:
            return None
        end = cursor + 1
        if self.is_word(end, "interval"):
            end += 1
        return Phrase("interval", index, end, interval=code)

    def read_all(self) -> list[Phrase]:
        phrases: list[Phrase] = []
        index = 0
        tokens = self.tokens
        while index < len(tokens):
            token = tokens[index]
            previous = (
                str(tokens[index - 1].value) if index and tokens[index - 1].kind == "WORD" else None
            )
            phrase: Phrase | None = None
            if token.kind == "ARTICLE":
                nxt = self.words(index + 1, 1)
                follows_interval = (
                    self.read_interval(index + 1) if index + 1 < len(tokens) else None
                )
                names_key = (
                    bool(nxt)
                    and nxt[0].lower() in ("major", "minor", "maj", "min")
                    and follows_interval is None
                )
                in_note_list = bool(index) and tokens[index - 1].kind == "NOTE"
                if names_key and self.every_key(index):
                    # "the 4th note of a major scale": every major scale, C major the example
                    mode = "major" if nxt[0].lower() in ("major", "maj") else "minor"
                    example = EXAMPLE_KEYS[mode].split()[0]
                    tokens[index] = Token("NOTE", example, example)
                    token = tokens[index]
                elif names_key or in_note_list:
                    tokens[index] = Token("NOTE", "A", "A")
                    token = tokens[index]
            if token.kind == "NOTE":
                phrase = self.read_note_led(index)
                if phrase.kind == "note":
                    phrase = self.extend_note_list(phrase)
            elif token.kind == "CHORD":
                spec = parse_symbol(str(token.value))
                assert spec is not None
                root = spec.root
                phrase = self.finish_chord(
                    index,
                    root,
                    str(token.value)[len(_root_text(str(token.value))) :],
                    index + 1,
                    from_words=False,
                )
            elif token.kind == "FIGURE":
                phrase = self.read_figures(index)
            if phrase is None and token.kind == "WORD":
                phrase = self.read_scale_first(index)
            if phrase is None and token.kind in ("WORD", "INTERVAL", "NUMBER"):
                phrase = self.read_interval(index)
            if phrase is None and token.kind == "NUMBER":
                phrase = Phrase("number", index, index + 1, number=int(token.value or 0))
            if phrase is None and token.kind == "WORD" and str(token.value) in NUMBER_WORDS:
                phrase = Phrase("number", index, index + 1, number=NUMBER_WORDS[str(token.value)])
            if phrase is None:
                index += 1
                continue
            phrase.preceded_by = previous
            phrases.append(phrase)
            index = max(phrase.end, index + 1)
        return phrases

    def every_key(self, index: int) -> bool:
        """Whether the article at ``index`` opens "a major scale" / "a minor key" meant as any
        such scale or key, not the key of A: the article is lower case, no "the" comes before
        it, and "scale" or "key" follows the mode ("the a minor scale", "in a minor" and
        "A major scale" name A).

        >>> [q.tonic for q in parse("what notes are in a major scale?")]
        ['C']
        >>> [q.tonic for q in parse("what notes are in a major?")]
        ['A']
        """
        token = self.tokens[index]
        follows = self.words(index + 2, 1)
        before = self.tokens[index - 1].text.lower() if index else ""
        return (
            token.text == "a"
            and before != "the"
            and bool(follows)
            and follows[0].lower() in ("scale", "key", "scales", "keys")
        )

    def extend_note_list(self, first: Phrase) -> Phrase:
        """Consecutive notes ('C E G Bb', 'C, E and G') become one note list."""
        notes = list(first.notes)
        index = first.end
        while index < len(self.tokens):
            if (
                self.is_word(index, "and")
                and index + 1 < len(self.tokens)
                and self.tokens[index + 1].kind == "NOTE"
            ):
                index += 1
            token = self.tokens[index]
            if token.kind == "ARTICLE":
                token = Token("NOTE", "A", "A")
            if token.kind != "NOTE":
                break
            follow = self.read_note_led(index)
            if follow.kind != "note":
                break
            notes.append(str(token.value))
            index += 1
        if len(notes) == 1:
            return first
        return Phrase("notes", first.start, index, notes=notes)

    def read_figures(self, index: int) -> Phrase | None:
        figures: list[str] = []
        cursor = index
        while cursor < len(self.tokens) and self.tokens[cursor].kind == "FIGURE":
            figures.append(self.tokens[cursor].text)
            cursor += 1
            if (
                self.is_word(cursor, "to", "then")
                and cursor + 1 < len(self.tokens)
                and self.tokens[cursor + 1].kind == "FIGURE"
            ):
                cursor += 1
        if figures == ["I"] or figures == ["i"]:
            previous = self.words(index - 1, 1) if index else ()
            nxt = self.words(index + 1, 1)
            if not (previous and previous[0].lower() in ("is", "of", "chord", "numeral")) or (
                nxt and nxt[0].lower() not in ("in", "of")
            ):
                return None
        return Phrase("figures", index, cursor, figures=figures)


def _root_text(symbol: str) -> str:
    match = re.match(r"^[A-Ga-g](##|bb|#|b|x)?", symbol)
    return match.group(0) if match else ""


def _human_root(name: str) -> str:
    return name.replace("-", "b")


def phrases(question: str) -> list[Phrase]:
    """The musical phrases of a question, in order.

    >>> [(p.kind, p.symbol or p.scale or p.interval or p.notes) for p in
    ...  phrases("Is B half-diminished 7 in first inversion the same as a minor sixth?")]
    [('chord', 'Bm7b5'), ('interval', 'm6')]
    >>> [(p.kind, p.notes, p.scale) for p in phrases("play the D dorian mode")]
    [('scale', ['D'], 'dorian')]
    """
    return _Reader(tokenize(question)).read_all()


# ----------------------------------------------------------------------------- intents

_UP = {"above", "up", "higher", "over"}
_DOWN = {"below", "down", "lower", "under", "beneath"}


def _words(tokens: list[Token]) -> set[str]:
    return {str(t.value) if t.kind == "WORD" else t.text.lower() for t in tokens}


def _as_key(phrase: Phrase) -> tuple[str, Mode] | None:
    """A phrase that can name a key: 'E major', 'e minor', 'F', 'Am', 'Bb'."""
    if phrase.kind == "key" and phrase.root and phrase.mode:
        return phrase.root, phrase.mode
    if phrase.kind == "note" and phrase.root:
        return phrase.root, "major"
    if phrase.kind == "chord" and phrase.symbol and phrase.root and not phrase.inversion:
        suffix = phrase.symbol[len(_root_text(phrase.symbol)) :]
        if suffix in ("", "m", "maj", "min"):
            return phrase.root, "minor" if suffix in ("m", "min") else "major"
    if (
        phrase.kind == "scale"
        and phrase.root
        and phrase.scale in ("major", "natural minor", "harmonic minor", "melodic minor")
    ):
        return phrase.root, "major" if phrase.scale == "major" else "minor"
    return None


def _key_context(
    found: list[Phrase], markers: tuple[str, ...] = ("in", "of", "key")
) -> tuple[tuple[str, Mode] | None, list[Phrase]]:
    """The key named after 'in' / 'of the key of' (the last one), and the other phrases."""
    for phrase in reversed(found):
        if phrase.preceded_by in markers and _as_key(phrase):
            return _as_key(phrase), [p for p in found if p is not phrase]
    return None, found


def _direction(words: set[str]) -> Direction:
    return "below" if words & _DOWN else "above"


def _chord_symbol(phrase: Phrase) -> str | None:
    if phrase.kind == "chord":
        return phrase.symbol
    if phrase.kind == "key" and phrase.root:
        return _human_root(phrase.root) + ("" if phrase.mode == "major" else "m")
    return None


def parse(question: str) -> list[Query]:
    """Every computable query in a question ([] if nothing is computable).

    >>> parse("What is a minor sixth above E?")
    [NoteAtQuery(kind='note_at', start='E', interval='m6', direction='above')]
    >>> parse("how many flats in E-flat major?")
    [KeySignatureQuery(kind='key_signature', tonic='E-', mode='major')]
    >>> parse("why do composers avoid parallel fifths?")
    []
    """
    tokens = tokenize(question)
    found = _Reader(tokens).read_all()
    words = _words(tokens)
    for rule in _RULES:
        queries = rule(found, words, tokens)
        if queries:
            return queries
    return []


def _fingering(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    if not words & {"finger", "fingering", "fingerings", "fingers", "fingered"}:
        return []
    queries: list[Query] = []
    triad_cue = bool(words & {"triad", "triads", "chord", "chords", "arpeggio"})
    for phrase in found:
        key = _as_key(phrase)
        if key is None:
            continue
        is_triad = phrase.kind == "chord" or (triad_cue and phrase.kind != "scale")
        queries.append(
            FingeringQuery(
                tonic=key[0],
                mode=key[1],
                subject="triad" if is_triad else "scale",
                inversion=min(phrase.inversion, 2),
            )
        )
    return queries


def _transpose(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    if not words & {
        "transpose",
        "transposed",
        "transposing",
        "transposition",
        "move",
        "shift",
        "shifted",
    }:
        return []
    source = next((p for p in found if p.kind in ("notes", "chord", "note", "key")), None)
    if source is None:
        return []
    interval = next((p.interval for p in found if p.kind == "interval" and p.interval), None)
    direction = _direction(words)
    if interval is None:
        keys = [p for p in found if p is not source and _as_key(p)]
        target = next((p for p in keys if p.preceded_by in ("to", "into")), None)
        origin = next((p for p in keys if p.preceded_by == "from"), None)
        if target is None or target.root is None:
            return []
        from etude.theory.transpose import interval_between_keys

        reference = (origin.root if origin else source.root) or ""
        interval, direction = interval_between_keys(reference, target.root)
    if source.kind == "notes" or (source.kind == "note" and not source.chord_word):
        return [TransposeQuery(notes=source.notes, interval=interval, direction=direction)]
    symbol = _chord_symbol(source)
    if symbol is None:
        return []
    return [TransposeQuery(symbol=symbol, interval=interval, direction=direction)]


_TIME_SIGNATURE = re.compile(r"^(\d{1,2})/(1|2|4|8|16|32)$")
_METER_WORDS = {
    "simple", "compound", "beats", "beat", "meter", "metre", "time", "signature", "mean",
    "means", "count", "duple", "triple", "quadruple", "irregular", "asymmetric", "feel",
}  # fmt: skip
_HEARING_WORDS = {
    "feels", "felt", "listen", "listening", "hear", "hearing", "sound", "sounds", "sounding",
    "clap", "tap", "pulse",
}  # fmt: skip
_NOT_A_METER = {"of", "note", "notes", "rest", "rests", "step", "steps", "tone", "tones"}
"""Words after a fraction that make it a share or a note value ("3/4 of", "1/8 notes")."""


def _meter(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    """'is 9/8 simple or compound?', 'how many beats in a bar of 6/8', 'what does 12/8 mean'.

    A time signature is read as a question about it when the question speaks of beats,
    counting or time; or, unless it is an order to write something, when it asks how a meter
    sounds or feels or is heard, compares two meters, or asks how to work "in 5/4". A number
    followed by "of" is a fraction and one followed by "note" a note value ("1/4 notes").

    >>> parse("is 9/8 simple or compound time?")
    [MeterQuery(kind='meter', signature='9/8')]
    >>> parse("what's the difference between 2/4 and 6/8 when you listen?")
    [MeterQuery(kind='meter', signature='2/4'), MeterQuery(kind='meter', signature='6/8')]
    >>> parse("how should I compose in 7/8?"), parse("what does 11/8 sound like?")
    ([MeterQuery(kind='meter', signature='7/8')], [MeterQuery(kind='meter', signature='11/8')])
    >>> [query.signature for query in parse("12/8 vs 4/4?")]
    ['12/8', '4/4']

    Not about a meter: a share, a note value, an order, a lyric set in a meter.

    >>> parse("transpose 3/4 of the melody") == parse("3/4 of the notes sound wrong") == []
    True
    >>> parse("how do 1/4 notes and 1/8 notes sound different?")
    []
    >>> parse("write a melody in 6/8 that sounds happy"), parse("my lyric in 4/4, what's wrong?")
    ([], [])
    """
    signatures = [
        (index, t.text)
        for index, t in enumerate(tokens)
        if t.kind == "WORD"
        and _TIME_SIGNATURE.match(t.text)
        and int(t.text.split("/")[0]) > 0
        and not (index + 1 < len(tokens) and tokens[index + 1].text.lower() in _NOT_A_METER)
    ]
    order = bool(words & _COMPOSE_WORDS) and "how" not in words
    written_in = any(index and tokens[index - 1].text.lower() == "in" for index, _ in signatures)
    asked = words & _HEARING_WORDS or len(signatures) >= 2 or ("how" in words and written_in)
    if not (words & _METER_WORDS or (asked and not order)):
        return []
    queries: list[Query] = [MeterQuery(signature=text) for _, text in signatures]
    return queries[:2]


def _key_signature(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    accidental_words = words & {"sharps", "flats", "sharp", "flat"}
    if not (accidental_words or "signature" in words or "accidentals" in words):
        return []
    number = next((p.number for p in found if p.kind == "number" and p.number is not None), None)
    keys = [k for k in (_as_key(p) for p in found if p.kind != "number") if k]
    if number is not None and accidental_words and not keys:
        accidental: Literal["sharp", "flat"] = (
            "sharp" if accidental_words & {"sharps", "sharp"} else "flat"
        )
        if number > 7:
            return []
        return [KeyFromSignatureQuery(count=number, accidental=accidental)]
    return [KeySignatureQuery(tonic=k[0], mode=k[1]) for k in keys]


def _related(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    relation: Literal["relative", "parallel"] | None = (
        "relative" if "relative" in words else "parallel" if "parallel" in words else None
    )
    if relation is None:
        return []
    queries: list[Query] = []
    for phrase in found:
        key = _as_key(phrase)
        if key is None:
            continue
        tonic, mode = key
        if phrase.kind == "note":
            # "the relative minor of G" names the key being asked for, not the given one.
            target = [t for t in tokens if t.kind == "WORD" and t.value in ("major", "minor")]
            if target:
                mode = "major" if target[0].value == "minor" else "minor"
        queries.append(RelatedKeyQuery(tonic=tonic, mode=mode, relation=relation))
    return queries


def _circle(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    if "circle" not in words:
        return []
    keys = [k for k in (_as_key(p) for p in found) if k]
    if keys:
        return [CircleQuery(tonic=k[0], mode=k[1]) for k in keys]
    return [CircleQuery()]


def _enharmonic(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    cue = words & {
        "enharmonic",
        "enharmonically",
        "enharmonics",
        "respell",
        "respelled",
        "spelled",
        "spell",
        "written",
        "write",
    }
    phrase_cue = ("another" in words or "other" in words) and "name" in words
    key, rest = _key_context(found, ("in",))
    notes = [n for p in rest if p.kind in ("note", "notes") for n in p.notes]
    same_pitch = (
        len(notes) == 2 and pitch_class(notes[0]) == pitch_class(notes[1]) and notes[0] != notes[1]
    )
    if not notes or not (cue or phrase_cue or same_pitch):
        return []
    if cue & {"spelled", "spell", "written", "write"} and not (key and len(notes) <= 2):
        return []
    if same_pitch:
        notes = notes[:1]
    return [
        EnharmonicQuery(note=n, tonic=key[0] if key else None, mode=key[1] if key else "major")
        for n in notes
    ]


def _diatonic(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    chord_words = words & {"chords", "triads", "harmonies"}
    if not (
        "diatonic" in words
        or (chord_words and words & {"in", "of"})
        or "harmonize" in words
        or "harmonise" in words
    ):
        return []
    if any(p.kind == "figures" for p in found):
        return []
    sevenths = bool(words & {"seventh", "sevenths", "7th", "7ths", "7"})
    keys = [k for k in (_as_key(p) for p in found if p.kind in ("key", "note", "scale")) if k]
    return [DiatonicQuery(tonic=k[0], mode=k[1], sevenths=sevenths) for k in keys]


_CADENCES = {
    "authentic": ("V", "I"),
    "perfect": ("V", "I"),
    "plagal": ("IV", "I"),
    "amen": ("IV", "I"),
    "half": ("IV", "V"),
    "imperfect": ("IV", "V"),
    "deceptive": ("V", "vi"),
    "interrupted": ("V", "vi"),
}
"""The cadence a learner names, as its two chords (a half cadence is shown from IV)."""


def _progression(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    key, rest = _key_context(found)
    figures_phrase = next((p for p in rest if p.kind == "figures" and len(p.figures) >= 2), None)
    name: str | None = None
    figures: list[str] = []
    cadence = next((c for c in _CADENCES if c in words), None) if words & {"cadence"} else None
    if figures_phrase is not None:
        figures = figures_phrase.figures
    elif cadence is not None and key is not None:
        name = f"{cadence} cadence"
        figures = list(_CADENCES[cadence])
    elif (
        words & {"progression", "progressions", "changes", "turnaround", "12-bar", "twelve-bar"}
    ) and not any(p.kind == "scale" for p in rest):
        for nickname, named in PROGRESSION_NICKNAMES.items():
            if nickname in words or any(nickname in w for w in words if "-" in w):
                name = named
                figures = list(NAMED_PROGRESSIONS[named])
                break
    if not figures:
        return []
    tonic, mode = key if key else ("C", "major")
    if key is None:
        loose = [k for k in (_as_key(p) for p in rest if p.kind != "figures") if k]
        if loose:
            tonic, mode = loose[0]
    return [ProgressionQuery(figures=figures, tonic=tonic, mode=mode, name=name)]


def _roman(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    key, rest = _key_context(found)
    if key is None:
        return []
    queries: list[Query] = []
    for phrase in rest:
        if phrase.kind == "figures" and len(phrase.figures) == 1:
            queries.append(RomanQuery(figure=phrase.figures[0], tonic=key[0], mode=key[1]))
    if queries:
        return queries
    if not words & {"roman", "numeral", "numerals", "function", "degree"}:
        return []
    for phrase in rest:
        symbol = _chord_symbol(phrase)
        if symbol is None and phrase.kind == "note" and phrase.root:
            symbol = _human_root(phrase.root)
        if symbol:
            queries.append(NumeralOfQuery(symbol=symbol, tonic=key[0], mode=key[1]))
    return queries


def _intervals(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    interval_phrases = [p for p in found if p.kind == "interval" and p.interval]
    notes = [n for p in found if p.kind in ("note", "notes") for n in p.notes]
    if (
        interval_phrases
        and words & {"invert", "inversion", "inverted", "inverse"}
        and not any(p.kind == "chord" for p in found)
    ):
        return [IntervalInversionQuery(interval=str(p.interval)) for p in interval_phrases]
    if interval_phrases and notes and (words & (_UP | _DOWN) or words & {"from", "on"}):
        direction = _direction(words)
        return [
            NoteAtQuery(
                start=notes[0], interval=str(interval_phrases[0].interval), direction=direction
            )
        ]
    pairs = [p for p in found if p.kind in ("notes", "note")]
    if len(notes) == 2 and (
        words & {"interval", "distance", "between", "from", "semitones", "steps"} or len(pairs) == 2
    ):
        return [IntervalBetweenQuery(first=notes[0], second=notes[1])]
    if (
        interval_phrases
        and not notes
        and not any(p.kind in ("chord", "key", "scale", "figures") for p in found)
    ):
        return [IntervalSizeQuery(interval=str(p.interval)) for p in interval_phrases]
    return []


def _identify(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    lists = [p for p in found if p.kind == "notes" and len(p.notes) >= 3]
    return [IdentifyQuery(notes=p.notes) for p in lists]


def _scales(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    queries: list[Query] = [
        ScaleQuery(tonic=str(p.root), scale=str(p.scale)) for p in found if p.kind == "scale"
    ]
    if queries:
        return queries
    alone = len(found) == 1 and len(tokens) <= 3
    if (
        alone
        or words & {"scale", "scales", "key", "mode", "gamme"}
        or ("notes" in words and not words & {"chord", "chords", "triad", "triads"})
    ):
        for phrase in found:
            if phrase.kind == "key" and phrase.root and phrase.mode:
                queries.append(
                    ScaleQuery(
                        tonic=phrase.root,
                        scale=("major" if phrase.mode == "major" else "natural minor"),
                    )
                )
    return queries


def _chords(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    queries: list[Query] = []
    chord_cue = bool(words & {"chord", "chords", "triad", "triads", "spell", "arpeggio", "accord"})
    for phrase in found:
        if phrase.kind == "chord" and phrase.symbol:
            queries.append(ChordQuery(symbol=phrase.symbol, inversion=phrase.inversion))
        elif phrase.kind == "key" and chord_cue and phrase.symbol:
            queries.append(ChordQuery(symbol=phrase.symbol))
        elif (
            phrase.kind == "note"
            and phrase.root
            and len(found) == 1
            and (chord_cue or "notes" in words)
        ):
            queries.append(ChordQuery(symbol=_human_root(phrase.root)))  # "spell Gb"
    return queries


_REPLACING = (
    ("instead", "of"),
    ("in", "place", "of"),
    ("replace",),
    ("substitute", "for"),
    ("substitute",),
    ("other", "than"),
    ("rather", "than"),
    ("alternative", "to"),
    ("alternatives", "to"),
    ("alternative", "for"),
    ("swap",),
    ("besides",),
)
_COMPARATIVES = {"more", "better", "stronger", "less", "richer", "darker", "brighter"}
_UNDER = {"under", "beneath", "harmonise", "harmonize", "accompany"}
_HARMONY = {"chord", "chords", "harmony", "harmonies", "harmonise", "harmonize", "put", "go"}
_FILLER = {"the", "a", "an", "my", "that", "this", "chord", "long", "held", "note", "of", "it"}


def _symbol_at(tokens: list[Token], start: int, limit: int = 4) -> tuple[int, str] | None:
    """The first chord or note named within ``limit`` tokens from ``start`` (past fillers)."""
    for index in range(start, min(len(tokens), start + limit)):
        token = tokens[index]
        if token.kind == "CHORD":
            return index, str(token.value)
        if token.kind == "NOTE":
            return index, _human_root(str(token.value))
        if token.kind == "ARTICLE" or str(token.value) in _FILLER:
            continue
        return None
    return None


def _named_key(text: str) -> tuple[str, Mode] | None:
    match = re.search(r"\b(?:key of|in)\s+([A-G](?:#|b)?)(?:\s*(major|minor|m)\b)?", text)
    if not match:
        return None
    return to_music21(match.group(1)), "minor" if match.group(2) in ("minor", "m") else "major"


def _alternatives(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    """'What could I put instead of the F?', 'a more dramatic chord than G before C', 'what
    else could go under the E?': advice whose candidates the engine can compute. Without this
    rule the chord named only as context was spelled as if it were the question."""
    from etude.theory.substitutes import figure_of, key_of_chords

    lowered = [str(t.value) if t.kind == "WORD" else t.text.lower() for t in tokens]
    target = note = None
    for index in range(len(tokens)):
        for marker in _REPLACING:
            if tuple(lowered[index : index + len(marker)]) == marker:
                target = target or _symbol_at(tokens, index + len(marker))
        if lowered[index] == "than" and _COMPARATIVES & set(lowered[max(0, index - 4) : index]):
            target = target or _symbol_at(tokens, index + 1)
        if lowered[index] in _UNDER:
            note = note or _symbol_at(tokens, index + 1)
    if note is not None and (
        not _HARMONY & set(lowered) or any(p.kind == "interval" for p in found)
    ):
        note = None  # "a fifth under D" asks for an interval, not for chords
    chords = [(i, str(t.value)) for i, t in enumerate(tokens) if t.kind == "CHORD"]
    freshen = (
        target is None
        and note is None
        and bool(words & _FRESHEN)
        and len({symbol for _, symbol in chords}) >= 2
    )
    if target is None and note is None and not freshen:
        return []
    text = " ".join(t.text for t in tokens)
    key = _named_key(text)
    if key is None and freshen:
        from etude.theory.key_finding import find_key

        reading = find_key([symbol for _, symbol in chords]).home
        key = (reading.tonic, reading.mode)
    if key is None:
        named = [
            str(t.value) if t.kind == "CHORD" else _human_root(str(t.value))
            for t in tokens
            if t.kind in ("CHORD", "NOTE")
        ]
        home = None
        for index, word in enumerate(lowered):
            if word in ("final", "before", "to", "home") and (
                found_home := _symbol_at(tokens, index + 1)
            ):
                home = found_home[1]
        key = key_of_chords(list(dict.fromkeys(named)), home)
    if key is None:
        return []
    if note is not None and (target is None or note[0] < target[0]):
        pitch_name = re.sub(r"m$", "", note[1])
        return [SubstituteQuery(note=to_music21(pitch_name), tonic=key[0], mode=key[1])]
    if freshen:
        target = _spot_to_change(chords, key)
    if target is None or figure_of(target[1], key[0], key[1]) is None:
        return []
    return [SubstituteQuery(target=target[1], tonic=key[0], mode=key[1])]


_FRESHEN = {
    "predictable",
    "boring",
    "interesting",
    "spice",
    "fresher",
    "surprising",
    "unexpected",
    "cliche",
    "cliché",
    "generic",
    "reharmonise",
    "reharmonize",
}
"""Words of a learner who finds a progression too plain ("my chords are Am F C G, can you
suggest something less predictable?"): the advice is a substitute for one of its chords."""

_SPOTS = ("IV", "iv", "ii", "ii°", "V", "V7", "v", "VII", "vi", "VI", "iii", "III")
"""Where a substitute changes a progression most for the ear, first to last: the
pre-dominant (its classic replacements ii, iv and V/V), then the dominant (in minor also
the minor v and the subtonic VII, for which a real V7 can stand), then the tonic's
stand-ins. The tonic itself is never the chord to change."""


def _spot_to_change(chords: list[tuple[int, str]], key: tuple[str, Mode]) -> tuple[int, str] | None:
    """The chord of a plain progression to offer substitutes for (see :data:`_SPOTS`).

    >>> _spot_to_change([(0, "Am"), (1, "F"), (2, "C"), (3, "G")], ("C", "major"))
    (1, 'F')
    >>> _spot_to_change([(0, "C"), (1, "G")], ("C", "major"))
    (1, 'G')
    """
    from etude.theory.substitutes import figure_of

    ranked = [
        (_SPOTS.index(figure), place)
        for place in chords
        if (figure := figure_of(place[1], key[0], key[1])) in _SPOTS
    ]
    return min(ranked)[1] if ranked else None


_COMPARING = {
    "different",
    "difference",
    "differences",
    "differ",
    "differs",
    "compare",
    "compared",
    "versus",
    "vs",
    "unlike",
    "contrast",
}


def _compare_scales(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    """'What makes E phrygian different from E minor?': two scales, compared note by note."""
    if not words & _COMPARING:
        return []
    scales: list[tuple[str, str]] = []
    for phrase in found:
        if phrase.kind == "scale" and phrase.root and phrase.scale:
            scales.append((phrase.root, phrase.scale))
        elif phrase.kind == "key" and phrase.root and phrase.mode:
            scales.append((phrase.root, "major" if phrase.mode == "major" else "natural minor"))
    if len(scales) != 2:
        return []
    return [CompareScalesQuery(first=scales[0], second=scales[1])]


_COMPOSE_WORDS = frozenset(["write", "compose", "writing", "make", "give", "need", "create"])
_MODULATE_WORDS = frozenset(["modulate", "modulates", "modulating", "modulation"])


def _written(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    """A request to write chords or a bass line: the music asked for, computed, rather than a
    fact about a chord the request mentions ("a bass line for C Am Dm G" is not the interval
    C–G)."""
    if not words & _COMPOSE_WORDS or any(p.kind == "figures" for p in found):
        return []
    keys = [k for k in (_as_key(p) for p in found if p.kind in ("key", "note")) if k]
    if words & _MODULATE_WORDS and len(keys) >= 2:
        bars = next((p.number for p in found if p.kind == "number" and p.number), None)
        return [ModulationQuery(source=keys[0], target=keys[1], bars=bars or 8)]
    if "bass" in words:
        symbols: list[str] = []
        for p in found:
            if p.kind == "chord" and p.symbol:
                symbols.append(p.symbol)
            elif p.kind in ("note", "notes"):  # "F C G" read as notes: each a major chord
                symbols.extend(_human_root(n) for n in p.notes)
        return [BassLineQuery(symbols=symbols)] if len(symbols) >= 2 else []
    if words & {"progression", "progressions"}:
        key, _ = _key_context(found)
        if key is None:
            return []
        style = next((n for n in PROGRESSION_NICKNAMES if n in words), None)
        return [WriteProgressionQuery(tonic=key[0], mode=key[1], style=style)]
    return []


def _harmonise(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    """'Harmonise the melody E D C in C major', 'which chords go with A G F E in F?': a melody
    of two or more notes and a key. Without this rule the request got the key's diatonic
    triads, a list, where the learner asked for chords for their own notes."""
    asks = words & {"harmonise", "harmonize", "harmonising", "harmonizing", "reharmonise"}
    asks = asks or (words & {"chords", "harmony"} and words & {"melody", "tune", "notes"})
    if not asks:
        return []
    melody = next((p for p in found if p.kind == "notes" and len(p.notes) >= 2), None)
    key = next((k for k in (_as_key(p) for p in found if p.kind == "key") if k), None)
    if melody is None or key is None:
        return []
    return [HarmoniseQuery(melody=melody.notes, tonic=key[0], mode=key[1])]


_ASKS_WHICH = frozenset([
    "which", "what", "what's", "whats", "find", "identify", "determine", "figure", "work",
    "tell", "name", "guess", "know",
])  # fmt: skip
_KEY_NOUNS = frozenset(["key", "tonality", "tonal"])
_RUN_JOINS = frozenset(["and", "then", "to", "-", "->", "|"])
_CHORDAL = frozenset(["chord", "chords", "progression", "progressions", "changes"])


def _chord_run(tokens: list[Token], words: set[str]) -> tuple[int, int, list[str]] | None:
    """The longest run of chord symbols in a question, two different ones at least, as
    (first token, end, symbols). Bare letters among chord symbols are chords already (the
    tokenizer reads them so); a run of bare letters only counts when the question says it
    lists chords ("my chords are G D C"), since "which key has C D E" lists notes."""
    chordal = bool(words & _CHORDAL)
    best: tuple[int, int, list[str]] | None = None
    index = 0
    while index < len(tokens):
        symbols: list[str] = []
        has_symbol = False
        cursor = index
        while cursor < len(tokens):
            token = tokens[cursor]
            if token.kind == "CHORD":
                symbols.append(str(token.value))
                has_symbol = True
            elif token.kind == "NOTE":
                symbols.append(_human_root(str(token.value)))
            elif not (
                symbols
                and token.kind == "WORD"
                and str(token.value) in _RUN_JOINS
                and cursor + 1 < len(tokens)
                and tokens[cursor + 1].kind in ("CHORD", "NOTE")
            ):
                break
            cursor += 1
        counts = len(set(symbols)) >= 2 and (has_symbol or chordal)
        if counts and (best is None or len(symbols) > len(best[2])):
            best = (index, cursor, symbols)
        index = max(cursor, index + 1)
    return best


def _key_of_chords(found: list[Phrase], words: set[str], tokens: list[Token]) -> list[Query]:
    """'My chords are Bb F Gm Eb: which key am I in?', 'find the key of Am F C G': two or
    more chord symbols and a question for their key, with no key named (a question that
    names one, "what are Am D G in G major?", is another rule's). Without this rule each
    chord was spelled and the key, the one thing asked, was never named.

    >>> parse("what key is this progression in? Dm G C")
    [KeyOfChordsQuery(kind='key_of_chords', chords=['Dm', 'G', 'C'])]
    >>> parse("my chords are F, C, Dm and Bb - what key?")[0].chords
    ['F', 'C', 'Dm', 'Bb']
    >>> parse("which key has the notes C D E")[0].kind  # notes, not chords
    'identify'
    """
    if not words & _KEY_NOUNS or not words & _ASKS_WHICH:
        return []
    run = _chord_run(tokens, words)
    if run is None:
        return []
    start, end, symbols = run
    for phrase in found:
        inside = start <= phrase.start < end
        if phrase.kind in ("key", "scale") and not inside:
            return []  # "… in G major": the key is named
        if not inside and phrase.preceded_by in ("in", "of", "key") and _as_key(phrase):
            return []  # "… in the key of D"
    if any(parse_symbol(symbol) is None for symbol in symbols):
        return []
    return [KeyOfChordsQuery(chords=symbols)]


_RULES = (
    _written,
    _meter,
    _harmonise,
    _compare_scales,
    _alternatives,
    _fingering,
    _transpose,
    _key_signature,
    _related,
    _circle,
    _enharmonic,
    _key_of_chords,
    _diatonic,
    _progression,
    _roman,
    _intervals,
    _identify,
    _scales,
    _chords,
)
