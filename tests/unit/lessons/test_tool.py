"""The lesson tool's turns without the chat model: placement, answers, review, restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from etude.config import Settings
from etude.evidence import Evidence
from etude.learner import LearnerProfile, update_profile
from etude.lessons.intents import read_intent
from etude.tools.base import ToolRequest
from etude.tools.lesson import TOOL, lesson
from tests.lesson_records import sqlite_records


class Learner:
    def __init__(self, settings: Settings, name: str = "ana") -> None:
        self.settings = settings
        self.name = name
        self.profile = LearnerProfile()

    def say(self, text: str, attachment: Path | None = None) -> list[Evidence]:
        self.profile = update_profile(self.profile, text)
        request = ToolRequest(
            question=text, profile=self.profile, learner=self.name, attachment=attachment
        )
        return TOOL.run(request, self.settings)

    def open_exercise(self) -> dict:
        with sqlite_records(self.settings.sqlite_path) as records:
            opened = records.open_exercise(self.name)
        assert opened is not None
        return opened[0].model_dump()


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache")


def _types(evidence: list[Evidence]) -> list[str]:
    return [e.data.get("type", e.kind) for e in evidence]


def test_new_beginner_gets_placement_path_and_first_question(settings: Settings) -> None:
    ana = Learner(settings)
    evidence = ana.say("I'm a beginner pianist and want to write my first song")
    assert _types(evidence) == ["placement", "path", "exercise"]
    assert evidence[0].data["track"] == "songwriting"
    assert len(evidence[0].data["questions"]) == 2
    assert all(e.authoritative for e in evidence)
    assert "expected" not in evidence[2].data["exercise"]  # the answer is not leaked


def test_placement_answers_place_the_learner_and_open_the_path(settings: Settings) -> None:
    ana = Learner(settings)
    ana.say("I'm a beginner and I want to write songs")
    first = ana.open_exercise()
    reply = ana.say("My answer: " + " ".join(first["expected"]))
    assert reply[0].data["result"]["correct"] is True
    second = ana.open_exercise()
    assert second["placement"] and second["skill"] != first["skill"]
    reply = ana.say("here is my answer: " + " ".join(second["expected"]))
    assert _types(reply) == ["check", "path", "exercise"]
    skills = {s["skill"]: s["state"] for s in reply[1].data["skills"]}
    assert skills["intervals"] == "mastered" and skills["triads"] == "mastered"
    assert ana.open_exercise()["placement"] is False


def test_a_miss_comes_back_for_review(settings: Settings) -> None:
    ana = Learner(settings)
    ana.say("Teach me triads")
    missed = ana.open_exercise()
    ana.say("My answer: C D E")
    assert ana.open_exercise()["id"] == missed["id"]  # a miss is retried first
    ana.say("skip")
    for _ in range(2):
        current = ana.open_exercise()
        if current["expected"] == missed["expected"]:
            break
        ana.say("My answer: " + " ".join(current["expected"]))
    reviewed = ana.open_exercise()
    assert reviewed["review"] is True and reviewed["expected"] == missed["expected"]
    reply = ana.say("My answer: " + " ".join(reviewed["expected"]))
    assert reply[0].data["result"]["correct"]


def test_progress_and_open_exercise_survive_a_restart(settings: Settings) -> None:
    Learner(settings).say("Give me an exercise on intervals")
    opened = Learner(settings).open_exercise()
    answer = opened["expected"][0]
    reply = Learner(settings).say(f"My answer is {answer}")
    assert reply[0].data["result"]["correct"]
    progress = Learner(settings).say("How am I doing?")
    assert progress[0].data["exercises"] == 1 and progress[0].data["right"] == 1


def test_skip_reveals_the_answer_and_counts_as_a_miss(settings: Settings) -> None:
    ana = Learner(settings)
    ana.say("Quiz me on cadences")
    opened = ana.open_exercise()
    reply = ana.say("I don't know, skip")
    assert reply[0].data["result"]["correct"] is False
    assert " ".join(opened["expected"]) in reply[0].summary


def test_unrelated_messages_add_nothing_for_a_new_learner(settings: Settings) -> None:
    assert lesson(ToolRequest(question="What is a cadence?", learner="x"), settings) == []


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("How am I doing?", "progress"),
        ("Give me another one", "exercise"),
        ("Teach me four-part writing", "teach"),
        ("Here is my melody", "answer"),
        ("skip", "skip"),
        ("What is a deceptive cadence?", "other"),
    ],
)
def test_intents(text: str, intent: str) -> None:
    assert read_intent(text) == intent


def test_a_known_learner_restating_a_goal_is_not_placed_again(settings: Settings) -> None:
    ana = Learner(settings)
    ana.say("I'm a beginner and I want to write songs")
    first = ana.open_exercise()
    ana.say("My answer: " + " ".join(first["expected"]))
    again = ana.say("I want to write my first song")
    assert _types(again) == ["path", "exercise"]
    assert again[1].summary.startswith("Still open")
    with sqlite_records(settings.sqlite_path) as records:
        assert len(records.attempts("ana")) == 1  # nothing re-asked, nothing lost


def test_a_skill_is_practised_across_its_kinds_of_exercise(settings: Settings) -> None:
    ana = Learner(settings)
    ana.say("Teach me scales and key signatures")
    kinds = []
    for _ in range(3):
        opened = ana.open_exercise()
        kinds.append(opened["kind"])
        ana.say("I don't know, skip")  # misses keep the skill open
    assert sorted(kinds) == ["key_signature", "relative_key", "scale_spell"]


def test_a_skill_is_not_mastered_until_every_family_was_answered_right(
    settings: Settings,
) -> None:
    """Three right answers reach BKT's threshold; mastery also needs each case of the skill
    (major, minor and diminished triads), and the exercises go after the missing ones."""
    from etude.lessons.mastery import MASTERED

    ana = Learner(settings)
    ana.say("Teach me triads")
    families, shown = [], []
    for _ in range(3):
        opened = ana.open_exercise()
        families.append(opened["family"])
        reply = ana.say("My answer: " + " ".join(opened["expected"]))
        mastery = next(e for e in reply if e.data.get("type") == "mastery")
        shown.append(mastery.data["p_known"])
    assert sorted(families) == ["diminished triads", "major triads", "minor triads"]
    assert shown[-1] >= MASTERED and "still to show" not in mastery.summary


def test_right_answers_in_one_family_hold_mastery_under_the_threshold(
    settings: Settings,
) -> None:
    from etude.lessons.coverage import UNCOVERED_CAP
    from etude.lessons.curriculum import load_curriculum
    from etude.lessons.drills import check_drill
    from etude.lessons.exercises import Exercise
    from etude.lessons.turn import LessonMessage, LessonTurn

    ana = Learner(settings)
    ana.say("Teach me triads")
    with sqlite_records(settings.sqlite_path) as records:
        message = LessonMessage(text="", learner="ana")
        turn = LessonTurn(message, records, load_curriculum(), settings.data_dir)
        major = Exercise(
            skill="triads", kind="triad_spell", prompt="Spell the C major triad.",
            answer_kind="notes", expected=["C", "E", "G"], family="major triads",
        )  # fmt: skip
        for _ in range(4):
            evidence = turn.record(major, [], check_drill(major, "C E G"))
        mastery = next(e for e in evidence if e.data.get("type") == "mastery")
        assert mastery.data["p_known"] == pytest.approx(UNCOVERED_CAP)
        assert mastery.data["untested"] == ["diminished triads", "minor triads"]
        assert "still to show: diminished triads, minor triads" in mastery.summary
        assert turn.choose_next(major).family in {"diminished triads", "minor triads"}


def test_an_exercise_is_answered_only_in_the_thread_that_set_it(settings: Settings) -> None:
    from langgraph.store.memory import InMemoryStore

    from etude.lessons.records import LessonRecords
    from etude.tools.base import TurnFacts
    from etude.tools.lesson import awaits_answer

    store = InMemoryStore()

    def say(text: str, session: str) -> list[Evidence]:
        request = ToolRequest(question=text, learner="ana", session=session, store=store)
        return TOOL.run(request, settings)

    say("Quiz me on triads", "lesson-a")
    opened = LessonRecords(store).open_exercise("ana")
    assert opened is not None
    answer = " ".join(opened[0].expected)
    elsewhere = TurnFacts(answer, False, "ana", store, session="batch-line-7")
    here = TurnFacts(answer, False, "ana", store, session="lesson-a")
    assert not awaits_answer(elsewhere) and awaits_answer(here)
    # a plain question sent to the lesson tool in another thread gets no "Still open" reminder
    assert say("what is a triad?", "batch-line-7") == []


def test_too_easy_moves_one_skill_along_the_path_and_too_hard_one_back(
    settings: Settings,
) -> None:
    ana = Learner(settings)
    ana.say("give me an exercise on triads")
    triads = ana.open_exercise()["skill"]
    ana.say("hmm that one's too easy for me, something tougher?")
    harder = ana.open_exercise()["skill"]
    assert harder != triads
    ana.say("ok now that's too hard")
    assert ana.open_exercise()["skill"] == triads


def test_a_plan_lists_the_unmastered_skills_on_the_way_over_the_weeks_asked(
    settings: Settings,
) -> None:
    ben = Learner(settings, "ben")
    [plan] = ben.say("could you write me a 3 week plan for learning cadences?")
    assert plan.data["type"] == "plan" and plan.data["weeks"] <= 3
    skills = plan.data["skills"]
    assert skills[-1] == "cadences" and "triads" in skills
    assert skills.index("intervals") < skills.index("triads")  # prerequisites first
    assert "Week 1:" in plan.summary
