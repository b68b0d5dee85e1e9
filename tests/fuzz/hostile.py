"""Builders of hostile score files: the attacks ``etude.limits`` exists to stop.

Shared by the fuzz tests and ``bench/fuzz_report.py`` so both measure the same files.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from tests.smf_writer import varlen

XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
PARTWISE = (
    '<score-partwise version="4.0"><part-list><score-part id="P1"><part-name>{name}'
    '</part-name></score-part></part-list><part id="P1"><measure number="1">'
    "<attributes><divisions>1</divisions></attributes>"
    "<note><pitch><step>C</step><octave>4</octave></pitch><duration>{duration}</duration></note>"
    "</measure></part></score-partwise>"
)


def sparse_file(path: Path, size: int = 1 << 30) -> Path:
    """A file of ``size`` bytes that takes no disk space (a 1 GB upload by default)."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def billion_laughs(levels: int = 10) -> bytes:
    """The classic XML entity bomb: ten levels of ten references expand to 10^levels 'lol's."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    doctype = f"<!DOCTYPE score-partwise [{''.join(entities)}]>"
    return (XML_HEAD + doctype + PARTWISE.format(name=f"&lol{levels - 1};", duration=1)).encode()


def external_entity(target: str = "file:///etc/passwd") -> bytes:
    """XXE: an entity that asks the parser to read a local file into the part name."""
    doctype = f'<!DOCTYPE score-partwise [<!ENTITY xxe SYSTEM "{target}">]>'
    return (XML_HEAD + doctype + PARTWISE.format(name="&xxe;", duration=1)).encode()


def musicxml(name: str = "Flute", duration: int = 1) -> bytes:
    """A one-note MusicXML score with the standard public DOCTYPE (which must be accepted)."""
    doctype = (
        '<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
        '"http://www.musicxml.org/dtds/partwise.dtd">'
    )
    return (XML_HEAD + doctype + PARTWISE.format(name=name, duration=duration)).encode()


def musicxml_notes(count: int) -> bytes:
    """A MusicXML score of ``count`` quarter notes, four to a bar: a real parse that needs tens
    of megabytes, far more than any free memory a forked worker inherits."""
    note = "<note><pitch><step>C</step><octave>4</octave></pitch><duration>1</duration></note>"
    bars = "".join(
        f'<measure number="{n + 1}">{note * 4}</measure>' for n in range(max(count // 4, 1))
    )
    head = PARTWISE.split('<measure number="1">', 1)[0].format(name="Flute")
    attributes = "<attributes><divisions>1</divisions></attributes>"
    body = head + bars.replace("<note>", attributes + "<note>", 1) + "</part></score-partwise>"
    return (XML_HEAD + body).encode()


def zip_bomb(inflated: int = 200_000_000) -> bytes:
    """An MXL archive whose score member inflates to ``inflated`` bytes of spaces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("score.xml", musicxml())
        chunk = b" " * (1 << 20)
        with archive.open("filler.xml", "w", force_zip64=True) as member:
            for _ in range(inflated // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def unknown_compression(method: int = 97) -> bytes:
    """An MXL archive whose score member claims a compression method zipfile cannot unpack
    (97 is WavPack): zipfile answers with NotImplementedError, not a BadZipFile."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("score.xml", musicxml())
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(signature)
        data[at + offset : at + offset + 2] = method.to_bytes(2, "little")
    return bytes(data)


def _smf(tracks: list[bytes], division: int = 480) -> bytes:
    header = b"MThd" + struct.pack(">IHHH", 6, 1 if len(tracks) > 1 else 0, len(tracks), division)
    return header + b"".join(b"MTrk" + struct.pack(">I", len(t)) + t for t in tracks)


def midi_with_notes(count: int) -> bytes:
    """A type-0 MIDI file of ``count`` sixteenth notes in running status (6 bytes a note)."""
    note = b"\x00\x3c\x40" + b"\x78\x3c\x00"  # on at delta 0, off after 120 ticks
    events = b"\x00\x90\x3c\x40\x78\x3c\x00" + note * (count - 1) + b"\x00\xff\x2f\x00"
    return _smf([events])


def midi_long_note(ticks: int = (1 << 28) - 1, division: int = 1) -> bytes:
    """One note lasting ``ticks`` ticks: a few bytes that declare a piece millions of bars long."""
    events = b"\x00\x90\x3c\x40" + varlen(ticks) + b"\x80\x3c\x00\x00\xff\x2f\x00"
    return _smf([events], division=division)


def midi_hidden_notes(count: int = 3_000_000) -> bytes:
    """``count`` notes in a chunk that is not a track, before the file's one real track.

    Readers must skip unknown chunks; music21 instead reads the first chunks as tracks whatever
    their kind, so a pre-scan that only counts ``MTrk`` chunks would let these notes through.
    """
    note = b"\x00\x3c\x40" + b"\x78\x3c\x00"
    hidden = b"\x00\x90\x3c\x40\x78\x3c\x00" + note * (count - 1) + b"\x00\xff\x2f\x00"
    track = b"\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480)
    chunks = [(b"XNTS", hidden), (b"MTrk", track)]
    return header + b"".join(kind + struct.pack(">I", len(body)) + body for kind, body in chunks)


def midi_many_chunks(count: int = 2_000_000) -> bytes:
    """``count`` empty chunks, then the one real track: millions of loop turns for a reader
    that walks every chunk."""
    track = b"\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\xff\x2f\x00"
    header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480)
    return header + b"XTRA\0\0\0\0" * count + b"MTrk" + struct.pack(">I", len(track)) + track


def midi_many_tracks(count: int = 300) -> bytes:
    """``count`` one-note tracks."""
    track = b"\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\xff\x2f\x00"
    return _smf([track] * count)


def midi_track_named(name: str, pitches: tuple[int, ...] = (60, 62, 64, 65, 67)) -> bytes:
    """A one-track melody whose track name (meta event 0x03) is ``name``."""
    raw = name.encode("utf-8")
    events = b"\x00\xff\x03" + varlen(len(raw)) + raw
    for pitch in pitches:
        events += bytes([0x00, 0x90, pitch, 0x50, 0x83, 0x60, 0x80, pitch, 0x00])
    return _smf([events + b"\x00\xff\x2f\x00"])


def lying_zip_bomb(inflated: int = 1 << 30, declared: int = 1000) -> bytes:
    """An MXL archive whose one XML member inflates to ``inflated`` bytes of spaces while its
    directory (and local header) claim ``declared``: a check of the directory's sizes passes,
    and a reader that inflates a member in one call holds ``inflated`` bytes at once.

    Built by hand from one deflated megabyte, so building it needs no more memory than the
    file itself (~1 MB per GB inflated)."""
    name = b"score.xml"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * (1 << 20)
    # After a full flush the compressor starts afresh, so every megabyte deflates to the same
    # bytes: deflate one, repeat it, then close the stream.
    piece = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(inflated // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    body = piece * (inflated // len(chunk)) + packer.flush()
    fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0, crc, len(body), declared)
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(name), 0) + name
    central = (
        b"PK\x01\x02" + struct.pack("<H", 20) + fields
        + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, 0) + name
    )  # fmt: skip
    end = b"PK\x05\x06" + struct.pack(
        "<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(body), 0
    )
    return local + body + central + end


def abc_tie_chain(bars: int = 700) -> bytes:
    """An ABC tune of ``bars`` bars of tied half notes: a few kilobytes that music21 reads in
    time quadratic in the bars (its beaming looks up the time signature of every bar through
    the whole part), and then takes as long again to play back."""
    return ("X:1\nT:Ties\nM:4/4\nL:1/8\nK:C\n" + "C4-C4-|" * bars + "C8|]\n").encode()


def musicxml_repeat(times: int = 10**8) -> bytes:
    """One bar repeated ``times`` times: parsed in a blink, played back for ever."""
    repeat = (
        '<barline location="right"><bar-style>light-heavy</bar-style>'
        f'<repeat direction="backward" times="{times}"/></barline></measure>'
    )
    return musicxml().decode().replace("</measure>", repeat, 1).encode()


def midi_cluster(size: int = 128) -> bytes:
    """A chord of ``size`` notes (every MIDI pitch, by default), struck in running status and
    never released: players sound it to the end of the track."""
    events = b"\x00\x90\x00\x40" + b"".join(b"\x00" + bytes([p, 64]) for p in range(1, size))
    return _smf([events + b"\x83\x60\xff\x2f\x00"])
