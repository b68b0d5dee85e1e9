"""Pieces like yours (issue #22): a tiny corpus index, its search, its files and invalidation."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from etude.encoders.embedding import CHECKPOINT, load_model
from etude.encoders.similar import (
    NoCorpusIndex,
    StaleCorpusIndex,
    build_corpus_index,
    build_index,
    corpus_files,
    index_dir,
    listen_sentence,
    load_index,
    read_corpus_file,
    save_index,
    similar_pieces,
    similar_section,
)

FILES = ("bach/bwv281.mxl", "bach/bwv10.7.mxl", "bach/bwv101.7.mxl")
TUNES = ("ryansMammoth/7thRegimentReel.abc", "ryansMammoth/42dHighlandRegimentStrathspey.abc")


def corpus_file(relative: str) -> Path:
    from music21 import corpus

    return Path(str(corpus.getWork(relative)))


@pytest.fixture(scope="module")
def pieces() -> list[tuple[object, np.ndarray]]:
    found = []
    for relative in FILES + TUNES:
        found.extend(read_corpus_file(corpus_file(relative)))
    return found


@pytest.fixture(scope="module")
def tiny(pieces):  # type: ignore[no-untyped-def]
    model = load_model(CHECKPOINT)
    return build_index(pieces, model.embed, model=model.config.name, checkpoint="test")


def test_pieces_are_named_from_the_corpus(pieces) -> None:  # type: ignore[no-untyped-def]
    titles = {piece.corpus_path: piece.title for piece, _ in pieces}
    assert titles["bach/bwv281.mxl"] == "BWV 281"
    assert titles["ryansMammoth/7thRegimentReel.abc"] == "7th Regiment -- Reel"
    assert {piece.collection for piece, _ in pieces} == {"bach", "ryansMammoth"}


def test_a_piece_of_the_index_finds_itself_first_and_its_own_bars(tiny, pieces) -> None:  # type: ignore[no-untyped-def]
    model = load_model(CHECKPOINT)
    piece, tokens = pieces[0]
    bar_vectors, piece_vector = model.embed(tokens)
    bars = np.unique(tokens[:, 0]) + 1
    matches = similar_pieces(tiny, bar_vectors, piece_vector, bars, k=3)
    assert matches[0].piece == piece and matches[0].score == pytest.approx(1.0, abs=1e-3)
    assert matches[0].bars == matches[0].your_bars
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert len({m.piece.id for m in matches}) == 3


def test_chorales_are_nearer_each_other_than_the_fiddle_tunes(tiny) -> None:  # type: ignore[no-untyped-def]
    """What the index is for: a chorale's nearest other piece is a chorale."""
    chorales = [i for i, p in enumerate(tiny.pieces) if p.collection == "bach"]
    for row in chorales:
        similarity = tiny.piece_vectors @ tiny.piece_vectors[row]
        similarity[row] = -1
        assert tiny.pieces[int(np.argmax(similarity))].collection == "bach"


def test_the_files_round_trip(tiny, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    save_index(tiny, tmp_path / "corpus-index")
    with pytest.raises(StaleCorpusIndex):  # "test" is no checkpoint's hash
        load_index(tmp_path, CHECKPOINT)


def test_no_index_means_no_section_and_says_how_to_build(tmp_path: Path) -> None:
    tokens = np.zeros((8, 8), dtype=np.int64)
    assert similar_section(tokens, tmp_path) is None
    with pytest.raises(NoCorpusIndex, match="etude corpus index"):
        load_index(tmp_path)


def test_a_replaced_checkpoint_makes_the_index_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pieces
) -> None:  # type: ignore[no-untyped-def]
    checkpoint = tmp_path / "ckpt"
    shutil.copytree(CHECKPOINT, checkpoint)
    monkeypatch.setenv("ETUDE_MUSICBERT", str(checkpoint))
    data = tmp_path / "data"
    first = build_corpus_index(data, collections=["bach"], limit=2)
    assert first.changed and first.pieces == 2 and first.collections == ["bach"]
    assert build_corpus_index(data, collections=["bach"], limit=2).changed is False
    index = load_index(data)
    assert index.piece_vectors.shape == (2, 256)
    _, tokens = pieces[0]
    section = similar_section(tokens, data, k=2)
    assert section is not None and {s["collection"] for s in section} == {"bach"}
    assert listen_sentence(section[0]).startswith(f"Listen to how {section[0]['title']} ")
    # a corpus piece uploaded as it is is not offered as a piece like itself
    own = similar_section(pieces[1][1], data, k=2)
    assert pieces[1][0].title == "BWV 10.7" and own is not None
    assert [s["title"] for s in own] == ["BWV 1.6"]

    # another helper retrains: same folder, other weights
    weights = checkpoint / "model.safetensors"
    blob = bytearray(weights.read_bytes())
    blob[-1] ^= 0xFF
    weights.write_bytes(bytes(blob))
    with pytest.raises(StaleCorpusIndex, match="etude corpus index"):
        load_index(data)
    assert similar_section(tokens, data) is None
    assert build_corpus_index(data, collections=["bach"], limit=2).changed is True
    assert load_index(data).pieces == index.pieces


def test_corpus_files_leave_out_analyses() -> None:
    files = corpus_files(["monteverdi"])
    assert files and not any(p.suffix == ".rntxt" for p in files)
    assert all(index_dir(Path("/d")).name == "corpus-index" for _ in files[:1])
