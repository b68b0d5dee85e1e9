"""Per-part profiles: range, melodic contour, rhythm and dynamics.

Not faults but the facts a teacher looks at first ("your melody spans an octave and a fifth,
mostly by step; every note is a quarter note; everything is played at the same loudness").
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

from music21 import stream
from pydantic import BaseModel, Field


class PartProfile(BaseModel):
    part: int
    notes: int
    lowest: str | None = Field(description="Lowest pitch, e.g. 'D3'.")
    highest: str | None
    span_semitones: int
    steps: float = Field(description="Share of melodic motions of a second or less.")
    leaps: float = Field(description="Share of motions larger than a fourth.")
    contour: str = Field(description="'rising', 'falling', 'arch', 'inverted arch' or 'level'.")
    durations: dict[str, int] = Field(description="Note counts by duration in quarter notes.")
    notes_per_bar: float
    velocity_min: int | None
    velocity_max: int | None
    velocity_mean: float | None


def _contour(midis: list[int]) -> str:
    """Overall shape from the first, highest/lowest and last notes.

    >>> _contour([60, 64, 67, 64, 60]), _contour([60, 62, 64]), _contour([60, 60])
    ('arch', 'rising', 'level')
    """
    if len(midis) < 2 or max(midis) == min(midis):
        return "level"
    peak, trough = midis.index(max(midis)), midis.index(min(midis))
    inner = range(1, len(midis) - 1)
    if peak in inner and midis[peak] > max(midis[0], midis[-1]) + 2:
        return "arch"
    if trough in inner and midis[trough] < min(midis[0], midis[-1]) - 2:
        return "inverted arch"
    return "rising" if midis[-1] > midis[0] else "falling" if midis[-1] < midis[0] else "level"


def part_profiles(score: stream.Score, bars: int) -> list[PartProfile]:
    profiles = []
    for index, part in enumerate(score.parts):
        notes = list(part.flatten().notes)
        tops = [max(p.midi for p in n.pitches) for n in notes]
        pitches = [max(n.pitches, key=lambda p: p.midi) for n in notes]
        motions = [abs(b - a) for a, b in pairwise(tops) if b != a]
        velocities = [n.volume.velocity for n in notes if n.volume.velocity is not None]
        durations = Counter(f"{float(n.quarterLength):g}" for n in notes)
        profiles.append(
            PartProfile(
                part=index,
                notes=len(notes),
                lowest=min(pitches, key=lambda p: p.midi).nameWithOctave if pitches else None,
                highest=max(pitches, key=lambda p: p.midi).nameWithOctave if pitches else None,
                span_semitones=max(tops) - min(tops) if tops else 0,
                steps=round(sum(m <= 2 for m in motions) / len(motions), 3) if motions else 0.0,
                leaps=round(sum(m > 5 for m in motions) / len(motions), 3) if motions else 0.0,
                contour=_contour(tops),
                durations=dict(durations.most_common()),
                notes_per_bar=round(len(notes) / max(1, bars), 2),
                velocity_min=min(velocities) if velocities else None,
                velocity_max=max(velocities) if velocities else None,
                velocity_mean=round(sum(velocities) / len(velocities), 1) if velocities else None,
            )
        )
    return profiles
