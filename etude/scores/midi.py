"""MIDI specifics: checking a Standard MIDI File's structure and splitting a keyboard track.

music21 reads MIDI well once the file is sound, but on a cut-off or corrupt file it fails deep
inside with an ``IndexError`` or loops on garbage; checking the chunk structure first lets the
learner hear "the file is truncated" instead. A type-0 piano file has one track holding both
hands, while the critic reasons about a melody and a bass, so such a track is split by pitch.
"""

from __future__ import annotations

import copy
import struct
from dataclasses import dataclass

from music21 import chord, note, stream

QUANTIZE_DIVISORS: tuple[int, ...] = (4, 3)
"""Grid for performed MIDI: sixteenth notes and eighth-note triplets, music21's own default."""


class MidiStructureError(ValueError):
    """The bytes are not a well-formed Standard MIDI File; the message is learner-readable."""


@dataclass(frozen=True)
class MidiHeader:
    """The facts from a Standard MIDI File's header chunk."""

    file_type: int
    tracks: int
    division: int


def check_midi_structure(data: bytes) -> MidiHeader:
    """Validate the header and the chunk lengths of a Standard MIDI File.

    >>> header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480)
    >>> track = b"MTrk" + struct.pack(">I", 4) + b"\\x00\\xff\\x2f\\x00"
    >>> check_midi_structure(header + track)
    MidiHeader(file_type=0, tracks=1, division=480)
    >>> check_midi_structure(header + track[:6])
    Traceback (most recent call last):
    ...
    etude.scores.midi.MidiStructureError: the MIDI file is truncated: track 1 of 1 is cut short
    """
    if len(data) < 14 or not data.startswith(b"MThd"):
        raise MidiStructureError("not a Standard MIDI File (the 'MThd' header is missing)")
    header_length, file_type, tracks, division = struct.unpack(">IHHH", data[4:14])
    if header_length < 6 or file_type not in (0, 1, 2):
        raise MidiStructureError("the MIDI header is corrupt (unknown header size or file type)")
    if tracks == 0:
        raise MidiStructureError("the MIDI file declares no tracks")
    if division == 0:
        raise MidiStructureError("the MIDI header is corrupt (zero time division)")
    position = 8 + header_length
    found = 0
    while position < len(data) and found < tracks:
        if position + 8 > len(data):
            raise MidiStructureError(
                f"the MIDI file is truncated: track {found + 1} of {tracks} is cut short"
            )
        kind = data[position : position + 4]
        (length,) = struct.unpack(">I", data[position + 4 : position + 8])
        if position + 8 + length > len(data):
            raise MidiStructureError(
                f"the MIDI file is truncated: track {found + 1} of {tracks} is cut short"
            )
        if kind == b"MTrk":
            found += 1
        elif not kind.isalnum():
            raise MidiStructureError(f"the MIDI file is corrupt after track {found}")
        position += 8 + length
    if found < tracks:
        raise MidiStructureError(
            f"the MIDI file is truncated: it declares {tracks} tracks but holds {found}"
        )
    return MidiHeader(file_type=file_type, tracks=tracks, division=division)


def is_polyphonic(part: stream.Part) -> bool:
    """Whether a part sounds more than one note at a time somewhere (chords or overlaps)."""
    last_end = -1.0
    for element in part.flatten().notes:
        if isinstance(element, chord.Chord) and len(element.pitches) > 1:
            return True
        start = float(element.offset)
        if start < last_end - 1e-6:
            return True
        last_end = max(last_end, start + float(element.quarterLength))
    return False


def split_keyboard_part(part: stream.Part) -> tuple[stream.Part, stream.Part]:
    """Split one keyboard part into an upper melody part and a lower accompaniment part.

    At each onset the highest note goes to the melody and the rest to the accompaniment; a
    lone note joins whichever line it is closer to, so a bass note between chords stays in the
    bass. The melody comes out monophonic (a new melody note cuts the previous one short).

    >>> from music21 import chord, stream
    >>> piano = stream.Part([chord.Chord(["C3", "E4", "G4", "C5"], quarterLength=1),
    ...                      chord.Chord(["G2", "D4", "B4"], quarterLength=1)])
    >>> upper, lower = split_keyboard_part(piano)
    >>> [n.nameWithOctave for n in upper.flatten().notes]
    ['C5', 'B4']
    >>> [c.bass().nameWithOctave for c in lower.flatten().notes]
    ['C3', 'G2']
    """
    flat = part.flatten()
    onsets: dict[float, list[tuple[int, float, note.Note]]] = {}
    for element in flat.notes:
        start = float(element.offset)
        length = float(element.quarterLength)
        members = element.notes if isinstance(element, chord.Chord) else [element]
        for member in members:
            if not isinstance(member, note.Note):
                continue  # unpitched percussion has no place in a melody or a bass
            onsets.setdefault(start, []).append((member.pitch.midi, length, member))
    upper = stream.Part(id="melody")
    lower = stream.Part(id="accompaniment")
    upper.partName, lower.partName = "Melody", "Accompaniment"
    last_upper, last_lower = 72, 48
    melody: list[tuple[float, float, note.Note]] = []
    for start in sorted(onsets):
        group = sorted(onsets[start], key=lambda item: item[0])
        if len(group) > 1 or abs(group[0][0] - last_upper) <= abs(group[0][0] - last_lower):
            top = group[-1]
            melody.append((start, top[1], top[2]))
            last_upper = top[0]
            group = group[:-1]
        if group:
            last_lower = group[0][0]
            length = max(item[1] for item in group)
            pitches = [item[2].pitch for item in group]
            accompaniment = note.Note(pitches[0]) if len(pitches) == 1 else chord.Chord(pitches)
            accompaniment.quarterLength = length
            lower.coreInsert(start, accompaniment)
    for index, (start, length, source) in enumerate(melody):
        if index + 1 < len(melody):
            length = min(length, melody[index + 1][0] - start)
        upper.coreInsert(start, note.Note(source.pitch, quarterLength=max(length, 0.25)))
    for context in flat.getElementsByClass(["TimeSignature", "KeySignature", "MetronomeMark"]):
        # One music21 object should live in one hierarchy, so each part gets its own copy.
        upper.coreInsert(float(context.offset), copy.deepcopy(context))
        lower.coreInsert(float(context.offset), copy.deepcopy(context))
    upper.coreElementsChanged()
    lower.coreElementsChanged()
    return upper, lower
