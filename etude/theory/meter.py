"""Meter as a musician counts it: beats in a bar, their value, and how each beat divides.

music21's ``TimeSignature`` decides (6/8 is two dotted-quarter beats, each of three eighths;
3/4 three quarter beats, each of two eighths); this module puts its reading in the words a
lesson uses, and writes one bar of a meter in ABC to clap while counting, checked by parsing
it back. Used by the rhythm exercises (``etude.lessons``).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

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
    """
    from music21 import duration, meter

    if not re.fullmatch(r"\d{1,2}/\d{1,2}", signature):
        raise ValueError(f"not a time signature: {signature!r}")
    found = meter.TimeSignature(signature)
    beat = found.beatDuration.quarterLength
    division = int(found.beatDivisionCount)
    unit = duration.Duration(beat / division)
    return MeterReading(
        signature=signature,
        kind="compound" if division == 3 else "simple",
        beats=int(found.beatCount),
        beat_name=found.beatDuration.fullName.lower(),
        division=division,
        division_name=unit.type,
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
