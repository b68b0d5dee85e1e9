"""A constrained, probabilistic melody generator (and the exercises built the same way).

Pitches come only from the mode's scale as the exact theory engine spells it, inside the
allowed range; rhythms are built beat by beat from the meter, so every bar is full by
construction. Within that space a seeded random walk makes the musical choices: mostly steps,
some thirds, rare larger leaps, a repeated opening rhythm in the second phrase, a cadence to
the tonic. Constraints are therefore met by construction where possible, and the verifier
checks all of them anyway (construction can have bugs; a check is cheap).
"""

from __future__ import annotations

import random
from fractions import Fraction

from music21 import key, meter, note, pitch, stream, tempo

from etude.theory.scales import scale_notes
from etude_abc_composer.constraints import RANGES, Constraints

REPRESENTABLE = (4.0, 3.0, 2.0, 1.5, 1.0, 0.75, 0.5, 0.25)
"""Note values written without ties (whole to sixteenth, dotted half/quarter/eighth)."""

STYLE_DURATIONS: dict[str, tuple[float, float]] = {
    "lullaby": (0.5, 3.0), "hymn": (1.0, 4.0), "chorale": (1.0, 4.0), "jig": (0.5, 1.5),
    "reel": (0.5, 1.0), "baroque": (0.25, 1.0), "march": (0.5, 2.0), "waltz": (0.5, 3.0),
    "minuet": (0.5, 2.0), "folk": (0.5, 2.0),
}  # fmt: skip
"""Shortest and longest note value each style uses (quarter lengths)."""

STYLE_LEAP: dict[str, int] = {"lullaby": 7, "hymn": 7, "chorale": 7, "folk": 9}
"""Largest melodic interval (semitones) a style allows; otherwise an octave."""


def beat_groups(meter_text: str) -> list[float]:
    """The beats of a bar in quarter lengths: 6/8 → [1.5, 1.5], 7/8 → [1.0, 1.0, 1.5].

    >>> beat_groups("6/8"), beat_groups("3/4"), beat_groups("7/8"), beat_groups("5/4")
    ([1.5, 1.5], [1.0, 1.0, 1.0], [1.0, 1.0, 1.5], [1.0, 1.0, 1.0, 1.0, 1.0])
    """
    top, bottom = (int(x) for x in meter_text.split("/"))
    unit = 4 / bottom
    if bottom == 8 and top % 3 == 0 and top > 3:
        return [1.5] * (top // 3)
    if bottom == 8 and top in (5, 7):
        twos = (top - 3) // 2
        return [1.0] * twos + [1.5]
    if bottom == 8 and top == 3:
        return [1.5]
    return [unit] * top


def _split(length: float, shortest: float, rng: random.Random) -> list[float]:
    """One beat divided into note values no shorter than ``shortest``."""
    options: list[list[float]] = [[length]]
    if length == 1.5:
        options += [[1.0, 0.5], [0.5, 0.5, 0.5], [0.5, 1.0]]
    elif length >= 0.5:
        half = length / 2
        options += [[half, half], [length * 0.75, length * 0.25]]
        if length >= 1.0:
            options.append([length / 4] * 4)
    usable = [o for o in options if min(o) >= shortest and all(d in REPRESENTABLE for d in o)]
    weights = [3.0 if len(o) == 2 else 2.0 if len(o) == 1 else 1.0 for o in usable]
    return rng.choices(usable, weights)[0] if usable else [length]


def bar_rhythm(meter_text: str, shortest: float, longest: float, rng: random.Random) -> list[float]:
    """Durations filling one bar exactly: beats split or merged, never past ``longest``."""
    groups = beat_groups(meter_text)
    rhythm: list[float] = []
    index = 0
    while index < len(groups):
        beat = groups[index]
        if (
            index + 1 < len(groups)
            and groups[index + 1] == beat
            and beat * 2 <= longest
            and beat * 2 in REPRESENTABLE
            and rng.random() < 0.25
        ):
            rhythm.append(beat * 2)
            index += 2
            continue
        rhythm.extend(_split(beat, shortest, rng))
        index += 1
    return rhythm


def final_rhythm(meter_text: str, longest: float) -> list[float]:
    """The last bar: as few notes as possible, the first one long (the cadence note)."""
    remaining = sum(beat_groups(meter_text))
    durations: list[float] = []
    while remaining > 1e-9:
        value = next(v for v in REPRESENTABLE if v <= remaining + 1e-9 and v <= max(longest, 1.5))
        durations.append(value)
        remaining -= value
    return durations


def scale_pitches(c: Constraints, low: int, high: int) -> list[pitch.Pitch]:
    """Every pitch of the mode's scale between ``low`` and ``high`` (MIDI), spelled by the
    theory engine (D dorian has B natural, F lydian has B natural, Eb major has A flat)."""
    names = scale_notes(c.tonic, c.mode)
    result = []
    for octave in range(0, 9):
        for name in names:
            p = pitch.Pitch(f"{name}{octave}")
            if low <= p.midi <= high:
                result.append(p)
    return sorted(result, key=lambda p: p.midi)


def working_range(c: Constraints) -> tuple[int, int]:
    """The span the melody uses: the stated range as given; else a comfortable octave and a
    half in the middle of the instrument (or around middle C)."""
    low, high = c.bounds()
    if c.low is not None and c.high is not None:
        return low, high
    if c.instrument:
        lo, hi = RANGES[c.instrument]
        centre = lo + (hi - lo) * 0.35
    else:
        centre = 64
    start = int(centre) - 5
    return max(low, start), min(high, start + 17)


def _tonic_indices(pitches: list[pitch.Pitch], tonic: str) -> list[int]:
    pc = pitch.Pitch(tonic).pitchClass
    return [i for i, p in enumerate(pitches) if p.pitchClass == pc]


def _walk(
    pitches: list[pitch.Pitch], start: int, count: int, max_leap: int, rng: random.Random
) -> list[int]:
    """Indices of a melodic random walk: steps mostly, thirds sometimes, rare leaps."""
    moves = [-1, 1, -2, 2, 0, -3, 3, -4, 4]
    weights = [3.0, 3.0, 1.2, 1.2, 0.6, 0.4, 0.4, 0.2, 0.2]
    path = [start]
    for _ in range(count - 1):
        here = path[-1]
        options, option_weights = [], []
        for move, weight in zip(moves, weights, strict=True):
            there = here + move
            if not 0 <= there < len(pitches):
                continue
            if abs(pitches[there].midi - pitches[here].midi) > max_leap:
                continue
            if len(path) >= 2 and path[-1] == path[-2] and move == 0:
                continue  # no three repeated notes
            bias = 1.0 + (0.6 if (move > 0) == (there < len(pitches) // 2) else 0.0)
            options.append(there)
            option_weights.append(weight * bias)
        path.append(rng.choices(options, option_weights)[0] if options else here)
    return path


def generate_melody(c: Constraints, rng: random.Random) -> stream.Score:
    """One melody meeting the constraints by construction (the verifier still checks)."""
    low, high = working_range(c)
    pitches = scale_pitches(c, low, high)
    if len(pitches) < 3:
        raise ValueError(f"the range allows fewer than three notes of {c.key_label()}")
    shortest, longest = STYLE_DURATIONS.get(c.style or "", (0.5, 2.0))
    max_leap = STYLE_LEAP.get(c.style or "", 12)
    rhythms = [bar_rhythm(c.meter, shortest, longest, rng) for _ in range(max(1, c.bars - 1))]
    if c.bars >= 4:
        half = c.bars // 2
        for bar in range(min(2, half - 1)):
            rhythms[half + bar] = list(rhythms[bar])  # the second phrase answers the first
    rhythms = rhythms[: c.bars - 1]
    rhythms.append(final_rhythm(c.meter, longest))
    tonics = _tonic_indices(pitches, c.tonic)
    if not tonics:
        raise ValueError("the range does not contain the tonic")
    middle = len(pitches) // 2
    start = min(tonics, key=lambda i: abs(i - middle))
    count = sum(len(r) for r in rhythms)
    path = _walk(pitches, start, count - 1, max_leap, rng)
    end = min(tonics, key=lambda i: abs(i - path[-1]))
    if abs(pitches[end].midi - pitches[path[-1]].midi) > max_leap:
        end = min(tonics, key=lambda i: abs(pitches[i].midi - pitches[path[-1]].midi))
    path.append(end)
    return _build(c, pitches, path, rhythms)


def _build(
    c: Constraints, pitches: list[pitch.Pitch], path: list[int], rhythms: list[list[float]]
) -> stream.Score:
    part = stream.Part()
    position = 0
    for number, rhythm in enumerate(rhythms, start=1):
        measure = stream.Measure(number=number)
        if number == 1:
            measure.append(meter.TimeSignature(c.meter))
            measure.append(_key(c))
            if c.tempo:
                measure.append(tempo.MetronomeMark(number=c.tempo))
        for duration in rhythm:
            n = note.Note(pitches[path[position]])
            n.duration.quarterLength = Fraction(duration).limit_denominator(16)
            measure.append(n)
            position += 1
        part.append(measure)
    score = stream.Score()
    score.insert(0, part)
    return score


def _key(c: Constraints) -> key.Key:
    mode = {"natural minor": "minor", "harmonic minor": "minor", "melodic minor": "minor"}.get(
        c.mode, c.mode
    )
    return key.Key(c.tonic, mode)


def generate_exercise(c: Constraints, rng: random.Random) -> stream.Score:
    """A technical exercise: the scale, its tonic arpeggio or broken thirds, up and down the
    range, in even beats, ending on a long tonic."""
    low, high = working_range(c)
    pitches = scale_pitches(c, low, high)
    tonics = _tonic_indices(pitches, c.tonic)
    if not tonics or len(pitches) < 3:
        raise ValueError(f"the range is too narrow for a {c.key_label()} exercise")
    first = tonics[0]
    top = tonics[-1] if tonics[-1] > first else len(pitches) - 1
    up = list(range(first, top + 1))
    if c.exercise == "arpeggio":
        up = [i for i in up if (i - first) % 7 in (0, 2, 4)]
    cycle = up + up[-2:0:-1]
    if c.exercise == "thirds":
        rising = [j for i in range(first, top - 1) for j in (i, i + 2)]
        falling = [j for i in range(top, first + 1, -1) for j in (i, i - 2)]
        cycle = rising + falling
    beats = beat_groups(c.meter)
    unit = 0.5 if 1.5 in beats else beats[0] / 2 if c.style == "baroque" else beats[0]
    per_bar = round(sum(beats) / unit)
    rhythms = [[unit] * per_bar for _ in range(max(1, c.bars - 1))][: c.bars - 1]
    rhythms.append(final_rhythm(c.meter, 4.0))
    count = sum(len(r) for r in rhythms)
    path = [cycle[i % len(cycle)] for i in range(count - 1)]
    path.append(min(tonics, key=lambda i: abs(i - path[-1])))
    return _build(c, pitches, path, rhythms)
