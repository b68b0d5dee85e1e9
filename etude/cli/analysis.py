"""``etude analyze``: the critic's report for a score, as JSON or as a readable summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from etude.cli.console import out
from etude.config import Level
from etude.critic.analysis import analyze_score
from etude.critic.report import overview
from etude.scores import LoadedScore, load_score


def _style(loaded: LoadedScore) -> dict[str, object] | None:
    """The encoder's style estimate for the report's ``style`` field; None if unavailable."""
    try:
        from etude.encoders.embedding import embed_midi, estimate_style
        from etude.scores.midi_bytes import score_midi_bytes

        piece = embed_midi(score_midi_bytes(loaded)).piece
        return estimate_style(piece).model_dump(mode="json")
    except (OSError, ValueError):
        return None


def run_analyze(file: Path, *, level: Level, as_json: bool) -> None:
    """The report of ``etude analyze``: the file is read once, and the critic and the style
    estimate share that reading (and its time budget)."""
    loaded = load_score(file)
    report = analyze_score(loaded, level=level)
    report.style = _style(loaded)
    if as_json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    out.print(f"[bold]{file.name}[/bold]: {overview(report)}")
    for strength in report.strengths:
        out.print(f"[green]✓[/green] {strength}")
    for finding in report.findings:
        colour = {"error": "red", "warning": "yellow", "info": "blue"}[finding.severity]
        out.print(
            f"[{colour}]{finding.severity}[/{colour}] bar {finding.bar} beat {finding.beat:g} "
            f"[dim]{finding.rule}[/dim]: {finding.message}"
        )
    if not report.findings:
        out.print("No problems found at this level.")
