"""Tiny hand-written scores for critic tests: one string of 'pitch:length' tokens per voice."""

from __future__ import annotations

from pathlib import Path

from music21 import meter, note, stream

from etude.critic.analysis import Level, analyze_file
from etude.critic.report import AnalysisReport


def build(voices: list[str], time_signature: str = "4/4") -> stream.Score:
    """A score with one part per voice; tokens are 'C5' (a quarter), 'C5:2' or 'r:1' (rest)."""
    score = stream.Score()
    for text in voices:
        part = stream.Part()
        part.append(meter.TimeSignature(time_signature))
        for token in text.split():
            name, _, length = token.partition(":")
            duration = float(length) if length else 1.0
            part.append(
                note.Rest(quarterLength=duration)
                if name == "r"
                else note.Note(name, quarterLength=duration)
            )
        measured = part.makeMeasures()
        measured.makeTies(inPlace=True)
        score.insert(0, measured)
    return score


def analyze(
    voices: list[str], tmp_path: Path, level: Level = "advanced", **kwargs: str
) -> AnalysisReport:
    """Write the score as MusicXML and run the whole critic on the file."""
    path = tmp_path / "piece.musicxml"
    build(voices, **kwargs).write("musicxml", fp=path)
    return analyze_file(path, level=level)


def rules_of(report: AnalysisReport) -> list[str]:
    return [f.rule for f in report.findings]
