"""``etude analyze`` as a user runs it: the JSON contract, and one clean error per bad file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.contracts import ANALYZE_KEYS

pytestmark = pytest.mark.integration


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "etude", "analyze", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=dict(os.environ),
    )


def test_chorale_json_contract(chorale_midi: Path) -> None:
    done = analyze(str(chorale_midi), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert list(report)[: len(ANALYZE_KEYS)] == ANALYZE_KEYS
    assert report["format"] == "midi" and report["parts"] == 4
    assert report["style"]["closest_collection"] == "bach"  # MusicBERT's nearest corpus pieces
    assert report["key"]["tonic"] in ("F#", "A") and 0 <= report["key"]["confidence"] <= 1
    # music21 writes the chorale's one-beat upbeat at time 0: its bars may be one off
    assert report["unmarked_pickup"]["pickup_ql"] == 1.0
    for finding in report["findings"]:
        assert finding["bar"] >= 1 and finding["severity"] in ("error", "warning", "info")
        assert all(0 <= p < 4 for p in finding["parts"])
    encoder = report["encoder"]  # issue #22: the notes MusicBERT expected least
    assert encoder["model"] == "musicbert-small" and len(encoder["surprise"]) == 10
    scores = [note["score"] for note in encoder["surprise"]]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    for note in encoder["surprise"]:
        assert list(note) == ["part", "bar", "beat", "offset_ql", "pitch", "score", "expected"]
        assert 0 <= note["part"] < 4 and 1 <= note["bar"] <= report["bars"]
        assert note["expected"] and note["pitch"] not in note["expected"]


def test_no_encoder_nulls_only_the_encoder_sections(chorale_midi: Path) -> None:
    full = json.loads(analyze(str(chorale_midi), "--json").stdout)
    done = analyze(str(chorale_midi), "--json", "--no-encoder")
    assert done.returncode == 0, done.stderr
    bare = json.loads(done.stdout)
    assert bare["style"] is None and bare["encoder"] is None and bare["similar"] is None
    assert list(bare) == list(full)
    own = ("style", "encoder", "similar", "findings")
    assert {k: v for k, v in bare.items() if k not in own} == {
        k: v for k, v in full.items() if k not in own
    }
    # The encoder may pick another of the fixes the rules verified as equally good (it breaks
    # the critic's ties, etude.critic.style_ranking); every finding is otherwise the same.
    assert [_unsuggested(f) for f in bare["findings"]] == [
        _unsuggested(f) for f in full["findings"]
    ]


def _unsuggested(finding: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in finding.items() if k != "suggestion"}


def _bad_files(tmp: Path) -> dict[str, Path]:
    from music21 import stream

    files = {
        "empty": tmp / "empty.mid",
        "random": tmp / "random.mid",
        "truncated": tmp / "truncated.mid",
        "huge": tmp / "huge.mid",
        "no_notes": tmp / "silence.mid",
        "wrong_extension": tmp / "notes.txt",
    }
    files["empty"].write_bytes(b"")
    files["random"].write_bytes(os.urandom(4096))
    good = tmp / "good.mid"
    stream.Score([stream.Part()]).write("midi", fp=str(files["no_notes"]))
    from music21 import note

    part = stream.Part([note.Note("C4"), note.Note("E4"), note.Note("G4")])
    stream.Score([part]).write("midi", fp=str(good))
    files["truncated"].write_bytes(good.read_bytes()[:30])
    with files["huge"].open("wb") as handle:  # sparse: 100 MB of nothing but a MIDI header
        handle.write(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0")
        handle.truncate(100_000_000)
    files["wrong_extension"].write_text("hello, this is not music")
    return files


@pytest.mark.parametrize(
    "kind", ["empty", "random", "truncated", "huge", "no_notes", "wrong_extension"]
)
def test_bad_file_is_exit_2_with_one_error_line(kind: str, tmp_path: Path) -> None:
    path = _bad_files(tmp_path)[kind]
    done = analyze(str(path), "--json")
    assert done.returncode == 2, (kind, done.stdout, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert done.stdout == ""
