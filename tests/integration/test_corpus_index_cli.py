"""``etude corpus index`` as a user runs it, and what ``etude analyze`` then adds (issue #22)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.etude_cli import run_etude

pytestmark = pytest.mark.integration


def test_index_then_analyze_lists_pieces_like_yours(chorale_midi: Path, tmp_path: Path) -> None:
    env = {"ETUDE_DATA_DIR": str(tmp_path)}
    before = json.loads(run_etude("analyze", str(chorale_midi), "--json", **env).stdout)
    assert before["similar"] is None  # no index: nothing, and no waiting on one

    built = run_etude("corpus", "index", "--collections", "bach", "--limit", "3", **env)
    assert built.returncode == 0, built.stderr
    assert "Indexed 3 pieces" in built.stderr
    again = run_etude("corpus", "index", "--collections", "bach", "--limit", "3", **env)
    assert "Up to date: 3 pieces" in again.stderr

    report = json.loads(run_etude("analyze", str(chorale_midi), "--json", **env).stdout)
    assert [s["collection"] for s in report["similar"]] == ["bach"] * 3
    assert all(s["corpus_path"].startswith("bach/bwv") for s in report["similar"])
    text = run_etude("analyze", str(chorale_midi), **env).stdout
    assert f"Listen to how {report['similar'][0]['title']} handles this" in text


def test_an_unknown_collection_is_exit_2_with_one_error_line(tmp_path: Path) -> None:
    done = run_etude("corpus", "index", "--collections", "nosuch", ETUDE_DATA_DIR=str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "error: music21's corpus has no files for nosuch"
