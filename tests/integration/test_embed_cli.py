"""``etude embed`` with the shipped MusicBERT-small checkpoint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def test_embed_json_contract(chorale_midi: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "etude", "embed", str(chorale_midi), "--json", "--bars"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["model"] == "musicbert-small" and payload["dim"] == 256
    assert len(payload["piece"]) == 256 and payload["bars"] == len(payload["bar_vectors"]) > 5


def test_embed_bad_file_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd garbage")
    done = subprocess.run(
        [sys.executable, "-m", "etude", "embed", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and done.stderr.startswith("error: ")


def test_similar_pieces_are_closer_than_different_ones(tmp_path: Path) -> None:
    """Two Bach chorales should sit closer together than a chorale and an Irish reel."""
    import numpy as np
    from music21 import corpus

    from etude.encoders.embedding import embed_midi

    paths = {}
    for name, work in [("a", "bach/bwv66.6"), ("b", "bach/bwv7.7")]:
        paths[name] = tmp_path / f"{name}.mid"
        corpus.parse(work).write("midi", fp=str(paths[name]))
    tune = corpus.parse("airdsAirs/book1.abc").scores[0]
    paths["c"] = tmp_path / "c.mid"
    tune.write("midi", fp=str(paths["c"]))
    vectors = {k: np.array(embed_midi(p).piece) for k, p in paths.items()}

    def cosine(x: np.ndarray, y: np.ndarray) -> float:
        return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))

    assert cosine(vectors["a"], vectors["b"]) > cosine(vectors["a"], vectors["c"])
