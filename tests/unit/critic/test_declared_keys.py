"""The key a file declares (ABC ``K:``, MusicXML ``<mode>``) is the key the critic judges by."""

from __future__ import annotations

from pathlib import Path

import pytest
from music21 import key, meter, note, stream

from etude.critic.analysis import analyze_file
from etude.critic.report import AnalysisReport, overview

# D dorian: F, C and B natural are all notes of the mode; estimated, this reads as G major
# (or D minor) and the F naturals (or the B naturals) were called out of key.
DORIAN_TUNE = """X:1
T:Dorian tune
M:4/4
L:1/8
K:Ddor
D2FA d2cA|G2FE D2EF|G2AB c2BA|F2EF D4|
A2dc A2GF|E2FG A2D2|c2AF G2FE|D8|]
"""


def _abc(tmp_path: Path, text: str) -> AnalysisReport:
    path = tmp_path / "tune.abc"
    path.write_text(text)
    return analyze_file(path, level="advanced")


def _out_of_key(report: AnalysisReport) -> list[str]:
    return [f.message for f in report.findings if f.rule == "out_of_key"]


def test_abc_dorian_tune_is_d_dorian_and_its_naturals_are_in_key(tmp_path: Path) -> None:
    report = _abc(tmp_path, DORIAN_TUNE)
    assert (report.key.tonic, report.key.mode, report.key.source) == ("D", "dorian", "declared")
    assert _out_of_key(report) == []
    assert overview(report).startswith("The score is in D dorian (as the file declares)")
    assert "D dorian" in report.summary


def test_a_note_outside_the_declared_mode_is_still_flagged(tmp_path: Path) -> None:
    # A B flat that leaps away is outside D dorian (whose sixth is B natural).
    report = _abc(tmp_path, DORIAN_TUNE.replace("G2AB c2BA", "G2A_B f2BA"))
    found = _out_of_key(report)
    assert len(found) == 1 and found[0].startswith("Bb4") and "outside D dorian" in found[0]


@pytest.mark.parametrize(
    ("field", "tonic", "mode", "tune"),
    [
        ("Emix", "E", "mixolydian", "E2GB e2dB|A2GF E2D2|E2GB d2BG|A2F2 E4|]"),
        ("Aaeolian", "A", "aeolian", "A2cB A2GE|D2EG A2GE|c2BA G2ED|E2G2 A4|]"),
        ("Gmixolydian", "G", "mixolydian", "G2BA G2FD|C2DF G2FD|c2BA F2DC|D2F2 G4|]"),
        ("Ephr", "E", "phrygian", "E2FG A2GF|E2DE F2ED|G2FE D2FE|F2D2 E4|]"),
    ],
)
def test_other_declared_modes(tmp_path: Path, field: str, tonic: str, mode: str, tune: str) -> None:
    report = _abc(tmp_path, f"X:1\nT:t\nM:4/4\nL:1/8\nK:{field}\n{tune}\n")
    assert (report.key.tonic, report.key.mode) == (tonic, mode)
    assert _out_of_key(report) == []


def test_abc_minor_is_declared_and_allows_the_raised_seventh(tmp_path: Path) -> None:
    # A minor with G sharps: estimated, the C-major-heavy opening can read as C major.
    report = _abc(
        tmp_path, "X:1\nT:t\nM:4/4\nL:1/4\nK:Am\nCEGE|CEDC|B,^G,A,B,|CDEC|B,2^G,2|A,4|]\n"
    )
    assert (report.key.tonic, report.key.mode, report.key.source) == ("A", "minor", "declared")
    assert _out_of_key(report) == []


def test_a_forgotten_abc_key_does_not_override_the_music(tmp_path: Path) -> None:
    # K:C over a tune in D major (every F and C sharpened by hand): the header is not believed.
    tune = "X:1\nT:t\nM:4/4\nL:1/4\nK:C\nD^F A^F|DE^FG|A^c d^c|BA^FE|D4|]\n"
    report = _abc(tmp_path, tune)
    assert (report.key.tonic, report.key.mode, report.key.source) == ("D", "major", "estimated")


def _dorian_chorale() -> stream.Score:
    score = stream.Score()
    # i - IV - VII - i in D dorian: the G major chord's B natural is the dorian sixth.
    for voice in ("A4 B4 C5 D5:4", "F4 G4 G4 F4:4", "D4 D4 E4 A3:4", "D3 G3 C3 D3:4"):
        part = stream.Part()
        part.append(key.Key("D", "dorian"))
        part.append(meter.TimeSignature("4/4"))
        for token in voice.split():
            name, _, length = token.partition(":")
            part.append(note.Note(name, quarterLength=float(length or 1)))
        score.insert(0, part.makeMeasures())
    return score


def test_musicxml_mode_sets_the_tonic_of_the_harmony(tmp_path: Path) -> None:
    path = tmp_path / "dorian.musicxml"
    _dorian_chorale().write("musicxml", fp=path)  # writes <mode>dorian</mode>
    report = analyze_file(path, level="advanced")
    assert (report.key.tonic, report.key.mode) == ("D", "dorian")
    assert [h.figure for h in report.harmony][:4] == ["i", "IV", "VII", "i"]
    assert report.cadences[-1].figures == ["VII", "i"]
    assert report.modulations == []
    assert _out_of_key(report) == []


def test_musicxml_major_or_minor_keeps_the_estimate(tmp_path: Path) -> None:
    # Notation programs write <mode>major</mode> by default, even on a minor piece.
    score = _dorian_chorale()
    for part in score.parts:
        for found in part.recurse().getElementsByClass(key.Key):
            found.activeSite.replace(found, key.Key("F", "major"))
    path = tmp_path / "major.musicxml"
    score.write("musicxml", fp=path)
    assert analyze_file(path).key.source == "estimated"
