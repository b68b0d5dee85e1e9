"""Valid MIDI files are read as the pre-scan counted them (issue #21, item 10).

The pre-scan counts notes in the bytes; music21 then builds the score from the same bytes. Where
the two read a file differently, a valid file was refused as "contains no notes": music21
drops a note that is never released (a chord or a melody whose note-offs are missing, which
players sound until the end of the track) and resolves running status its own way. The
pre-scan now hands music21 the tracks rewritten in one canonical form (explicit status bytes,
notes still sounding closed at the end of their track), so both read the same notes. A type-2
file (independent sequences) is refused in one sentence.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from etude.scores import ScoreError, load_score
from tests.etude_cli import run_etude
from tests.fuzz.hostile import _smf

END = b"\x00\xff\x2f\x00"


def _chord_on(pitches: range, *, running: bool) -> bytes:
    if running:
        first, *rest = pitches
        return b"\x00\x90" + bytes([first, 64]) + b"".join(b"\x00" + bytes([p, 64]) for p in rest)
    return b"".join(b"\x00\x90" + bytes([p, 64]) for p in pitches)


def _pitches(path: Path) -> list[int]:
    return sorted(p.midi for n in load_score(path).score.recurse().notes for p in n.pitches)


@pytest.mark.parametrize("running", [False, True], ids=["status", "running-status"])
def test_a_128_note_chord_never_released_is_read(tmp_path: Path, running: bool) -> None:
    path = tmp_path / "cluster.mid"
    path.write_bytes(_smf([_chord_on(range(128), running=running) + b"\x83\x60" + END[1:]]))
    assert _pitches(path) == list(range(128))


def test_a_running_status_melody_without_note_offs_is_read(tmp_path: Path) -> None:
    """Each note struck in running status and never released: the notes sound (overlapping)
    until the end of the track, as a player would sound them."""
    events = b"\x00\x90\x3c\x40" + b"\x83\x60\x3e\x40" + b"\x83\x60\x40\x40" + b"\x83\x60" + END[1:]
    path = tmp_path / "melody.mid"
    path.write_bytes(_smf([events]))
    assert _pitches(path) == [60, 62, 64]


def test_a_128_note_chord_with_running_status_offs_is_read(tmp_path: Path) -> None:
    on = _chord_on(range(128), running=True)
    off = b"\x83\x60\x00\x00" + b"".join(b"\x00" + bytes([p, 0]) for p in range(1, 128))
    path = tmp_path / "chord.mid"
    path.write_bytes(_smf([on + off + END]))
    loaded = load_score(path)
    assert _pitches(path) == list(range(128))
    assert all(n.quarterLength == 1.0 for n in loaded.score.recurse().notes)


def test_a_type_2_file_is_refused_in_one_clear_sentence(tmp_path: Path) -> None:
    track = b"\x00\x90\x3c\x40\x83\x60\x80\x3c\x00" + END
    data = b"MThd" + struct.pack(">IHHH", 6, 2, 2, 480)
    data += (b"MTrk" + struct.pack(">I", len(track)) + track) * 2
    path = tmp_path / "patterns.mid"
    path.write_bytes(data)
    with pytest.raises(ScoreError) as refused:
        load_score(path)
    assert str(refused.value) == (
        "patterns.mid is a type-2 MIDI file (independent patterns), which Etude cannot read; "
        "save it as type 0 or 1"
    )
    done = run_etude("analyze", str(path))
    assert done.returncode == 2 and done.stderr == f"error: {refused.value}\n"


def test_a_drums_only_file_says_so(tmp_path: Path) -> None:
    events = b"\x00\x99\x24\x64\x83\x60\x89\x24\x00\x00\x99\x26\x64\x83\x60\x89\x26\x00" + END
    path = tmp_path / "beat.mid"
    path.write_bytes(_smf([events]))
    with pytest.raises(ScoreError, match="only drums"):
        load_score(path)
