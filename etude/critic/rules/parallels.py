"""Parallel and hidden (direct) fifths and octaves.

Parallel perfect intervals make two voices sound like one and thin the texture, which is why
common-practice part writing avoids them. The definition follows music21's
``VoiceLeadingQuartet``: both voices move, the interval is a perfect fifth (or unison/octave)
before and after, compound intervals and contrary-motion ("antiparallel") versions included.
Hidden fifths/octaves (similar motion into a perfect interval with a leap in the upper voice)
are only judged between the outer voices, where the ear notices them.
"""

from __future__ import annotations

from itertools import combinations, pairwise

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
    """Parallel fifths and octaves (unisons included) between every judged voice pair: from
    one sonority to the next (an error in a chorale), and from one shared beat to the next
    across a passing or neighbour note (a warning: the decoration softens them)."""
    severity: Severity = "error" if context.piece.texture == "chorale" else "warning"
    findings: list[Finding] = []
    for upper, lower in voice_pairs(context):
        strict = len(findings)
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
        flagged = {f.offset_ql for f in findings[strict:]}
        findings.extend(
            f for f in _across_decoration(context, upper, lower) if f.offset_ql not in flagged
        )
    return findings


def _across_decoration(context: RuleContext, upper: Line, lower: Line) -> list[Finding]:
    """Fifths or octaves between the notes two voices strike together on successive shared
    onsets, with a passing or neighbour note between them in one voice.

    Judged as music21's ``VoiceLeadingQuartet`` judges the two shared onsets (both voices
    move, the same perfect interval before and after), within two beats, where the strict
    check sees only the decoration's own, innocent, motion. Teachers point these out: the
    ear still hears the two voices land in fifths on the beats. A warning in a chorale, a
    remark (info) elsewhere, one step below the strict kind.

    >>> from etude.critic.texture import LineNote, Meter, Piece
    >>> from etude.critic.rules.common import Tonality
    >>> from music21 import key
    >>> alto = Line(1, "alto", [LineNote(0, 1, 69, "A4"), LineNote(1, 2, 65, "F4")])
    >>> tenor = Line(2, "tenor", [LineNote(0, 0.5, 62, "D4"), LineNote(0.5, 1, 60, "C4"),
    ...                           LineNote(1, 2, 58, "Bb3")])
    >>> piece = Piece([alto, tenor], [], Meter([0.0], [1.0], [0.0], [1], "2/4"),
    ...               "chorale", 2.0, [])
    >>> context = RuleContext(piece, Tonality.of(key.Key("F")))
    >>> [(f.rule, f.severity, f.beat) for f in _across_decoration(context, alto, tenor)]
    [('parallel_fifths', 'warning', 2.0)]
    """
    severity: Severity = "warning" if context.piece.texture == "chorale" else "info"
    shared = sorted(set(upper.starts) & set(lower.starts))
    findings = []
    for before, after in pairwise(shared):
        a0, a1, b0, b1 = upper.at(before), upper.at(after), lower.at(before), lower.at(after)
        if a0 is None or a1 is None or b0 is None or b1 is None:
            continue
        if a0.start != before or b0.start != before or a1.start != after or b1.start != after:
            continue
        if a0.midi == a1.midi or b0.midi == b1.midi:
            continue
        decorated = a0.end < after - 1e-9 or b0.end < after - 1e-9
        within = after - before <= 2 * _beat_at(context, before) + 1e-9
        if not (decorated and within):
            continue
        first, second = interval_class(a0.midi - b0.midi), interval_class(a1.midi - b1.midi)
        if first != second or first not in (0, PERFECT_FIFTH):
            continue
        rule = "parallel_fifths" if first == PERFECT_FIFTH else "parallel_octaves"
        kind = "fifths" if first == PERFECT_FIFTH else "octaves"
        between = upper if a0.end < after - 1e-9 else lower
        inside = sum(before < start < after for start in between.starts)
        decoration, soften, hide = (
            ("passing note", "softens", "does")
            if inside == 1
            else (f"{inside} passing notes", "soften", "do")
        )
        findings.append(
            context.finding(
                rule,
                after,
                [upper.part, lower.part],
                severity,
                f"Parallel {kind} between {upper.label} and {lower.label} from "
                f"{context.where(before)} to {context.where(after)}: {a0.name}/{b0.name} "
                f"moves to {a1.name}/{b1.name}. The {between.label}'s {decoration} between "
                f"them {soften} the {kind} but {hide} not hide them: the ear still hears both "
                "voices land on them. Give one of the voices another "
                "chord tone on the second beat, or move them in contrary motion.",
            )
        )
    return findings


def _beat_at(context: RuleContext, offset: float) -> float:
    bar, _ = context.piece.meter.locate(offset)
    return context.piece.meter.beat_lengths[bar - 1]


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
