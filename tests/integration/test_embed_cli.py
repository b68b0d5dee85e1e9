"""``etude embed`` with the shipped MusicBERT-small checkpoint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.etude_cli import run_etude

pytestmark = pytest.mark.integration


def test_embed_json_contract(chorale_midi: Path) -> None:
    done = run_etude("embed", str(chorale_midi), "--json", "--bars")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["model"] == "musicbert-small" and payload["dim"] == 256
    assert len(payload["piece"]) == 256 and payload["bars"] == len(payload["bar_vectors"]) > 5


def test_embed_bad_file_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"MThd garbage")
    done = run_etude("embed", str(bad))
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


def test_an_imported_official_checkpoint_serves_embed_and_the_tool(
    tmp_path: Path,
    chorale_midi: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`etude encoder import-fairseq`, then ETUDE_MUSICBERT: `etude embed` runs the imported
    model, and the encoder tool, which has no reference set for it, still reports the rest."""
    import argparse

    import torch

    from etude.config import Settings
    from etude.encoders.musicbert import MusicBertConfig, read_fairseq_dictionary
    from etude.tools.base import ToolRequest
    from etude.tools.encoder import encode
    from tests.fairseq_fixture import official_checkpoint, write_dictionary

    config = MusicBertConfig(hidden=64, layers=2, heads=2, ffn=128, max_notes=64)
    write_dictionary(config, tmp_path / "dict.txt")
    state = official_checkpoint(config, read_fairseq_dictionary(tmp_path / "dict.txt"))
    blob = {"args": argparse.Namespace(encoder_attention_heads=2), "model": state}
    torch.save(blob, tmp_path / "official.pt")
    converted = tmp_path / "converted"

    done = run_etude(
        "encoder", "import-fairseq", str(tmp_path / "official.pt"),
        "--dict", str(tmp_path / "dict.txt"), "--out", str(converted),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 layers, width 64" in done.stderr and f"ETUDE_MUSICBERT={converted}" in done.stderr
    missing = run_etude("encoder", "import-fairseq", str(tmp_path / "nope.pt"), "--dict",
                    str(tmp_path / "dict.txt"), "--out", str(tmp_path / "x"))  # fmt: skip
    assert missing.returncode == 2 and "no such file" in missing.stderr

    done = run_etude("embed", str(chorale_midi), "--json", ETUDE_MUSICBERT=str(converted))
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["model"] == "musicbert-official" and len(payload["piece"]) == 64

    monkeypatch.setenv("ETUDE_MUSICBERT", str(converted))
    with caplog.at_level("WARNING"):
        evidence = encode(ToolRequest(question="look", attachment=chorale_midi), Settings())
    kinds = [e.kind for e in evidence]
    assert kinds[0] == "encoding" and not any("MusicBERT places" in e.summary for e in evidence)
    assert "has no reference set" in caplog.text
