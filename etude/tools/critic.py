"""The critic tool: the composition critic's report (``etude.critic``) as evidence.

Only the adapter lives here: the schema the router reads, the call into the critic, and which
of its findings the tutor is handed (errors first, a few at a time).
"""

from __future__ import annotations

from typing import Any

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest, ToolSpec

__all__ = ["TOOL", "critic"]
"""What other modules may import: the fine-tuning data builder calls ``critic`` itself, so
the model trains on exactly the evidence the tutor is handed."""

MAX_FINDINGS = 4
"""A lesson corrects a few things well rather than everything at once."""


def critic(request: ToolRequest, settings: Settings) -> list[Evidence]:
    if request.attachment is None:
        return []
    from etude.attachments import load_attachment
    from etude.critic.analysis import analyze_score
    from etude.critic.report import SEVERITY_ORDER, overview

    loaded = load_attachment(request.attachment)
    report = analyze_score(loaded, level=request.level, style=True)
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
    ranked = sorted(report.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.offset_ql))
    for finding in ranked[:MAX_FINDINGS]:
        parts = ", ".join(str(p) for p in finding.parts)
        evidence.append(
            Evidence(
                tool="critic",
                kind="analysis",
                summary=(
                    f"{finding.severity.capitalize()} ({finding.rule}) at bar "
                    f"{finding.bar if finding.measure is None else finding.measure}, "
                    f"beat {finding.beat:g}, part(s) {parts}: {finding.message}"
                ),
                data=finding.model_dump(mode="json"),
            )
        )
    return evidence + _standing_out(loaded.score, report) + _pieces_like_it(loaded, settings)


def _standing_out(score: Any, report: Any) -> list[Evidence]:
    """The note most worth a second listen, information the tutor shows beside the findings,
    never a finding: the likeliest slip when the checkpoint has a wrong-note ranker and it is
    likely enough to be worth a check (said as unsure under the mention threshold), else the
    note MusicBERT expected far less than any other (``etude.critic.least_expected``)."""
    from etude.critic.least_expected import least_expected, likely_slip

    slip = likely_slip(score, report.every_finding, tonic=report.key.tonic)
    if slip is not None:
        if not slip.worth_a_check:
            return []
        note, sentence = slip.note, slip.sentence
        kind: dict[str, Any] = {
            "type": "likely_slip",
            "probability": round(slip.probability, 3),
            "sure": slip.mentioned,
        }
    else:
        found = least_expected(score)
        if found is None or not found.stands_out:
            return []
        note, sentence, kind = found.note, found.sentence, {"type": "least_expected"}
    return [
        Evidence(
            tool="critic",
            kind="analysis",
            summary=sentence,
            notes=[note.pitch, *note.expected],
            data={**kind, **note.model_dump(mode="json")},
        )
    ]


def _pieces_like_it(loaded: Any, settings: Settings) -> list[Evidence]:
    """The corpus piece nearest to the learner's ("Listen to how BWV 281 handles this"), only
    from the data dir's corpus index (``etude corpus index``); nothing without one."""
    from etude.encoders.octuple import OctupleEncoder
    from etude.encoders.similar import index_exists, similar_evidence
    from etude.scores.midi_bytes import score_midi_bytes

    if not index_exists(settings.data_dir):
        return []
    try:
        tokens = OctupleEncoder().encode(score_midi_bytes(loaded)).tokens
        return similar_evidence(tokens, settings.data_dir, tool="critic")
    except (OSError, ValueError):
        return []


TOOL = ToolSpec(
    name="critic",
    description=(
        "Analyses the learner's attached score: key, meter, harmony, voice leading, melody, "
        "rhythm and form, with findings located by bar and beat."
    ),
    examples=(
        "What key is my piece in?",
        "Which key did I write this in?",
        "Can you check my voice leading?",
        "Are there any parallel fifths in my chorale?",
        "What do you think of my composition?",
        "Please give me feedback on this piece",
        "Is my harmony correct?",
        "What time signature is this in?",
        "How many bars long is my melody?",
        "Does my piece end with a proper cadence?",
        "Are any notes out of range for the singers?",
        "Check my four-part harmony exercise",
        "What mistakes did I make in this score?",
        "Is the melody I wrote any good?",
        "Can you analyse the chords in my song?",
        "How can I improve this piece?",
    ),
    run=critic,
    needs_attachment=True,
    reads_every_score=True,
)
