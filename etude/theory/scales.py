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


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")


def compare_scales(first: tuple[str, str], second: tuple[str, str]) -> TheoryFact:
    """How two seven-note scales differ, degree by degree: what makes a mode sound like
    itself is the note it changes.

    >>> compare_scales(("E", "phrygian"), ("E", "natural minor")).statement
    'E phrygian differs from E natural minor in one note: F instead of F#, a lowered second.'
    >>> compare_scales(("C", "lydian"), ("C", "major")).steps[-1]
    'Play C major, then C lydian: listen for the F#.'
    """
    (tonic_a, kind_a), (tonic_b, kind_b) = first, second
    kind_a, kind_b = canonical_scale(kind_a), canonical_scale(kind_b)
    notes_a, notes_b = scale_notes(tonic_a, kind_a), scale_notes(tonic_b, kind_b)
    label_a, label_b = f"{human(tonic_a)} {kind_a}", f"{human(tonic_b)} {kind_b}"
    if len(notes_a) != 7 or len(notes_b) != 7:
        raise ValueError("only seven-note scales are compared degree by degree")
    changed = []
    for degree, (mine, theirs) in enumerate(zip(notes_a, notes_b, strict=True)):
        if mine == theirs:
            continue
        shift = round(pitch.Pitch(mine).ps - pitch.Pitch(theirs).ps + 6) % 12 - 6
        way = "raised" if shift > 0 else "lowered"
        changed.append((human(mine), human(theirs), f"a {way} {_ORDINALS[degree]}"))
    if not changed:
        statement = f"{label_a} and {label_b} have the same notes."
    else:
        count = "one note" if len(changed) == 1 else f"{len(changed)} notes"
        parts = "; ".join(f"{mine} instead of {theirs}, {what}" for mine, theirs, what in changed)
        statement = f"{label_a} differs from {label_b} in {count}: {parts}."
    steps = [
        f"{label_a}: {' – '.join(human(n) for n in notes_a)}.",
        f"{label_b}: {' – '.join(human(n) for n in notes_b)}.",
    ]
    if changed:
        listen = " and ".join(mine for mine, _, _ in changed)
        steps.append(f"Play {label_b}, then {label_a}: listen for the {listen}.")
    return TheoryFact(
        kind="scale",
        query=f"{label_a} against {label_b}",
        statement=statement,
        notes=[human(n) for n in notes_a],
        data={"tonic": human(tonic_a), "type": kind_a, "compared_with": label_b},
        steps=steps,
    )
