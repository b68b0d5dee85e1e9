"""``etude progress``: mastery per skill over time, as JSON, a table and a plot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etude.cli.progress import run_progress
from etude.config import Settings
from etude.tools.base import ToolRequest
from etude.tools.lesson import lesson
from tests.lesson_records import sqlite_records


def test_progress_reports_history_after_a_restart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", learner="ana")
    lesson(ToolRequest(question="Quiz me on intervals", learner="ana"), settings)
    for _ in range(3):
        with sqlite_records(settings.sqlite_path) as records:
            opened = records.open_exercise("ana")
        assert opened is not None
        lesson(
            ToolRequest(question="My answer: " + " ".join(opened[0].expected), learner="ana"),
            settings,
        )
    report = run_progress(settings, as_json=True, plot=tmp_path / "p.png")
    printed = json.loads(capsys.readouterr().out)
    assert printed["exercises"] == 3 and printed["correct"] == 3
    intervals = next(s for s in report.skills if s.skill == "intervals")
    estimates = [point.p_known for point in intervals.history]
    assert [point.exercise for point in intervals.history] == [1, 2, 3]
    assert estimates == sorted(estimates) and estimates[-1] >= 0.95
    assert intervals.state == "mastered"
    assert (tmp_path / "p.png").stat().st_size > 1000
    run_progress(settings)
    assert "Intervals" in capsys.readouterr().out
