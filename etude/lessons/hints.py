"""Hints: how to find an exercise's answer, without giving it away.

A learner who missed an exercise twice gets the method a teacher would point to — the steps
that find the answer — computed from the exercise's own answer, so the hint is always true for
that exercise: the intervals to stack above a chord's root, the whole and half steps of a
scale, how many letters and semitones an interval spans, where a key sits on the circle of
fifths. The answer itself is only shown after the third miss (``turn.py``).
"""

from __future__ import annotations

from itertools import pairwise

from etude.lessons.exercises import Exercise
from etude.theory.intervals import ORDINAL_WORDS, interval_between, interval_words
from etude.theory.spelling import pitch_class, to_music21, with_article


def _above_root(notes: list[str]) -> list[str]:
    """The interval of each chord tone above the first, in words."""
    root = to_music21(notes[0])
    return [str(interval_between(root, to_music21(n)).data["words"]) for n in notes[1:]]


def _steps(notes: list[str]) -> str:
    """A scale's steps, W for a whole step and H for a half step (W+H for three semitones).

    >>> _steps(["C", "D", "E", "F", "G", "A", "B"])
    'W–W–H–W–W–W–H'
    """
    marks = {1: "H", 2: "W", 3: "W+H"}
    ring = [*notes, notes[0]]
    sizes = [(pitch_class(b) - pitch_class(a)) % 12 for a, b in pairwise(ring)]
    return "–".join(marks.get(size, f"{size} semitones") for size in sizes)


def hint(exercise: Exercise) -> str:
    """The method for ``exercise``, with nothing that names its answer.

    >>> ex = Exercise(skill="triads", kind="triad_spell", prompt="Spell the E major triad.",
    ...               answer_kind="notes", expected=["E", "G#", "B"])
    >>> hint(ex)
    'Hint: from E, stack a major third and a perfect fifth, one letter name each (skip a letter \
between notes), then check the semitones: 4 and 7 above E.'
    >>> hint(Exercise(skill="intervals", kind="interval_name", prompt="Name the interval from D \
up to B.", answer_kind="interval", expected=["M6"]))
    'Hint: count the letter names from the bottom note to the top one, both included (that count \
is the number), then count the semitones: this interval spans 9 semitones.'
    """
    expected = exercise.expected
    kind = exercise.kind
    if kind in ("triad_spell", "chord_spell", "roman_numeral") and expected:
        above = _above_root(expected)
        stacked = " and ".join(with_article(words) for words in above)
        semis = " and ".join(
            str(interval_between(to_music21(expected[0]), to_music21(n)).data["semitones"])
            for n in expected[1:]
        )
        return (
            f"Hint: from {expected[0]}, stack {stacked}, one letter name each (skip a letter "
            f"between notes), then check the semitones: {semis} above {expected[0]}."
        )
    if kind == "scale_spell" and expected:
        return (
            f"Hint: write the seven letters from {expected[0]} in order, each once, then give "
            f"each the accidental that makes the steps {_steps(expected)}."
        )
    if kind == "interval_name" and expected:
        semitones = to_semitones(expected[0])
        return (
            "Hint: count the letter names from the bottom note to the top one, both included "
            "(that count is the number), then count the semitones: this interval spans "
            f"{semitones} semitones."
        )
    if kind == "interval_build" and expected:
        return (
            "Hint: the number tells you how many letter names to count up, the first one "
            "included; then adjust the accidental until the semitones match: "
            f"{_interval_hint(exercise.prompt)}."
        )
    if kind == "key_signature":
        return (
            "Hint: find the key on the circle of fifths — each fifth up from C adds a sharp, "
            "each fifth down adds a flat; a minor key has the signature of its relative major, "
            "a minor third above."
        )
    if kind == "relative_key":
        return (
            "Hint: the relative minor starts a minor third (3 semitones, two letter names) below "
            "the major tonic, the relative major a minor third above the minor tonic; both keys "
            "share one key signature."
        )
    if kind == "meter_beats":
        return (
            "Hint: a time signature's top number counts its bottom number's notes; when the top "
            "number is 6, 9 or 12 the time is compound and those notes go in groups of three, "
            "each group one beat; otherwise each beat is one bottom-number note, split in two."
        )
    return "Hint: read the task again and check each requirement against your answer."


def to_semitones(code: str) -> int:
    from music21 import interval

    return int(interval.Interval(code).semitones)


def _interval_hint(prompt: str) -> str:
    """'a major sixth' in the prompt → its size: '9 semitones'."""
    for number, word in ORDINAL_WORDS.items():
        for quality, code in (
            ("perfect", "P"),
            ("major", "M"),
            ("minor", "m"),
            ("augmented", "A"),
            ("diminished", "d"),
        ):
            if f"{quality} {word}" in prompt:
                name = f"{code}{number}"
                return f"{with_article(interval_words(name))} spans {to_semitones(name)} semitones"
    return "count them on a keyboard"
