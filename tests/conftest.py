"""Shared fixtures. Tests never touch the user's real lessons: each run gets its own data dir;
derived caches (the converted chat model) are shared so the conversion happens once per machine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("etude-data")
    previous = os.environ.get("ETUDE_DATA_DIR")
    os.environ["ETUDE_DATA_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("ETUDE_DATA_DIR", None)
    else:
        os.environ["ETUDE_DATA_DIR"] = previous


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
