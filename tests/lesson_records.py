"""Lesson records on a named SQLite file, for tests that inspect what a lesson stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etude.lessons.records import LessonRecords
from etude.sessions import sqlite_store


@contextmanager
def sqlite_records(path: Path) -> Iterator[LessonRecords]:
    with sqlite_store(path) as store:
        yield LessonRecords(store)
