"""The critic tool's function: the analysis report as evidence for the tutor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest

if TYPE_CHECKING:
    from etude.tools.critic.report import AnalysisReport

MAX_FINDINGS = 4
"""A lesson corrects a few things well rather than everything at once."""

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def overview(report: AnalysisReport) -> str:
    """The computed facts about the score in one line."""
    key = report.key
    tempo = f", tempo {report.tempo_bpm:g} bpm" if report.tempo_bpm else ""
    return (
        f"The score is in {key.tonic} {key.mode} (music21 key analysis, confidence "
        f"{key.confidence:.2f}); time signature {report.time_signature}{tempo}; "
        f"{report.bars} bars, {report.parts} part(s), {report.notes} notes."
    )


def critic(request: ToolRequest, settings: Settings) -> list[Evidence]:
    if request.attachment is None:
        return []
    from etude.attachments import load_attachment
    from etude.tools.critic.analysis import analyze_score

    report = analyze_score(load_attachment(request.attachment), level=request.level)
    evidence = [
        Evidence(
            tool="critic",
            kind="analysis",
            summary=overview(report),
            authoritative=True,
            data=report.model_dump(mode="json"),
        )
    ]
    for strength in report.strengths[:2]:
        evidence.append(Evidence(tool="critic", kind="analysis", summary=f"Strength: {strength}"))
    ranked = sorted(report.findings, key=lambda f: (_SEVERITY_ORDER[f.severity], f.offset_ql))
    for finding in ranked[:MAX_FINDINGS]:
        parts = ", ".join(str(p) for p in finding.parts)
        evidence.append(
            Evidence(
                tool="critic",
                kind="analysis",
                summary=(
                    f"{finding.severity.capitalize()} ({finding.rule}) at bar {finding.bar}, "
                    f"beat {finding.beat:g}, part(s) {parts}: {finding.message}"
                ),
                data=finding.model_dump(mode="json"),
            )
        )
    return evidence
