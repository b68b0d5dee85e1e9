"""The note on a MIDI file whose bar numbers an unmarked pickup may have shifted
(``etude.critic.pickup``): MIDI files written by music21 with and without an upbeat, the same
tune as MusicXML, and chorales of the corpus."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from etude.critic.analysis import analyze_score
from etude.critic.report import AnalysisReport
from etude.scores import load_score

HYMN = [  # (pitch, quarter notes): a 4/4 hymn tune whose half notes fall on its downbeats
    ("G4", 2), ("A4", 1), ("B4", 1), ("C5", 2), ("B4", 1), ("A4", 1),
    ("G4", 2), ("E4", 1), ("F#4", 1), ("G4", 2), ("A4", 2),
    ("B4", 2), ("A4", 1), ("G4", 1), ("A4", 2), ("D4", 2),
    ("G4", 2), ("F#4", 1), ("A4", 1), ("G4", 4),
]  # fmt: skip


def _write(tmp_path: Path, name: str, notes: Sequence[tuple[str, float]], *, upbeat: str = "",
           silence: float = 0.0, fmt: str = "midi") -> Path:  # fmt: skip
    """The hymn as a one-part file: ``upbeat`` is a one-beat pickup before it, at time 0 in
    the MIDI (as music21 and notation programs export it) or after ``silence`` quarter notes."""
    from music21 import key, meter, note, stream

    part = stream.Part()
    part.insert(0, meter.TimeSignature("4/4"))
    part.insert(0, key.Key("G"))
    offset = silence
    if upbeat:
        part.insert(offset, note.Note(upbeat, quarterLength=1.0))
        offset += 1.0
    for name_, length in notes:
        part.insert(offset, note.Note(name_, quarterLength=length))
        offset += length
    path = tmp_path / f"{name}.{'mid' if fmt == 'midi' else 'musicxml'}"
    stream.Score([part]).write(fmt, fp=str(path))
    return path


def _report(path: Path) -> AnalysisReport:
    return analyze_score(load_score(path), level="intermediate", suggest=False)


def test_a_pickup_at_time_zero_is_noted(tmp_path: Path) -> None:
    report = _report(_write(tmp_path, "upbeat", HYMN, upbeat="D4"))
    found = report.unmarked_pickup
    assert found is not None and found.evidence == "shifted_accents"
    assert found.pickup_ql == 1.0
    assert "upbeat" in found.message and "bar" in found.message
    assert report.model_dump(mode="json")["unmarked_pickup"]["pickup_ql"] == 1.0


def test_a_pickup_after_silence_is_noted(tmp_path: Path) -> None:
    report = _report(_write(tmp_path, "padded", HYMN, upbeat="D4", silence=3.0))
    found = report.unmarked_pickup
    assert found is not None and found.evidence == "late_first_note"
    assert found.pickup_ql == 1.0 and "beat 4 of bar 1" in found.message


def test_the_same_tune_without_a_pickup_gets_no_note(tmp_path: Path) -> None:
    assert _report(_write(tmp_path, "plain", HYMN)).unmarked_pickup is None


def test_a_rest_on_the_first_beat_is_not_a_pickup(tmp_path: Path) -> None:
    """A melody entering on beat 2 of a full first bar: the first half of the bar is not
    silence before an upbeat."""
    melody = [("G4", 1.0), *HYMN[1:]]  # the first half note as a quarter rest and a quarter
    assert _report(_write(tmp_path, "rest", melody, silence=1.0)).unmarked_pickup is None


def test_musicxml_marks_its_pickup_itself(tmp_path: Path) -> None:
    """Only MIDI gets the note: the same tune with its upbeat as MusicXML says nothing."""
    path = _write(tmp_path, "upbeat", HYMN, upbeat="D4", fmt="musicxml")
    assert _report(path).unmarked_pickup is None


@pytest.mark.parametrize(
    ("work", "pickup"),
    [("bach/bwv66.6", True), ("bach/bwv2.6", True), ("bach/bwv17.7", True),
     ("bach/bwv8.6", False), ("bach/bwv10.7", False), ("bach/bwv11.6", False)],
)  # fmt: skip
def test_chorales_as_midi(work: str, pickup: bool, tmp_path: Path) -> None:
    """Chorales written as MIDI by music21: noted exactly when the chorale has an upbeat
    (which the export puts at time 0), never for one that starts on its downbeat, and never
    for the chorale read as MusicXML."""
    from music21 import corpus

    chorale = corpus.parse(work)
    first = chorale.parts[0].getElementsByClass("Measure").first()
    full = first.timeSignature.barDuration.quarterLength  # 4/4, or 3/4 for BWV 11.6
    assert (first.duration.quarterLength < full) == pickup  # the corpus's own truth
    path = tmp_path / "chorale.mid"
    chorale.write("midi", fp=str(path))
    assert (_report(path).unmarked_pickup is not None) == pickup
    assert (
        analyze_score(load_score(str(corpus.getWork(work))), suggest=False).unmarked_pickup is None
    )


def test_etude_analyze_says_it_before_the_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text report puts the note right under the overview line, above every bar number;
    the JSON carries the object (null for a file without a pickup)."""
    import json

    from etude.cli.analysis import run_analyze

    path = _write(tmp_path, "upbeat", HYMN, upbeat="D4")
    run_analyze(path, level="intermediate", as_json=False, encoder=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("note ") and "upbeat (pickup)" in lines[1]
    run_analyze(path, level="intermediate", as_json=True, encoder=False)
    assert json.loads(capsys.readouterr().out)["unmarked_pickup"]["evidence"] == "shifted_accents"
    run_analyze(_write(tmp_path, "plain", HYMN), level="intermediate", as_json=True, encoder=False)
    assert json.loads(capsys.readouterr().out)["unmarked_pickup"] is None


def test_the_critique_reply_says_it(tmp_path: Path) -> None:
    """The tutor's reply to "what should I improve?" about the MIDI file carries the note,
    from the real critic tool's evidence."""
    from etude.agents.reply import plan_reply
    from etude.config import Settings
    from etude.tools.base import ToolRequest
    from etude.tools.critic import critic

    question = "What should I improve in my tune?"
    for upbeat, expected in (("D4", True), ("", False)):
        path = _write(tmp_path, f"tune{upbeat}", HYMN, upbeat=upbeat)
        evidence = critic(ToolRequest(question=question, attachment=path), Settings.from_env())
        _, before, after = plan_reply(question, ["critic"], evidence, "intermediate")
        text = "\n\n".join(block.text for block in before + after)
        assert ("Note on bar numbers:" in text) == expected, text
