"""Rhythmic monotony: a melody that uses one note value almost throughout.

Pointed out as a suggestion (severity info): variety of note values is what gives a melody
its character and its phrase shape.
"""

from __future__ import annotations

from collections import Counter

from etude.critic.report import Finding
from etude.critic.rules.common import RuleContext

SHARE = 0.9
MIN_NOTES = 16
MIN_BARS = 8


def check_rhythm(context: RuleContext) -> list[Finding]:
    """One duration for 90% or more of a 16+ note melody spanning at least 8 bars."""
    line = context.piece.top
    if len(line.notes) < MIN_NOTES or context.piece.meter.bars < MIN_BARS:
        return []
    durations = Counter(round(n.end - n.start, 3) for n in line.notes)
    value, count = durations.most_common(1)[0]
    if count / len(line.notes) < SHARE:
        return []
    return [
        context.finding(
            "rhythmic_monotony",
            line.notes[0].start,
            [line.part],
            "info",
            f"{count} of the {len(line.notes)} notes of the {line.label} last {value:g} "
            "quarter notes. Vary the rhythm: a longer note at each phrase end and a few "
            "shorter passing notes will give the melody shape.",
        )
    ]
