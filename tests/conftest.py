"""Shared fixtures of tests/ (the suite-wide ones, such as ``data_dir``, are in the root
``conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def chorale_midi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real four-part Bach chorale (BWV 66.6, F# minor) from music21's corpus, as MIDI."""
    from music21 import corpus

    path = tmp_path_factory.mktemp("scores") / "bwv66_6.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(path))
    return path


@pytest.fixture(scope="session")
def g_major_midi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A short tune in G major written with music21 (melody with a clear I-IV-V-I frame)."""
    from music21 import key, meter, note, stream

    part = stream.Part()
    part.append(meter.TimeSignature("4/4"))
    part.append(key.Key("G"))
    for name in [
        "G4",
        "B4",
        "D5",
        "B4",
        "C5",
        "E5",
        "D5",
        "B4",
        "A4",
        "F#4",
        "A4",
        "C5",
        "B4",
        "A4",
        "G4",
        "G4",
    ]:
        part.append(note.Note(name, quarterLength=1.0))
    path = tmp_path_factory.mktemp("scores") / "tune_in_g.mid"
    stream.Score([part]).write("midi", fp=str(path))
    return path
