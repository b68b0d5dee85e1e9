"""What the studio shows about the learner: their profile, tool use and lesson mastery.

Everything comes from the mentor's store, written by the graph itself (``intake`` and
``remember`` for the profile and tool counts, the lesson tool for mastery), so the page shows
what the mentor actually remembers, not a copy kept by the server.
"""

from __future__ import annotations

import logging
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

log = logging.getLogger(__name__)


class Profile(BaseModel):
    """The ``GET /me`` object."""

    learner: str = Field(description="The caller's learner id (a hash in cookie mode).")
    profile: dict[str, Any] = Field(description="What the learner told Etude about themself.")
    recap: str = Field(description="The profile in one sentence.")
    progress: dict[str, int] = Field(description="Turns that used each tool.")
    sessions: int = Field(description="How many lessons the learner has.")
    lessons: dict[str, Any] | None = Field(
        default=None,
        description="The `etude progress --json` object (mastery per skill of the learner's "
        "curriculum track, each with its history: the estimate after every answer, which the "
        "studio plots), or null when the lesson tool is not installed.",
    )


def learner_profile(store: BaseStore, learner: str, sessions: int) -> Profile:
    """Read the learner's profile, tool counts and lesson mastery from ``store``.

    >>> from langgraph.store.memory import InMemoryStore
    >>> me = learner_profile(InMemoryStore(), "ana", 0)
    >>> me.progress, me.sessions
    ({}, 0)
    """
    from etude.agents.intake import load_profile
    from etude.store_layout import PROGRESS_KEY, profile_namespace

    profile = load_profile(store, learner)
    progress = store.get(profile_namespace(learner), PROGRESS_KEY)
    return Profile(
        learner=learner,
        profile=profile.model_dump(mode="json"),
        recap=profile.recap(),
        progress=dict(progress.value) if progress else {},
        sessions=sessions,
        lessons=_lessons(store, learner),
    )


def _lessons(store: BaseStore, learner: str) -> dict[str, Any] | None:
    """Mastery per skill, as ``etude progress --json`` reports it. A failure here costs the
    page its mastery panel, never the profile, so it is logged and answered with null."""
    try:
        from etude.lessons.progress import progress_report
        from etude.lessons.records import LessonRecords
    except ImportError:
        return None
    try:
        report = progress_report(LessonRecords(store), learner)
    except Exception:
        log.exception("lesson progress failed for %s", learner)
        return None
    return report.model_dump(mode="json")
