"""Checks on a score's raw bytes before any parser sees them.

A hostile file is cheapest to refuse before music21 builds objects from it: an XML entity bomb
expands to gigabytes inside the XML parser, a zip bomb inside ``zipfile``, and a ten-million-note
MIDI file inside music21's MIDI translator. These checks read the bytes once, in linear time and
constant memory, and raise ``ScoreError`` with one line for the learner.
"""

from __future__ import annotations

import io
import re
import struct
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from dataclasses import dataclass, field

from etude.limits import Limits
from etude.scores.errors import ScoreError
from etude.scores.midi import check_midi_structure

_DOCTYPE = re.compile(rb"<!doctype", re.IGNORECASE)
_ENTITY = re.compile(rb"<!entity", re.IGNORECASE)
_MXL_MEMBERS = 200


def check_xml_safety(data: bytes, name: str) -> None:
    """Refuse XML that declares entities or an internal DTD subset (XML bombs, XXE).

    MusicXML never needs either: the standard DOCTYPE only names the public DTD, which
    ``xml.etree`` never fetches. The check runs on the bytes in both 8-bit and UTF-16 views so
    an encoding trick cannot hide a declaration.

    >>> check_xml_safety(b'<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD" "x.dtd"><a/>', "s")
    >>> check_xml_safety(b'<!DOCTYPE a [<!ENTITY lol "lol">]><a>&lol;</a>', "bomb.xml")
    Traceback (most recent call last):
    ...
    etude.scores.loading.ScoreError: bomb.xml declares XML entities or an inline DTD (refused)
    """
    views = [data]
    if b"\x00" in data[:512]:
        for codec in ("utf-16-le", "utf-16-be"):
            views.append(data.decode(codec, errors="ignore").encode("utf-8", errors="ignore"))
    for view in views:
        if _ENTITY.search(view) or _has_internal_subset(view):
            raise ScoreError(f"{name} declares XML entities or an inline DTD (refused)")


def _has_internal_subset(view: bytes) -> bool:
    for match in _DOCTYPE.finditer(view):
        end = view.find(b">", match.end())
        declaration = view[match.end() : end if end >= 0 else len(view)]
        if b"[" in declaration:
            return True
    return False


def read_mxl(data: bytes, name: str, limits: Limits) -> bytes:
    """The MusicXML document inside an MXL archive, after checking the archive is safe.

    The archive's directory gives each member's uncompressed size, so an honest zip bomb is
    refused before anything is inflated. The directory can lie, though (a member that claims
    1 kB and inflates to 1 GB): members are therefore inflated a chunk at a time, and the bytes
    actually produced count against ``max_uncompressed_bytes``, so memory never holds more
    than the limit whatever the directory says. Only stored and deflated members are read (the
    two methods MusicXML allows; zipfile would inflate bzip2 and LZMA without a bound). Every
    XML member (``container.xml`` included, which music21 would parse too) is checked for
    entity declarations.
    """
    budget = limits.max_uncompressed_bytes
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > _MXL_MEMBERS:
                raise ScoreError(f"{name} holds too many files to be a score archive")
            total = sum(member.file_size for member in members)
            if total > budget:
                raise ScoreError(_unpacks_to(name, total, budget))
            documents: dict[str, bytes] = {}
            inflated = 0
            for member in members:
                if not member.filename.lower().endswith((".xml", ".musicxml")):
                    continue
                if member.compress_type not in _MXL_METHODS:
                    raise ScoreError(f"{name} uses a compression method MXL does not allow")
                content = _inflate(archive, member, budget - inflated, name, budget)
                inflated += len(content)
                check_xml_safety(content, name)
                documents[member.filename] = content
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,  # zipfile's answer to a compression method it cannot unpack
    ) as exc:
        raise ScoreError(f"{name} is a damaged or truncated MXL archive") from exc
    except (OSError, ValueError, RuntimeError) as exc:  # bad CRC, encrypted members, bad sizes
        if isinstance(exc, ScoreError):
            raise
        raise ScoreError(f"{name} is a damaged MXL archive") from exc
    root = _rootfile(documents.get("META-INF/container.xml"))
    if root is not None and root in documents:
        return documents[root]
    scores = [doc for path, doc in documents.items() if not path.startswith("META-INF/")]
    if not scores:
        raise ScoreError(f"{name} does not contain valid MusicXML data")
    return scores[0]


_MXL_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_INFLATE_CHUNK = 1 << 16


def _inflate(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, left: int, name: str, budget: int
) -> bytes:
    """One member's bytes, inflated ``_INFLATE_CHUNK`` at a time; refused as soon as it has
    produced more than ``left`` bytes (zipfile would inflate a whole deflate stream in one call,
    so a lying directory would cost the whole expansion in memory before any check)."""
    chunks: list[bytes] = []
    produced = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_INFLATE_CHUNK):
            produced += len(chunk)
            if produced > left:
                raise ScoreError(f"{name} unpacks to more than {budget / 1e6:.0f} MB, the limit")
            chunks.append(chunk)
    return b"".join(chunks)


def _unpacks_to(name: str, total: int, budget: int) -> str:
    return f"{name} unpacks to {total / 1e6:.0f} MB; the limit is {budget / 1e6:.0f} MB"


def _rootfile(container: bytes | None) -> str | None:
    if container is None:
        return None
    try:
        root = ElementTree.fromstring(container)
    except ElementTree.ParseError:
        return None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "rootfile" and element.get("full-path"):
            return element.get("full-path")
    return None


@dataclass(frozen=True)
class MidiScan:
    """What a MIDI file holds, counted from its events without building any music objects."""

    tracks: int
    notes: int
    events: int
    duration_ql: float
    smf: bytes = field(repr=False)
    """The file as the parser must read it: a six-byte header and the declared tracks, nothing
    else, each track in canonical form (``_scan_track``). music21 reads the first chunks after
    byte 14 as tracks whatever their kind or the header's length, so an unknown chunk (which the
    standard says to skip) or a longer header would otherwise hand it bytes this scan never
    counted; and it reads running status and unreleased notes otherwise than this scan does."""


def scan_midi(data: bytes, limits: Limits) -> MidiScan:
    """Count a Standard MIDI File's tracks, notes, events and length; refuse it over the limits.

    The scan stops as soon as a limit is passed, so a file with millions of notes costs no more
    than one at the limit.

    >>> from etude.limits import DEFAULT_LIMITS
    >>> header = b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480)
    >>> events = b"\\x00\\x90\\x3c\\x40\\x83\\x60\\x80\\x3c\\x00\\x00\\xff\\x2f\\x00"
    >>> scan_midi(header + b"MTrk" + struct.pack(">I", len(events)) + events, DEFAULT_LIMITS)
    MidiScan(tracks=1, notes=1, events=3, duration_ql=1.0)
    """
    if len(data) >= 14 and data.startswith(b"MThd"):
        (declared,) = struct.unpack(">H", data[10:12])
        if declared > limits.max_tracks:
            raise ScoreError(
                f"the MIDI file has {declared} tracks; the limit is {limits.max_tracks}"
            )
    smf = _declared_tracks(data)
    header = check_midi_structure(smf)
    ticks_per_quarter = _ticks_per_quarter(header.division)
    position = 14
    notes = events = 0
    longest = 0
    rewritten = [smf[:14]]
    while position + 8 <= len(smf):
        (length,) = struct.unpack(">I", smf[position + 4 : position + 8])
        body_start = position + 8
        chunk_start, position = position, body_start + length
        track_notes, track_events, ticks, canonical = _scan_track(
            smf,
            body_start,
            position,
            limits.max_notes - notes,
            limits.max_midi_events - events,
        )
        notes += track_notes
        events += track_events
        longest = max(longest, ticks)
        if notes > limits.max_notes:
            raise ScoreError(
                f"the MIDI file has more than {limits.max_notes:,} notes, Etude's limit"
            )
        if events > limits.max_midi_events:
            raise ScoreError(
                f"the MIDI file has more than {limits.max_midi_events:,} events, Etude's limit"
            )
        if canonical is None:
            rewritten.append(smf[chunk_start:position])
        else:
            rewritten.append(b"MTrk" + struct.pack(">I", len(canonical)) + canonical)
    rewritten.append(smf[position:])
    duration = longest / ticks_per_quarter
    if duration > limits.max_duration_ql:
        raise ScoreError(
            f"the MIDI file is too long ({duration:,.0f} quarter notes; "
            f"the limit is {limits.max_duration_ql:,.0f})"
        )
    smf = b"".join(rewritten)
    return MidiScan(tracks=header.tracks, notes=notes, events=events, duration_ql=duration, smf=smf)


def _declared_tracks(data: bytes) -> bytes:
    """``data`` rebuilt as a six-byte header and the tracks it declares, other chunks left out.

    From the first malformed chunk on (cut short, or a kind that is no name) the bytes are kept
    as they are, so that ``check_midi_structure`` reports the damage in its own words.
    """
    if len(data) < 14 or not data.startswith(b"MThd"):
        return data
    header_length, _file_type, tracks = struct.unpack(">IHH", data[4:12])
    if header_length < 6:
        return data
    kept = [b"MThd" + struct.pack(">I", 6) + data[8:14]]
    position = 8 + header_length
    found = others = 0
    while found < tracks and position < len(data):
        kind = data[position : position + 4]
        end = position + 8
        if end <= len(data):
            end += struct.unpack(">I", data[position + 4 : end])[0]
        if end > len(data) or (kind != b"MTrk" and not kind.isalnum()):
            kept.append(data[position:])
            break
        if kind == b"MTrk":
            kept.append(data[position:end])
            found += 1
        else:
            others += 1
            if others > _OTHER_CHUNKS:
                raise ScoreError(
                    f"the MIDI file holds more than {_OTHER_CHUNKS} chunks that are not tracks"
                )
        position = end
    return b"".join(kept)


_OTHER_CHUNKS = 64
"""Most chunks other than tracks (vendor data, which readers skip) that a MIDI file may hold."""


def _ticks_per_quarter(division: int) -> float:
    if division & 0x8000:
        # SMPTE time: frames per second times ticks per frame; count a quarter as half a second.
        frames = 256 - (division >> 8)
        return max(frames * (division & 0xFF), 1) / 2
    return float(division)


def _scan_track(
    data: bytes, start: int, end: int, notes_left: int, events_left: int
) -> tuple[int, int, int, bytes | None]:
    """Notes, events and ticks of one track, and the track rewritten in canonical form for the
    parser (None when the bytes are corrupt: the parser then decides what they mean). Stops
    early past a budget.

    Canonical form: every channel event carries its status byte (music21 resolves running
    status its own way: after a system-exclusive event, or at a track's start, it guesses), and
    notes still sounding at the end of the track are released there, as a player releases them
    (music21 drops a note that is never released, so a chord or melody without note-offs was
    counted here and then read as "no notes").
    """
    position = start
    running = 0
    notes = events = ticks = 0
    out = bytearray()
    sounding: dict[tuple[int, int], int] = {}
    pending_delta = 0
    corrupt = False
    while position < end:
        delta, position = _read_varlen(data, position, end)
        if position >= end:
            pending_delta += delta
            break
        ticks += delta
        status = data[position]
        if status & 0x80:
            position += 1
            if status < 0xF0:
                running = status
        elif running:
            status = running
        else:
            corrupt = True
            break
        events += 1
        if status == 0xFF:
            if position >= end:
                corrupt = True
                break
            length, after = _read_varlen(data, position + 1, end)
            if after + length > end:
                corrupt = True
                break
            if data[position] == 0x2F:  # end of track: release what still sounds first
                pending_delta += delta
                break
            size = after + length - position
        elif status in (0xF0, 0xF7):
            length, after = _read_varlen(data, position, end)
            if after + length > end:
                corrupt = True
                break
            size = after + length - position
        elif status >= 0xF0:
            size = _SYSTEM_SIZES.get(status, 0)
        else:
            high = status & 0xF0
            size = 1 if high in (0xC0, 0xD0) else 2
            if position + size > end:
                corrupt = True
                break
            if high == 0x90 and data[position + 1] > 0:
                notes += 1
                key = (status & 0x0F, data[position])
                sounding[key] = sounding.get(key, 0) + 1
            elif high in (0x80, 0x90):
                key = (status & 0x0F, data[position])
                if sounding.get(key, 0) > 0:
                    sounding[key] -= 1
        stamp = pending_delta + delta
        if stamp < 0x80:  # nearly every delta: one byte, no call
            out.append(stamp)
        else:
            out += _varlen(stamp)
        out.append(status)
        out += data[position : position + size]
        position += size
        pending_delta = 0
        if notes > notes_left or events > events_left:
            return notes, events, ticks, None
    if corrupt:
        return notes, events, ticks, None
    for (channel, pitch), count in sounding.items():
        for _ in range(count):
            out += _varlen(pending_delta) + bytes([0x80 | channel, pitch, 0])
            pending_delta = 0
    out += _varlen(pending_delta) + b"\xff\x2f\x00"
    return notes, events, ticks, bytes(out)


_SYSTEM_SIZES = {0xF1: 1, 0xF2: 2, 0xF3: 1}
"""Data bytes of the system common messages (which a file should not hold; they are kept)."""


def _varlen(value: int) -> bytes:
    """A MIDI variable-length quantity.

    >>> _varlen(0), _varlen(480)
    (b'\\x00', b'\\x83`')
    """
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(out))


def _read_varlen(data: bytes, position: int, end: int) -> tuple[int, int]:
    value = 0
    for _ in range(4):
        if position >= end:
            return value, end
        byte = data[position]
        position += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value, position
