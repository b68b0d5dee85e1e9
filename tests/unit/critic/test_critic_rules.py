"""Each rule on a minimal example that has the fault, and on one that does not."""

from __future__ import annotations

from pathlib import Path

from critic_scores import analyze, rules_of

# A clean C major chorale phrase: I IV V I with good voice leading.
CLEAN = [
    "E5 F5 D5 C5:4",
    "G4 A4 G4 G4:4",
    "C4 C4 B3 E4:4",
    "C3 F3 G3 C3:4",
]


def test_clean_phrase_has_no_errors(tmp_path: Path) -> None:
    report = analyze(CLEAN, tmp_path)
    assert report.texture == "chorale"
    assert [f for f in report.findings if f.severity == "error"] == []
    assert "No parallel fifths or octaves in the 6 voice pairs checked." in report.strengths
    assert [c.kind for c in report.cadences][-1] == "authentic"


def test_parallel_fifths_located_with_parts(tmp_path: Path) -> None:
    # Soprano G4-A4 over bass C3-D3 (a twelfth then a twelfth): parallel fifths on beat 2.
    report = analyze(["G4 A4 B4 C5:4", "E4 F4 G4 G4:4", "C4 A3 G3 G3:4", "C3 D3 G3 C3:4"], tmp_path)
    fifths = [f for f in report.findings if f.rule == "parallel_fifths"]
    assert [(f.bar, f.beat, f.offset_ql, f.parts, f.severity) for f in fifths] == [
        (1, 2.0, 1.0, [0, 3], "error")
    ]
    assert "soprano" in fifths[0].message and "bass" in fifths[0].message


def test_parallel_octaves_and_unisons(tmp_path: Path) -> None:
    report = analyze(["C5 D5 B4 C5:4", "G4 A4 G4 G4:4", "E4 F4 D4 E4:4", "C4 D4 G3 C3:4"], tmp_path)
    octaves = [f for f in report.findings if f.rule == "parallel_octaves"]
    assert [(f.bar, f.beat, f.parts) for f in octaves] == [(1, 2.0, [0, 3])]


def test_hidden_octaves_between_outer_voices(tmp_path: Path) -> None:
    report = analyze(["E5 C6 B5 C6:4", "G4 A4 G4 G4:4", "C4 E4 D4 E4:4", "C3 C4 G3 C3:4"], tmp_path)
    hidden = [f for f in report.findings if f.rule == "hidden_octaves"]
    assert [(f.bar, f.beat, f.parts) for f in hidden] == [(1, 2.0, [0, 3])]


def test_voice_crossing_and_spacing(tmp_path: Path) -> None:
    report = analyze(["E5 F5 D5 C5:4", "G4 A4 G4 G4:4", "C4 C5 B3 E4:4", "C3 F3 G3 C3:4"], tmp_path)
    crossing = [f for f in report.findings if f.rule == "voice_crossing"]
    assert [(f.bar, f.beat, f.parts) for f in crossing] == [(1, 2.0, [1, 2])]
    wide = analyze(["E5 F5 D5 C5:4", "C4 C4 B3 C4:4", "C4 A3 G3 E3:4", "C3 F3 G3 C3:4"], tmp_path)
    spacing = [f for f in wide.findings if f.rule == "spacing"]
    assert spacing and spacing[0].parts == [0, 1] and spacing[0].bar == 1


def test_voice_overlap(tmp_path: Path) -> None:
    # The tenor rises to A4, above where the alto just was (G4), while the alto moves on to B4.
    report = analyze(["E5 F5 D5 C5:4", "G4 B4 G4 G4:4", "C4 A4 B3 E4:4", "C3 F3 G3 C3:4"], tmp_path)
    overlap = [f for f in report.findings if f.rule == "voice_overlap"]
    assert overlap and overlap[0].parts == [1, 2] and overlap[0].beat == 2.0


def test_range_uses_satb_limits(tmp_path: Path) -> None:
    report = analyze(["E5 F5 D5 C6:4", "G4 A4 G4 G4:4", "C4 C4 B3 E4:4", "C3 F3 G3 C3:4"], tmp_path)
    ranges = [f for f in report.findings if f.rule == "range"]
    assert [(f.bar, f.beat, f.parts, f.severity) for f in ranges] == [(1, 4.0, [0], "warning")]
    assert "down an octave" in ranges[0].message


def test_large_leap_in_melody(tmp_path: Path) -> None:
    report = analyze(["C4 D4 E5 D5 C5:4"], tmp_path)
    leaps = [f for f in report.findings if f.rule == "large_leap"]
    assert [(f.bar, f.beat, f.parts) for f in leaps] == [(1, 3.0, [0])]


def test_out_of_key_but_not_chromatic_passing(tmp_path: Path) -> None:
    passing = analyze(["C4 D4 E4 F4 F#4 G4 E4 C4:2"], tmp_path)
    assert "out_of_key" not in rules_of(passing)
    wrong = analyze(["C4 D4 E4 F4 G#4 E4 D4 C4:2"], tmp_path)
    found = [f for f in wrong.findings if f.rule == "out_of_key"]
    assert [(f.bar, f.beat) for f in found] == [(2, 1.0)]
    assert "G#4" in found[0].message and "G4" in found[0].message


def test_unresolved_leading_tone(tmp_path: Path) -> None:
    report = analyze(["C5 D5 E5 F5 G5 E5 B4 G4 A4 B4 C5:2"], tmp_path)
    found = [f for f in report.findings if f.rule == "unresolved_leading_tone"]
    assert [(f.bar, f.beat) for f in found] == [(2, 3.0)]


def test_leading_tone_is_judged_with_the_harmony_and_the_local_key(tmp_path: Path) -> None:
    """A soprano B4 over V leaping to G4 over I (C major) is unresolved; the same B4 moving to
    another tone of the dominant (V to V7) is not, nor is a B4 over G7 rising to C#5 over C#°
    on the way to D minor: there the music leads to D, and C is no goal to rise to."""

    def unresolved(voices: list[str]) -> list[tuple[int, float]]:
        found = analyze(voices, tmp_path).findings
        return [(f.bar, f.beat) for f in found if f.rule == "unresolved_leading_tone"]

    leap = ["C5 C5 B4 G4:4", "G4 A4 G4 E4:4", "E4 F4 D4 C4:4", "C3 F3 G3 C3:4"]
    assert unresolved(leap) == [(1, 3.0)]
    within_the_dominant = ["C5 B4 D5 C5:4", "G4 G4 F4 E4:4", "E4 D4 B3 C4:4", "C3 G2 G2 C3:4"]
    assert unresolved(within_the_dominant) == []
    to_d_minor = [
        "E5 D5 C5 D5 C5 B4 C#5 D5 E5 D5 D5 C5:4",
        "G4 G4 A4 G4 G4 F4 G4 F4 G4 A4 G4 E4:4",
        "C4 B3 C4 B3 E4 D4 E4 D4 C4 C4 B3 G3:4",
        "C3 G3 F3 G3 C3 G2 E3 D3 C3 F3 G3 C3:4",
    ]
    assert analyze(to_d_minor, tmp_path).key.tonic == "C"
    assert unresolved(to_d_minor) == []
    # G major, its IV read as a C major phrase: with no F natural, its B4 over G leaping to
    # E5 is the third of G's tonic, no leading tone (the teaching benchmark's own score)
    in_g = [
        "G4 A4 B4 G4 D5:2 B4:2 C5 B4 A4 G4 A4:4 B4 C5 D5 B4 E5:2 D5:2 C5 E5 D5 C5 D5:4",
        "G2:2 G3:2 B2:2 G2:2 A2:2 B2:2 D3:4 G2:2 G3:2 C3:2 B2:2 A2:2 F#2:2 D3:4",
    ]
    report = analyze(in_g, tmp_path)
    assert report.key.tonic == "G" and [m.tonic for m in report.modulations] == ["C"]
    assert unresolved(in_g) == []


def test_weak_final_cadence_on_dominant(tmp_path: Path) -> None:
    report = analyze(["E5 F5 E5 D5:4", "G4 A4 G4 G4:4", "C4 C4 C4 B3:4", "C3 F3 C3 G3:4"], tmp_path)
    weak = [f for f in report.findings if f.rule == "weak_cadence"]
    assert [(f.bar, f.beat, f.severity) for f in weak] == [(1, 4.0, "warning")]
    assert "End with a G chord (V) moving to the C chord (I)" in weak[0].message
    assert "on V, the dominant" in weak[0].message


def test_a_chorale_closing_on_v_with_both_outer_voices_on_its_root_names_the_modal_reading(
    tmp_path: Path,
) -> None:
    # soprano and bass end on G over the G major chord: how a Mixolydian chorale closes; the
    # warning stays (a learner's piece ending so is open all the same) and names both readings
    report = analyze(["E5 F5 E5 G5:4", "G4 A4 G4 D5:4", "C4 C4 C4 B4:4", "C3 F3 C3 G3:4"], tmp_path)
    weak = [f for f in report.findings if f.rule == "weak_cadence"]
    assert [(f.bar, f.beat, f.severity) for f in weak] == [(1, 4.0, "warning")]
    assert "church mode" in weak[0].message and "a G chord (V)" in weak[0].message
    two_parts = analyze(["E5 F5 E5 G5:4", "C3 F3 C3 G3:4"], tmp_path)
    [weak] = [f for f in two_parts.findings if f.rule == "weak_cadence"]
    assert weak.severity == "warning" and "church mode" not in weak.message


def test_monotony(tmp_path: Path) -> None:
    dull = " ".join(["C4", "D4", "E4", "D4"] * 8)
    report = analyze([dull], tmp_path)
    assert {"melodic_monotony", "rhythmic_monotony"} <= set(rules_of(report))
    varied = "C4:0.5 D4:0.5 E4 G4:2 A4 C5:0.5 B4:0.5 G4:2 " * 4
    assert not {"melodic_monotony", "rhythmic_monotony"} & set(
        rules_of(analyze([varied], tmp_path))
    )


def test_chorale_rules_skip_piano_melody_and_accompaniment(tmp_path: Path) -> None:
    # Melody over a low bass two octaves and more apart: fine for a piano, not for a choir.
    report = analyze(["E5 F5 D5 C5:4", "C2 F2 G2 C2:4"], tmp_path)
    assert report.texture == "melody_and_bass"
    assert not {"spacing", "voice_crossing", "range"} & set(rules_of(report))


def test_applied_dominant_explains_its_chromatic_note(tmp_path: Path) -> None:
    # C - A7 (V7 of ii, tenor C#4 leaping away) - Dm - G - C: the C# is a borrowed leading tone.
    applied = ["C5 E5 F5 D5 C5:4", "G4 G4 A4 G4 G4:4", "E4 C#4 A3 B3 C4:4", "C3 A2 D3 G2 C3:4"]
    assert "out_of_key" not in rules_of(analyze(applied, tmp_path))
    # The same A7 going to F instead of its goal D minor: now the C# is unexplained.
    stray = ["C5 E5 F5 D5 C5:4", "G4 G4 A4 G4 G4:4", "E4 C#4 A3 B3 C4:4", "C3 A2 F3 G2 C3:4"]
    found = [f for f in analyze(stray, tmp_path).findings if f.rule == "out_of_key"]
    assert [(f.bar, f.beat, f.parts) for f in found] == [(1, 2.0, [2])]
