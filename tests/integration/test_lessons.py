"""Lessons through the real graph (issue #10, acceptance 1 and 2): the real router, the
embedded chat model, the LangGraph SQLite checkpointer and store.

A beginner who wants to write their first song is placed, gets a path and a first exercise;
their answers go to the lesson tool because an exercise is open (``claims_turn``); a correct
melody passes and a flawed one gets feedback located at bar and degree; and all of it is still
there for a new mentor process on the same SQLite file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from music21 import converter, interval, pitch

from etude.attachments import prepare_attachment
from etude.config import Settings
from etude.evidence import Evidence
from etude.lessons.exercises import split_key
from etude.mentor import Mentor, TurnResult
from etude.tools.registry import load_registry
from tests.lesson_records import sqlite_records

pytestmark = pytest.mark.integration

LEARNER = "pia"
SESSION = "first-song"

MELODY_IN_G = """X:1
M:4/4
L:1/4
K:G
G A B c | d2 B G | c B A G | A4 | B c d g | f e d c | B A G B | A F G2 |]
"""
ENDS_ON_IV = MELODY_IN_G.replace("A F G2", "A G c2")
"""The same tune, but the last bar ends on C, the 4th degree: no authentic close."""


@pytest.fixture(scope="module")
def lesson_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # One sentence of model prose per turn: the verdicts are authoritative evidence streamed
    # before the model speaks, so a shorter reply tests the same path in less CPU time.
    db = tmp_path_factory.mktemp("lessons") / "lessons.sqlite"
    return settings.with_overrides(db_path=db, max_sentences=1, max_new_tokens=48)


@pytest.fixture(scope="module")
def lesson_mentor(lesson_settings: Settings) -> Iterator[Mentor]:
    mentor = Mentor(lesson_settings, registry=load_registry(plugins=False))
    yield mentor
    mentor.close()


def _lesson(result: TurnResult) -> list[Evidence]:
    return [e for e in result.evidence if e.tool == "lesson"]


def _types(result: TurnResult) -> list[str]:
    return [str(e.data.get("type", "")) for e in _lesson(result)]


def _open(settings: Settings) -> dict[str, Any]:
    """The open exercise with its computed answer, read the way a restarted process would."""
    with sqlite_records(settings.sqlite_path) as records:
        opened = records.open_exercise(LEARNER)
    assert opened is not None
    return opened[0].model_dump()


def _in_key(abc: str, key_name: str, folder: Path, name: str) -> Path:
    """The G-major tune moved to the task's key, as MusicXML (key signature included)."""
    score = converter.parseData(abc, format="abc")
    tonic = split_key(key_name)[0]
    target = pitch.Pitch(tonic.replace("b", "-") if len(tonic) > 1 else tonic)
    target.octave = 4
    moved = score.transpose(interval.Interval(pitch.Pitch("G4"), target))
    path = folder / f"{name}.musicxml"
    moved.write("musicxml", fp=str(path))
    return path


def _ask(mentor: Mentor, message: str, attachment: Path | None = None) -> TurnResult:
    return mentor.ask(
        message,
        session=SESSION,
        learner=LEARNER,
        attachment=prepare_attachment(attachment) if attachment else None,
    )


def test_a_beginner_is_placed_taught_and_checked(
    lesson_mentor: Mentor, lesson_settings: Settings, tmp_path: Path
) -> None:
    mentor = lesson_mentor
    hello = _ask(mentor, "I'm a beginner pianist and want to write my first song")
    assert "lesson" in hello.route
    assert _types(hello) == ["placement", "path", "exercise"]
    placement = _lesson(hello)[0]
    assert placement.data["track"] == "songwriting" and len(placement.data["questions"]) == 2
    assert "Placement question 1 of 2" in hello.answer
    assert "Your path (Songwriting)" in hello.answer

    # Placement answers: the open exercise makes them answers (claimed, not guessed).
    for _ in range(2):
        question = _open(lesson_settings)
        assert question["placement"]
        answered = _ask(mentor, " ".join(question["expected"]))
        assert answered.route == ["lesson"]
        assert _lesson(answered)[0].data["result"]["correct"] is True
    assert "Placement question 2 of 2" not in answered.answer  # placement is over
    assert _types(answered) == ["check", "path", "exercise"]  # the path, then the first step
    assert not _open(lesson_settings)["placement"]

    task = _ask(mentor, "Give me a composition exercise on melody writing")
    assert "lesson" in task.route
    opened = _open(lesson_settings)
    assert opened["answer_kind"] == "composition" and opened["skill"] == "melody-writing"
    assert "Write 8 bars in " + opened["key"] in task.answer

    good = _in_key(MELODY_IN_G, opened["key"], tmp_path, "good")
    passed = _ask(mentor, "Here is my melody for the exercise", good)
    assert passed.route == ["lesson"]
    verdict = _lesson(passed)[0].data["result"]
    assert verdict["correct"] is True, verdict["constraints"]
    assert "Passed: every constraint is met" in passed.answer

    opened = _open(lesson_settings)
    assert opened["answer_kind"] == "composition"  # not mastered after one: another task
    flawed = _in_key(ENDS_ON_IV, opened["key"], tmp_path, "flawed")
    failed = _ask(mentor, "Here is my melody for the exercise", flawed)
    verdict = _lesson(failed)[0].data["result"]
    assert verdict["correct"] is False
    cadence = next(c for c in verdict["constraints"] if c["name"] == "final_cadence")
    assert not cadence["passed"] and cadence["bar"] == 8
    assert "Not yet: 4 of 5 constraints met" in failed.answer
    assert "bar 8, beat 3" in failed.answer and "4th degree" in failed.answer


def test_progress_survives_a_new_process(lesson_mentor: Mentor, lesson_settings: Settings) -> None:
    """Acceptance 2: a fresh mentor (and the CLI) on the same SQLite file see the progress."""
    lesson_mentor.close()
    again = Mentor(lesson_settings, registry=load_registry(plugins=False))
    try:
        report = again.ask("How am I doing?", session="another-day", learner=LEARNER)
    finally:
        again.close()
    assert "lesson" in report.route
    progress = next(e for e in _lesson(report) if e.data.get("type") == "progress")
    assert progress.data["exercises"] == 4 and progress.data["right"] == 3

    env = {**os.environ, "ETUDE_DB": str(lesson_settings.sqlite_path), "ETUDE_LEARNER": LEARNER}
    printed = subprocess.run(
        [sys.executable, "-m", "etude", "progress", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    cli = json.loads(printed.stdout)
    assert cli["learner"] == LEARNER and cli["track"] == "songwriting"
    assert cli["exercises"] == 4 and cli["correct"] == 3
    melody = next(s for s in cli["skills"] if s["skill"] == "melody-writing")
    assert [p["exercise"] for p in melody["history"]] == [3, 4]
    assert melody["history"][1]["p_known"] < melody["history"][0]["p_known"]
