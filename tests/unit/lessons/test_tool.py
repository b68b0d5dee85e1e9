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
    """ "Too easy" first asks the skill's next, harder case (major → minor → diminished
    triads); past its last case it moves one skill along the path, "too hard" one back."""
    from etude.lessons.coverage import family_order
    from etude.lessons.curriculum import load_curriculum

    order = family_order(load_curriculum().skill("triads"))
    ana = Learner(settings)
    ana.say("give me an exercise on triads")
    first = ana.open_exercise()
    seen = [first["family"]]
    while True:
        reply = ana.say("hmm that one's too easy for me, something tougher?")
        opened = ana.open_exercise()
        if opened["skill"] != "triads":
            break
        assert reply[0].data["type"] == "harder" and "worked_example" in _types(reply)
        seen.append(opened["family"])
    assert seen == order[order.index(first["family"]) :]
    ana.say("ok now that's too hard")
    assert ana.open_exercise()["skill"] == "triads"


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


@pytest.mark.parametrize(
    ("request_text", "kind", "skill"),
    [
        ("quiz me on key signatures! like 5 questions", "key_signature", "scales-and-keys"),
        ("quiz me on relative minor keys, one question at a time", "relative_key", None),
        ("give me a rhythm exercise in 6/8 pls", "meter_beats", "rhythm-and-meter"),
    ],
)
def test_a_request_naming_a_topic_gets_that_topics_exercise(
    settings: Settings, request_text: str, kind: str, skill: str | None
) -> None:
    """Not a placement on triads: the exercise kind the learner named, with a worked example
    of the same kind first and how to answer as the next step."""
    evidence = Learner(settings).say(request_text)
    assert "placement" not in _types(evidence)
    exercise = next(e for e in evidence if e.data.get("type") == "exercise")
    assert exercise.data["exercise"]["kind"] == kind
    assert skill is None or exercise.data["exercise"]["skill"] == skill
    assert exercise.data["next_step"].startswith("Next: reply with your answer")
    example = next(e for e in evidence if e.data.get("type") == "worked_example")
    assert example.data["exercise"]["kind"] == kind
    assert example.data["exercise"]["prompt"] != exercise.data["exercise"]["prompt"]


def test_a_rhythm_exercise_is_in_the_meter_asked_and_checked(settings: Settings) -> None:
    ana = Learner(settings)
    evidence = ana.say("give me a rhythm exercise in 6/8 pls")
    opened = ana.open_exercise()
    assert opened["key"] == "6/8" and "6/8" in opened["prompt"]
    example = next(e for e in evidence if e.data.get("type") == "worked_example")
    assert "X:1" in example.summary and "M:6/8" not in example.summary  # no answer given away
    right = ana.say(f"it's {opened['expected'][0]}")
    assert right[0].data["result"]["correct"] is True


def test_a_key_named_for_a_scale_is_not_graded_and_misses_are_said_once(
    settings: Settings,
) -> None:
    """'is it F# minor?' while 'Spell the D major scale' is open answers another question:
    nothing is counted; a real miss names how many notes are missing, once."""
    ana = Learner(settings)
    ana.say("Teach me scales and key signatures")
    while ana.open_exercise()["kind"] != "scale_spell":
        ana.say("skip")
    reply = ana.say("is it F# minor?")
    assert reply[0].data["type"] == "unread" and "names a key" in reply[0].summary
    assert reply[1].summary.startswith("Still open")
    with sqlite_records(settings.sqlite_path) as records:
        assert records.misses("ana") == 0
    opened = ana.open_exercise()
    verdict = ana.say(f"my answer: {opened['expected'][0]} {opened['expected'][2]}")[0]
    assert verdict.summary.count("missing") == 1 and "5 notes are missing" in verdict.summary


def test_a_wrong_relative_key_is_explained_without_the_answer(settings: Settings) -> None:
    ana = Learner(settings)
    ana.say("quiz me on relative minor keys")
    opened = ana.open_exercise()
    tonic, _mode = opened["expected"]
    wrong = "F# minor" if tonic != "F#" else "C# minor"
    verdict = ana.say(f"is it {wrong}?")[0]
    assert verdict.data["result"]["correct"] is False
    assert "because both have" in verdict.summary and f"{tonic} minor" not in verdict.summary


def test_an_exercise_on_a_topic_the_curriculum_lacks_is_declined_plainly(
    settings: Settings,
) -> None:
    [reply] = Learner(settings).say("can you give me an ear training exercise I can do?")
    assert reply.data["type"] == "not_offered" and "no ear training exercises" in reply.summary
    assert reply.data["next_step"].startswith("Next:")


def test_a_plan_has_numbered_weeks_and_a_routine_fits_the_minutes(settings: Settings) -> None:
    [plan] = Learner(settings, "ben").say("make me a 4 week plan to learn four-part harmony")
    assert plan.summary.count("\n") == plan.data["weeks"] and "\n1. Week 1: " in plan.summary
    assert plan.data["next_step"].startswith('Next: say "teach me')
    [routine] = Learner(settings, "cy").say(
        "I only have 15 min a day. what should I practise to get better at composing?"
    )
    assert routine.data["type"] == "routine" and routine.data["minutes"] == 15
    assert "\n1. 5 minutes" in routine.summary and "\n2. 10 minutes" in routine.summary


def test_too_simple_in_other_words_still_asks_a_harder_case(settings: Settings) -> None:
    from etude.lessons.intents import asks_for_lesson

    message = "that's way too simple, something more challenging please"
    assert asks_for_lesson(message)  # the router's exact pass claims it for the lesson tool
    ana = Learner(settings)
    ana.say("give me a triad exercise")
    first = ana.open_exercise()
    ana.say(message)
    assert ana.open_exercise()["id"] != first["id"]
