"""``etude progress``: a learner's mastery per skill, now and over time.

The lesson tool stores every answered exercise with the mastery estimate after it in the
LangGraph store (the mentor's SQLite file, or PostgreSQL when configured), so the history is
exact: the curve of a skill is the sequence of its BKT estimates. The report is what the
thesis asks to measure (improvement in compositional skill), as JSON for analysis, as a table
for the learner, or as a plot.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel, Field

from etude.config import Settings
from etude.tools.lesson.coverage import gated_mastery, untested
from etude.tools.lesson.curriculum import load_curriculum
from etude.tools.lesson.mastery import MASTERED
from etude.tools.lesson.path import path_states
from etude.tools.lesson.records import LessonRecords, lesson_records


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


def plot_progress(report: ProgressReport, path: Path) -> None:
    """Mastery of each practised skill against the exercise number, saved as an image."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 4.5))
    for skill in report.skills:
        if skill.history:
            xs = [point.exercise for point in skill.history]
            ys = [point.p_known for point in skill.history]
            axes.plot(xs, ys, marker="o", label=skill.title)
    axes.axhline(
        MASTERED, color="grey", linestyle="--", linewidth=1, label=f"mastered ({MASTERED})"
    )
    axes.set_xlabel("exercise")
    axes.set_ylabel("mastery (BKT estimate)")
    axes.set_ylim(0, 1.02)
    axes.set_title(f"Progress of {report.learner}")
    axes.legend(fontsize="small", loc="lower right")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def render_table(report: ProgressReport) -> str:
    """A plain-text table for the terminal."""
    if report.track is None:
        return f"No exercises yet for {report.learner}."
    lines = [
        f"{report.learner} — track {report.track}: {report.exercises} exercises, "
        f"{report.correct} right, {report.reviews_due} review(s) due",
        "",
    ]
    width = max(len(s.title) for s in report.skills)
    for skill in report.skills:
        bar = "#" * round(skill.p_known * 20)
        lines.append(
            f"{skill.title:<{width}}  {skill.p_known:5.0%}  {bar:<20}  {skill.state}"
            f"  ({skill.correct}/{skill.attempts})"
        )
    return "\n".join(lines)


def run_progress(
    settings: Settings,
    *,
    learner: str | None = None,
    as_json: bool = False,
    plot: Path | None = None,
) -> ProgressReport:
    """What ``etude progress [--json] [--plot FILE.png]`` does; returns the report."""
    with lesson_records(settings) as records:
        report = progress_report(records, learner or settings.learner)
    if plot is not None:
        plot_progress(report, plot)
    if as_json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_table(report) + "\n")
    return report
