"""Where each learner's lessons persist: the LangGraph store, next to their profile.

The learner model (per-skill mastery, the review queue, the open exercise) and the history of
answers live in the same store as the learner profile (``("learners", <id>, ...)``), which the
mentor backs with its SQLite file: a chat in one terminal and ``etude progress`` in another read
the same state, a restart loses nothing, and a server deployment that swaps the store for
Postgres moves the lessons with it. Every answer is kept with the mastery estimate after it:
that history is what ``etude progress`` plots, and how improvement is measured.

The layout (namespaces and keys) is ``etude.store_layout``'s; the store itself is handed in
(``etude.sessions.learner_store`` opens the configured one outside a graph run).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel, Field

from etude.lessons.drills import CheckResult
from etude.lessons.exercises import Exercise
from etude.store_layout import (
    MASTERY_KEY,
    OPEN_KEY,
    RECORD_KEY,
    REVIEWS_KEY,
    attempts_namespace,
    lesson_namespace,
)

MAX_ATTEMPTS_READ = 100_000
"""Upper bound on the answers read back at once (a learner's whole history fits easily)."""


class LearnerRecord(BaseModel):
    learner: str
    track: str
    exercises_done: int = 0
    placed: bool = False
    created: float = 0.0


class SkillMastery(BaseModel):
    skill: str
    p_known: float
    attempts: int = 0
    correct: int = 0
    covered: list[str] | None = Field(
        default=None,
        description="Families of the skill answered right (``coverage.py``); None on records "
        "kept before coverage was tracked, which are not gated.",
    )
    updated: float = 0.0


class Attempt(BaseModel):
    """One answered exercise and the mastery estimate of its skill right after it."""

    skill: str
    exercise_id: str
    kind: str
    item: str = Field(default="", description="What was asked (``Exercise.item_key``).")
    correct: bool
    p_known: float
    review: bool = False
    placement: bool = False
    misconceptions: list[str] = Field(default_factory=list)
    family: str = Field(default="", description="Which case of the skill (``coverage.py``).")
    at: float


class ReviewItem(BaseModel):
    item_key: str
    skill: str
    exercise: Exercise
    box: int
    due: int


class OpenExercise(BaseModel):
    exercise: Exercise
    queue: list[Exercise] = Field(default_factory=list)
    opened: float = 0.0
    session: str | None = Field(
        default=None,
        description="The lesson thread that set it: only a reply in that thread answers it.",
    )
    misses: int = Field(default=0, description="Wrong answers to it so far (retries).")


class LastCheck(BaseModel):
    """The checks of the exercise answered last, first try first: what "why was I wrong?" and
    "why was my first answer wrong?" are answered from."""

    exercise: Exercise
    results: list[CheckResult] = Field(default_factory=list)
    closed: bool = Field(
        default=False, description="Answered right, skipped or missed for the last time."
    )
    session: str | None = None


LAST_CHECK_KEY = "last_check"
"""Store key (in the learner's lesson namespace) of :class:`LastCheck`."""


class LessonRecords:
    """A learner's lesson state in a LangGraph store.

    >>> from langgraph.store.memory import InMemoryStore
    >>> records = LessonRecords(InMemoryStore())
    >>> records.learner("ana") is None
    True
    >>> records.start("ana", "songwriting").track
    'songwriting'
    """

    def __init__(self, store: BaseStore, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    def _get(self, learner: str, key: str) -> dict[str, Any] | None:
        item = self.store.get(lesson_namespace(learner), key)
        return dict(item.value) if item is not None else None

    def _put(self, learner: str, key: str, value: dict[str, Any]) -> None:
        self.store.put(lesson_namespace(learner), key, value, index=False)

    # -- the learner ----------------------------------------------------------------------

    def learner(self, learner: str) -> LearnerRecord | None:
        found = self._get(learner, RECORD_KEY)
        return LearnerRecord.model_validate(found) if found is not None else None

    def start(self, learner: str, track: str) -> LearnerRecord:
        """Create the learner's record, or move an existing one to another track."""
        record = self.learner(learner) or LearnerRecord(
            learner=learner, track=track, created=self.clock()
        )
        record = record.model_copy(update={"track": track})
        self._put(learner, RECORD_KEY, record.model_dump(mode="json"))
        return record

    def mark_placed(self, learner: str) -> None:
        record = self.learner(learner)
        if record is not None:
            self._put(learner, RECORD_KEY, {**record.model_dump(mode="json"), "placed": True})

    # -- mastery and history ----------------------------------------------------------------

    def mastery(self, learner: str) -> dict[str, SkillMastery]:
        found = self._get(learner, MASTERY_KEY) or {}
        return {skill: SkillMastery.model_validate(value) for skill, value in found.items()}

    def _save_mastery(self, learner: str, mastery: dict[str, SkillMastery]) -> None:
        self._put(learner, MASTERY_KEY, {k: v.model_dump(mode="json") for k, v in mastery.items()})

    def set_mastery(self, learner: str, skill: str, p_known: float, covered: list[str]) -> None:
        """Set an estimate without an attempt (placement tests a learner out of a skill, and
        of every family in it)."""
        mastery = self.mastery(learner)
        current = mastery.get(skill) or SkillMastery(skill=skill, p_known=p_known, covered=[])
        mastery[skill] = current.model_copy(
            update={
                "p_known": p_known,
                "updated": self.clock(),
                "covered": sorted({*(current.covered or []), *covered}),
            }
        )
        self._save_mastery(learner, mastery)

    def record_attempt(
        self,
        learner: str,
        exercise: Exercise,
        correct: bool,
        p_known: float,
        misconceptions: list[str],
        covers: Iterable[str] = (),
        shown: float | None = None,
    ) -> int:
        """Store an answer and the new estimate (and the families it covered, if right);
        ``shown`` is the estimate as the learner sees it, if coverage holds it back (kept in the
        history). Returns the learner's exercise count."""
        now = self.clock()
        mastery = self.mastery(learner)
        current = mastery.get(exercise.skill) or SkillMastery(
            skill=exercise.skill, p_known=0.0, covered=[]
        )
        mastery[exercise.skill] = SkillMastery(
            skill=exercise.skill,
            p_known=p_known,
            attempts=current.attempts + 1,
            correct=current.correct + int(correct),
            updated=now,
            covered=None if current.covered is None else sorted({*current.covered, *covers}),
        )
        self._save_mastery(learner, mastery)
        record = self.learner(learner) or self.start(learner, "core")
        done = record.exercises_done + 1
        self._put(learner, RECORD_KEY, {**record.model_dump(mode="json"), "exercises_done": done})
        attempt = Attempt(
            skill=exercise.skill,
            exercise_id=exercise.id,
            kind=exercise.kind,
            item=exercise.item_key(),
            correct=correct,
            p_known=p_known if shown is None else shown,
            review=exercise.review,
            placement=exercise.placement,
            misconceptions=misconceptions,
            family=exercise.family,
            at=now,
        )
        self.store.put(
            attempts_namespace(learner), f"{done:08d}", attempt.model_dump(mode="json"), index=False
        )
        return done

    def attempts(self, learner: str) -> list[Attempt]:
        """Every answer, oldest first."""
        items = self.store.search(attempts_namespace(learner), limit=MAX_ATTEMPTS_READ)
        ordered = sorted(items, key=lambda item: item.key)
        return [Attempt.model_validate(item.value) for item in ordered]

    # -- spaced review ----------------------------------------------------------------------

    def _reviews(self, learner: str) -> dict[str, ReviewItem]:
        found = self._get(learner, REVIEWS_KEY) or {}
        return {key: ReviewItem.model_validate(value) for key, value in found.items()}

    def schedule_review(self, learner: str, exercise: Exercise, box: int, due: int | None) -> None:
        """Put a fact in the review queue at ``due`` (exercise count), or retire it."""
        reviews = self._reviews(learner)
        key = exercise.item_key()
        if due is None:
            reviews.pop(key, None)
        else:
            stored = exercise.model_copy(update={"review": False, "placement": False})
            reviews[key] = ReviewItem(
                item_key=key, skill=exercise.skill, exercise=stored, box=box, due=due
            )
        self._put(learner, REVIEWS_KEY, {k: v.model_dump(mode="json") for k, v in reviews.items()})

    def review_item(self, learner: str, exercise: Exercise) -> ReviewItem | None:
        return self._reviews(learner).get(exercise.item_key())

    def due_reviews(self, learner: str, now: int) -> list[ReviewItem]:
        """Reviews due at exercise count ``now``, the most overdue first."""
        due = [item for item in self._reviews(learner).values() if item.due <= now]
        return sorted(due, key=lambda item: (item.due, item.item_key))

    def reviews(self, learner: str) -> list[ReviewItem]:
        return self.due_reviews(learner, 1 << 62)

    # -- the open exercise ------------------------------------------------------------------

    def open_exercise(self, learner: str) -> tuple[Exercise, list[Exercise]] | None:
        """The exercise waiting for an answer, and any that are queued after it."""
        found = self._get(learner, OPEN_KEY)
        if not found:
            return None
        opened = OpenExercise.model_validate(found)
        return opened.exercise, opened.queue

    def opened_in(self, learner: str) -> str | None:
        """The lesson thread the open exercise was set in (None: any, or none recorded)."""
        found = self._get(learner, OPEN_KEY)
        return OpenExercise.model_validate(found).session if found else None

    def misses(self, learner: str) -> int:
        """Wrong answers so far to the open exercise (0 when none is open)."""
        found = self._get(learner, OPEN_KEY)
        return OpenExercise.model_validate(found).misses if found else 0

    def set_open(
        self,
        learner: str,
        exercise: Exercise | None,
        queue: list[Exercise] | None = None,
        *,
        session: str | None = None,
        misses: int = 0,
    ) -> None:
        if exercise is None:
            self.store.delete(lesson_namespace(learner), OPEN_KEY)
            return
        opened = OpenExercise(
            exercise=exercise,
            queue=list(queue or []),
            opened=self.clock(),
            session=session,
            misses=misses,
        )
        self._put(learner, OPEN_KEY, opened.model_dump(mode="json"))

    # -- the last check ---------------------------------------------------------------------

    def last_check(self, learner: str) -> LastCheck | None:
        found = self._get(learner, LAST_CHECK_KEY)
        return LastCheck.model_validate(found) if found else None

    def add_check(
        self,
        learner: str,
        exercise: Exercise,
        result: CheckResult,
        *,
        closed: bool,
        session: str | None,
    ) -> LastCheck:
        """Keep ``result`` with the checks before it of the same exercise (a new exercise
        starts a new list)."""
        last = self.last_check(learner)
        earlier = last.results if last is not None and last.exercise.id == exercise.id else []
        kept = LastCheck(
            exercise=exercise, results=[*earlier, result], closed=closed, session=session
        )
        self._put(learner, LAST_CHECK_KEY, kept.model_dump(mode="json"))
        return kept
