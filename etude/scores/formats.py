"""Recognising a score file's format from its bytes, with the file name only as a hint.

Learners rename files, browsers upload ``.xml`` for ``.mxl`` and ``.txt`` for ABC, so the
content decides; the extension only breaks ties when the content is ambiguous.
"""

from __future__ import annotations

from typing import Literal

ScoreFormat = Literal["midi", "musicxml", "abc"]

EXTENSIONS: dict[str, ScoreFormat] = {
    ".mid": "midi",
    ".midi": "midi",
    ".smf": "midi",
    ".kar": "midi",
    ".musicxml": "musicxml",
    ".xml": "musicxml",
    ".mxl": "musicxml",
    ".abc": "abc",
}
"""File-name endings Etude accepts, and the format each one usually holds."""

_ZIP_MAGIC = b"PK\x03\x04"
_ABC_HEADER_FIELDS = ("X:", "T:", "M:", "L:", "K:")


def detect_format(data: bytes, suffix: str = "") -> ScoreFormat | None:
    """The format of a score given its bytes, or ``None`` if it is none Etude reads.

    >>> detect_format(b"MThd\\x00\\x00\\x00\\x06\\x00\\x00\\x00\\x01\\x01\\xe0")
    'midi'
    >>> detect_format(b'<?xml version="1.0"?><score-partwise version="4.0"/>')
    'musicxml'
    >>> detect_format(b"X:1\\nT:Tune\\nK:G\\nGABc|")
    'abc'
    >>> detect_format(b"\\x00\\x13garbage", ".mid") is None
    True
    """
    head = data[:4096]
    if head.startswith(b"MThd"):
        return "midi"
    if head.startswith(_ZIP_MAGIC):
        # A compressed MusicXML (.mxl) is a zip; any other zip is not a score.
        return "musicxml" if b"META-INF/container.xml" in data or b".xml" in data else None
    text = _as_text(head)
    if text is None:
        return None
    stripped = text.lstrip("\ufeff \t\r\n")
    lowered = stripped.lower()
    if lowered.startswith("<") and ("score-partwise" in lowered or "score-timewise" in lowered):
        return "musicxml"
    if lowered.startswith("<"):
        return "musicxml" if EXTENSIONS.get(suffix.lower()) == "musicxml" else None
    if _looks_like_abc(stripped):
        return "abc"
    return None


def _as_text(head: bytes) -> str | None:
    """Decode the head of a text file; binary noise (NUL bytes, invalid UTF-8/Latin-1) is None."""
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError:
        # Cut inside a multi-byte character at the 4096-byte boundary, or Latin-1 ABC.
        try:
            return head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            text = head.decode("latin-1")
            printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
            return text if printable >= 0.95 * max(len(text), 1) else None


def _looks_like_abc(text: str) -> bool:
    """ABC needs a key field (``K:``) and at least one other header field at a line start."""
    fields = {line.strip()[:2] for line in text.splitlines() if len(line.strip()) >= 2}
    return "K:" in fields and any(f in fields for f in _ABC_HEADER_FIELDS if f != "K:")
