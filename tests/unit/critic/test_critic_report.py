"""The report as the CLI prints it: contract keys, real chorales, levels, harmony."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from critic_scores import analyze
from music21 import corpus

from etude.critic.analysis import analyze_file
from etude.critic.report import SEVERITY_ORDER
from etude.scores import ScoreError
from tests.contracts import ANALYZE_KEYS

FINDING_KEYS = ["rule", "bar", "beat", "offset_ql", "parts", "severity", "message"]


@pytest.fixture(scope="module")
def chorale_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("chorale")
    score = corpus.parse("bach/bwv66.6")
    files = {"midi": folder / "bwv66.6.mid", "musicxml": folder / "bwv66.6.musicxml"}
    for fmt, path in files.items():
        score.write(fmt, fp=path)
    return files


@pytest.mark.parametrize("fmt", ["midi", "musicxml"])
def test_json_follows_the_contract(chorale_files: dict[str, Path], fmt: str) -> None:
    report = analyze_file(chorale_files[fmt], level="advanced")
    data = json.loads(json.dumps(report.model_dump(mode="json")))
    assert list(data)[: len(ANALYZE_KEYS)] == ANALYZE_KEYS
    assert data["format"] == fmt
    assert (data["parts"], data["notes"]) == (4, 163)
    assert data["key"]["tonic"] == "F#" and data["key"]["mode"] == "minor"
    assert 0.8 < data["key"]["confidence"] <= 1.0
    assert data["time_signature"] == "4/4" and data["tempo_bpm"] == 96.0
    assert data["style"] is None
    assert data["findings"], "a real chorale still has something to say at advanced level"
    for finding in data["findings"]:
        assert list(finding)[: len(FINDING_KEYS)] == FINDING_KEYS
        assert set(finding) - set(FINDING_KEYS) <= {"measure", "suggestion"}
        assert finding["severity"] in ("error", "warning", "info")
        assert all(0 <= p < 4 for p in finding["parts"])
        assert finding["bar"] >= 1 and finding["beat"] >= 1


def test_musicxml_pickup_is_bar_one_of_the_file_and_measure_zero_as_engraved(
    chorale_files: dict[str, Path],
) -> None:
    report = analyze_file(chorale_files["musicxml"])
    assert report.bars == 10  # pickup bar + measures 1..9
    first = report.harmony[0]
    assert (first.bar, first.measure, first.beat, first.offset_ql) == (1, 0, 4.0, 0.0)


def test_cadences_and_findings_name_the_chorales_own_measure_numbers() -> None:
    from etude.critic.analysis import analyze_score
    from etude.scores import LoadedScore

    # BWV 66.6 opens with a one-beat pickup, which music21 (like the engraved score) numbers
    # measure 0; its phrases end on the fermatas of measures 1, 2, 3, 5, 7 and 9.
    chorale = corpus.parse("bach/bwv66.6")
    soprano = chorale.parts[0]
    fermata_bars = [n.measureNumber for n in soprano.recurse().notes if n.expressions]
    assert fermata_bars == [1, 2, 3, 5, 7, 9]
    report = analyze_score(
        LoadedScore(Path("bwv66.6.mxl"), "musicxml", chorale, 0), level="advanced"
    )
    assert [c.measure for c in report.cadences] == fermata_bars
    assert [c.bar for c in report.cadences] == [b + 1 for b in fermata_bars]  # file's count
    assert report.phrase_measures == fermata_bars
    authentic = [c for c in report.cadences if c.kind == "authentic"]
    assert [(c.measure, c.beat, c.figures) for c in authentic] == [(3, 3.0, ["V7", "i"])]
    measures = soprano.getElementsByClass("Measure").stream()
    for item in [*report.findings, *report.harmony, *report.modulations]:
        measure = measures.getElementAtOrBefore(item.offset_ql)
        assert item.measure == measure.number, item


def test_levels_show_fewer_findings_to_beginners(chorale_files: dict[str, Path]) -> None:
    reports = {
        level: analyze_file(chorale_files["musicxml"], level=level)  # type: ignore[arg-type]
        for level in ("beginner", "intermediate", "advanced")
    }
    beginner, intermediate, advanced = (reports[k].findings for k in reports)
    worst = min((f.severity for f in advanced), key=SEVERITY_ORDER.__getitem__)
    assert all(f.severity == worst for f in beginner)
    assert len(beginner) <= 5
    assert all(f.severity != "info" for f in intermediate)
    assert len(beginner) <= len(intermediate) <= len(advanced)
    assert reports["beginner"].hidden_findings == len(advanced) - len(beginner)


def test_harmony_and_cadence_of_a_simple_progression(tmp_path: Path) -> None:
    report = analyze(["E5 F5 D5 C5:4", "G4 A4 G4 G4:4", "C4 C4 B3 E4:4", "C3 F3 G3 C3:4"], tmp_path)
    assert [h.figure for h in report.harmony] == ["I", "IV", "V", "I", "I", "I", "I"]
    assert report.cadences[-1].kind == "authentic"
    assert report.cadences[-1].figures == ["V", "I"]
    assert any("authentic cadence" in s for s in report.strengths)


def test_harmony_on_real_chorale_is_mostly_diatonic(chorale_files: dict[str, Path]) -> None:
    report = analyze_file(chorale_files["musicxml"])
    assert len(report.harmony) >= 30
    tonic_chords = [h for h in report.harmony if h.root == "F#"]
    assert tonic_chords and report.harmony[-1].root == "F#"


def test_bad_input_raises_score_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.mid"
    path.write_bytes(b"MThd\x00\x00\x00\x06\x00\x01\x00\x03")
    with pytest.raises(ScoreError):
        analyze_file(path)


def test_type0_piano_file_is_judged_on_melody_and_bass(tmp_path: Path) -> None:
    from music21 import chord, stream

    piano = stream.Part()
    # Melody and bass in parallel octaves (C-D-E-C over C-D-E-C), inner notes in between.
    for top, inner, bass in [(72, 64, 48), (74, 65, 50), (76, 67, 52), (72, 64, 48)]:
        piano.append(chord.Chord([bass, inner, top], quarterLength=1.0))
    single = stream.Score([piano])
    path = tmp_path / "piano.mid"
    single.write("midi", fp=path)
    report = analyze_file(path, level="advanced")
    assert report.parts == 2 and report.texture == "melody_and_bass"
    octaves = [f for f in report.findings if f.rule == "parallel_octaves"]
    assert [(f.bar, f.beat, f.parts, f.severity) for f in octaves] == [
        (1, 2.0, [0, 1], "warning"),
        (1, 3.0, [0, 1], "warning"),
        (1, 4.0, [0, 1], "warning"),
    ]
    assert not {"spacing", "voice_crossing", "voice_overlap"} & {f.rule for f in report.findings}


def test_modulation_to_the_relative_major_is_found() -> None:
    from etude.critic.analysis import analyze_score
    from etude.scores import LoadedScore

    chorale = corpus.parse("bach/bwv10.7")  # G minor, middle phrases in B-flat major
    report = analyze_score(LoadedScore(Path("bwv10.7.mxl"), "musicxml", chorale, 0))
    assert (report.key.tonic, report.key.mode) == ("G", "minor")
    assert ("Bb", "major") in {(m.tonic, m.mode) for m in report.modulations}
    assert all(m.confidence >= 0.75 and m.end_bar >= m.bar for m in report.modulations)


def test_part_profiles_describe_range_contour_rhythm_and_dynamics(tmp_path) -> None:
    from music21 import note, stream

    from etude.critic.analysis import analyze_file

    part = stream.Part()
    for name, length, velocity in [
        ("C4", 1, 60),
        ("E4", 1, 70),
        ("G4", 2, 90),
        ("E4", 1, 70),
        ("C4", 3, 50),
    ]:
        n = note.Note(name, quarterLength=length)
        n.volume.velocity = velocity
        part.append(n)
    path = tmp_path / "arch.musicxml"
    stream.Score([part]).write("musicxml", fp=str(path))
    profile = analyze_file(path).profiles[0]
    assert (profile.lowest, profile.highest, profile.span_semitones) == ("C4", "G4", 7)
    assert profile.contour == "arch" and profile.leaps == 0.0
    assert profile.durations == {"1": 3, "2": 1, "3": 1}
    assert (profile.velocity_min, profile.velocity_max) == (50, 90)


def test_a_fermata_chord_with_a_late_voice_is_one_cadence() -> None:
    from etude.critic.analysis import analyze_score
    from etude.scores import LoadedScore

    # BWV 161.6's last fermata chord: the alto holds its fermata from beat 1, the lower voices
    # reach it on beat 3 and the soprano a quaver later. Three onsets, one cadence.
    chorale = corpus.parse("bach/bwv161.6")
    report = analyze_score(LoadedScore(Path("bwv161.6.mxl"), "musicxml", chorale, 0))
    places = [(c.bar, c.beat) for c in report.cadences]
    assert len(places) == len(set(places)), places
    last = report.cadences[-1]
    assert [(c.beat, c.kind) for c in report.cadences if c.bar == last.bar] == [(3.0, "half")]


def test_doubled_parts_say_a_finding_once() -> None:
    from music21 import meter, note, stream

    from etude.critic.analysis import analyze_score
    from etude.scores import LoadedScore

    # Two parts both called "Violin" play the same unresolved G#4 (C major): one finding
    # naming both parts, not the same sentence twice.
    score = stream.Score()
    for name, line in (("Violin", "C4 D4 E4 F4 G#4 E4 D4 C4"),) * 2 + (("Cello", "C3 " * 8),):
        part = stream.Part()
        part.append(meter.TimeSignature("4/4"))
        for pitch in line.split():
            part.append(note.Note(pitch, quarterLength=2.0))
        measured = part.makeMeasures()
        measured.partName = name
        score.insert(0, measured)
    report = analyze_score(LoadedScore(Path("doubled.xml"), "musicxml", score, 0), level="advanced")
    found = [f for f in report.findings if f.rule == "out_of_key"]
    assert [(f.bar, f.beat, f.parts) for f in found] == [(3, 1.0, [0, 1])]
    keys = [(f.rule, f.bar, f.beat, f.message) for f in report.findings]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(("pickup", "first_bar"), [("D |", 0), ("", 1)])
def test_abc_bars_are_numbered_as_a_renderer_numbers_them(
    tmp_path: Path, pickup: str, first_bar: int
) -> None:
    from etude.critic.texture import build_piece
    from etude.scores import load_score

    # music21 numbers an ABC tune's first measure 0 whether or not it is a pickup; a renderer
    # calls a pickup bar 0 and a full first bar bar 1.
    path = tmp_path / "tune.abc"
    path.write_text(f"X:1\nT:t\nM:4/4\nL:1/4\nK:G\n{pickup} G A B c | d2 B G | A4 |]\n")
    meter = build_piece(load_score(path).score).meter
    assert meter.numbers == [*([0] if pickup else []), 1, 2, 3]
    assert meter.locate(meter.bar_starts[0])[0] == 1  # the file's first bar, always
    assert meter.measure(meter.locate(meter.bar_starts[0])[0]) == first_bar


def test_a_beginner_is_never_told_a_faulty_score_is_clean(tmp_path: Path) -> None:
    """A tune of quarter notes between C4 and E4 has no error, only style notes: a beginner
    sees those notes (with a high point to aim for) rather than "no fault found"."""
    melody = ["C4 D4 E4 D4 C4 D4 E4 E4 D4 C4 D4 E4 D4 C4 D4 E4 C4 D4 E4 D4:4"]
    report = analyze(melody, tmp_path, level="beginner")
    rules = [f.rule for f in report.findings]
    assert "melodic_monotony" in rules and report.hidden_findings == 0
    monotony = next(f for f in report.findings if f.rule == "melodic_monotony")
    assert "C4 to E4" in monotony.message and "G4" in monotony.message
