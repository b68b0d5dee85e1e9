"""Where the lesson state sits in the LangGraph store (see ``records.py`` for the layout).

Kept apart from ``records.py`` so the router's per-turn check for an open exercise reads the
store without importing music21 (about a second at every CLI start).
"""

from __future__ import annotations

OPEN_KEY = "open"
"""The exercise awaiting the learner's answer."""


def lesson_namespace(learner: str) -> tuple[str, ...]:
    """``("learners", <id>, "lesson")``: next to the learner's profile, one per learner."""
    return ("learners", learner, "lesson")


def attempts_namespace(learner: str) -> tuple[str, ...]:
    """One item per answered exercise, keyed by its zero-padded number."""
    return (*lesson_namespace(learner), "attempts")
