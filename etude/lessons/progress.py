"""A learner's progress: mastery per skill of their track, now and over time.

Every answered exercise is stored with the mastery estimate after it (``records.py``), so the
history is exact: the curve of a skill is the sequence of its BKT estimates. The report is what
the thesis asks to measure (improvement in compositional skill); ``etude progress`` prints it as
JSON, a table or a plot, and the web studio shows it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from etude.lessons.coverage import gated_mastery, untested
from etude.lessons.curriculum import load_curriculum
from etude.lessons.path import path_states
from etude.lessons.records import LessonRecords


class HistoryPoint(BaseModel):
    """The mastery estimate of one skill right after one answer."""

    exercise: int = Field(description="The learner's exercise number, from 1.")
    at: float = Field(description="Unix time of the answer.")
    p_known: float


class SkillProgress(BaseModel):
    skill: str
    title: str
    state: str
    p_known: float
    attempts: int
    correct: int
    untested: list[str] = Field(
        default_factory=list, description="Families of the skill not yet answered right."
    )
    history: list[HistoryPoint] = Field(default_factory=list)


class ProgressReport(BaseModel):
    """The ``etude progress --json`` object."""

    learner: str
    track: str | None
    exercises: int
    correct: int
    reviews_due: int
    skills: list[SkillProgress]


def progress_report(records: LessonRecords, learner: str) -> ProgressReport:
    """Mastery per skill of the learner's track, with each skill's history.

    >>> from langgraph.store.memory import InMemoryStore
    >>> progress_report(LessonRecords(InMemoryStore()), "nobody").exercises
    0
    """
    record = records.learner(learner)
    if record is None:
        return ProgressReport(
            learner=learner, track=None, exercises=0, correct=0, reviews_due=0, skills=[]
        )
    curriculum = load_curriculum()
    mastery = records.mastery(learner)
    attempts = records.attempts(learner)
    history: dict[str, list[HistoryPoint]] = {}
    for number, attempt in enumerate(attempts, start=1):
        point = HistoryPoint(exercise=number, at=attempt.at, p_known=round(attempt.p_known, 4))
        history.setdefault(attempt.skill, []).append(point)
    states = path_states(curriculum, record.track, gated_mastery(curriculum, mastery))
    extra = [s for s in mastery if s not in {state.skill for state in states}]
    skills = [
        SkillProgress(
            skill=state.skill,
            title=state.title,
            state=state.state,
            p_known=state.p_known,
            attempts=mastery[state.skill].attempts if state.skill in mastery else 0,
            correct=mastery[state.skill].correct if state.skill in mastery else 0,
            untested=untested(curriculum.skill(state.skill), mastery[state.skill].covered)
            if state.skill in mastery
            else [],
            history=history.get(state.skill, []),
        )
        for state in states
    ]
    for skill_id in extra:
        found = mastery[skill_id]
        title = curriculum.skills[skill_id].title if skill_id in curriculum.skills else skill_id
        skills.append(
            SkillProgress(
                skill=skill_id,
                title=title,
                state="outside track",
                p_known=round(found.p_known, 3),
                attempts=found.attempts,
                correct=found.correct,
                history=history.get(skill_id, []),
            )
        )
    return ProgressReport(
        learner=learner,
        track=record.track,
        exercises=len(attempts),
        correct=sum(a.correct for a in attempts),
        reviews_due=len(records.due_reviews(learner, record.exercises_done)),
        skills=skills,
    )
