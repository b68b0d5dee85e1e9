"""Lesson turns reach the lesson tool: requests by examples and grammar, answers by state."""

from __future__ import annotations

from dataclasses import replace

import pytest
from langgraph.store.memory import InMemoryStore

from etude.agents.router import Router
from etude.knowledge.embeddings import shared_embedder
from etude.lessons.exercises import Exercise
from etude.lessons.records import LessonRecords
from etude.tools.base import TurnFacts
from etude.tools.registry import ToolRegistry, load_registry

TRIAD = Exercise(
    skill="triads",
    kind="triad_spell",
    prompt="Spell the E major triad (root first).",
    answer_kind="notes",
    expected=["E", "G#", "B"],
)
TASK = Exercise(
    skill="melody-writing",
    kind="compose",
    prompt="Write 8 bars in G major ending with a perfect authentic cadence.",
    answer_kind="composition",
    key="G major",
)


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_registry(plugins=False), shared_embedder())


@pytest.mark.parametrize(
    "message",
    [
        "I'm a beginner pianist and want to write my first song",
        "Teach me how to write a melody",
        "Can you give me an exercise on triads?",
        "How am I doing?",
        "What should I study next on my path?",
        "Could you quiz me on major scales?",
        "I'd like a drill on key signatures please",
    ],
)
def test_lesson_requests_route_to_the_lesson_tool(router: Router, message: str) -> None:
    tools, _ = router.classify(message, has_attachment=False)
    assert "lesson" in tools


@pytest.mark.parametrize(
    "message",
    ["What is a deceptive cadence?", "Hi, I'm Lena and I sing in a choir", "Thanks!"],
)
def test_other_turns_do_not(router: Router, message: str) -> None:
    tools, _ = router.classify(message, has_attachment=False)
    assert "lesson" not in tools


def _facts(message: str, store: InMemoryStore, *, attachment: bool = False) -> TurnFacts:
    return TurnFacts(message, attachment, "ana", store)


def test_an_answer_to_the_open_exercise_is_claimed(router: Router) -> None:
    store = InMemoryStore()
    assert router.claimed(_facts("E G# B", store)) == []  # nothing open yet
    LessonRecords(store).set_open("ana", TRIAD)
    assert router.claimed(_facts("E G# B", store)) == ["lesson"]
    assert router.claimed(_facts("I don't know, skip it", store)) == ["lesson"]
    assert router.claimed(_facts("What notes are in a B minor chord?", store)) == []
    assert router.claimed(_facts("Thanks, that helps", store)) == []
    assert router.claimed(replace(_facts("E G# B", store), learner="ben")) == []


def test_a_score_is_claimed_only_for_an_open_composition_task(router: Router) -> None:
    store = InMemoryStore()
    LessonRecords(store).set_open("ana", TRIAD)
    assert router.claimed(_facts("Here is my melody", store, attachment=True)) == []
    LessonRecords(store).set_open("ana", TASK)
    assert router.claimed(_facts("Here is my melody", store, attachment=True)) == ["lesson"]
    assert router.claimed(_facts("What key is my piece in?", store, attachment=True)) == []
    abc = "My tune:\nX:1\nM:4/4\nK:G\nG A B c | d4 |]"
    assert router.claimed(_facts(abc, store)) == ["lesson"]


def test_a_failing_claim_hook_is_ignored() -> None:
    def broken(facts: TurnFacts) -> bool:
        raise RuntimeError("boom")

    def wants_everything(facts: TurnFacts) -> bool:
        return True

    lesson = load_registry(plugins=False).get("lesson")
    registry = ToolRegistry()
    registry.add(replace(lesson, claims_turn=broken))
    registry.add(replace(lesson, name="greedy", claims_turn=wants_everything))
    router = Router(registry, shared_embedder())
    assert router.claimed(_facts("E G# B", InMemoryStore())) == ["greedy"]
