"""Chorale voice relations: crossing, overlap and spacing of adjacent voices.

These rules keep four voices audible as four: a tenor above the alto or an alto leaping past
where the soprano just was blurs who is singing what. They only apply to a four-voice
chorale texture; in a piano piece the "voices" are a melody and its accompaniment.
"""

from __future__ import annotations

from itertools import pairwise

from etude.critic.report import Finding
from etude.critic.rules.common import OCTAVE, RuleContext, motions
from etude.critic.texture import Line


def _adjacent(context: RuleContext) -> list[tuple[Line, Line]]:
    lines = context.piece.lines
    return list(pairwise(lines))


def check_crossing(context: RuleContext) -> list[Finding]:
    """A lower voice sounding above the voice above it; one finding per crossed stretch."""
    if context.piece.texture != "chorale":
        return []
    findings = []
    for upper, lower in _adjacent(context):
        crossed = False
        for time in sorted(set(upper.starts) | set(lower.starts)):
            a, b = upper.at(time), lower.at(time)
            now = a is not None and b is not None and b.midi > a.midi
            if now and not crossed:
                assert a is not None and b is not None
                brief = min(a.end, b.end) - time < 1.0  # a passing brush, not a swap
                findings.append(
                    context.finding(
                        "voice_crossing",
                        time,
                        [upper.part, lower.part],
                        "info" if brief else "warning",
                        f"The {lower.label} ({b.name}) is above the {upper.label} ({a.name}) at "
                        f"{context.where(time)}. Keep the {lower.label} below: move it down an "
                        f"octave or give the {upper.label} a higher note.",
                    )
                )
            crossed = now
    return findings


def check_overlap(context: RuleContext) -> list[Finding]:
    """A voice moving past the note its neighbour just left (the neighbour's previous note)."""
    if context.piece.texture != "chorale":
        return []
    findings = []
    for upper, lower in _adjacent(context):
        for motion in motions(upper, lower):
            # Judged from chord to chord (both voices strike): a passing note that brushes
            # past a held note is heard as a line, not as a voice swap.
            if motion.a1.start != motion.after or motion.b1.start != motion.after:
                continue
            lower_moved = motion.b1.midi != motion.b0.midi
            upper_moved = motion.a1.midi != motion.a0.midi
            if lower_moved and motion.b1.midi > motion.a0.midi and motion.b1.midi <= motion.a1.midi:
                mover, fixed, note_now, note_before = lower, upper, motion.b1, motion.a0
            elif (
                upper_moved and motion.a1.midi < motion.b0.midi and motion.a1.midi >= motion.b1.midi
            ):
                mover, fixed, note_now, note_before = upper, lower, motion.a1, motion.b0
            else:
                continue
            findings.append(
                context.finding(
                    "voice_overlap",
                    motion.after,
                    [upper.part, lower.part],
                    # Passing the neighbour's last note by a step is common in Bach; a leap
                    # past it is what truly confuses the ear.
                    "warning" if abs(note_now.midi - note_before.midi) > 2 else "info",
                    f"Voice overlap at {context.where(motion.after)}: the {mover.label} moves to "
                    f"{note_now.name}, past the {fixed.label}'s previous note {note_before.name}. "
                    f"Keep the {mover.label} on its own side of the {fixed.label}'s last note.",
                )
            )
    return findings


def check_spacing(context: RuleContext) -> list[Finding]:
    """More than an octave between soprano and alto or alto and tenor (tenor–bass is free)."""
    if context.piece.texture != "chorale":
        return []
    findings = []
    lines = context.piece.lines
    for upper, lower in pairwise(lines[:3]):
        wide = False
        for time in sorted(set(upper.starts) | set(lower.starts)):
            a, b = upper.at(time), lower.at(time)
            now = a is not None and b is not None and a.midi - b.midi > OCTAVE
            if now and not wide:
                assert a is not None and b is not None
                findings.append(
                    context.finding(
                        "spacing",
                        time,
                        [upper.part, lower.part],
                        "warning",
                        f"{upper.label.capitalize()} and {lower.label} are more than an octave "
                        f"apart at {context.where(time)} ({a.name} over {b.name}). Raise the "
                        f"{lower.label} or lower the {upper.label} to within an octave.",
                    )
                )
            wide = now
    return findings
