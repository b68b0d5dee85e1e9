"""Surprise per note (issue #22): masked pitch prediction, the JSON section, where notes are."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from etude.encoders.corpus import score_notes, score_to_performance
from etude.encoders.musicbert import MusicBert, MusicBertConfig
from etude.encoders.octuple import PITCH, Note, OctupleEncoder, Performance
from etude.encoders.surprise import (
    encoder_section,
    measure_locator,
    pitch_distributions,
    score_piece,
)

TINY = MusicBertConfig(hidden=32, layers=1, heads=4, ffn=64, max_notes=16, name="tiny")


def tokens_of(count: int) -> np.ndarray:
    notes = [Note(i * 0.5, 0.5, 60 + (i * 5) % 12) for i in range(count)]
    return OctupleEncoder().encode(Performance(notes)).tokens


def test_each_note_is_scored_with_its_own_pitch_hidden() -> None:
    """A model that could see the masked pitch would give it away; changing one note's pitch
    must not change that note's own distribution (its pitch is masked when it is scored)."""
    torch.manual_seed(0)
    model = MusicBert(TINY)
    with torch.no_grad():  # large random weights, so that what a note sees shows in its output
        for parameter in model.parameters():
            parameter.normal_(std=0.5)
    tokens = tokens_of(12)
    changed = tokens.copy()
    changed[5, PITCH] += 3
    before = pitch_distributions(model, tokens, stride=4)
    after = pitch_distributions(model, changed, stride=4)
    assert np.allclose(before[5], after[5], atol=1e-6)
    assert np.abs(before[6] - after[6]).max() > 1e-3  # a neighbour does see it


def test_long_pieces_are_read_in_overlapping_windows() -> None:
    torch.manual_seed(0)
    model = MusicBert(TINY)
    p = pitch_distributions(model, tokens_of(50), stride=4)
    assert p.shape == (50, 128) and np.allclose(p.sum(1), 1.0, atol=1e-5)


@pytest.fixture(scope="module")
def chorale():  # type: ignore[no-untyped-def]
    from music21 import corpus

    return corpus.parse("bach/bwv66.6")


def test_every_note_maps_to_its_encoder_row(chorale) -> None:  # type: ignore[no-untyped-def]
    notes = score_notes(chorale)
    encoding, rows = OctupleEncoder().encode_indexed(score_to_performance(chorale, notes))
    assert (rows >= 0).all()
    assert (encoding.tokens[rows, PITCH] == [n.note.pitch for n in notes]).all()
    assert {n.part for n in notes} == {0, 1, 2, 3}


def test_section_is_the_contract_shape_most_surprising_first(chorale) -> None:  # type: ignore[no-untyped-def]
    torch.manual_seed(0)
    section = encoder_section(chorale, MusicBert(TINY), top=5).model_dump(mode="json")
    assert section["model"] == "tiny"
    assert len(section["surprise"]) == 5
    keys = ["part", "bar", "beat", "offset_ql", "pitch", "score", "expected"]
    assert all(list(item) == keys for item in section["surprise"])
    scores = [item["score"] for item in section["surprise"]]
    assert scores == sorted(scores, reverse=True)
    assert all(len(item["expected"]) == 3 for item in section["surprise"])
    assert all(item["pitch"] not in item["expected"] for item in section["surprise"])


def test_bars_and_beats_are_the_critics(chorale) -> None:  # type: ignore[no-untyped-def]
    from etude.critic.texture import build_piece

    meter = build_piece(chorale).meter
    locate = measure_locator(chorale)
    for offset in (0.0, 0.5, 1.0, 3.5, 4.0, 17.0, 35.5):
        assert locate(offset) == meter.locate(offset)


def test_the_shipped_model_finds_planted_wrong_notes(chorale) -> None:  # type: ignore[no-untyped-def]
    """16 plants in bwv66.6 (F# minor), one at a time: the 2nd and 10th note of each voice
    moved up or down a semitone. The pre-trained encoder should rank the moved note, in the
    median, among the most surprising tenth of the piece's ~165 scored notes, and a random
    initialisation of the same shape should not (its median is near the middle).

    One plant alone is too noisy to pin a checkpoint: the soprano's second note moved to Bb4
    ranked 9th, 11th and 31st under the three pre-training stages, while the third stage finds
    planted notes more often across 876 held-out pieces (``bench/wrong_note.py --all``)."""
    import dataclasses

    from etude.encoders.embedding import load_model

    notes = score_notes(chorale)
    plants = []
    for part in range(4):
        line = [i for i, n in enumerate(notes) if n.part == part and not n.held]
        plants += [(line[k], shift) for k in (1, 9) for shift in (-1, 1)]

    def median_place(model: MusicBert) -> tuple[float, int]:
        places = []
        for index, shift in plants:
            moved = notes[index]
            changed = list(notes)
            changed[index] = dataclasses.replace(
                moved, note=dataclasses.replace(moved.note, pitch=moved.note.pitch + shift)
            )
            ranked = sorted(score_piece(chorale, model, notes=changed), key=lambda s: -s.score)
            places += [
                i
                for i, s in enumerate(ranked)
                if s.source.part == moved.part and s.source.note.start == moved.note.start
            ][:1]
        assert len(places) == len(plants)
        return float(np.median(places)), len(ranked)

    trained, count = median_place(load_model())
    assert trained < count // 10, (trained, count)
    torch.manual_seed(0)
    untrained, _ = median_place(MusicBert(load_model().config))
    assert untrained > count // 4, (untrained, count)
