"""The wrong-note ranker (issue #22): what it reads of a note, and how it weighs a piece."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from etude.encoders.corpus import ScoreNote
from etude.encoders.octuple import Note
from etude.encoders.style_counts import StyleCounts
from etude.encoders.surprise import ScoreDistributions
from etude.encoders.wrong_notes import (
    DURING,
    FEATURES,
    Ranker,
    contexts,
    is_chordal,
    likeliest_slip,
    note_features,
    style_counts_of,
)


def _note(start: float, pitch: int, part: int, duration: float = 1.0) -> ScoreNote:
    return ScoreNote(Note(start, duration, pitch), part, f"p{pitch}", False)


def _chorale_bar(alto: int) -> list[ScoreNote]:
    """Two beats of four voices: C major, then G major with the alto at ``alto`` on beat 2."""
    notes = [
        _note(0, 72, 0),
        _note(0, 67, 1),
        _note(0, 64, 2),
        _note(0, 48, 3),
        _note(1, 71, 0),
        _note(1, alto, 1),
        _note(1, 62, 2),
        _note(1, 55, 3),
        _note(2, 72, 0),
        _note(2, 67, 1),
        _note(2, 64, 2),
        _note(2, 48, 3),
    ]
    return sorted(notes, key=lambda n: (n.note.start, n.note.pitch))


def _distributions(notes: list[ScoreNote], likely: dict[int, int]) -> ScoreDistributions:
    """Each note's row: its own pitch at 0.4, or, for ``likely``'s indices, another pitch."""
    p = np.full((len(notes), 128), 0.2 / 127)
    for i, n in enumerate(notes):
        p[i, likely.get(i, n.note.pitch)] = 0.8
    tokens = np.zeros((len(notes), 8), dtype=np.int64)
    return ScoreDistributions(notes, tokens, np.arange(len(notes)), p / p.sum(1, keepdims=True))


def _locate(offset: float) -> tuple[int, float]:
    return 1 + int(offset // 4), 1 + offset % 4


def test_a_semitone_rub_and_a_spoilt_chord_are_what_the_ranker_reads() -> None:
    notes = _chorale_bar(alto=68)  # G#4 against the G major triad's G2, B4 and D4
    alto = next(i for i, n in enumerate(notes) if n.note.pitch == 68)
    chosen, x = note_features(_distributions(notes, {}), _locate)
    assert len(chosen) == len(notes) and x.shape == (len(notes), len(FEATURES))
    row = x[chosen.index(alto)]
    feature = dict(zip(FEATURES, row, strict=True))
    assert feature["semitone_rubs"] == 1  # G#4 against the bass's G2, octaves apart
    assert feature["spoils_chord"] == 1 and feature["sounding"] == 3
    assert feature["leap_in"] == pytest.approx(1 / 12) and feature["step_both"] == 1
    clean = note_features(_distributions(_chorale_bar(alto=67), {}), _locate)[1]
    assert clean[chosen.index(alto), FEATURES.index("spoils_chord")] == 0


def test_a_likelier_pitch_a_step_away_shows_in_the_near_ratio() -> None:
    notes = _chorale_bar(alto=68)
    alto = next(i for i, n in enumerate(notes) if n.note.pitch == 68)
    _, x = note_features(_distributions(notes, {alto: 67}), _locate)
    near = FEATURES.index("near_ratio")
    assert x[alto, near] > 3 and np.all(np.delete(x[:, near], alto) < 0)


def test_the_line_neighbours_are_each_parts_own() -> None:
    notes = _chorale_bar(alto=67)
    found = contexts(notes)
    alto = next(i for i, n in enumerate(notes) if n.part == 1 and n.note.start == 1)
    assert (found[alto].before, found[alto].after) == (67, 67)
    assert sorted(o.part for o in found[alto].others) == [0, 2, 3]


def test_chord_shapes() -> None:
    assert is_chordal({2, 5, 9}) and is_chordal({11, 2, 5, 8}) and not is_chordal({0, 2, 4})


def _ranker(weights: dict[str, float], null: float = 0.0) -> Ranker:
    w = tuple(weights.get(name, 0.0) for name in FEATURES)
    zeros, ones = (0.0,) * len(FEATURES), (1.0,) * len(FEATURES)
    return Ranker(FEATURES, w, w, zeros, ones, null, null, 0.5, StyleCounts())


def test_the_ranker_names_the_note_its_features_point_to() -> None:
    notes = _chorale_bar(alto=68)
    alto = next(i for i, n in enumerate(notes) if n.note.pitch == 68)
    ranker = _ranker({"near_ratio": 1.0, "semitone_rubs": 1.0, "spoils_chord": 1.0})
    slip = likeliest_slip(_distributions(notes, {alto: 67}), _locate, ranker)
    assert slip is not None and slip.index == alto and slip.probability > 0.5
    assert [r.note.pitch for r in slip.rubs] == [55] and slip.spoils_chord


def test_a_clean_piece_leaves_the_mass_on_no_wrong_note() -> None:
    notes = _chorale_bar(alto=67)
    ranker = _ranker({"near_ratio": 1.0, "semitone_rubs": 1.0}, null=5.0)
    slip = likeliest_slip(_distributions(notes, {}), _locate, ranker)
    assert slip is not None and slip.probability < 0.05


def test_a_ranker_round_trips_and_one_for_other_features_is_refused(tmp_path: Path) -> None:
    ranker = _ranker({"surprise": 0.5})
    ranker.save(tmp_path / "r.json")
    assert Ranker.load(tmp_path / "r.json") == ranker
    old = Ranker(("surprise",), (1.0,), (1.0,), (0.0,), (1.0,), 0.0, 0.0, 0.5)
    old.save(tmp_path / "old.json")
    assert Ranker.load(tmp_path / "old.json") is None
    uncounted = Ranker(**{**ranker.__dict__, "counts": None})
    uncounted.save(tmp_path / "uncounted.json")
    assert Ranker.load(tmp_path / "uncounted.json") is None
    assert Ranker.load(tmp_path / "missing.json") is None


def test_the_critics_findings_at_a_note_are_read_by_its_part_and_onset() -> None:
    notes = _chorale_bar(alto=68)
    alto = next(i for i, n in enumerate(notes) if n.note.pitch == 68)
    flags = {(1, 1.0): ["out_of_key", "large_leap", "voice_overlap"], (0, 1.0): ["large_leap"]}
    chosen, x = note_features(_distributions(notes, {}), _locate, flags)
    feature = dict(zip(FEATURES, x[chosen.index(alto)], strict=True))
    assert feature["critic_out_of_key"] == 1 and feature["critic_findings"] == 2
    tenor = next(i for i, n in enumerate(notes) if n.part == 2 and n.note.start == 1)
    assert x[chosen.index(tenor), FEATURES.index("critic_findings")] == 0


def test_what_sounds_at_each_onset_is_every_other_parts_note_struck_or_held_there() -> None:
    """The sweep through the onsets against the definition, note by note, on random notes
    (held notes, zero-length chord symbols, overlaps, several notes at one onset)."""
    import random

    rng = random.Random(3)
    notes = [
        ScoreNote(
            Note(
                round(rng.random() * 20, 2), rng.choice([0, 0.25, 0.5, 1, 4]), rng.randrange(40, 80)
            ),
            rng.randrange(4),
            "C4",
            rng.random() < 0.1,
        )
        for _ in range(400)
    ]
    notes.sort(key=lambda n: (n.note.start, n.note.instrument, n.note.pitch))
    found = contexts(notes)
    assert found
    for i, context in found.items():
        start = notes[i].note.start
        wanted = {
            j
            for j, n in enumerate(notes)
            if n.part != notes[i].part
            and n.note.duration > 0
            and n.note.start <= start + 1e-6 < n.note.start + n.note.duration
        }
        assert {id(o) for o in context.others} == {id(notes[j]) for j in wanted}
        end = start + max(notes[i].note.duration, 1e-3)
        onsets = sorted(
            {n.note.start for n in notes if n.note.duration > 0 and start <= n.note.start < end}
        )
        assert len(context.during) == min(len(onsets), DURING)


def test_a_step_to_a_common_chord_and_turn_shows_in_the_style_features() -> None:
    """Counted in the clean bar, the alto's G#4 is a step from the G major triad the counts
    know and turns its line up-and-down by semitones they never saw; the written G4 is not."""
    counts = style_counts_of(_chorale_bar(alto=67))
    assert counts.shapes["0,4,7"] == 3 and counts.turns["0,0"] == 1
    ranker = _ranker({})
    ranker = Ranker(**{**ranker.__dict__, "counts": counts})
    wrong = _chorale_bar(alto=68)
    alto = next(i for i, n in enumerate(wrong) if n.note.pitch == 68)
    chosen, x = note_features(_distributions(wrong, {}), _locate, counts=ranker.counts)
    feature = dict(zip(FEATURES, x[chosen.index(alto)], strict=True))
    assert feature["shape_gain"] > 1.5 and feature["onset_shape_gain"] > 1.5  # 3 G major triads
    assert feature["turn_gain"] > 0 and feature["turn_rarity"] > feature["turn_gain"]
    right = _chorale_bar(alto=67)
    chosen, x = note_features(_distributions(right, {}), _locate, counts=counts)
    assert x[chosen.index(alto), FEATURES.index("shape_gain")] <= 0
    assert not note_features(_distributions(right, {}), _locate)[1][:, -5:].any()
