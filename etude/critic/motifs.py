"""Finding where a melody repeats itself, exactly or transposed.

A bar's motif is its rhythm plus its melodic shape (each note's distance in semitones from the
bar's first note), so "the same motif a fourth higher" matches. Runs of consecutive matching
bars are merged, which turns bar-by-bar matches into the sentence a teacher would say: "bars
5-8 repeat bars 1-4 a fourth higher".
"""

from __future__ import annotations

from dataclasses import dataclass

from music21 import stream

_SHIFT_NAMES = {
    0: "at the same pitch",
    1: "a semitone",
    2: "a whole tone",
    3: "a minor third",
    4: "a major third",
    5: "a fourth",
    6: "a tritone",
    7: "a fifth",
    8: "a minor sixth",
    9: "a major sixth",
    10: "a minor seventh",
    11: "a major seventh",
    12: "an octave",
}


@dataclass(frozen=True)
class Repetition:
    source: tuple[int, int]
    """First and last bar (1-based) of the original."""
    copy: tuple[int, int]
    shift: int
    """Semitones from the original to the copy."""

    def describe(self) -> str:
        """The sentence a teacher would say.

        >>> Repetition((1, 4), (5, 8), 5).describe()
        'bars 5-8 repeat bars 1-4 a fourth higher'
        """
        name = _SHIFT_NAMES.get(abs(self.shift), f"{abs(self.shift)} semitones")
        direction = "" if self.shift == 0 else " higher" if self.shift > 0 else " lower"

        def span(bars: tuple[int, int]) -> str:
            return f"bar {bars[0]}" if bars[0] == bars[1] else f"bars {bars[0]}-{bars[1]}"

        verb = "repeats" if self.copy[0] == self.copy[1] else "repeat"
        return f"{span(self.copy)} {verb} {span(self.source)} {name}{direction}"


def bar_motifs(part: stream.Part) -> list[tuple[tuple, int] | None]:
    """Per bar: ((rhythm and shape), first pitch), or None for bars with fewer than 3 notes."""
    measures = list(part.getElementsByClass(stream.Measure))
    if not measures:
        measures = list(part.makeMeasures().getElementsByClass(stream.Measure))
    motifs: list[tuple[tuple, int] | None] = []
    for measure in measures:
        notes = [n for n in measure.flatten().notes]
        if len(notes) < 3:
            motifs.append(None)
            continue
        tops = [max(p.midi for p in n.pitches) for n in notes]
        shape = tuple(
            (round(float(n.offset), 3), round(float(n.quarterLength), 3), top - tops[0])
            for n, top in zip(notes, tops, strict=True)
        )
        motifs.append((shape, tops[0]))
    return motifs


def _transposition(a: tuple[tuple, int] | None, b: tuple[tuple, int] | None) -> int | None:
    """Semitones from bar ``a`` up to bar ``b`` when both have the same shape, else None."""
    if a is None or b is None or a[0] != b[0]:
        return None
    return b[1] - a[1]


def find_repetitions(part: stream.Part, *, limit: int = 3) -> list[Repetition]:
    """The longest repeated passages of the part, longest first, without overlaps."""
    motifs = bar_motifs(part)
    found: list[Repetition] = []
    used: set[int] = set()
    pairs = []
    for j in range(len(motifs)):
        for i in range(j):
            shift = _transposition(motifs[i], motifs[j])
            if shift is None:
                continue
            length = 1
            while (
                j + length < len(motifs)
                and i + length < j
                and _transposition(motifs[i + length], motifs[j + length]) == shift
            ):
                length += 1
            pairs.append((length, i, j, shift))
    for length, i, j, shift in sorted(pairs, key=lambda p: (-p[0], p[2])):
        copy = set(range(j, j + length))
        if copy & used:
            continue
        used |= copy
        found.append(Repetition((i + 1, i + length), (j + 1, j + length), shift))
        if len(found) == limit:
            break
    return found
