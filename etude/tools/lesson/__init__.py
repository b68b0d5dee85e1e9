"""The lesson tool: a curriculum, exercises checked automatically, and a learner model.

Built on the graph as a tool, so the core graph does not change: the router sends lesson
requests here by the examples below and by an exact grammar of lesson requests ("teach me",
"quiz me", "how am I doing?"), and a reply to the open exercise by ``claims_turn`` (the open
exercise is state, which similarity to examples cannot see). Answers are not examples: "E G#
B" resembles a theory question, and only the open exercise makes it an answer.
"""

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest, ToolSpec, TurnFacts
from etude.tools.lesson.intents import asks_for_lesson
from etude.tools.lesson.store_keys import OPEN_KEY, lesson_namespace


def lesson(request: ToolRequest, settings: Settings) -> list[Evidence]:
    """Imported on first use: the exercises need music21, which costs a second to import."""
    from etude.tools.lesson.tool import lesson as run_lesson

    return run_lesson(request, settings)


def awaits_answer(facts: TurnFacts) -> bool:
    """Claim the turn when this learner has an open exercise and the message answers it.

    Runs in the router on every turn, so the common case (no open exercise) is one store
    read and no heavy import.
    """
    if facts.store is None or facts.store.get(lesson_namespace(facts.learner), OPEN_KEY) is None:
        return False
    from etude.tools.lesson.tool import awaits_answer as answers_open_exercise

    return answers_open_exercise(facts)


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
