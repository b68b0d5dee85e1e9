"""A lesson a learner can learn from, through the real graph (issue #20): the real router,
the embedded chat model, the SQLite checkpointer and store, several turns in one session.

A wrong answer gets the checker's explanation and the same exercise again (a hint on the
second miss, the answer and how to find it on the third); "why was my first answer wrong?"
is answered from the checks; mastery is said in words; a question asked while an exercise is
open is answered, not graded; and lines of an ``ask --batch`` never share an exercise.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from etude.config import Settings
from etude.evidence import Evidence
from etude.mentor import Mentor, TurnResult
from etude.tools.registry import load_registry
from tests.lesson_records import sqlite_records

pytestmark = pytest.mark.integration

WRONG = "My answer: Cb Fb"
"""Read as notes, never the notes of a triad the curriculum asks for."""


@pytest.fixture(scope="module")
def dialogue_settings(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    db = tmp_path_factory.mktemp("dialogue") / "lessons.sqlite"
    return settings.with_overrides(db_path=db, max_sentences=1, max_new_tokens=48)


@pytest.fixture(scope="module")
def dialogue_mentor(dialogue_settings: Settings) -> Iterator[Mentor]:
    mentor = Mentor(dialogue_settings, registry=load_registry(plugins=False))
    yield mentor
    mentor.close()


def _open(settings: Settings, learner: str) -> dict[str, Any]:
    with sqlite_records(settings.sqlite_path) as records:
        opened = records.open_exercise(learner)
    assert opened is not None
    return opened[0].model_dump()


def _lesson(result: TurnResult, kind: str) -> list[Evidence]:
    return [e for e in result.evidence if e.tool == "lesson" and e.data.get("type") == kind]


def test_a_miss_is_explained_retried_hinted_then_answered(
    dialogue_mentor: Mentor, dialogue_settings: Settings, tmp_path: Path
) -> None:
    def ask(message: str) -> TurnResult:
        return dialogue_mentor.ask(message, session="retry-lesson", learner="lea")

    ask("Quiz me on triads")
    exercise = _open(dialogue_settings, "lea")
    answer = " ".join(exercise["expected"])

    question = ask("List the tones of a Db major seventh chord")
    assert not _lesson(question, "check")  # answered as a question, never graded
    assert "Not yet" not in question.answer and "Still open" not in question.answer
    assert "Db – F – Ab – C" in question.answer
    assert _open(dialogue_settings, "lea")["id"] == exercise["id"]

    first = ask(WRONG)
    assert first.route == ["lesson"]
    assert "Not yet: you answered Cb Fb." in first.answer
    assert f"the answer is {answer}" not in first.answer
    assert f"Try again (Triads and their qualities): {exercise['prompt']}" in first.answer
    assert f"0 of 1 right on {exercise['family']}" in first.answer
    assert _open(dialogue_settings, "lea")["id"] == exercise["id"]

    why = ask("why was I wrong?")
    assert "lesson" in why.route
    assert f'You were asked: "{exercise["prompt"]}" Your last answer was Cb Fb' in why.answer

    second = ask(WRONG)
    assert f"Hint: from {exercise['expected'][0]}, stack" in second.answer
    assert _open(dialogue_settings, "lea")["id"] == exercise["id"]

    third = ask(WRONG)
    assert f"the answer is {answer}" in third.answer and "How to find it:" in third.answer
    assert "Next exercise" in third.answer
    assert _open(dialogue_settings, "lea")["id"] != exercise["id"]

    first_why = ask("why was my first answer wrong?")
    assert "Your first answer was Cb Fb" in first_why.answer
    assert f"the answer is {answer}" in first_why.answer


def test_lines_of_a_batch_never_share_an_exercise(
    dialogue_mentor: Mentor, dialogue_settings: Settings
) -> None:
    """``ask --batch`` gives each line its own session unless the line names one."""
    dialogue_mentor.ask("Give me an exercise on intervals", learner="bo")
    exercise = _open(dialogue_settings, "bo")
    right = exercise["expected"][0]
    elsewhere = dialogue_mentor.ask(f"My answer is {right}", learner="bo")
    assert not _lesson(elsewhere, "check") and "Still open" not in elsewhere.answer
    assert _open(dialogue_settings, "bo")["id"] == exercise["id"]
