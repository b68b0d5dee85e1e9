"""MusicXML for the short examples a learner can hear, written directly.

An example (:mod:`etude.theory.hearing`) is one part in 4/4 whose bars are filled exactly by
notes and chords of a quarter, half, dotted half or whole note. music21 writes that through
``makeMeasures`` and its general exporter in about 10 ms, a sixth of a chord question's whole
turn, and stamps each file with the day's date and a random part id. Written here it takes a
few hundred microseconds and the same notes always give the same file. The tests parse what
this writes back with music21 and compare pitches, durations and bars with the example; a
shape it does not cover (a note across a barline, another length) gives None, and the caller
keeps music21's exporter for it.

>>> xml = example_musicxml([["C4"], ["E-4"], ["C4", "E-4", "G4"]], [1, 3, 4], "Cm")
>>> "<movement-title>Cm</movement-title>" in xml, xml.count("<measure "), xml.count("<chord/>")
(True, 2, 2)
>>> example_musicxml([["C4"]], [5]) is None  # five beats cross the barline
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

BEATS_PER_BAR = 4

NOTE_TYPES: dict[int, tuple[str, bool]] = {
    1: ("quarter", False),
    2: ("half", False),
    3: ("half", True),
    4: ("whole", False),
}
"""Length in quarter notes → MusicXML note type and whether it is dotted."""

ACCIDENTALS: dict[int, str] = {
    -2: "flat-flat",
    -1: "flat",
    0: "natural",
    1: "sharp",
    2: "double-sharp",
}

_NAME = re.compile(r"([A-G])(#{1,2}|-{1,2})?(-?\d+)")

_HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
    '"http://www.musicxml.org/dtds/partwise.dtd">\n'
    '<score-partwise version="4.0">\n'
)


def example_musicxml(
    events: Sequence[Sequence[str]], lengths: Sequence[int], title: str = ""
) -> str | None:
    """One part in 4/4, treble clef (as music21 writes these examples): each event a note or
    a chord (pitch names as music21 spells them, ``"E-4"``), ``lengths`` in quarter notes;
    None for a shape this writer does not cover."""
    if len(events) != len(lengths) or not events:
        return None
    bars: list[list[tuple[Sequence[str], int]]] = [[]]
    filled = 0
    for group, length in zip(events, lengths, strict=True):
        if length not in NOTE_TYPES or not group or filled + length > BEATS_PER_BAR:
            return None
        bars[-1].append((group, length))
        filled += length
        if filled == BEATS_PER_BAR:
            bars.append([])
            filled = 0
    if filled:
        return None  # the last bar must be full: examples end on a barline
    bars.pop()
    body = []
    for number, bar in enumerate(bars, 1):
        measure = _measure(number, bar, last=number == len(bars))
        if measure is None:
            return None
        body.append(measure)
    return (
        _HEADER
        + f"  <movement-title>{escape(title)}</movement-title>\n"
        + '  <part-list>\n    <score-part id="P1">\n      <part-name/>\n'
        + "    </score-part>\n  </part-list>\n"
        + '  <part id="P1">\n'
        + "".join(body)
        + "  </part>\n</score-partwise>\n"
    )


def _measure(number: int, bar: list[tuple[Sequence[str], int]], *, last: bool) -> str | None:
    lines = [f'    <measure number="{number}">\n']
    if number == 1:
        lines.append(
            "      <attributes>\n        <divisions>1</divisions>\n"
            "        <time>\n          <beats>4</beats>\n          <beat-type>4</beat-type>\n"
            "        </time>\n        <clef>\n          <sign>G</sign>\n          <line>2</line>\n"
            "        </clef>\n      </attributes>\n"
        )
    shown: dict[tuple[str, str], int] = {}  # the alteration in force for a step and octave
    for group, length in bar:
        kind, dotted = NOTE_TYPES[length]
        for index, name in enumerate(group):
            found = _NAME.fullmatch(name)
            if found is None:
                return None
            step, sign, octave = found.group(1), found.group(2) or "", found.group(3)
            alter = len(sign) * (1 if sign.startswith("#") else -1)
            lines.append("      <note>\n")
            if index:
                lines.append("        <chord/>\n")
            lines.append(f"        <pitch>\n          <step>{step}</step>\n")
            if alter:
                lines.append(f"          <alter>{alter}</alter>\n")
            lines.append(f"          <octave>{octave}</octave>\n        </pitch>\n")
            lines.append(f"        <duration>{length}</duration>\n        <type>{kind}</type>\n")
            if dotted:
                lines.append("        <dot/>\n")
            if shown.get((step, octave), 0) != alter:
                lines.append(f"        <accidental>{ACCIDENTALS[alter]}</accidental>\n")
            shown[(step, octave)] = alter
            lines.append("      </note>\n")
    if last:
        lines.append(
            '      <barline location="right">\n        <bar-style>light-heavy</bar-style>\n'
            "      </barline>\n"
        )
    lines.append("    </measure>\n")
    return "".join(lines)
