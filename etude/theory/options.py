"""The given answers of a multiple-choice question, read as values of the engine.

An option is a short text ("F#", "E minor", "G – B – D", "Em7", "Two sharps", "Major third",
"viiø7", "Diminished", "6/8", "Leading tone"). :func:`read_option` reads every value the text
can name, so that the option can be compared with a computed answer of whatever type: a note
option against a note, a chord written as notes or as a name against a chord, and so on. What
the text does not name stays ``None``; nothing is guessed.

>>> reading = read_option("F sharp")
>>> reading.notes, reading.key
(('F#',), None)
>>> read_option("G – B – D").chord.symbol
'G'
>>> read_option("Two sharps").signature, read_option("No sharps or flats").signature
(2, 0)
>>> read_option("Major third").interval, read_option("m3").interval, read_option("six").number
('M3', 'm3', 6)
>>> read_option("viiø7").numeral
Figure(degree=7, qualities=('m7b5',), accidental='')
>>> read_option("III+").numeral.qualities, read_option("IV7").numeral.qualities
(('aug',), ('7', 'maj7'))
>>> read_option("Half-diminished seventh").quality, read_option("E minor").key
('m7b5', Key(tonic='E', mode='minor'))
>>> read_option("Leading tone").degree, read_option("6/8").meter
((7, True), '6/8')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from etude.theory.intervals import QUALITY_CODES
from etude.theory.plan import Chord, Key, PlanError, chord_of, chord_of_pitches
from etude.theory.questions import NUMBER_WORDS
from etude.theory.spelling import normalise_text, to_music21

_NUMBERS = NUMBER_WORDS
_ORDINALS = {
    "unison": 1,
    "prime": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "octave": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
}
_INTERVAL_QUALITIES = QUALITY_CODES
_CHORD_QUALITIES = {
    "major": "",
    "minor": "m",
    "diminished": "dim",
    "augmented": "aug",
    "dominant seventh": "7",
    "dominant 7th": "7",
    "major seventh": "maj7",
    "major 7th": "maj7",
    "minor seventh": "m7",
    "minor 7th": "m7",
    "half-diminished seventh": "m7b5",
    "half-diminished": "m7b5",
    "half diminished seventh": "m7b5",
    "diminished seventh": "dim7",
    "fully diminished seventh": "dim7",
    "diminished 7th": "dim7",
    "minor-major seventh": "mMaj7",
    "minor major seventh": "mMaj7",
    "augmented seventh": "aug7",
    "major sixth": "6",
    "minor sixth": "m6",
    "suspended fourth": "sus4",
    "suspended second": "sus2",
    "power": "5",
}
_DEGREES = {
    "tonic": (1, False),
    "supertonic": (2, False),
    "mediant": (3, False),
    "subdominant": (4, False),
    "dominant": (5, False),
    "submediant": (6, False),
    "leading tone": (7, True),
    "leading note": (7, True),
    "leading-tone": (7, True),
    "subtonic": (7, False),
}
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7}
_FIGURE = re.compile(
    r"^(?P<acc>[b#♭♯]?)(?P<numeral>VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)"
    r"(?P<mark>°|o|ø|/o|\+)?(?P<size>maj7|M7|Δ7|Δ|7|)$"
)


@dataclass(frozen=True)
class Figure:
    """A roman numeral as an option writes it: the degree, and the chord qualities (symbol
    suffixes) its case and marks allow. ``V7`` allows the dominant seventh and, as textbooks
    write every diatonic seventh with a plain 7, ``IV7`` the major seventh."""

    degree: int
    qualities: tuple[str, ...]
    accidental: str = ""


@dataclass(frozen=True)
class Reading:
    """Every value an option's text names (``None`` where it names none of that kind)."""

    text: str
    notes: tuple[str, ...] = ()
    key: Key | None = None
    chord: Chord | None = None
    number: int | None = None
    signature: int | None = None
    interval: str | None = None
    numeral: Figure | None = None
    quality: str | None = None
    degree: tuple[int, bool] | None = None
    meter: str | None = None


@lru_cache(maxsize=4096)
def read_option(text: str) -> Reading:
    """Read an option's text; see the module docstring."""
    raw = text.strip().rstrip(".;").strip()
    plain = normalise_text(raw)
    lowered = re.sub(r"\s+", " ", plain.lower()).strip()
    notes = _notes(plain)
    return Reading(
        text=raw,
        notes=notes,
        key=_key(plain),
        chord=_chord(plain, notes),
        number=_number(lowered),
        signature=_signature(lowered),
        interval=_interval(plain),
        numeral=_figure(raw),
        quality=_quality(lowered),
        degree=_DEGREES.get(lowered.removesuffix(" degree")),
        meter=lowered if re.fullmatch(r"\d{1,2}/\d{1,2}", lowered) else None,
    )


_NOTE = re.compile(r"[A-G](?:#{1,3}|b{1,3}|x)?")


def _notes(text: str) -> tuple[str, ...]:
    """'F#' → ('F#',); 'G – B – D', 'G, B, D', 'G B D' → three notes (music21 spelling).

    >>> _notes("Abb – Cbb – Ebbb – Gbb")
    ('A--', 'C--', 'E---', 'G--')
    """
    parts = [p for p in re.split(r"\s*[,–—]\s*|\s+-\s+|\s+|-(?=[A-G])", text) if p]
    if not parts or not all(_NOTE.fullmatch(p) for p in parts):
        return ()
    return tuple(p[0] + p[1:].replace("x", "##").replace("b", "-") for p in parts)


def _key(text: str) -> Key | None:
    match = re.fullmatch(r"([A-G](?:##|bb|#|b|x)?)\s*(major|minor|maj|min|m)(?: key)?", text)
    if not match:
        return None
    return Key(to_music21(match.group(1)), "major" if match.group(2).startswith("maj") else "minor")


def _chord(text: str, notes: tuple[str, ...]) -> Chord | None:
    """Notes (three or more), a symbol ("Em7"), or a root and quality words ("F# minor
    seventh", "B diminished triad")."""
    try:
        if len(notes) >= 3:
            return chord_of_pitches(list(notes))
        match = re.fullmatch(r"([A-G](?:##|bb|#|b|x)?)\s+(.+?)(?:\s+(?:triad|chord))?", text)
        if match:
            suffix = _CHORD_QUALITIES.get(match.group(2).lower())
            if suffix is not None:
                return chord_of(match.group(1) + suffix)
        if len(notes) != 1 and re.fullmatch(r"[A-G](?:##|bb|#|b|x)?[^\s]*", text):
            return chord_of(text)
    except PlanError:
        return None
    return None


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _NUMBERS.get(text)


def _signature(text: str) -> int | None:
    if text in ("no sharps or flats", "no sharps and no flats", "none", "no accidentals"):
        return 0
    match = re.fullmatch(r"(\w+)\s+(sharp|flat)s?", text)
    if not match:
        return None
    count = _number(match.group(1))
    if count is None:
        return None
    return count if match.group(2) == "sharp" else -count


def _interval(text: str) -> str | None:
    """'Major third', 'perfect 4th', 'm3', 'P5', 'tritone', 'octave'."""
    from etude.theory.intervals import interval_code

    if re.fullmatch(r"(?:P|M|m|A|d)\d{1,2}", text):
        return text
    lowered = text.lower().strip()
    special = {"tritone": "A4", "octave": "P8", "unison": "P1", "perfect octave": "P8"}
    if lowered in special:
        return special[lowered]
    match = re.fullmatch(r"([a-z ]+?)\s+(\d{1,2})(?:st|nd|rd|th)?|([a-z ]+?)\s+([a-z]+)", lowered)
    if not match:
        return None
    quality = match.group(1) or match.group(3)
    number = int(match.group(2)) if match.group(2) else _ORDINALS.get(match.group(4) or "")
    code = _INTERVAL_QUALITIES.get(quality)
    if code is None or number is None:
        return None
    try:
        return interval_code(code, number)
    except Exception:
        return None


def _figure(text: str) -> Figure | None:
    match = _FIGURE.match(text.strip())
    if not match:
        return None
    numeral, mark, size = match["numeral"], match["mark"] or "", match["size"]
    upper = numeral.isupper()
    seventh = bool(size)
    qualities: tuple[str, ...]
    if mark in ("°", "o"):
        qualities = ("dim7",) if seventh else ("dim",)
    elif mark in ("ø", "/o"):
        qualities = ("m7b5",)
    elif mark == "+":
        qualities = ("aug7", "augMaj7") if seventh else ("aug",)
    elif size in ("maj7", "M7", "Δ7", "Δ"):
        qualities = ("maj7",) if upper else ("mMaj7",)
    elif seventh:
        qualities = ("7", "maj7") if upper else ("m7",)
    else:
        qualities = ("",) if upper else ("m",)
    accidental = match["acc"].replace("♭", "b").replace("♯", "#")
    return Figure(_ROMAN[numeral.upper()], qualities, accidental)


def _quality(text: str) -> str | None:
    text = re.sub(r"\s+(?:triad|chord)$", "", text)
    return _CHORD_QUALITIES.get(text)
