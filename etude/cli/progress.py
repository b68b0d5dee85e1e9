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

from etude.config import Settings
from etude.lessons.mastery import MASTERED
from etude.lessons.progress import ProgressReport, progress_report
from etude.lessons.records import LessonRecords
from etude.sessions import learner_store


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
    with learner_store(settings) as store:
        report = progress_report(LessonRecords(store), learner or settings.learner)
    if plot is not None:
        plot_progress(report, plot)
    if as_json:
        sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_table(report) + "\n")
    return report
