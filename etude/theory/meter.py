"""Meter as a musician counts it: beats in a bar, their value, and how each beat divides.

The textbook rule decides: a top number of 6, 9, 12 … (a multiple of three above three)
groups the pulses in threes, so the beat is a dotted note (6/8 is two dotted-quarter beats,
each of three eighths; 3/4 three quarter beats, each of two eighths). music21's
``TimeSignature`` agrees for every regular meter but 3/8, which it counts in one; textbooks,
our claim checker and this module call it simple triple. This module puts the reading in the
words a lesson uses (``meter_reading``, for the rhythm exercises of ``etude.lessons``), answers
a question about a time signature (``describe_meter``, with its steps and a count to clap),
and writes one bar of a meter in ABC to clap while counting, checked by parsing it back.
"""

from __future__ import annotations

import re
from fractions import Fraction

from pydantic import BaseModel

from etude.theory.facts import TheoryFact
from etude.theory.spelling import with_article


class MeterReading(BaseModel):
    """A time signature as a musician counts it (music21's ``TimeSignature`` decides)."""

    signature: str
    kind: str  # "simple" or "compound"
    beats: int
    beat_name: str  # "dotted quarter"
    division: int
    division_name: str  # "eighth"

    def counting(self) -> str:
        """The bar as it is counted aloud: the division notes numbered and grouped by beat in
        compound time ('1-2-3 4-5-6'), the beats with 'and' between them in simple time.

        >>> meter_reading("6/8").counting(), meter_reading("3/4").counting()
        ('1-2-3 4-5-6', '1-and 2-and 3-and')
        """
        if self.kind == "simple":
            return " ".join(f"{beat + 1}-and" for beat in range(self.beats))
        numbers = [str(n + 1) for n in range(self.beats * self.division)]
        groups = [numbers[i : i + self.division] for i in range(0, len(numbers), self.division)]
        return " ".join("-".join(group) for group in groups)

    def statement(self) -> str:
        """The count a learner can say aloud, with where the beats fall.

        >>> print(meter_reading("6/8").statement())  # doctest: +NORMALIZE_WHITESPACE
        6/8 is compound time: 2 beats in a bar, each a dotted quarter note made of 3 eighth
        notes; count 1-2-3 4-5-6, with the beats on 1 and 4.
        >>> print(meter_reading("4/4").statement())  # doctest: +NORMALIZE_WHITESPACE
        4/4 is simple time: 4 beats in a bar, each a quarter note made of 2 eighth notes;
        count 1-and 2-and 3-and 4-and, with the beats on the numbers.
        """
        if self.kind == "simple":
            on = "the numbers"
        else:
            firsts = [str(1 + b * self.division) for b in range(self.beats)]
            on = " and ".join([", ".join(firsts[:-1]), firsts[-1]] if len(firsts) > 1 else firsts)
        return (
            f"{self.signature} is {self.kind} time: {self.beats} beat"
            f"{'s' * (self.beats != 1)} in a bar, each {with_article(self.beat_name)} note made "
            f"of {self.division} {self.division_name} notes; count {self.counting()}, with the "
            f"beat{'s' * (self.beats != 1)} on {on}."
        )


def meter_reading(signature: str) -> MeterReading:
    """How ``signature`` is counted.

    >>> r = meter_reading("3/4")
    >>> r.kind, r.beats, r.beat_name, r.division, r.division_name
    ('simple', 3, 'quarter', 2, 'eighth')
    >>> meter_reading("12/8").beats, meter_reading("2/2").division_name
    (4, 'quarter')
    >>> meter_reading("3/8").kind, meter_reading("3/8").beats  # simple triple, as textbooks say
    ('simple', 3)
    """
    from music21 import duration, meter

    if not re.fullmatch(r"\d{1,2}/\d{1,2}", signature):
        raise ValueError(f"not a time signature: {signature!r}")
    found = meter.TimeSignature(signature)
    top, bottom = found.numerator, found.denominator
    compound = top % 3 == 0 and top > 3  # the textbook rule; music21 also counts 3/8 in one
    division = 3 if compound else 2
    pulse = Fraction(4, bottom)
    beat = duration.Duration(pulse * 3 if compound else pulse)
    return MeterReading(
        signature=signature,
        kind="compound" if compound else "simple",
        beats=top // 3 if compound else top,
        beat_name=beat.fullName.lower(),
        division=division,
        division_name=duration.Duration(beat.quarterLength / division).type,
    )


def meter_example(signature: str) -> str:
    """One bar of ``signature`` in ABC, its notes beamed in beats, to clap or play while
    counting; music21 reads it back and the bar must hold exactly one bar of the meter.

    >>> print(meter_example("6/8"))
    X:1
    M:6/8
    L:1/8
    K:C
    CDE GFE |]
    """
    from music21 import converter, meter
    from music21 import duration as m21duration

    reading = meter_reading(signature)
    length = round(4 / m21duration.Duration(reading.division_name).quarterLength)
    tune = "CDEGFEDC" * 4
    notes = tune[: reading.beats * reading.division]
    beats = [notes[i : i + reading.division] for i in range(0, len(notes), reading.division)]
    text = f"X:1\nM:{signature}\nL:1/{length}\nK:C\n{' '.join(beats)} |]"
    parsed = converter.parse(text, format="abc")
    filled = float(parsed.flatten().notes.stream().highestTime)
    bar = float(meter.TimeSignature(signature).barDuration.quarterLength)
    if abs(filled - bar) > 1e-6:
        raise ValueError(f"the {signature} example does not fill one bar")
    return text


_COUNT_NAMES = {1: "single", 2: "duple", 3: "triple", 4: "quadruple"}
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
_GROUPINGS = {
    5: ((3, 2), (2, 3)),
    7: ((2, 2, 3), (3, 2, 2), (2, 3, 2)),
    11: ((3, 3, 3, 2), (2, 3, 3, 3)),
}
"""The usual groupings of an irregular meter's pulses, the most common first."""


def _grouping_names(top: int) -> str:
    """'3+2 or 2+3', '2+2+3, 3+2+2 or 2+3+2'."""
    names = ["+".join(str(n) for n in group) for group in _GROUPINGS[top]]
    return ", ".join(names[:-1]) + " or " + names[-1]


def _count_groups(groups: tuple[int, ...]) -> tuple[str, list[int]]:
    """The pulses counted aloud in their groups, and the numbers that start a group (where
    the accents fall).

    >>> _count_groups((3, 2))
    ('1-2-3 4-5', [1, 4])
    """
    counted, starts, number = [], [], 1
    for size in groups:
        starts.append(number)
        counted.append("-".join(str(n) for n in range(number, number + size)))
        number += size
    return " ".join(counted), starts


def _note_name(quarter_length: Fraction) -> str:
    """'quarter note', 'dotted quarter note', 'eighth note' … for a length in quarter notes."""
    from music21 import duration

    kind = duration.Duration(quarter_length)
    name = {"16th": "sixteenth"}.get(kind.type, kind.type)
    return f"{'dotted ' * kind.dots}{name} note"


def _count_aloud(beats: int, compound: bool) -> str:
    syllables = "-la-li" if compound else "-and"
    return " ".join(f"{beat}{syllables}" for beat in range(1, beats + 1))


def describe_meter(text: str) -> TheoryFact:
    """What a time signature means, with the steps that read it and a count to clap.

    >>> print(describe_meter("9/8").statement)  # doctest: +NORMALIZE_WHITESPACE
    9/8 is compound triple time: 3 beats in a bar, each a dotted quarter note divided into
    three eighth notes.
    >>> print(describe_meter("3/4").statement)  # doctest: +NORMALIZE_WHITESPACE
    3/4 is simple triple time: 3 beats in a bar, each a quarter note divided into two eighth
    notes.
    >>> print(describe_meter("5/4").statement)  # doctest: +NORMALIZE_WHITESPACE
    5/4 is an irregular (asymmetric) meter: 5 quarter-note pulses in a bar, usually grouped
    3+2 or 2+3; each pulse divides into two, so it counts as simple.
    >>> describe_meter("6/8").data["example"]
    'Count it aloud, clapping on the numbers: 1-la-li 2-la-li'
    >>> describe_meter("7/8").data["example"]
    'Count it aloud in groups of 2+2+3, clapping on 1, 3 and 5: 1-2 3-4 5-6-7'
    """
    from music21 import meter

    signature = meter.TimeSignature(text)
    top, bottom = signature.numerator, signature.denominator
    pulse = _note_name(Fraction(4, bottom))
    if top in _GROUPINGS:
        groups = _GROUPINGS[top][0]
        counted, starts = _count_groups(groups)
        accents = " and ".join([", ".join(str(n) for n in starts[:-1]), str(starts[-1])])
        statement = (
            f"{text} is an irregular (asymmetric) meter: {top} {pulse.replace(' note', '-note')}"
            f" pulses in a bar, usually grouped {_grouping_names(top)}; each pulse divides"
            " into two, so it counts as simple."
        )
        steps = [
            f"The bottom number, {bottom}, names the pulse: {with_article(pulse)}.",
            f"The top number, {top}, is odd and neither 3 nor a multiple of 3 above it, so the "
            "pulses cannot be grouped evenly in twos or threes: they fall into groups of two "
            f"and three ({_grouping_names(top)}).",
        ]
        return TheoryFact(
            kind="meter",
            query=f"{text} time",
            statement=statement,
            data={
                "meter": text,
                "classification": "irregular",
                "pulses": top,
                "groups": list(groups),
                "example": (
                    f"Count it aloud in groups of {'+'.join(str(n) for n in groups)}, clapping "
                    f"on {accents}: {counted}"
                ),
            },
            steps=steps,
        )
    reading = meter_reading(text)
    compound = reading.kind == "compound"
    beats = reading.beats
    beat = f"{reading.beat_name} note"
    division = f"{reading.division_name} note"
    kind = reading.kind
    count_name = _COUNT_NAMES.get(beats, f"{beats}-beat")
    parts = "three" if compound else "two"
    statement = (
        f"{text} is {kind} {count_name} time: {beats} beats in a bar, each a {beat} "
        f"divided into {parts} {division}s."
    )
    if compound:
        steps = [
            f"The top number, {top}, is a multiple of 3 above 3, so the meter is compound: "
            f"the {pulse}s (the bottom number, {bottom}) are grouped in threes.",
            f"{top} ÷ 3 = {beats} beats in a bar ({count_name}).",
            f"Three {pulse}s make one beat: {with_article(beat)}.",
        ]
    else:
        steps = [
            f"The top number, {top}, is not a multiple of 3 above 3, so the meter is simple: "
            f"it counts the beats, {beats} ({count_name}).",
            f"The bottom number, {bottom}, names the beat: {with_article(beat)}.",
            f"Each beat divides into two {division}s.",
        ]
    return TheoryFact(
        kind="meter",
        query=f"{text} time",
        statement=statement,
        data={
            "meter": text,
            "classification": kind,
            "beats": beats,
            "beat": beat,
            "example": f"Count it aloud, clapping on the numbers: {_count_aloud(beats, compound)}",
        },
        steps=steps,
    )
