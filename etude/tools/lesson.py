"""The lesson tool: a curriculum, exercises checked automatically, and a learner model
(``etude.lessons``), as evidence for the tutor.

Only the adapter lives here. The router sends lesson requests by the examples below and by an
exact grammar of lesson requests ("teach me", "quiz me", "how am I doing?"), and a reply to
the open exercise by ``claims_turn`` (the open exercise is state, which similarity to examples
cannot see). Answers are not examples: "E G# B" resembles a theory question, and only the open
exercise makes it an answer.

The learner records live in the store the graph hands the tool (``ToolRequest.store``): SQLite
or PostgreSQL, whichever the mentor runs on. Called outside a graph (``etude tools check``), it
opens the configured store, never a file of its own.
"""

from __future__ import annotations

from etude.config import Settings
from etude.evidence import Evidence
from etude.lessons.intents import asks_for_lesson
from etude.store_layout import OPEN_KEY, lesson_namespace
from etude.tools.base import ToolRequest, ToolSpec, TurnFacts

__all__ = ["TOOL", "lesson"]


def lesson(request: ToolRequest, settings: Settings) -> list[Evidence]:
    """One lesson turn; music21 (a second to import) is loaded on first use only."""
    from langgraph.store.base import BaseStore

    from etude.lessons.curriculum import load_curriculum
    from etude.lessons.records import LessonRecords
    from etude.lessons.turn import LessonMessage, LessonTurn
    from etude.sessions import learner_store

    message = LessonMessage(
        text=request.question,
        learner=request.learner,
        profile=request.profile,
        level=request.level,
        attachment=request.attachment,
        session=request.session,
    )
    submissions = settings.data_dir / "lesson-submissions"

    def run(store: BaseStore) -> list[Evidence]:
        records = LessonRecords(store)
        return LessonTurn(message, records, load_curriculum(), submissions).run()

    if request.store is not None:
        return run(request.store)
    with learner_store(settings) as store:
        return run(store)


def awaits_answer(facts: TurnFacts) -> bool:
    """Claim the turn when this learner has an open exercise and the message answers it.

    Runs in the router on every turn, so the common case (no open exercise) is one store
    read and no heavy import.
    """
    if facts.store is None or facts.store.get(lesson_namespace(facts.learner), OPEN_KEY) is None:
        return False
    from etude.lessons.turn import awaits_answer as answers_open_exercise

    return answers_open_exercise(
        facts.store,
        facts.learner,
        facts.message,
        has_attachment=facts.has_attachment,
        session=facts.session,
    )


TOOL = ToolSpec(
    name="lesson",
    description=(
        "Lessons with exercises: sets the learner a drill or composition exercise, checks "
        "their answer or submitted score, reports mastery and progress on their learning path, "
        "and places new learners."
    ),
    examples=(
        "Give me an exercise",
        "Give me an exercise on intervals",
        "Quiz me on triads",
        "Can I have another one?",
        "Test me on key signatures",
        "Give me a composition task to practise",
        "I'd like today's lesson",
        "Teach me something new today",
        "How am I doing?",
        "Which skills have I mastered so far?",
        "What should I learn next?",
        "I don't know, skip this one",
        "I'm just starting out and would love to compose my own song",
        "I'm new to composing, where should I start?",
        "Start my lesson",
    ),
    run=lesson,
    recognizes=asks_for_lesson,
    claims_turn=awaits_answer,
)
