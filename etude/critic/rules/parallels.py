"""Parallel and hidden (direct) fifths and octaves.

Parallel perfect intervals make two voices sound like one and thin the texture, which is why
common-practice part writing avoids them. The definition follows music21's
``VoiceLeadingQuartet``: both voices move, the interval is a perfect fifth (or unison/octave)
before and after, compound intervals and contrary-motion ("antiparallel") versions included.
Hidden fifths/octaves (similar motion into a perfect interval with a leap in the upper voice)
are only judged between the outer voices, where the ear notices them.
"""

from __future__ import annotations

from itertools import combinations

from etude.critic.report import Finding, Severity
from etude.critic.rules.common import (
    IMPERFECT_CONSONANCES,
    PERFECT_FIFTH,
    Motion,
    RuleContext,
    interval_class,
    motions,
)
from etude.critic.texture import Line


def voice_pairs(context: RuleContext) -> list[tuple[Line, Line]]:
    """Which voice pairs are judged: all of them in a chorale or ensemble, outer voices else."""
    lines = context.piece.lines
    if len(lines) < 2:
        return []
    if context.piece.texture in ("chorale", "ensemble"):
        return list(combinations(lines, 2))
    return [(lines[0], lines[-1])]


def check_parallels(context: RuleContext) -> list[Finding]:
    """Parallel fifths and octaves (unisons included) between every judged voice pair."""
    severity: Severity = "error" if context.piece.texture == "chorale" else "warning"
    findings = []
    for upper, lower in voice_pairs(context):
        for motion in motions(upper, lower):
            if not motion.both_move:
                continue
            before, after = interval_class(motion.interval(0)), interval_class(motion.interval(1))
            if before != after or before not in (0, PERFECT_FIFTH):
                continue
            rule = "parallel_fifths" if before == PERFECT_FIFTH else "parallel_octaves"
            findings.append(
                context.finding(
                    rule,
                    motion.after,
                    [upper.part, lower.part],
                    severity,
                    _parallel_message(context, rule, upper, lower, motion),
                )
            )
    return findings


def check_hidden(context: RuleContext) -> list[Finding]:
    """Similar motion into a fifth or octave between the outer voices, upper voice leaping."""
    lines = context.piece.lines
    if len(lines) < 2:
        return []
    severity: Severity = "warning" if context.piece.texture == "chorale" else "info"
    upper, lower = lines[0], lines[-1]
    findings = []
    for motion in motions(upper, lower):
        if not (motion.both_move and motion.similar):
            continue
        before, after = interval_class(motion.interval(0)), interval_class(motion.interval(1))
        if after not in (0, PERFECT_FIFTH) or before == after:
            continue
        if abs(motion.a1.midi - motion.a0.midi) <= 2:
            continue
        rule = "hidden_fifths" if after == PERFECT_FIFTH else "hidden_octaves"
        kind = "fifth" if after == PERFECT_FIFTH else "octave"
        message = (
            f"Hidden {kind}s between {upper.label} and {lower.label} at "
            f"{context.where(motion.after)}: both move the same way into a {kind} "
            f"({motion.a1.name} over {motion.b1.name}) while the {upper.label} leaps. "
            f"Let the {upper.label} arrive by step, or move the {lower.label} the other way."
        )
        findings.append(
            context.finding(rule, motion.after, [upper.part, lower.part], severity, message)
        )
    return findings


def _parallel_message(
    context: RuleContext, rule: str, upper: Line, lower: Line, motion: Motion
) -> str:
    kind = "fifths" if rule == "parallel_fifths" else "octaves"
    text = (
        f"Parallel {kind} between {upper.label} and {lower.label} at "
        f"{context.where(motion.after)}: {motion.a0.name}/{motion.b0.name} moves to "
        f"{motion.a1.name}/{motion.b1.name}, so the two voices sound as one. "
    )
    better = _consonant_alternative(context, motion.a1.midi, motion.b1.midi)
    if better is not None:
        return text + (
            f"Try {context.tonality.name(better)} in the {upper.label} instead of "
            f"{motion.a1.name} (a third or sixth above the {lower.label}), or move the two "
            "voices in contrary motion."
        )
    return text + f"Move the {upper.label} or the {lower.label} in contrary motion instead."


def _consonant_alternative(context: RuleContext, upper: int, lower: int) -> int | None:
    """The nearest in-key note within a whole step that makes a third or sixth with the lower."""
    for distance in (1, 2, -1, -2):
        candidate = upper + distance
        if candidate <= lower or candidate % 12 not in context.tonality.scale:
            continue
        if (candidate - lower) % 12 in IMPERFECT_CONSONANCES:
            return candidate
    return None
