"""Scales and modes: the notes of a scale on any tonic, spelled one letter per degree.

The diatonic scales and church modes come from music21's own scale classes; the symmetric and
gapped scales (pentatonics, blues, whole-tone, octatonic) have no key-correct spelling in
music21 (its whole-tone scale ends on B#), so they are built from the interval patterns that
textbooks spell them with (C whole-tone = C D E F# G# Bb).
"""

from __future__ import annotations

from itertools import pairwise

from music21 import interval, pitch, scale

from etude.theory.facts import TheoryFact
from etude.theory.spelling import human

_MUSIC21_SCALES: dict[str, type[scale.ConcreteScale]] = {
    "major": scale.MajorScale,
    "natural minor": scale.MinorScale,
    "harmonic minor": scale.HarmonicMinorScale,
    "melodic minor": scale.MelodicMinorScale,
    "dorian": scale.DorianScale,
    "phrygian": scale.PhrygianScale,
    "lydian": scale.LydianScale,
    "mixolydian": scale.MixolydianScale,
    "locrian": scale.LocrianScale,
}

_PATTERNS: dict[str, tuple[str, ...]] = {
    "major pentatonic": ("P1", "M2", "M3", "P5", "M6"),
    "minor pentatonic": ("P1", "m3", "P4", "P5", "m7"),
    "blues": ("P1", "m3", "P4", "d5", "P5", "m7"),
    "whole-tone": ("P1", "M2", "M3", "A4", "A5", "m7"),
    "octatonic (half-whole)": ("P1", "m2", "m3", "M3", "A4", "P5", "M6", "m7"),
    "octatonic (whole-half)": ("P1", "M2", "m3", "P4", "d5", "m6", "M6", "M7"),
}

SCALE_TYPES: tuple[str, ...] = (*_MUSIC21_SCALES, *_PATTERNS)

ALIASES = {
    "ionian": "major",
    "minor": "natural minor",
    "aeolian": "natural minor",
    "pentatonic": "major pentatonic",
    "whole tone": "whole-tone",
    "wholetone": "whole-tone",
    "octatonic": "octatonic (half-whole)",
    "diminished": "octatonic (half-whole)",
    "half-whole": "octatonic (half-whole)",
    "whole-half": "octatonic (whole-half)",
    "minor blues": "blues",
    "jazz minor": "melodic minor",
}


def canonical_scale(name: str) -> str:
    """The engine's name for a scale type, resolving aliases.

    >>> canonical_scale("aeolian"), canonical_scale("Whole tone"), canonical_scale("lydian")
    ('natural minor', 'whole-tone', 'lydian')
    """
    lowered = name.lower().strip()
    lowered = ALIASES.get(lowered, lowered)
    if lowered not in SCALE_TYPES:
        raise ValueError(f"unknown scale type: {name!r}")
    return lowered


def scale_notes(tonic: str, kind: str) -> list[str]:
    """One octave of a scale from ``tonic`` (music21 spelling), without the repeated tonic.

    >>> scale_notes("E-", "major")
    ['E-', 'F', 'G', 'A-', 'B-', 'C', 'D']
    >>> scale_notes("C", "whole-tone")
    ['C', 'D', 'E', 'F#', 'G#', 'B-']
    """
    kind = canonical_scale(kind)
    start = pitch.Pitch(tonic + "4")
    if kind in _MUSIC21_SCALES:
        concrete = _MUSIC21_SCALES[kind](start)
        degrees = concrete.getPitches(start, start.transpose("M7"))
        return [p.name for p in degrees][:7]
    return [interval.Interval(name).transposePitch(start).name for name in _PATTERNS[kind]]


def _steps(notes: list[str]) -> str:
    """Step pattern between consecutive degrees up to the octave (W, H, W+H …)."""
    labels = {1: "H", 2: "W", 3: "W+H", 4: "2W"}
    pitches = [pitch.Pitch(n + "4") for n in notes]
    for index in range(1, len(pitches)):
        while pitches[index].ps <= pitches[index - 1].ps:
            pitches[index].octave = (pitches[index].octave or 4) + 1
    top = pitch.Pitch(notes[0] + "4")
    top.octave = 5
    pitches.append(top)
    gaps = [round(b.ps - a.ps) for a, b in pairwise(pitches)]
    return "–".join(labels.get(gap, str(gap)) for gap in gaps)


def spell_scale(tonic: str, kind: str) -> TheoryFact:
    """The fact for "what notes are in the … scale": degrees in order and the step pattern.

    >>> spell_scale("E-", "major").statement
    'Eb major scale: Eb – F – G – Ab – Bb – C – D (steps W–W–H–W–W–W–H).'
    >>> spell_scale("A", "melodic minor").notes
    ['A', 'B', 'C', 'D', 'E', 'F#', 'G#']
    """
    kind = canonical_scale(kind)
    notes = scale_notes(tonic, kind)
    shown = [human(n) for n in notes]
    label = f"{human(tonic)} {kind}"
    statement = f"{label} scale: {' – '.join(shown)} (steps {_steps(notes)})."
    data: dict[str, object] = {"tonic": human(tonic), "type": kind, "steps": _steps(notes)}
    if kind == "melodic minor":
        descending = [human(n) for n in scale_notes(tonic, "natural minor")]
        statement = statement[:-1] + (
            "; this is the ascending form — in classical usage it descends as the natural "
            f"minor: {' – '.join([shown[0], *reversed(descending[1:])])}."
        )
        data["descending"] = [shown[0], *reversed(descending[1:])]
    return TheoryFact(
        kind="scale", query=f"{label} scale", statement=statement, notes=shown, data=data
    )
