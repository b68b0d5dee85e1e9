"""Malformed score files from a seeded random generator, one function per format.

Pure random bytes die at the first header check, so each generator builds a file that is
almost right (real chunk framing, real MusicXML elements, real ABC syntax) with wrong, extreme
or missing values, then sometimes damages the bytes. The hypothesis fuzz targets and
``bench/fuzz_report.py`` share these functions: hypothesis supplies the ``random.Random``.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile

from tests.smf_writer import varlen

EXTREMES = (0, 1, -1, 2, 3, 7, 127, 128, 255, 256, 65535, 2**31 - 1, 2**31, 10**12)


def number(rng: random.Random, low: int, high: int, odd: float = 0.03) -> int:
    """Usually a sensible value, with probability ``odd`` an extreme one."""
    return rng.choice(EXTREMES) if rng.random() < odd else rng.randint(low, high)


def pick(rng: random.Random, usual: tuple[object, ...], odd: tuple[object, ...]) -> object:
    """Usually one of ``usual``, sometimes (2%) one of ``odd``."""
    return rng.choice(odd) if rng.random() < 0.02 else rng.choice(usual)


def damage(data: bytes, rng: random.Random) -> bytes:
    """Leave ``data`` alone half the time; otherwise flip, cut, duplicate or splice bytes."""
    if not data or rng.random() < 0.6:
        return data
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        position = rng.randrange(len(buffer)) if buffer else 0
        if choice < 0.35 and buffer:
            buffer[position] = rng.randrange(256)
        elif choice < 0.55:
            del buffer[position:]
        elif choice < 0.75:
            end = min(len(buffer), position + rng.randint(1, 64))
            buffer[position:position] = buffer[position:end] * rng.randint(1, 8)
        elif choice < 0.9 and buffer:
            del buffer[position : position + rng.randint(1, 32)]
        else:
            buffer[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        if not buffer:
            break
    return bytes(buffer) or data[:1]


def _varlen(value: int) -> bytes:
    """A variable-length quantity, clamped to the four bytes the format allows."""
    return varlen(max(0, min(value, 0x0FFFFFFF)))


def _midi_event(rng: random.Random) -> bytes:
    channel = rng.randrange(16)
    kind = rng.random()
    if kind < 0.55:  # a whole note: on, a length, off (or on with velocity 0)
        pitch = rng.randrange(128)
        off = bytes([0x80 | channel, pitch, 0]) if rng.random() < 0.5 else bytes([pitch, 0])
        length = _varlen(rng.choice((60, 120, 240, 480, 960)))
        return bytes([0x90 | channel, pitch, rng.choice((1, 64, 100, 127))]) + length + off
    if kind < 0.65:
        return bytes([0x90 | channel, rng.randrange(128), rng.choice((0, 64))])
    if kind < 0.7:
        return bytes([0x80 | channel, rng.randrange(128), rng.randrange(128)])
    if kind < 0.75:
        return bytes([0xB0 | channel, rng.randrange(128), rng.randrange(128)])
    if kind < 0.78:
        return bytes([0xC0 | channel, rng.randrange(128)])
    if kind < 0.8:
        return bytes([0xE0 | channel, rng.randrange(128), rng.randrange(128)])
    meta_type = rng.choice((0x01, 0x02, 0x03, 0x04, 0x05, 0x51, 0x58, 0x59, 0x2F, 0x7F, 0x21))
    lengths = {0x51: 3, 0x58: 4, 0x59: 2, 0x2F: 0, 0x21: 1}
    size: int = lengths.get(meta_type, rng.randint(0, 40))
    if rng.random() < 0.1:
        size = rng.randint(0, 300)
    payload = bytes(rng.randrange(256) for _ in range(size))
    if kind < 0.95:
        return b"\xff" + bytes([meta_type]) + _varlen(size) + payload
    return b"\xf0" + _varlen(size) + payload


def midi_file(rng: random.Random) -> bytes:
    """A Standard MIDI File with plausible framing and implausible content."""
    tracks = []
    for _ in range(rng.choice((1, 1, 2, 3, 4, 9))):
        body = b""
        for _ in range(rng.randint(0, 60)):
            delta = (
                rng.choice((0, 0, 120, 240, 480))
                if rng.random() < 0.995
                else number(rng, 0, 9999, 0.5)
            )
            body += _varlen(delta) + _midi_event(rng)
        if rng.random() < 0.9:
            body += b"\x00\xff\x2f\x00"
        tracks.append(body)
    usual_type = 0 if len(tracks) == 1 else 1
    file_type = rng.choice((0, 1, 2, 3)) if rng.random() < 0.1 else usual_type
    declared = len(tracks) if rng.random() < 0.95 else number(rng, 0, 20, 0.3) % 65536
    division = int(str(pick(rng, (96, 480, 960), (1, 24, 0x7FFF, 0xE728, 0))))
    header = b"MThd" + struct.pack(">IHHH", 6, file_type % 65536, declared, division)
    chunks = b"".join(b"MTrk" + struct.pack(">I", len(t)) + t for t in tracks)
    return damage(header + chunks, rng)


_STEPS = ("C", "D", "E", "F", "G", "A", "B")
_ODD_STEPS = ("H", "", "c", "X")
_TYPES = ("whole", "half", "quarter", "eighth", "16th")
_ODD_TYPES = ("1024th", "maxima", "bogus")


def _xml_note(rng: random.Random) -> str:
    parts = ["<note>"]
    if rng.random() < 0.15:
        parts.append("<chord/>")
    if rng.random() < 0.1:
        parts.append("<grace/>")
    if rng.random() < 0.15:
        parts.append("<rest/>")
    else:
        alter_value = pick(rng, (-1, 1), (-2, 2, 0.5, 99))
        alter = f"<alter>{alter_value}</alter>" if rng.random() < 0.3 else ""
        octave = number(rng, 1, 7) if rng.random() < 0.995 else "x"
        step = pick(rng, _STEPS, _ODD_STEPS)
        parts.append(f"<pitch><step>{step}</step>{alter}<octave>{octave}</octave></pitch>")
    if rng.random() < 0.95:
        parts.append(f"<duration>{number(rng, 1, 8)}</duration>")
    if rng.random() < 0.2:
        parts.append(f'<tie type="{rng.choice(("start", "stop", "x"))}"/>')
    if rng.random() < 0.3:
        parts.append(f"<voice>{number(rng, 1, 4)}</voice>")
    if rng.random() < 0.6:
        parts.append(f"<type>{pick(rng, _TYPES, _ODD_TYPES)}</type>")
    if rng.random() < 0.05:
        parts.append("<dot/>" * rng.randint(1, 6))
    if rng.random() < 0.05:
        actual, normal = number(rng, 1, 7), number(rng, 1, 7)
        parts.append(
            f"<time-modification><actual-notes>{actual}</actual-notes>"
            f"<normal-notes>{normal}</normal-notes></time-modification>"
        )
    if rng.random() < 0.1:
        text = rng.choice(("la", "&amp;", "\u202e", "x" * 50))
        parts.append(f"<lyric><text>{text}</text></lyric>")
    parts.append("</note>")
    return "".join(parts)


def _xml_measure(rng: random.Random, number_: int) -> str:
    parts = [f'<measure number="{pick(rng, (number_,), ("", "x", -1))}">']
    if number_ == 1 or rng.random() < 0.1:
        beats = pick(rng, (2, 3, 4, 6), (number(rng, 1, 12, 0.5), "3+2", "x"))
        beat_type = pick(rng, (2, 4, 8), (1, 16, 0, 3, 64))
        clef = pick(rng, ("G", "F", "C"), ("percussion", "TAB", "Q"))
        parts.append(
            f"<attributes><divisions>{pick(rng, (1, 2, 4, 480), (0, -1, 10**9))}</divisions>"
            f"<key><fifths>{number(rng, -7, 7)}</fifths></key>"
            f"<time><beats>{beats}</beats><beat-type>{beat_type}</beat-type></time>"
            f"<clef><sign>{clef}</sign></clef></attributes>"
        )
    for _ in range(rng.randint(0, 8)):
        roll = rng.random()
        if roll < 0.9:
            parts.append(_xml_note(rng))
        elif roll < 0.95:
            parts.append(f"<backup><duration>{number(rng, 1, 16)}</duration></backup>")
        else:
            parts.append(f"<forward><duration>{number(rng, 1, 16)}</duration></forward>")
    parts.append("</measure>")
    return "".join(parts)


def musicxml_file(rng: random.Random) -> bytes:
    """A partwise MusicXML score with odd values in real elements, sometimes zipped (MXL)."""
    count = rng.choice((1, 1, 2, 4))
    ids = [f"P{i}" for i in range(1, count + 1)]
    part_list = "".join(
        f'<score-part id="{pid}"><part-name>Part {pid}</part-name></score-part>' for pid in ids
    )
    parts = []
    for pid in ids:
        part_id = pick(rng, (pid,), ("Q9",))
        measures = "".join(_xml_measure(rng, n) for n in range(1, rng.randint(1, 6)))
        parts.append(f'<part id="{part_id}">{measures}</part>')
    title = "<work><work-title>Fuzz</work-title></work>" if rng.random() < 0.5 else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<score-partwise version="4.0">{title}<part-list>{part_list}</part-list>'
        f"{''.join(parts)}</score-partwise>"
    ).encode()
    if rng.random() < 0.15:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "META-INF/container.xml",
                '<container><rootfiles><rootfile full-path="score.xml"/></rootfiles></container>',
            )
            archive.writestr("score.xml", body)
        return damage(buffer.getvalue(), rng)
    return damage(body, rng)


_ABC_BODY = (
    "C",
    "D",
    "E",
    "F",
    "G",
    "A",
    "B",
    "c",
    "d",
    "e",
    "f",
    "g",
    "a",
    "b",
    "z",
    "x",
    "^",
    "_",
    "=",
    ",",
    "'",
    "2",
    "3",
    "/",
    "//",
    "4",
    "|",
    "||",
    "|]",
    "|:",
    ":|",
    "::",
    "[1",
    "[2",
    "[CEG]",
    "(3",
    "(5",
    "{g}",
    "!trill!",
    "-",
    ">",
    "<",
    "(",
    ")",
    " ",
    "\n",
    "[M:3/4]",
    "[K:Bb]",
    "[L:1/16]",
    '"Am"',
    ".",
    "~",
    "y",
    "%",
    "\\\n",
    "&",
    "Z4",
    "^^",
    "__",
)
_ABC_HEADERS = {
    "T": ("Tune", "", "x" * 80),
    "M": ("4/4", "3/4", "6/8", "C", "C|", "none", "0/4", "4/0", "99/1", "x"),
    "L": ("1/8", "1/4", "1/16", "1/0", "0", "x", "1/1024"),
    "Q": ("1/4=120", "120", "0", "1/4=0", "x"),
    "K": ("C", "G", "Dm", "Bb", "F#mix", "none", "HP", "Xyz", "C clef=bass", ""),
    "W": ("words", ""),
    "V": ("1", "2 clef=bass", ""),
}


def abc_file(rng: random.Random) -> bytes:
    """One or more ABC tunes with odd header values and a random but ABC-like body."""
    tunes = []
    for index in range(rng.choice((1, 1, 1, 2, 3))):
        lines = [f"X:{index + 1 if rng.random() < 0.9 else rng.choice(('', 'x'))}"]
        for field in ("T", "M", "L", "Q", "V", "W"):
            if rng.random() < 0.6:
                lines.append(f"{field}:{rng.choice(_ABC_HEADERS[field])}")
        lines.append(f"K:{rng.choice(_ABC_HEADERS['K'])}")
        lines.append("".join(rng.choice(_ABC_BODY) for _ in range(rng.randint(0, 80))))
        tunes.append("\n".join(lines))
    return damage("\n\n".join(tunes).encode(), rng)


GENERATORS = {"midi": midi_file, "musicxml": musicxml_file, "abc": abc_file}
SUFFIXES = {"midi": ".mid", "musicxml": ".musicxml", "abc": ".abc"}
