"""Pieces like yours (issue #22) where a learner meets them: ``etude analyze --json``'s
``"similar"`` and the critique's "Listen to how …" line, only from a built corpus index."""

from __future__ import annotations

from pathlib import Path

import pytest

from etude.agents.reply import plan_reply
from etude.api import analyze_score
from etude.config import Settings
from etude.encoders.similar import build_corpus_index, load_index
from etude.tools.base import ToolRequest
from etude.tools.critic import critic

QUESTION = "What do you think of my composition?"


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with a corpus index of three chorales, by the shipped checkpoint."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("ETUDE_MUSICBERT", raising=False)
        data = tmp_path_factory.mktemp("data")
        build_corpus_index(data, collections=["bach"], limit=3)
    return data


def _titles(data: Path) -> set[str]:
    return {piece.title for piece in load_index(data).pieces}


def test_the_critique_names_a_piece_of_the_index(
    indexed: Path, chorale_midi: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ETUDE_MUSICBERT", raising=False)
    evidence = critic(
        ToolRequest(question=QUESTION, attachment=chorale_midi), Settings(data_dir=indexed)
    )
    found = [item for item in evidence if item.data.get("type") == "similar"]
    assert len(found) == 1
    item = found[0].data["similar"][0]
    assert item["title"] in _titles(indexed) and item["collection"] == "bach"
    assert found[0].summary.startswith(f"Listen to how {item['title']} handles this (bach")
    _, before, _ = plan_reply(QUESTION, ["critic"], evidence, "intermediate")
    assert [block.text for block in before].count(found[0].summary) == 1


def test_without_an_index_the_critique_is_unchanged(chorale_midi: Path, tmp_path: Path) -> None:
    evidence = critic(
        ToolRequest(question=QUESTION, attachment=chorale_midi), Settings(data_dir=tmp_path)
    )
    assert not [item for item in evidence if item.data.get("type") == "similar"]
    _, before, _ = plan_reply(QUESTION, ["critic"], evidence, "intermediate")
    assert not any("Listen to how" in block.text for block in before)


def test_analyze_adds_similar_only_with_an_index(
    indexed: Path, chorale_midi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ETUDE_MUSICBERT", raising=False)
    with_index = analyze_score(chorale_midi, level="intermediate", data_dir=indexed)
    without = analyze_score(chorale_midi, level="intermediate", data_dir=tmp_path)
    assert without.similar is None
    assert with_index.similar is not None and len(with_index.similar) == 3
    assert {s["title"] for s in with_index.similar} <= _titles(indexed)
    assert all(
        s["corpus_path"].startswith("bach/") and len(s["bars"]) == 2 for s in with_index.similar
    )
    scores = [s["score"] for s in with_index.similar]
    assert scores == sorted(scores, reverse=True)
    rest = with_index.model_dump(exclude={"similar"})
    assert rest == without.model_dump(exclude={"similar"})
    off = analyze_score(chorale_midi, level="intermediate", encoder=False, data_dir=indexed)
    assert off.similar is None


def test_asked_for_similar_pieces_the_encoder_answers_with_them_once(
    indexed: Path, chorale_midi: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etude.tools.encoder import encode

    monkeypatch.delenv("ETUDE_MUSICBERT", raising=False)
    question = "Find pieces similar to mine"
    settings = Settings(data_dir=indexed)
    request = ToolRequest(question=question, attachment=chorale_midi)
    found = [item for item in encode(request, settings) if item.data.get("type") == "similar"]
    assert len(found) == 1 and found[0].authoritative and found[0].tool == "encoder"
    assert found[0].summary.startswith("Listen to how ")
    both = critic(request, settings) + encode(request, settings)
    _, before, _ = plan_reply(question, ["critic", "encoder"], both, "intermediate")
    assert sum(block.text.startswith("Listen to how ") for block in before) == 1
    other = ToolRequest(question="How long is my piece?", attachment=chorale_midi)
    assert not any(
        item.authoritative for item in encode(other, settings) if item.data.get("type") == "similar"
    )


def test_the_web_studio_analysis_carries_similar_from_the_servers_data_dir(
    indexed: Path, chorale_midi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from etude.server.studio import ScoreStudio

    monkeypatch.delenv("ETUDE_MUSICBERT", raising=False)
    upload = tmp_path / "uploads" / "chorale.mid"  # the analysis is cached beside the upload
    upload.parent.mkdir()
    shutil.copy(chorale_midi, upload)
    report = ScoreStudio(upload.parent, 10_000_000, indexed).analysis(upload, "intermediate")
    assert report["similar"] and report["similar"][0]["title"] in _titles(indexed)
    other = tmp_path / "elsewhere" / "chorale.mid"
    other.parent.mkdir()
    shutil.copy(chorale_midi, other)
    assert ScoreStudio(other.parent, 10_000_000).analysis(other, "intermediate")["similar"] is None
