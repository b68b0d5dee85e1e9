"""Notes outside a voice's or instrument's comfortable range.

A chorale is sung, so each voice is held to the usual SATB ranges; instrumental parts are
held to their instrument's range when the file names the instrument. Ranges are MIDI note
numbers and can be replaced by passing another mapping.
"""

from __future__ import annotations

from collections.abc import Mapping

from music21 import pitch

from etude.critic.report import Finding, Severity
from etude.critic.rules.common import RuleContext
from etude.critic.texture import CHORALE_VOICES, spelled

SATB_RANGES: dict[str, tuple[int, int]] = {
    "soprano": (60, 81),  # C4–A5
    "alto": (55, 74),  # G3–D5
    "tenor": (48, 69),  # C3–A4
    "bass": (38, 62),  # D2–D4
}
"""Textbook SATB ranges, widened by a step at each end to Bach's own practice."""

INSTRUMENT_RANGES: dict[str, tuple[int, int]] = {
    "violin": (55, 103),
    "viola": (48, 91),
    "violoncello": (36, 76),
    "cello": (36, 76),
    "contrabass": (28, 67),
    "flute": (60, 96),
    "oboe": (58, 91),
    "clarinet": (50, 94),
    "bassoon": (34, 75),
    "trumpet": (54, 82),
    "horn": (34, 77),
    "trombone": (40, 72),
    "soprano": SATB_RANGES["soprano"],
    "alto": SATB_RANGES["alto"],
    "tenor": SATB_RANGES["tenor"],
    "bass": SATB_RANGES["bass"],
}
"""Practical ranges of common instruments (lowest, highest) as MIDI numbers."""


def check_ranges(
    context: RuleContext, instrument_ranges: Mapping[str, tuple[int, int]] = INSTRUMENT_RANGES
) -> list[Finding]:
    """Each note outside its voice's range; more than a third outside is an error."""
    findings = []
    for index, line in enumerate(context.piece.lines):
        bounds = _bounds(context, index, line.part_name, line.instrument, instrument_ranges)
        if bounds is None:
            continue
        low, high = bounds
        for item in line.notes:
            if low <= item.midi <= high:
                continue
            beyond = low - item.midi if item.midi < low else item.midi - high
            severity: Severity = "error" if beyond > 4 else "warning"
            limit = low if item.midi < low else high
            direction = "below" if item.midi < low else "above"
            fix = "up an octave" if item.midi < low else "down an octave"
            limit_name = spelled(pitch.Pitch(midi=limit))
            findings.append(
                context.finding(
                    "range",
                    item.start,
                    [line.part],
                    severity,
                    f"{item.name} in the {line.label} at {context.where(item.start)} is "
                    f"{direction} its range ({limit_name} is the limit). Move it {fix} or "
                    "give the line another shape there.",
                )
            )
    return findings


def _bounds(
    context: RuleContext,
    index: int,
    label: str | None,
    instrument: str | None,
    instrument_ranges: Mapping[str, tuple[int, int]],
) -> tuple[int, int] | None:
    if context.piece.texture == "chorale":
        return SATB_RANGES[CHORALE_VOICES[index]]
    for name in (instrument, label):
        if name:
            lowered = name.lower()
            for known, bounds in instrument_ranges.items():
                if known in lowered:
                    return bounds
    return None
