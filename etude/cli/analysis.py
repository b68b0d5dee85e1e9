"""``etude analyze``: the critic's report for a score, as JSON or as a readable summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from etude.api import analyze_score
from etude.cli.console import out
from etude.config import Level
from etude.critic.report import overview


def run_analyze(file: Path, *, level: Level, as_json: bool, encoder: bool = True) -> None:
    """``encoder=False`` (``--no-encoder``) leaves MusicBERT out: ``style`` and ``encoder`` are
    null, as without a checkpoint, fixes are in the critic's own order (the encoder breaks its
    ties otherwise), and every other field is the same."""
    report = analyze_score(file, level=level, encoder=encoder)
    if as_json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    out.print(f"[bold]{file.name}[/bold]: {overview(report)}")
    if report.unmarked_pickup is not None:
        # Before the findings: it says how to read every bar number below.
        out.print(f"[yellow]note[/yellow] {report.unmarked_pickup.message}")
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
    surprise = (report.encoder or {}).get("surprise") or []
    if surprise:
        first = surprise[0]
        out.print(
            f"[blue]info[/blue] bar {first['bar']} beat {first['beat']:g} [dim]encoder[/dim]: "
            f"{first['pitch']} in part {first['part'] + 1} is the note MusicBERT expected least "
            f"(it expected {', '.join(first['expected'])})."
        )
    if report.similar:
        from rich.markup import escape

        from etude.encoders.similar import listen_sentence

        line = escape(listen_sentence(report.similar[0]))
        out.print(f"[blue]info[/blue] [dim]similar[/dim]: {line}")
