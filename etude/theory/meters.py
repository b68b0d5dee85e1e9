"""Time signatures read the way a teacher explains them: simple or compound, how many beats,
what note gets the beat and how it divides, and a way to count it aloud.

music21's ``TimeSignature`` gives the beat, its length and its division; the words (simple,
compound, irregular; duple, triple, quadruple) follow the usual textbook rule, which music21
agrees with for every regular meter: a top number of 6, 9, 12 … (a multiple of three above
three) groups the pulses in threes, so the beat is a dotted note.
"""

from __future__ import annotations

from fractions import Fraction

from music21 import duration, meter

from etude.theory.facts import TheoryFact

_COUNT_NAMES = {1: "single", 2: "duple", 3: "triple", 4: "quadruple"}
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven"}
_IRREGULAR_GROUPS = {5: "3+2 or 2+3", 7: "2+2+3, 3+2+2 or 2+3+2", 11: "3+3+3+2 or 2+3+3+3"}


def _note_name(quarter_length: Fraction) -> str:
    """'quarter note', 'dotted quarter note', 'eighth note' … for a length in quarter notes."""
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
    """
    signature = meter.TimeSignature(text)
    top, bottom = signature.numerator, signature.denominator
    pulse = _note_name(Fraction(4, bottom))
    if top in _IRREGULAR_GROUPS:
        statement = (
            f"{text} is an irregular (asymmetric) meter: {top} {pulse.replace(' note', '-note')}"
            f" pulses in a bar, usually grouped {_IRREGULAR_GROUPS[top]}; each pulse divides"
            " into two, so it counts as simple."
        )
        steps = [
            f"The bottom number, {bottom}, names the pulse: a {pulse}.",
            f"The top number, {top}, is odd and neither 3 nor a multiple of 3 above it, so the "
            "pulses cannot be grouped evenly in twos or threes: they fall into groups of two "
            f"and three ({_IRREGULAR_GROUPS[top]}).",
        ]
        return TheoryFact(
            kind="meter",
            query=f"{text} time",
            statement=statement,
            data={"meter": text, "classification": "irregular", "pulses": top},
            steps=steps,
        )
    compound = top % 3 == 0 and top > 3
    beats = top // 3 if compound else top
    beat = _note_name(Fraction(signature.beatDuration.quarterLength).limit_denominator(64))
    division = _note_name(Fraction(4, bottom) if compound else Fraction(2, bottom))
    kind = "compound" if compound else "simple"
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
            f"Three {pulse}s make one beat: a {beat}.",
        ]
    else:
        steps = [
            f"The top number, {top}, is not a multiple of 3 above 3, so the meter is simple: "
            f"it counts the beats, {beats} ({count_name}).",
            f"The bottom number, {bottom}, names the beat: a {beat}.",
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
