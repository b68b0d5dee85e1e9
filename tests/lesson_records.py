"""Lesson records on a named SQLite file, for tests that inspect what a lesson stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etude.lessons.records import LessonRecords
from etude.sessions import open_sqlite


@contextmanager
def sqlite_records(path: Path) -> Iterator[LessonRecords]:
    persistence = open_sqlite(path)
    try:
        yield LessonRecords(persistence.store)
    finally:
        persistence.close()
