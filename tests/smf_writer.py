"""Writing small Standard MIDI Files byte by byte, for cases music21 cannot write.

music21 always writes type-1 files on a clean grid; tests need type-0 piano files, files
without time signatures and "performed" timings off the grid, and the fuzz tests and benchmarks
need hostile and malformed ones.
"""

from __future__ import annotations

import struct


def varlen(value: int) -> bytes:
    """A MIDI variable-length quantity (delta times, meta and sysex lengths)."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(out))


def track(events: list[tuple[int, bytes]]) -> bytes:
    """A track chunk from (absolute tick, event bytes) pairs; adds the end-of-track event."""
    body = b""
    now = 0
    for tick, event in sorted(events, key=lambda item: item[0]):
        body += varlen(tick - now) + event
        now = tick
    body += b"\x00\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(body)) + body


def notes(spec: list[tuple[float, float, int]], division: int = 480, channel: int = 0) -> list:
    """Note-on/off events from (start, length, midi) in quarter notes."""
    events = []
    for start, length, pitch in spec:
        on, off = round(start * division), round((start + length) * division)
        events.append((on, bytes([0x90 | channel, pitch, 80])))
        events.append((off, bytes([0x80 | channel, pitch, 0])))
    return events


def time_signature(numerator: int, denominator_power: int) -> tuple[int, bytes]:
    return (0, b"\xff\x58\x04" + bytes([numerator, denominator_power, 24, 8]))


def tempo(bpm: float) -> tuple[int, bytes]:
    return (0, b"\xff\x51\x03" + int(60_000_000 / bpm).to_bytes(3, "big"))


def smf(tracks: list[bytes], file_type: int, division: int = 480) -> bytes:
    """A whole Standard MIDI File."""
    return b"MThd" + struct.pack(">IHHH", 6, file_type, len(tracks), division) + b"".join(tracks)
