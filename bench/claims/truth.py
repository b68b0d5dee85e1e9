"""Musical truth for the claim set, computed with music21 (never with ``etude.theory``).

Every label of the claim set comes from one of the functions here. Notes are passed around in
compact ASCII spelling (``C#``, ``Bb``, ``Ebb``); music21 spells flats with ``-``, so names are
converted at the edge. Spellings are kept: ``A#`` and ``Bb`` are different answers.

A second, independent derivation of the same facts (plain letter and semitone arithmetic, no
music21) lives in :mod:`arithmetic`; ``generate.py --check`` compares the two.
"""

from __future__ import annotations

from functools import cache

from music21 import chord, harmony, interval, key, pitch, roman, scale

LETTERS = "CDEFGAB"

MAJOR_TONICS = ["C", "G", "D", "A", "E", "B", "F#", "C#", "F", "Bb", "Eb", "Ab", "Db", "Gb"]
MINOR_TONICS = ["A", "E", "B", "F#", "C#", "G#", "D#", "D", "G", "C", "F", "Bb", "Eb"]

ROLE_DEGREE = {
    "tonic": 1,
    "supertonic": 2,
    "mediant": 3,
    "subdominant": 4,
    "dominant": 5,
    "submediant": 6,
    "leading tone": 7,
}
ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh"]

# Chord kinds: ChordSymbol suffix, and the words and symbols sentences use for them.
CHORD_KINDS: dict[str, str] = {
    "major": "",
    "minor": "m",
    "dominant seventh": "7",
    "major seventh": "maj7",
    "minor seventh": "m7",
    "diminished": "dim",
    "augmented": "aug",
    "half-diminished seventh": "m7b5",
    "diminished seventh": "dim7",
}

SCALES: dict[str, type] = {
    "major": scale.MajorScale,
    "natural minor": scale.MinorScale,
    "harmonic minor": scale.HarmonicMinorScale,
    "melodic minor": scale.MelodicMinorScale,  # ascending form
    "dorian": scale.DorianScale,
    "phrygian": scale.PhrygianScale,
    "lydian": scale.LydianScale,
    "mixolydian": scale.MixolydianScale,
    "locrian": scale.LocrianScale,
}
PENTATONIC_STEPS = {"major pentatonic": (1, 2, 3, 5, 6), "minor pentatonic": (1, 3, 4, 5, 7)}

INTERVALS = ["m2", "M2", "m3", "M3", "P4", "A4", "d5", "P5", "m6", "M6", "m7", "M7", "P8"]
QUALITY_WORDS = {"P": "perfect", "M": "major", "m": "minor", "A": "augmented", "d": "diminished"}
NUMBER_WORDS = {
    1: "unison",
    2: "second",
    3: "third",
    4: "fourth",
    5: "fifth",
    6: "sixth",
    7: "seventh",
    8: "octave",
}

# What each cadence is made of, by definition (Kostka & Payne; Etude's cadence articles).
# music21 has no cadence table; the key-specific forms ("in G major, a plagal cadence is C to
# G") are computed from these numerals with music21's RomanNumeral.
CADENCES: dict[str, tuple[str | None, str]] = {
    "authentic": ("V", "I"),
    "perfect": ("V", "I"),
    "perfect authentic": ("V", "I"),
    "plagal": ("IV", "I"),
    "half": (None, "V"),  # any chord to V: the definition fixes only the goal
    "deceptive": ("V", "vi"),
    "phrygian half": ("iv6", "V"),
}


def m21(name: str) -> str:
    """``Eb`` → ``E-``, ``Bbb`` → ``B--``; sharps are already music21's."""
    return name[0] + name[1:].replace("b", "-")


def ascii_name(name: str) -> str:
    """music21 ``E-`` → ``Eb``."""
    return name.replace("-", "b")


def names(pitches: object) -> list[str]:
    return [ascii_name(p.name) for p in pitches]  # type: ignore[attr-defined]


def key_name(tonic: str, mode: str) -> str:
    return f"{tonic} {mode}"


@cache
def _key(tonic: str, mode: str) -> key.Key:
    return key.Key(m21(tonic) if mode == "major" else m21(tonic).lower())


# -- keys ------------------------------------------------------------------------------------


def degree_note(tonic: str, mode: str, degree: int) -> str:
    """The diatonic note on ``degree`` (1–7) of the key (natural minor for minor keys)."""
    return ascii_name(_key(tonic, mode).pitchFromDegree(degree).name)


def role_note(tonic: str, mode: str, role: str) -> str:
    """The note a scale-degree name picks out; the leading tone of a minor key is the raised
    seventh (G# in A minor), as music21's ``getLeadingTone`` gives it."""
    if role == "leading tone":
        return ascii_name(_key(tonic, mode).getLeadingTone().name)
    if role == "subtonic":
        return degree_note(tonic, mode, 7)
    return degree_note(tonic, mode, ROLE_DEGREE[role])


def relative_key(tonic: str, mode: str) -> tuple[str, str]:
    rel = _key(tonic, mode).relative
    return ascii_name(rel.tonic.name), rel.mode


def parallel_key(tonic: str, mode: str) -> tuple[str, str]:
    par = _key(tonic, mode).parallel
    return ascii_name(par.tonic.name), par.mode


def signature(tonic: str, mode: str) -> tuple[int, str]:
    """(count, 'sharps' | 'flats' | 'none')."""
    sharps = _key(tonic, mode).sharps
    if sharps == 0:
        return 0, "none"
    return abs(sharps), "sharps" if sharps > 0 else "flats"


def signature_accidentals(tonic: str, mode: str) -> list[str]:
    """The altered notes of the key signature, in signature order (F#, C#, …)."""
    return names(_key(tonic, mode).alteredPitches)


def key_with_signature(count: int, kind: str, mode: str) -> str:
    """The tonic of the ``mode`` key whose signature has ``count`` sharps or flats."""
    sharps = count if kind == "sharps" else -count
    k = key.KeySignature(sharps).asKey(mode)
    return ascii_name(k.tonic.name)


# -- chords and scales -------------------------------------------------------------------------


def chord_notes(root: str, kind: str) -> list[str]:
    return names(harmony.ChordSymbol(m21(root) + CHORD_KINDS[kind]).pitches)


def scale_notes(tonic: str, kind: str) -> list[str]:
    """The seven (or five) notes of a scale, from the tonic up; melodic minor ascending."""
    if kind in PENTATONIC_STEPS:
        base = "major" if kind.startswith("major") else "natural minor"
        seven = scale_notes(tonic, base)
        return [seven[d - 1] for d in PENTATONIC_STEPS[kind]]
    sc = SCALES[kind](m21(tonic))
    return names(sc.getPitches(m21(tonic) + "4", m21(tonic) + "5"))[:7]


def chord_quality(notes: list[str]) -> str:
    """music21's quality of a root-position note set: major, minor, diminished, augmented, or
    for seventh chords its common name (``dominant seventh chord`` …)."""
    c = chord.Chord([m21(n) for n in notes])
    if len(notes) == 3:
        return str(c.quality)
    return str(c.commonName)


def degree_triad(tonic: str, mode: str, degree: int, scale_kind: str | None = None) -> list[str]:
    """The triad built in thirds on a degree of the key's own scale (not from a numeral's case):
    the honest way to ask what quality the ii chord of a major key has."""
    seven = scale_notes(tonic, scale_kind or ("major" if mode == "major" else "natural minor"))
    return [seven[(degree - 1 + step) % 7] for step in (0, 2, 4)]


def degree_seventh(tonic: str, mode: str, degree: int, scale_kind: str | None = None) -> list[str]:
    seven = scale_notes(tonic, scale_kind or ("major" if mode == "major" else "natural minor"))
    return [seven[(degree - 1 + step) % 7] for step in (0, 2, 4, 6)]


def roman_chord(figure: str, tonic: str, mode: str) -> list[str]:
    """The notes of a roman numeral in a key, as music21 reads it (case gives the quality)."""
    return names(roman.RomanNumeral(figure, _key(tonic, mode)).pitches)


def numeral_of(notes: list[str], tonic: str, mode: str) -> str:
    """music21's roman numeral for a root-position chord in a key."""
    return str(
        roman.romanNumeralFromChord(chord.Chord([m21(n) for n in notes]), _key(tonic, mode)).figure
    )


# -- intervals -------------------------------------------------------------------------------


def semitones(code: str) -> int:
    return int(interval.Interval(code).semitones)


def interval_words(code: str) -> str:
    """``m6`` → ``minor sixth``."""
    return interval.Interval(code).niceName.lower().replace("perfect octave", "perfect octave")


def interval_between(low: str, high: str) -> str:
    """The code of the ascending interval from ``low`` up to the next ``high`` (within an
    octave): C to Ab → ``m6``."""
    a = pitch.Pitch(m21(low) + "4")
    b = pitch.Pitch(m21(high) + "4")
    if LETTERS.index(high[0]) < LETTERS.index(low[0]) or (high[0] == low[0] and b.ps < a.ps):
        b.octave = 5
    return str(interval.Interval(a, b).name)


def note_at(root: str, code: str, direction: str = "above") -> str:
    iv = interval.Interval(code if direction == "above" else "-" + code)
    return ascii_name(iv.transposePitch(pitch.Pitch(m21(root))).name)


def pitch_class(name: str) -> int:
    return int(pitch.Pitch(m21(name)).pitchClass)
