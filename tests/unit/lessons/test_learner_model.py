"""BKT mastery updates, spaced review and the choice of the next step."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from langgraph.store.memory import InMemoryStore

from etude.lessons.curriculum import load_curriculum
from etude.lessons.exercises import Exercise
from etude.lessons.mastery import COMPOSITION, DRILL, MASTERED, next_review, update
from etude.lessons.path import next_skill, path_states, placed_mastery
from etude.lessons.records import LessonRecords
from tests.lesson_records import sqlite_records


@given(st.floats(0.0, 1.0), st.booleans())
def test_estimate_stays_a_probability(p: float, correct: bool) -> None:
    assert 0.0 <= update(p, correct) <= 1.0


@given(st.floats(0.01, 0.99))
def test_right_answers_raise_and_wrong_ones_lower_the_posterior(p: float) -> None:
    assert update(p, True) > update(p, False)


def test_bkt_matches_hand_computation() -> None:
    # P(L|right) = .2*.9 / (.2*.9 + .8*.2) = .5294; then + (1-.5294)*.15
    assert update(0.2, True, DRILL) == pytest.approx(0.6, abs=1e-3)
    # P(L|wrong) = .2*.1 / (.2*.1 + .8*.8) = .0303; then + .9697*.15
    assert update(0.2, False, DRILL) == pytest.approx(0.1758, abs=1e-3)


def test_three_right_drills_master_a_skill_but_compositions_need_more_evidence() -> None:
    p = DRILL.prior
    for _ in range(2):
        p = update(p, True)
    assert p < MASTERED
    assert update(p, True) >= MASTERED
    c = COMPOSITION.prior
    c = update(c, True, COMPOSITION)
    assert c < MASTERED


def test_a_miss_after_mastery_drops_below_the_threshold() -> None:
    assert update(0.96, False) < MASTERED


def test_review_gaps_expand_and_a_miss_restarts() -> None:
    box, due = next_review(0, True, 10)
    assert (box, due) == (1, 15)
    box, due = next_review(box, True, 15)
    assert (box, due) == (2, 27)
    assert next_review(box, False, 27) == (0, 29)
    assert next_review(2, True, 27)[1] is None


def test_next_skill_follows_prerequisites() -> None:
    curriculum = load_curriculum()
    assert next_skill(curriculum, "core", {}) == "intervals"
    mastered = {"intervals": 0.99, "scales-and-keys": 0.99}
    assert next_skill(curriculum, "core", mastered) == "triads"
    # cadences needs triads too: mastering only keys and intervals does not unlock it
    states = {s.skill: s.state for s in path_states(curriculum, "core", mastered)}
    assert states["cadences"] == "locked" and states["triads"] == "current"
    assert states["intervals"] == "mastered"


def test_every_prerequisite_comes_before_its_skill_on_every_track() -> None:
    curriculum = load_curriculum()
    for track in curriculum.tracks:
        order = curriculum.path(track)
        for index, skill_id in enumerate(order):
            assert set(curriculum.skill(skill_id).requires) <= set(order[:index])


def test_placement_tests_out_of_prerequisites_only_when_right() -> None:
    curriculum = load_curriculum()
    right = placed_mastery(curriculum, "cadences", True, 0.2)
    assert set(right) == {"intervals", "scales-and-keys", "triads", "cadences"}
    assert all(p >= MASTERED for p in right.values())
    wrong = placed_mastery(curriculum, "cadences", False, 0.2)
    assert set(wrong) == {"cadences"} and wrong["cadences"] < 0.2


def _exercise(skill: str = "triads") -> Exercise:
    return Exercise(
        skill=skill,
        kind="triad_spell",
        prompt="Spell the E major triad.",
        answer_kind="notes",
        expected=["E", "G#", "B"],
        fact="E – G# – B.",
    )


def test_progress_survives_a_restart(tmp_path: Path) -> None:
    """Written through one connection to the mentor's SQLite store, read through a new one."""
    db = tmp_path / "lessons.sqlite"
    exercise = _exercise()
    with sqlite_records(db) as records:
        records.start("ana", "core")
        records.record_attempt("ana", exercise, False, 0.18, ["accidental:G#->G"])
        records.schedule_review("ana", exercise, 0, 3)
        records.set_open("ana", exercise, [_exercise("intervals")])

    with sqlite_records(db) as again:
        record = again.learner("ana")
        assert record is not None and record.exercises_done == 1
        assert again.mastery("ana")["triads"].p_known == pytest.approx(0.18)
        assert again.attempts("ana")[0].misconceptions == ["accidental:G#->G"]
        opened = again.open_exercise("ana")
        assert opened is not None
        assert opened[0] == exercise and opened[1][0].skill == "intervals"
        assert again.due_reviews("ana", 2) == []
        assert again.due_reviews("ana", 3)[0].exercise.expected == ["E", "G#", "B"]


def test_learners_are_kept_apart() -> None:
    records = LessonRecords(InMemoryStore())
    records.start("ana", "core")
    records.start("ben", "songwriting")
    records.record_attempt("ana", _exercise(), True, 0.6, [])
    assert records.mastery("ben") == {} and records.attempts("ben") == []
    assert [a.correct for a in records.attempts("ana")] == [True]
    assert records.learner("ben").track == "songwriting"  # type: ignore[union-attr]


def test_attempts_come_back_in_order_beyond_ten() -> None:
    """The store pages searches (10 by default); the history must come back whole."""
    records = LessonRecords(InMemoryStore())
    for index in range(25):
        records.record_attempt("ana", _exercise(), index % 2 == 0, index / 100, [])
    assert [round(a.p_known * 100) for a in records.attempts("ana")] == list(range(25))
