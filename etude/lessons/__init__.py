"""Lessons: a curriculum, exercises checked automatically, and a model of what the learner knows.

One learner turn (:class:`LessonTurn`) places a new learner, teaches a skill, sets an exercise
(drills answered by the theory engine, composition tasks checked by the critic), checks an
answer, updates the Bayesian knowledge-tracing estimate (gated by coverage of each skill's
families), schedules spaced reviews and reports progress (:func:`progress_report`). Everything
is kept in a LangGraph store the caller hands in (:class:`LessonRecords`; the layout is
``etude.store_layout``'s).

It may import the theory engine, the critic, the score loaders and the core types; it must not
import tools, agents, the graph, the server or the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etude.lazy import lazy_exports

if TYPE_CHECKING:
    from etude.lessons.curriculum import Curriculum, load_curriculum
    from etude.lessons.progress import ProgressReport, progress_report
    from etude.lessons.records import LessonRecords
    from etude.lessons.turn import LessonMessage, LessonTurn

__all__ = [
    "Curriculum",
    "LessonMessage",
    "LessonRecords",
    "LessonTurn",
    "ProgressReport",
    "load_curriculum",
    "progress_report",
]

_HOMES = {
    "Curriculum": "curriculum",
    "load_curriculum": "curriculum",
    "ProgressReport": "progress",
    "progress_report": "progress",
    "LessonRecords": "records",
    "LessonMessage": "turn",
    "LessonTurn": "turn",
}


__getattr__ = lazy_exports(__name__, _HOMES)
