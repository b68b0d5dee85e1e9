"""Where everything Etude keeps about a learner sits in the LangGraph store: the one layout.

The graph's checkpointer keeps each lesson *thread* (its messages and evidence); the store keeps
what outlives a thread, per learner, under ``("learners", <id>, ...)``:

=============================================  ==================================================
namespace                                      keys
=============================================  ==================================================
``("learners", id)``                           ``profile`` (:class:`~etude.learner.LearnerProfile`),
                                               ``progress`` (turns per tool)
``("learners", id, "lesson")``                 ``record`` (track, exercise count, placed),
                                               ``mastery`` (skill → estimate, counts, families),
                                               ``open`` (the exercise awaiting an answer and any
                                               queued after it), ``reviews`` (item → review)
``("learners", id, "lesson", "attempts")``     one item per answer, keyed by its zero-padded
                                               number
=============================================  ==================================================

Every reader and writer (intake, remember, the lesson records, the server's profile page, the
CLI's ``etude progress``) takes its names from here, and the store itself — SQLite or
PostgreSQL — is always handed in by the caller. This module imports nothing heavy: the router
reads ``OPEN_KEY`` on every turn.

>>> profile_namespace("ana"), lesson_namespace("ana"), attempts_namespace("ana")[-1]
(('learners', 'ana'), ('learners', 'ana', 'lesson'), 'attempts')
"""

from __future__ import annotations

LEARNERS = "learners"

PROFILE_KEY = "profile"
"""What the learner told us about themselves."""

PROGRESS_KEY = "progress"
"""How many turns each tool has served the learner."""

RECORD_KEY = "record"
"""The learner's lesson record: track, exercise count, placed."""

MASTERY_KEY = "mastery"
"""Per-skill mastery estimates."""

OPEN_KEY = "open"
"""The exercise awaiting the learner's answer."""

REVIEWS_KEY = "reviews"
"""Facts queued for spaced review."""


def profile_namespace(learner: str) -> tuple[str, ...]:
    """``("learners", <id>)``: the learner's profile and tool counts."""
    return (LEARNERS, learner)


def lesson_namespace(learner: str) -> tuple[str, ...]:
    """``("learners", <id>, "lesson")``: next to the learner's profile, one per learner."""
    return (*profile_namespace(learner), "lesson")


def attempts_namespace(learner: str) -> tuple[str, ...]:
    """One item per answered exercise, keyed by its zero-padded number."""
    return (*lesson_namespace(learner), "attempts")
