"""Intervals: naming the distance between two notes, finding a note at a distance, inverting.

Spelling matters more than semitones here: E up a minor sixth is C, never B#, so every
computation goes through music21's generic-plus-chromatic ``Interval`` rather than pitch-class
arithmetic.
"""

from __future__ import annotations

from typing import Literal

from music21 import interval, pitch

from etude.theory.facts import TheoryFact
from etude.theory.spelling import human, with_article

Direction = Literal["above", "below"]

QUALITY_CODES = {
    "perfect": "P",
    "major": "M",
    "minor": "m",
    "augmented": "A",
    "diminished": "d",
    "doubly augmented": "AA",
    "doubly diminished": "dd",
}
_QUALITY_WORDS = {code: word for word, code in QUALITY_CODES.items()}

ORDINAL_WORDS = {
    1: "unison",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "octave",
    9: "ninth",
    10: "tenth",
    11: "eleventh",
    12: "twelfth",
    13: "thirteenth",
    14: "fourteenth",
    15: "double octave",
}


def interval_code(quality: str, number: int) -> str:
    """music21's interval name from a quality word (or code) and a generic number.

    >>> interval_code("minor", 6), interval_code("perfect", 5), interval_code("A", 4)
    ('m6', 'P5', 'A4')
    """
    code = QUALITY_CODES.get(quality.lower(), quality)
    name = f"{code}{number}"
    interval.Interval(name)  # raises on impossible names such as "M5"
    return name


def interval_words(name: str) -> str:
    """Plain-English name, lower case: ``m6`` → ``minor sixth``, ``P8`` → ``perfect octave``.

    >>> interval_words("m6"), interval_words("M10"), interval_words("P1")
    ('minor sixth', 'major tenth', 'perfect unison')
    """
    ivl = interval.Interval(name)
    quality = _QUALITY_WORDS.get(ivl.name.rstrip("0123456789"), "")
    number = ivl.generic.undirected
    ordinal = ORDINAL_WORDS.get(number, f"{number}th")
    return f"{quality} {ordinal}".strip()


def _above(low: str, high: str) -> interval.Interval:
    """Interval from ``low`` up to the nearest ``high`` above it (a unison if the same)."""
    low_pitch = pitch.Pitch(low + "4")
    high_pitch = pitch.Pitch(high + "4")
    if high_pitch.diatonicNoteNum < low_pitch.diatonicNoteNum or (
        high_pitch.diatonicNoteNum == low_pitch.diatonicNoteNum and high_pitch.ps < low_pitch.ps
    ):
        high_pitch.octave = 5
    return interval.Interval(low_pitch, high_pitch)


def interval_between(first: str, second: str) -> TheoryFact:
    """Name the interval from ``first`` up to ``second`` (music21 spellings, second above).

    >>> interval_between("E", "C").statement
    'From E up to C is a minor sixth (8 semitones); inverted, it is a major third.'
    >>> interval_between("C", "F#").data["name"]
    'A4'
    """
    ivl = _above(first, second)
    name = ivl.semiSimpleName
    inverse = interval.Interval(name).complement.name
    words = interval_words(name)
    statement = (
        f"From {human(first)} up to {human(second)} is {with_article(words)} "
        f"({ivl.semitones} semitones); inverted, it is {with_article(interval_words(inverse))}."
    )
    return TheoryFact(
        kind="interval",
        query=f"interval from {human(first)} to {human(second)}",
        statement=statement,
        notes=[human(first), human(second)],
        data={"name": name, "words": words, "semitones": ivl.semitones, "inversion": inverse},
    )


def note_at(start: str, name: str, direction: Direction = "above") -> TheoryFact:
    """The note a given interval above or below ``start``, correctly spelled.

    >>> note_at("E", "m6").statement
    'A minor sixth above E is C.'
    >>> note_at("C", "M3", "below").notes
    ['C', 'Ab']
    >>> note_at("C", "M9").notes
    ['C', 'D']
    """
    ivl = interval.Interval(name)
    if direction == "below":
        ivl = ivl.reverse()
    target = ivl.transposePitch(pitch.Pitch(start + "4"))
    words = interval_words(name)
    compound = ""
    if ivl.generic.undirected > 8:
        compound = f" (a compound {interval_words(ivl.semiSimpleName)})"
    statement = (
        f"{with_article(words).capitalize()}{compound} {direction} {human(start)} is "
        f"{human(target.name)}."
    )
    return TheoryFact(
        kind="interval",
        query=f"{words} {direction} {human(start)}",
        statement=statement,
        notes=[human(start), human(target.name)],
        data={
            "name": name,
            "words": words,
            "semitones": abs(ivl.semitones),
            "direction": direction,
            "result": human(target.name),
        },
    )


def inversion(name: str) -> TheoryFact:
    """The inversion of an interval (compound intervals are reduced to simple first).

    >>> inversion("m6").statement
    'The inversion of a minor sixth is a major third (8 + 4 = 12 semitones).'
    >>> inversion("A4").data["inversion"]
    'd5'
    """
    simple = interval.Interval(name).semiSimpleName
    inverse = interval.Interval(simple).complement.name
    semis = interval.Interval(simple).semitones
    inverse_semis = interval.Interval(inverse).semitones
    statement = (
        f"The inversion of {with_article(interval_words(name))} is "
        f"{with_article(interval_words(inverse))} "
        f"({semis} + {inverse_semis} = {semis + inverse_semis} semitones)."
    )
    return TheoryFact(
        kind="interval",
        query=f"inversion of {with_article(interval_words(name))}",
        statement=statement,
        data={"name": name, "inversion": inverse, "words": interval_words(inverse)},
    )


def describe(name: str) -> TheoryFact:
    """Size of a named interval, e.g. a compound interval reduced to its simple form.

    >>> describe("M10").statement
    'A major tenth spans 16 semitones; it is a compound major third (an octave plus a major third).'
    """
    ivl = interval.Interval(name)
    words = interval_words(name)
    statement = f"{with_article(words).capitalize()} spans {ivl.semitones} semitones"
    if ivl.generic.undirected > 8:
        simple = interval_words(ivl.semiSimpleName)
        statement += f"; it is a compound {simple} (an octave plus {with_article(simple)})."
    else:
        statement += "."
    return TheoryFact(
        kind="interval",
        query=words,
        statement=statement,
        data={"name": name, "semitones": ivl.semitones, "simple": ivl.semiSimpleName},
    )
