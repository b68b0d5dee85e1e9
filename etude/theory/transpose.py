"""Transposition of notes and chord symbols by an interval, spelling preserved.

Transposing by a *named* interval (a major third, not "four semitones") is what keeps the
letters right: C E G up a major third is E G# B, never E Ab B.
"""

from __future__ import annotations

from music21 import interval, pitch

from etude.theory.chords import ChordSpec, spell
from etude.theory.facts import TheoryFact
from etude.theory.intervals import Direction, interval_words
from etude.theory.spelling import human, with_article


def shift(note: str, name: str, direction: Direction = "above") -> str:
    """One note moved by an interval (music21 spelling in and out).

    >>> shift("C", "M3"), shift("E", "m2", "below"), shift("B-", "P4")
    ('E', 'D#', 'E-')
    """
    ivl = interval.Interval(name)
    if direction == "below":
        ivl = ivl.reverse()
    return ivl.transposePitch(pitch.Pitch(note + "4")).name


def _phrase(name: str, direction: Direction) -> str:
    return f"{'up' if direction == 'above' else 'down'} {with_article(interval_words(name))}"


def transpose_notes(notes: list[str], name: str, direction: Direction = "above") -> TheoryFact:
    """Notes transposed by an interval.

    >>> transpose_notes(["C", "E", "G"], "M3").statement
    'C E G transposed up a major third: E – G# – B.'
    """
    moved = [shift(n, name, direction) for n in notes]
    source = " ".join(human(n) for n in notes)
    phrase = _phrase(name, direction)
    return TheoryFact(
        kind="transposition",
        query=f"{source} {phrase}",
        statement=f"{source} transposed {phrase}: {' – '.join(human(n) for n in moved)}.",
        notes=[human(n) for n in moved],
        data={"source": [human(n) for n in notes], "interval": name, "direction": direction},
    )


def transpose_chord(spec: ChordSpec, name: str, direction: Direction = "above") -> TheoryFact:
    """A chord symbol transposed: root and bass move, the quality stays.

    >>> from etude.theory.chords import parse_symbol
    >>> transpose_chord(parse_symbol("G7/B"), "M2").statement
    'G7/B transposed up a major second is A7/C#: C# – E – G – A.'
    """
    moved = ChordSpec(
        root=shift(spec.root, name, direction),
        intervals=spec.intervals,
        suffix=spec.suffix,
        bass=shift(spec.bass, name, direction) if spec.bass else None,
        inversion=spec.inversion,
    )
    fact = spell(moved)
    phrase = _phrase(name, direction)
    return TheoryFact(
        kind="transposition",
        query=f"{spec.symbol} {phrase}",
        statement=f"{spec.symbol} transposed {phrase} is {moved.symbol}: {' – '.join(fact.notes)}.",
        notes=fact.notes,
        data={
            "source": spec.symbol,
            "result": moved.symbol,
            "interval": name,
            "direction": direction,
        },
    )


def interval_between_keys(source: str, target: str) -> tuple[str, Direction]:
    """The smallest move from one tonic to another (up to a tritone up, otherwise down).

    >>> interval_between_keys("C", "D"), interval_between_keys("C", "A")
    (('M2', 'above'), ('m3', 'below'))
    """
    low = pitch.Pitch(source + "4")
    high = pitch.Pitch(target + "4")
    if high.ps < low.ps or (high.ps == low.ps and high.diatonicNoteNum < low.diatonicNoteNum):
        high.octave = 5
    up = interval.Interval(low, high)
    if up.semitones <= 6:
        return up.semiSimpleName, "above"
    return up.complement.semiSimpleName, "below"
