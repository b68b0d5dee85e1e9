"""Lessons a learner can learn from (issue #20): a miss is retried with the checker's
explanation, a hint on the second miss, the answer and the method on the third; "why was I
wrong?" is answered from the last check; mastery is said in words; and an open exercise never
captures a message that is not an answer to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.store.memory import InMemoryStore

from etude.config import Settings
from etude.evidence import Evidence
from etude.lessons.exercises import Exercise
from etude.lessons.records import LessonRecords
from etude.lessons.turn import reads_as_reply
from etude.tools.base import ToolRequest
from etude.tools.lesson import TOOL


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache")


class Lesson:
    def __init__(self, settings: Settings, session: str = "lesson-1") -> None:
        self.settings, self.session, self.store = settings, session, InMemoryStore()

    def say(self, text: str, session: str | None = None) -> list[Evidence]:
        request = ToolRequest(
            question=text, learner="ana", session=session or self.session, store=self.store
        )
        return TOOL.run(request, self.settings)

    def opened(self) -> Exercise:
        found = LessonRecords(self.store).open_exercise("ana")
        assert found is not None
        return found[0]


def _of(evidence: list[Evidence], kind: str) -> Evidence:
    return next(e for e in evidence if e.data.get("type") == kind)


def _wrong_for(exercise: Exercise) -> str:
    """A readable wrong answer of the exercise's kind."""
    if exercise.answer_kind == "interval":
        return "augmented unison"
    if exercise.answer_kind == "key_signature":
        return "seven sharps" if "7 sharp" not in exercise.fact else "seven flats"
    return "Cb Fb"


def test_a_miss_is_retried_then_hinted_then_answered(settings: Settings) -> None:
    lesson = Lesson(settings)
    lesson.say("Quiz me on triads")
    exercise = lesson.opened()
    answer = " ".join(exercise.expected)

    first = lesson.say(_wrong_for(exercise))
    verdict = _of(first, "check")
    assert verdict.summary.startswith("Not yet: you answered Cb Fb.")
    assert answer not in verdict.summary and verdict.data["result"]["expected"] == ""
    retry = _of(first, "exercise")
    assert retry.summary.startswith("Try again") and exercise.prompt in retry.summary
    assert lesson.opened().id == exercise.id  # the same exercise, not the next one

    second = lesson.say(_wrong_for(exercise))
    retry = _of(second, "exercise")
    assert retry.summary.startswith("Hint: from " + exercise.expected[0])
    assert answer not in retry.summary and lesson.opened().id == exercise.id

    third = lesson.say(_wrong_for(exercise))
    verdict = _of(third, "check")
    assert f"the answer is {answer}" in verdict.summary and "How to find it:" in verdict.summary
    assert lesson.opened().id != exercise.id  # now the lesson moves on

    progress = LessonRecords(lesson.store).mastery("ana")["triads"]
    assert progress.attempts == 1 and progress.correct == 0  # one exercise, one miss


def test_a_right_retry_is_praised_and_moves_on(settings: Settings) -> None:
    lesson = Lesson(settings)
    lesson.say("Give me an exercise on intervals")
    exercise = lesson.opened()
    lesson.say(_wrong_for(exercise))
    right = lesson.say("My answer is " + exercise.expected[0])
    assert _of(right, "check").summary.startswith("Correct.")
    assert lesson.opened().id != exercise.id


def test_why_was_i_wrong_is_answered_from_the_last_check(settings: Settings) -> None:
    lesson = Lesson(settings)
    assert "not answered an exercise in this lesson" in lesson.say("why was I wrong?")[0].summary
    lesson.say("Quiz me on triads")
    exercise = lesson.opened()
    lesson.say("My answer: " + exercise.expected[0] + " C D")
    why = lesson.say("why was I wrong?")
    assert len(why) == 1 and why[0].data["type"] == "why"
    assert exercise.prompt in why[0].summary and "still open" in why[0].summary
    assert " ".join(exercise.expected) not in why[0].summary  # still open: not given away
    lesson.say(_wrong_for(exercise))
    lesson.say(_wrong_for(exercise))
    first = lesson.say("why was my first answer wrong?")[0].summary
    assert f"Your first answer was {exercise.expected[0]} C D" in first
    assert f"the answer is {' '.join(exercise.expected)}" in first  # closed now: shown


def test_mastery_is_said_in_words(settings: Settings) -> None:
    lesson = Lesson(settings)
    lesson.say("Quiz me on triads")
    exercise = lesson.opened()
    mastery = _of(lesson.say("My answer: " + " ".join(exercise.expected)), "mastery").summary
    assert mastery.startswith(f"1 of 1 right on {exercise.family}; ") and "; next: " in mastery
    skipped = _of(lesson.say("skip"), "mastery").summary  # a miss: queued for review
    assert skipped.endswith("next: this one comes back for review after 2 more exercises.")


def test_an_open_exercise_does_not_capture_a_question(settings: Settings) -> None:
    lesson = Lesson(settings)
    lesson.say("Give me an exercise on intervals")
    exercise = lesson.opened()
    for message in (
        "List the tones of a Db major seventh chord",
        "Spell the F minor triad for me",
        "Tell me about the perfect fifth in cadences",
    ):
        assert not reads_as_reply(exercise, message, has_attachment=False), message
        assert lesson.say(message) == []  # no grade and no "Still open" reminder
    assert lesson.opened().id == exercise.id


@pytest.mark.parametrize(
    ("expected", "kind", "answer_kind", "message"),
    [
        (["M6"], "interval_name", "interval", "major sixth"),
        (["M6"], "interval_name", "interval", "I think it's a minor 6th"),
        (["E", "G#", "B"], "triad_spell", "notes", "E, G sharp and B"),
        (["E", "G#", "B"], "triad_spell", "notes", "is it E G B?"),
        (["C#", "minor"], "relative_key", "key", "C# minor"),
        (["F#", "C#"], "key_signature", "key_signature", "two sharps, F# and C#"),
    ],
)
def test_short_answers_still_read_as_answers(
    expected: list[str], kind: str, answer_kind: str, message: str
) -> None:
    exercise = Exercise(
        skill="x", kind=kind, prompt="…", answer_kind=answer_kind, expected=expected
    )  # type: ignore[arg-type]
    assert reads_as_reply(exercise, message, has_attachment=False)


def test_lines_of_a_batch_never_share_an_exercise(settings: Settings) -> None:
    lesson = Lesson(settings)
    lesson.say("Quiz me on triads", session="batch-line-1")
    exercise = lesson.opened()
    answer = " ".join(exercise.expected)
    assert lesson.say(answer, session="batch-line-2") == []  # not graded in another line
    assert lesson.opened().id == exercise.id
    assert _of(lesson.say(answer, session="batch-line-1"), "check").data["result"]["correct"]
    why = lesson.say("why was I wrong?", session="batch-line-3")[0].summary
    assert "not answered an exercise" in why  # another line's check is not this lesson's
