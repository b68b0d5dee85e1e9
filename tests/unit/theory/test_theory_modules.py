"""Each engine module against textbook answers and against music21's own readers."""

from __future__ import annotations

import pytest
from music21 import harmony, key, roman, scale

from etude.theory import (
    chords,
    fingering,
    intervals,
    keys,
    progressions,
    scales,
    transpose,
)
from etude.theory import roman as engine_roman
from etude.theory.spelling import human, normalise_text, to_music21

ROOTS = ["C", "G", "D", "A", "E", "B", "F#", "C#", "F", "Bb", "Eb", "Ab", "Db", "Gb", "Cb"]


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("G", "G B D"),
        ("Ebm", "Eb Gb Bb"),
        ("Bdim", "B D F"),
        ("Caug", "C E G#"),
        ("C7", "C E G Bb"),
        ("Fmaj7", "F A C E"),
        ("Dm7", "D F A C"),
        ("Bø7", "B D F A"),
        ("Bm7b5", "B D F A"),
        ("C#dim7", "C# E G Bb"),
        ("CmMaj7", "C Eb G B"),
        ("Cm(maj7)", "C Eb G B"),
        ("Csus4", "C F G"),
        ("Dsus2", "D E A"),
        ("G7sus4", "G C D F"),
        ("C6", "C E G A"),
        ("Am6", "A C E F#"),
        ("C6/9", "C E G A D"),
        ("Cadd9", "C E G D"),
        ("C9", "C E G Bb D"),
        ("Cmaj9", "C E G B D"),
        ("Cm9", "C Eb G Bb D"),
        ("C11", "C E G Bb D F"),
        ("Cm11", "C Eb G Bb D F"),
        ("C13", "C E G Bb D A"),
        ("Cmaj13", "C E G B D A"),
        ("Cm13", "C Eb G Bb D F A"),
        ("C7b9", "C E G Bb Db"),
        ("C7#9", "C E G Bb D#"),
        ("C7#11", "C E G Bb F#"),
        ("C7b13", "C E G Bb Ab"),
        ("C7#5", "C E G# Bb"),
        ("C7b5", "C E Gb Bb"),
        ("Cmaj7#11", "C E G B F#"),
        ("G13b9", "G B D F Ab E"),
        ("C5", "C G"),
        ("G/B", "B D G"),
        ("C/D", "D C E G"),
        ("Am7/G", "G A C E"),
        ("E#7", "E# G## B# D#"),
        ("Fbmaj7", "Fb Ab Cb Eb"),
        ("C7alt", "C E Bb Db D# F# Ab"),
    ],
)
def test_chord_symbols_are_spelled_like_a_textbook(symbol: str, expected: str) -> None:
    spec = chords.parse_symbol(symbol)
    assert spec is not None
    assert chords.spell(spec).notes == expected.split()


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize(
    "suffix",
    [
        "",
        "m",
        "dim",
        "aug",
        "7",
        "maj7",
        "m7",
        "m7b5",
        "dim7",
        "sus4",
        "sus2",
        "6",
        "m6",
        "9",
        "maj9",
        "m9",
        "7b9",
        "7#9",
    ],
)
def test_chord_tones_agree_with_music21_chord_symbol(root: str, suffix: str) -> None:
    """Where music21's ChordSymbol is reliable, our grammar must give the same pitches."""
    ours = chords.parse_symbol(root + suffix)
    assert ours is not None
    # music21 rejects "maj9" but reads the same chord as "M9".
    reference = harmony.ChordSymbol(to_music21(root) + {"maj9": "M9"}.get(suffix, suffix))
    assert ours.tones() == [p.name for p in reference.pitches]


@pytest.mark.parametrize("text", ["hello", "Gq", "H7", "Cmaj8", "C/H", ""])
def test_non_symbols_are_rejected(text: str) -> None:
    assert chords.parse_symbol(text) is None


@pytest.mark.parametrize(
    ("notes", "symbol"),
    [
        ("C E G", "C"),
        ("E G C", "C/E"),
        ("G C E", "C/G"),
        ("C E G Bb", "C7"),
        ("B D F A", "Bm7b5"),
        ("B D F Ab", "Bdim7"),
        ("C E G A", "C6"),
        ("A C E G", "Am7"),
        ("F A C E", "Fmaj7"),
        ("C Eb Gb", "Cdim"),
        ("C E G#", "Caug"),
        ("C F G", "Csus4"),
        ("D F# A C E", "D9"),
        ("Bb D F Ab", "Bb7"),
        ("G# B# D#", "G#"),
    ],
)
def test_chords_are_identified_from_notes(notes: str, symbol: str) -> None:
    fact = chords.identify([to_music21(n) for n in notes.split()])
    assert fact.data["symbol"] == symbol


def test_unknown_sonority_falls_back_to_music21_name() -> None:
    fact = chords.identify(["C", "C#", "D"])
    assert fact.data["symbol"] is None
    assert "not a standard tertian chord" in fact.statement


@pytest.mark.parametrize("root", ROOTS)
@pytest.mark.parametrize(
    ("kind", "music21_class"),
    [
        ("major", scale.MajorScale),
        ("natural minor", scale.MinorScale),
        ("harmonic minor", scale.HarmonicMinorScale),
        ("dorian", scale.DorianScale),
        ("phrygian", scale.PhrygianScale),
        ("lydian", scale.LydianScale),
        ("mixolydian", scale.MixolydianScale),
        ("locrian", scale.LocrianScale),
    ],
)
def test_diatonic_scales_match_music21(root: str, kind: str, music21_class: type) -> None:
    tonic = to_music21(root)
    expected = [p.name for p in music21_class(tonic).getPitches()][:7]
    assert scales.scale_notes(tonic, kind) == expected


@pytest.mark.parametrize(
    ("tonic", "kind", "expected"),
    [
        ("E-", "major", "Eb F G Ab Bb C D"),
        ("A", "melodic minor", "A B C D E F# G#"),
        ("C", "major pentatonic", "C D E G A"),
        ("A", "minor pentatonic", "A C D E G"),
        ("C", "blues", "C Eb F Gb G Bb"),
        ("C", "whole-tone", "C D E F# G# Bb"),
        ("C", "octatonic (half-whole)", "C Db Eb E F# G A Bb"),
        ("C", "octatonic (whole-half)", "C D Eb F Gb Ab A B"),
        ("G#", "harmonic minor", "G# A# B C# D# E F##"),
    ],
)
def test_scale_spellings(tonic: str, kind: str, expected: str) -> None:
    assert scales.spell_scale(tonic, kind).notes == expected.split()


def test_unknown_scale_type_is_an_error() -> None:
    with pytest.raises(ValueError):
        scales.canonical_scale("bebop dominant")


@pytest.mark.parametrize(
    ("first", "second", "name"),
    [
        ("C", "G", "P5"),
        ("E", "C", "m6"),
        ("C", "A-", "m6"),
        ("F", "B", "A4"),
        ("B", "F", "d5"),
        ("C", "C", "P1"),
        ("D", "C#", "M7"),
        ("C#", "C", "d8"),
        ("G", "F", "m7"),
        ("E-", "G", "M3"),
    ],
)
def test_interval_between(first: str, second: str, name: str) -> None:
    assert intervals.interval_between(first, second).data["name"] == name


@pytest.mark.parametrize(
    ("start", "name", "direction", "result"),
    [
        ("E", "m6", "above", "C"),
        ("C", "M3", "below", "A-"),
        ("C", "M9", "above", "D"),
        ("F#", "P5", "above", "C#"),
        ("B-", "A4", "above", "E"),
        ("D", "P5", "below", "G"),
        ("C", "A6", "above", "A#"),
        ("G", "m10", "above", "B-"),
    ],
)
def test_note_at_interval(start: str, name: str, direction: str, result: str) -> None:
    fact = intervals.note_at(start, name, direction)  # type: ignore[arg-type]
    assert fact.notes[-1] == human(result)


@pytest.mark.parametrize(
    ("name", "inverse"),
    [("m6", "M3"), ("A4", "d5"), ("P5", "P4"), ("M2", "m7"), ("M10", "m6"), ("P8", "P1")],
)
def test_interval_inversion(name: str, inverse: str) -> None:
    assert intervals.inversion(name).data["inversion"] == inverse


@pytest.mark.parametrize(
    ("tonic", "mode", "sharps"),
    [
        ("C", "major", 0),
        ("E", "major", 4),
        ("E-", "major", -3),
        ("F#", "minor", 3),
        ("D", "minor", -1),
        ("C#", "major", 7),
        ("C-", "major", -7),
        ("B-", "minor", -5),
    ],
)
def test_key_signatures(tonic: str, mode: str, sharps: int) -> None:
    fact = keys.key_signature(tonic, mode)  # type: ignore[arg-type]
    assert fact.data["sharps"] == sharps
    assert len(fact.notes) == abs(sharps)


@pytest.mark.parametrize(
    ("count", "accidental", "major", "minor"),
    [
        (3, "flat", "Eb major", "C minor"),
        (4, "sharp", "E major", "C# minor"),
        (0, "sharp", "C major", "A minor"),
        (6, "flat", "Gb major", "Eb minor"),
    ],
)
def test_keys_from_signature(count: int, accidental: str, major: str, minor: str) -> None:
    fact = keys.keys_with(count, accidental)  # type: ignore[arg-type]
    assert (fact.data["major"], fact.data["minor"]) == (major, minor)


def test_relative_and_parallel_keys() -> None:
    assert keys.relative_key("F", "major").data["answer"] == "D minor"
    assert keys.relative_key("C#", "minor").data["answer"] == "E major"
    assert keys.parallel_key("E-", "major").data["answer"] == "Eb minor"


def test_enharmonic_respects_key() -> None:
    assert keys.enharmonic("F#", "D-").data["in_key"] == "Gb"
    assert keys.enharmonic("G-", "D").data["in_key"] == "F#"
    assert keys.enharmonic("A#", "F").data["in_key"] == "Bb"  # chromatic in F: flat side


def test_circle_of_fifths_neighbours() -> None:
    fact = keys.circle_of_fifths("E-")
    assert fact.data["dominant"] == "Bb major"
    assert fact.data["subdominant"] == "Ab major"


@pytest.mark.parametrize(
    ("figure", "tonic", "mode", "expected"),
    [
        ("V7", "F", "major", "C E G Bb"),
        ("viiø7", "C", "major", "B D F A"),
        ("vii°7", "A", "minor", "G# B D F"),
        ("V", "A", "minor", "E G# B"),
        ("ii", "B-", "major", "C Eb G"),
        ("IV", "E", "major", "A C# E"),
        ("V7/V", "C", "major", "D F# A C"),
        ("N6", "C", "major", "F Ab Db"),
    ],
)
def test_roman_numerals_realise(figure: str, tonic: str, mode: str, expected: str) -> None:
    fact = engine_roman.realise(figure, tonic, mode)  # type: ignore[arg-type]
    assert fact.notes == expected.split()


@pytest.mark.parametrize(
    ("symbol", "tonic", "mode", "figure"),
    [
        ("Am", "C", "major", "vi"),
        ("G7", "C", "major", "V7"),
        ("Bbmaj7", "F", "major", "IVmaj7"),
        ("E", "A", "minor", "V"),
        ("Bm7b5", "C", "major", "viiø7"),
        ("C/E", "C", "major", "I6"),
    ],
)
def test_numeral_of_chord(symbol: str, tonic: str, mode: str, figure: str) -> None:
    spec = chords.parse_symbol(symbol)
    assert spec is not None
    assert engine_roman.figure_for(spec, tonic, mode) == figure  # type: ignore[arg-type]


@pytest.mark.parametrize("root", ROOTS[:12])
def test_diatonic_triads_agree_with_music21_numerals(root: str) -> None:
    tonic = to_music21(root)
    fact = engine_roman.diatonic_chords(tonic, "major")
    for row, figure in zip(
        fact.data["chords"], ["I", "ii", "iii", "IV", "V", "vi", "viio"], strict=True
    ):
        expected = [p.name for p in roman.RomanNumeral(figure, key.Key(tonic)).pitches]
        assert [to_music21(n) for n in row["notes"]] == expected


def test_progression_in_minor_uses_minor_numerals() -> None:
    fact = progressions.progression(["ii", "V", "I"], "C", "minor")
    assert fact.data["figures"] == ["ii°", "V", "i"]
    assert fact.notes == ["D", "F", "Ab", "G", "B", "D", "C", "Eb", "G"]


def test_blues_uses_dominant_sevenths() -> None:
    fact = progressions.progression(
        list(progressions.NAMED_PROGRESSIONS["12-bar blues"]), "F", "major", "12-bar blues"
    )
    assert [c["symbol"] for c in fact.data["chords"]][:5] == ["F7"] * 4 + ["Bb7"]


def test_transposition() -> None:
    assert transpose.transpose_notes(["C", "E", "G"], "M3").notes == ["E", "G#", "B"]
    spec = chords.parse_symbol("G7")
    assert spec is not None
    assert transpose.transpose_chord(spec, "P4", "below").data["result"] == "D7"


@pytest.mark.parametrize(
    ("tonic", "mode", "right", "left"),
    [
        ("C", "major", "1-2-3-1-2-3-4-5", "5-4-3-2-1-3-2-1"),
        ("F", "major", "1-2-3-4-1-2-3-4", "5-4-3-2-1-3-2-1"),
        ("B", "major", "1-2-3-1-2-3-4-5", "4-3-2-1-4-3-2-1"),
        ("B-", "major", "4-1-2-3-1-2-3-4", "3-2-1-4-3-2-1-3"),
        ("E-", "major", "3-1-2-3-4-1-2-3", "3-2-1-4-3-2-1-3"),
        ("A-", "major", "3-4-1-2-3-1-2-3", "3-2-1-4-3-2-1-3"),
        ("D-", "major", "2-3-1-2-3-4-1-2", "3-2-1-4-3-2-1-3"),
        ("G-", "major", "2-3-4-1-2-3-1-2", "4-3-2-1-3-2-1-4"),
        ("F#", "major", "2-3-4-1-2-3-1-2", "4-3-2-1-3-2-1-4"),
        ("A", "minor", "1-2-3-1-2-3-4-5", "5-4-3-2-1-3-2-1"),
        ("F#", "minor", "3-4-1-2-3-1-2-3", "4-3-2-1-3-2-1-4"),
        ("B-", "minor", "4-1-2-3-1-2-3-4", "2-1-3-2-1-4-3-2"),
        ("E-", "minor", "3-1-2-3-4-1-2-3", "2-1-4-3-2-1-3-2"),
    ],
)
def test_scale_fingerings(tonic: str, mode: str, right: str, left: str) -> None:
    fact = fingering.scale_fingering(tonic, mode)  # type: ignore[arg-type]
    assert (fact.data["right"], fact.data["left"]) == (right, left)


@pytest.mark.parametrize("tonic", [to_music21(r) for r in ROOTS])
@pytest.mark.parametrize("mode", ["major", "minor"])
def test_every_key_has_a_scale_and_triad_fingering(tonic: str, mode: str) -> None:
    scale_fact = fingering.scale_fingering(tonic, mode)  # type: ignore[arg-type]
    assert len(scale_fact.data["right"].split("-")) == 8
    assert len(scale_fact.notes) == 8
    triad = fingering.triad_fingering(tonic, mode, 1)  # type: ignore[arg-type]
    assert triad.data["right"] == "1-2-5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("E-flat major", "Eb major"),
        ("E flat", "Eb"),
        ("F sharp minor", "F# minor"),
        ("B♭7", "Bb7"),
        ("C double sharp", "C##"),
        ("mi bémol majeur", "Eb major"),
        ("a flat nine", "a flat nine"),
    ],
)
def test_note_spellings_are_normalised(text: str, expected: str) -> None:
    assert normalise_text(text) == expected
