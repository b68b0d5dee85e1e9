"""``etude analyze``: the critic's report for a score, as JSON or as a readable summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from etude.cli.console import out
from etude.config import Level
from etude.critic.analysis import analyze_file
from etude.critic.report import overview


def _style(file: Path) -> dict[str, object] | None:
    """The encoder's style estimate for the report's ``style`` field; None if unavailable."""
    try:
        from etude.attachments import load_attachment
        from etude.encoders.embedding import embed_midi, estimate_style
        from etude.scores.midi_bytes import score_midi_bytes

        piece = embed_midi(score_midi_bytes(load_attachment(file))).piece
        return estimate_style(piece).model_dump(mode="json")
    except (OSError, ValueError):
        return None


def _encoder(file: Path) -> dict[str, object] | None:
    """The encoder's most surprising notes for the report's ``encoder`` field (information
    only, never a finding); None if the encoder has no checkpoint or cannot read the piece."""
    from etude.attachments import load_attachment
    from etude.encoders.surprise import analysis_section

    try:
        return analysis_section(load_attachment(file).score)
    except (OSError, ValueError):
        return None


def run_analyze(file: Path, *, level: Level, as_json: bool, encoder: bool = True) -> None:
    """``encoder=False`` (``--no-encoder``) leaves MusicBERT out: ``style`` and ``encoder`` are
    null, as without a checkpoint, and every other field is the same."""
    report = analyze_file(file, level=level)
    if encoder:
        report.style = _style(file)
        report.encoder = _encoder(file)
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
    surprise = (report.encoder or {}).get("surprise") or []
    if surprise:
        first = surprise[0]
        out.print(
            f"[blue]info[/blue] bar {first['bar']} beat {first['beat']:g} [dim]encoder[/dim]: "
            f"{first['pitch']} in part {first['part'] + 1} is the note MusicBERT expected least "
            f"(it expected {', '.join(first['expected'])})."
        )
