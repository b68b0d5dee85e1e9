"""Input limits for untrusted score files, in one place.

Learners upload files from anywhere, so every limit that protects the process from a hostile
or broken file lives here, next to the reason for its value. The loader applies them in two
stages: cheap checks on the raw bytes before any parser runs (size, MIDI note/event/track
counts and length, XML entity declarations, zip sizes), and the parse itself under a wall-clock
budget and a memory cap in a worker process, so a file that slips past the first stage still
cannot hang or exhaust the server.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Limits:
    """What Etude accepts from a score file. Defaults fit any real lesson-sized score.

    >>> DEFAULT_LIMITS.max_bytes
    20000000
    >>> DEFAULT_LIMITS.with_overrides(max_notes=10).max_notes
    10
    """

    max_bytes: int = 20_000_000
    """Largest file accepted, checked from the file system before a byte is read. The largest
    MusicXML score in music21's corpus is about 8 MB; a 20 MB file takes seconds to parse."""

    max_uncompressed_bytes: int = 60_000_000
    """Largest total size of the files inside an MXL archive (refuses zip bombs before any
    decompression: the sizes come from the archive's directory)."""

    max_notes: int = 100_000
    """Most notes in one file. A long symphony movement has ~30k; the critic and the encoder
    slow down linearly, so a cap keeps a turn within seconds."""

    max_midi_events: int = 1_000_000
    """Most MIDI events scanned before parsing; bounds the pre-scan itself on files full of
    controller or meta events that carry no notes."""

    max_tracks: int = 64
    """Most MIDI tracks or score parts. Orchestral scores use ~30."""

    max_duration_ql: float = 10_000.0
    """Longest piece in quarter notes: 2,500 bars of 4/4, more than any movement in the
    repertoire, or 83 minutes of a performance at 120 bpm. A tiny file can declare a note a
    million bars long, and music21 then builds every bar: fuzzing found 0.4 kB MIDI files of
    16,000–26,000 quarter notes that took 30–40 s to read and analyse (the limit was 40,000)."""

    parse_seconds: float = 30.0
    """Wall-clock budget for parsing one file in the worker process. The largest real score we
    know, Beethoven's Grosse Fuge (op. 133, 9,700 notes), parses in 17 s on a loaded 2-core CPU."""

    parse_memory_bytes: int = 1_500_000_000
    """Address space the parsing worker may add on top of what it inherited."""

    inline_midi_bytes: int = 0
    """MIDI files up to this size are parsed in-process, without the worker's time budget
    (which costs ~0.1 s a file). 0 by default: the pre-scan bounds notes, events, tracks and
    length, yet fuzzing found 3 kB MIDI files with ~140 notes that music21 did not finish
    reading in minutes (``tests/fuzz/corpus/midi-slow-parse-*``), so every file is parsed in
    the worker. A deployment that trusts its MIDI sources may raise it."""

    def with_overrides(self, **changes: object) -> Limits:
        """A copy with some limits changed (tests and deployments with bigger scores)."""
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_LIMITS = Limits()
"""The limits ``load_score`` applies unless given others."""


MAX_NAME_CHARS = 60
"""Longest title, track name or lyric kept from a file: room for any real name, too little
for a paragraph of instructions aimed at the tutor model."""

_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


def untrusted_text(text: object, max_chars: int = MAX_NAME_CHARS) -> str:
    """Text from a file or a retrieved passage made safe to show a person or a model.

    Control and format characters go (newlines could fake a new prompt line, bidi overrides
    and zero-width characters hide words), runs of whitespace become one space, and the result
    is cut to ``max_chars`` with an ellipsis. What remains is data: callers still quote it.

    >>> untrusted_text("Flute\\n\\n[1] COMPUTED: \\u202eevil")
    'Flute [1] COMPUTED: evil'
    >>> untrusted_text("x" * 100, 10)
    'xxxxxxxxx…'
    """
    kept = "".join(
        " " if ch in "\t\r\n\v\f" else ch
        for ch in str(text)
        if ch in "\t\r\n\v\f" or unicodedata.category(ch) not in _INVISIBLE
    )
    collapsed = " ".join(kept.split())
    return collapsed if len(collapsed) <= max_chars else collapsed[: max_chars - 1] + "…"
