"""Melodic shape: awkward leaps and a melody that goes nowhere.

Singable lines move mostly by step; leaps larger than an octave, sevenths and tritones are
hard to sing and to hear. Monotony (a tiny range or many repeated notes) is pointed out
gently, as something to develop, not an error.
"""

from __future__ import annotations

from itertools import pairwise

from etude.critic.report import Finding, Severity
from etude.critic.rules.common import RuleContext
from etude.critic.texture import Line

MIN_NOTES_FOR_MONOTONY = 16


def check_leaps(context: RuleContext) -> list[Finding]:
    """Leaps beyond an octave, sevenths and tritones in the melody (every voice in a chorale)."""
    lines = context.piece.lines if context.piece.texture == "chorale" else context.piece.lines[:1]
    findings = []
    for line in lines:
        is_bass = context.piece.texture == "chorale" and line is context.piece.bottom
        for before, after in pairwise(line.notes):
            if after.start - before.end > 1e-6:
                continue  # a rest between them starts a new gesture
            size = abs(after.midi - before.midi)
            severity = _leap_severity(size, is_bass)
            if severity is None:
                continue
            findings.append(
                context.finding(
                    "large_leap",
                    after.start,
                    [line.part],
                    severity,
                    f"The {line.label} leaps {_leap_name(size)} from {before.name} to "
                    f"{after.name} at {context.where(after.start)}. Fill it in by step, or "
                    f"take {after.name} in the other octave.",
                )
            )
    return findings


def check_monotony(context: RuleContext) -> list[Finding]:
    """A melody of 16+ notes in a range of a third or less, or stuck on one repeated note."""
    line = context.piece.top
    notes = line.notes
    if len(notes) < MIN_NOTES_FOR_MONOTONY:
        return []
    findings = []
    low = min(notes, key=lambda n: n.midi)
    high = max(notes, key=lambda n: n.midi)
    span = high.midi - low.midi
    if span <= 4:
        goals = _scale_notes_above(context, high.midi, 2)
        names = sorted({n.name.rstrip("0123456789-") for n in notes}, key=_letter_order)
        used = f": only {', '.join(names[:-1])} and {names[-1]}" if 1 < len(names) <= 4 else ""
        goal = f", e.g. {' or '.join(goals)}," if goals else ""
        turn = notes[(2 * len(notes)) // 3].start
        findings.append(
            context.finding(
                "melodic_monotony",
                notes[0].start,
                [line.part],
                "info",
                f"The {line.label} stays within {low.name} to {high.name} (a range of {span} "
                f"semitones{used}) for {len(notes)} notes. Give it a goal: rise to a high point"
                f"{goal} about two thirds of the way through (near {context.where(turn)}) and "
                "come back down.",
            )
        )
    findings.extend(_repeated_runs(context, line))
    return findings


def _letter_order(name: str) -> tuple[int, str]:
    return ("CDEFGAB".index(name[0]), name)


def _scale_notes_above(context: RuleContext, midi: int, count: int) -> list[str]:
    """The key's scale notes a third and a fourth above ``midi`` (skipping the next step):
    a high point worth reaching, spelled as the key spells them."""
    tonality = context.tonality
    above = [m for m in range(midi + 1, midi + 13) if m % 12 in tonality.scale][1 : 1 + count]
    names = []
    for m in above:
        letter = tonality.spelling[m % 12].replace("-", "b")
        octave = m // 12 - 1 + (letter.startswith("Cb")) - (letter.startswith("B#"))
        names.append(f"{letter}{octave}")
    return names


def _repeated_runs(context: RuleContext, line: Line, run: int = 5) -> list[Finding]:
    findings = []
    count = 1
    for before, after in pairwise(line.notes):
        count = count + 1 if after.midi == before.midi else 1
        if count == run:
            findings.append(
                context.finding(
                    "melodic_monotony",
                    after.start,
                    [line.part],
                    "info",
                    f"The {line.label} repeats {after.name} {run} times in a row up to "
                    f"{context.where(after.start)}. Let it move: add a neighbour note or a "
                    "step towards the next phrase goal.",
                )
            )
    return findings


def _leap_severity(size: int, is_bass: bool) -> Severity | None:
    if size > 12:
        return "warning"
    if size in (10, 11):
        return "info" if is_bass else "warning"
    if size == 6:
        return "info"
    return None


def _leap_name(size: int) -> str:
    """A leap's size in words (by semitones: spelling is unknown in MIDI).

    >>> _leap_name(6), _leap_name(11), _leap_name(14)
    ('a tritone', 'a seventh', 'more than an octave (14 semitones)')
    """
    if size == 6:
        return "a tritone"
    if size in (10, 11):
        return "a seventh"
    return f"more than an octave ({size} semitones)"
