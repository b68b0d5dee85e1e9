"""What the web page needs to show and play a score: notation text, notes and bar lines.

The browser renders notation (OpenSheetMusicDisplay for MusicXML, abcjs for ABC) but cannot
read MIDI, so MIDI and compressed MXL are converted to MusicXML here with music21. The piano
roll and the synthesiser draw and play from ``notes``, taken from the same parsed score the
critic analysed, so a finding's part numbers and offsets line up with what is drawn.
"""

from __future__ import annotations

import copy
import warnings
from typing import Literal

from music21 import clef, metadata, meter, stream
from music21.musicxml.m21ToXml import GeneralObjectExporter
from pydantic import BaseModel, Field

from etude.scores.loading import LoadedScore

NotationKind = Literal["musicxml", "abc"]

MIDDLE_C = 60


class RollNote(BaseModel):
    """One sounding pitch; chords become one note per pitch (names kept short: a chorale has
    hundreds of notes and the page fetches them all at once)."""

    p: int = Field(description="MIDI pitch number.")
    s: float = Field(description="Start, quarter notes from the start of the file.")
    d: float = Field(description="Duration in quarter notes.")
    v: int = Field(description="0-based part index, as in the critic's findings.")


class ScoreView(BaseModel):
    """Everything the studio draws for one uploaded score."""

    format: str
    notation_kind: NotationKind
    notation: str = Field(description="MusicXML or ABC text for the notation renderer.")
    parts: list[str] = Field(description="Part names in file order.")
    notes: list[RollNote]
    bar_offsets: list[float] = Field(description="Start of each bar in quarter notes, bar 1 first.")
    length_ql: float


def score_view(loaded: LoadedScore) -> ScoreView:
    """Build the display data for a loaded score.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from etude.scores.loading import load_score
    >>> tune = Path(tempfile.mkdtemp()) / "scale.abc"
    >>> _ = tune.write_text("X:1\\nT:Scale\\nM:4/4\\nL:1/4\\nK:C\\nCDEF|GABc|\\n")
    >>> view = score_view(load_score(tune))
    >>> view.notation_kind, view.bar_offsets, [n.p for n in view.notes][:4]
    ('abc', [0.0, 4.0], [60, 62, 64, 65])
    """
    score = loaded.score
    notes = roll_notes(score)
    length = max((n.s + n.d for n in notes), default=0.0)
    return ScoreView(
        format=loaded.format,
        notation_kind="abc" if loaded.format == "abc" else "musicxml",
        notation=_notation(loaded),
        parts=[_part_name(part, i) for i, part in enumerate(score.parts)],
        notes=notes,
        bar_offsets=bar_offsets(score, length),
        length_ql=round(length, 4),
    )


def roll_notes(score: stream.Score) -> list[RollNote]:
    """Every sounding pitch of every part, in time order (ties joined, rests skipped)."""
    notes: list[RollNote] = []
    for index, part in enumerate(score.parts):
        flat = part.stripTies().flatten()
        for element in flat.notes:
            start = float(element.getOffsetInHierarchy(flat))
            duration = float(element.quarterLength)
            if duration <= 0:
                continue
            for pitch in element.pitches:
                notes.append(
                    RollNote(p=int(pitch.midi), s=round(start, 4), d=round(duration, 4), v=index)
                )
    notes.sort(key=lambda n: (n.s, n.v, n.p))
    return notes


def bar_offsets(score: stream.Score, length: float) -> list[float]:
    """Bar starts from the first part that has measures; from the time signature otherwise
    (a split keyboard track has none), which is how the critic numbers bars too."""
    for part in score.parts:
        measures = list(part.getElementsByClass(stream.Measure))
        if measures:
            return [round(float(m.getOffsetInHierarchy(part)), 4) for m in measures]
    signatures = list(score.recurse().getElementsByClass(meter.TimeSignature))
    bar = float(signatures[0].barDuration.quarterLength) if signatures else 4.0
    count = max(1, int(-(-length // bar)))
    return [round(i * bar, 4) for i in range(count)]


def _notation(loaded: LoadedScore) -> str:
    data = loaded.path.read_bytes()
    if loaded.format == "abc":
        return data.decode("utf-8", errors="replace")
    if loaded.format == "musicxml" and not data.startswith(b"PK"):
        return data.decode("utf-8", errors="replace")
    # A copy, because the parsed score is shared with the critic through the loader's cache.
    score = loaded.score.makeNotation() if loaded.keyboard_split else copy.deepcopy(loaded.score)
    for part in score.parts:
        octave_treble(part)
    if not score.metadata or not score.metadata.title:
        score.metadata = metadata.Metadata(title=loaded.path.stem)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GeneralObjectExporter(score).parse().decode("utf-8")


def octave_treble(part: stream.Part) -> None:
    """Write a part in treble clef that sounds mostly below middle C (a tenor line, read from
    a MIDI file, which has no clefs) with the octave-treble clef singers read it in, instead of
    ledger lines under a plain treble staff.

    >>> from music21 import converter
    >>> tenor = converter.parse("tinyNotation: 4/4 G4 A4 B4 c4", makeNotation=True)
    >>> tenor.getElementsByClass(stream.Measure)[0].clef = clef.TrebleClef()  # as MIDI reads
    >>> octave_treble(tenor); type(tenor.recurse().getElementsByClass(clef.Clef)[0]).__name__
    'Treble8vbClef'
    """
    pitches = sorted(p.midi for p in part.flatten().pitches)
    if not pitches or pitches[len(pitches) // 2] >= MIDDLE_C:
        return
    for found in list(part.recurse().getElementsByClass(clef.Clef)):
        if type(found) is clef.TrebleClef:
            found.activeSite.replace(found, clef.Treble8vbClef())


def _part_name(part: stream.Part, index: int) -> str:
    instrument = part.getInstrument()
    name = part.partName or (instrument.instrumentName if instrument is not None else None)
    return str(name) if name else f"Part {index + 1}"
