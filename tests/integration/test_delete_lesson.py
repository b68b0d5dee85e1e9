"""A learner deletes a lesson, and nothing of it remains (issue #21).

``DELETE /sessions/{id}`` (the learner) and ``etude sessions delete ID`` (the operator) remove
the lesson's thread, its uploads with the analyses cached beside them, and the server's records
of both, and say what they removed. Checked where it could remain: the SQLite file and its
write-ahead log byte by byte (deleted rows must not linger in free pages), every row of every
table in PostgreSQL, the upload folder, and the Chroma index; and the learner's other lesson,
and another learner's, are untouched.

Real ``etude serve`` and ``etude`` processes on real SQLite and PostgreSQL; only the chat model
is a stand-in (``tests.model_stub``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.etude_cli import run_etude
from tests.servers import Served, etude_server, model_stub, stub_model_env

pytestmark = pytest.mark.integration

CANARY = "Zebra canary 4471"
KEPT = "Okapi keeper 5582"


class Lessons:
    """Two learners on one server: ana's lesson to delete (a turn, an upload, a turn about
    it), ana's other lesson and ben's lesson, which must stay."""

    def __init__(self, served: Served, score: bytes) -> None:
        self.ana = httpx.Client(base_url=served.url, timeout=300)
        self.ben = httpx.Client(base_url=served.url, timeout=300)
        self.doomed = self._lesson(self.ana, f"{CANARY}: hello, this is my first turn.")
        upload = self.ana.post(
            f"/sessions/{self.doomed}/uploads",
            files={"file": ("zebra-canary.mid", score)},
        )
        assert upload.status_code == 201, upload.text[:300]
        turn = self.ana.post(
            f"/sessions/{self.doomed}/turns",
            data={"message": f"{CANARY}: what about this one?"},
            files={"file": ("zebra-canary-2.mid", score)},
        )
        assert turn.status_code == 200, turn.text[:300]
        self.kept = self._lesson(self.ana, f"{KEPT}: hello, this lesson stays.")
        self.theirs = self._lesson(self.ben, f"{KEPT}: hello, I am another learner.")

    @staticmethod
    def _lesson(client: httpx.Client, message: str) -> str:
        session = str(client.post("/sessions").json()["id"])
        reply = client.post(f"/sessions/{session}/turns", json={"message": message})
        assert reply.status_code == 200, reply.text[:300]
        return session

    def check_survivors(self) -> None:
        assert self.ana.get(f"/sessions/{self.doomed}").status_code == 404
        assert [s["id"] for s in self.ana.get("/sessions").json()["sessions"]] == [self.kept]
        for client, session in ((self.ana, self.kept), (self.ben, self.theirs)):
            messages = client.get(f"/sessions/{session}").json()["messages"]
            assert [m["role"] for m in messages] == ["human", "ai"]
            assert messages[0]["content"].startswith(KEPT)

    def close(self) -> None:
        self.ana.close()
        self.ben.close()


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with model_stub(tmp_path_factory.mktemp("model")) as url:
        yield url


def _serve(model: str, data: Path, database: str | None = None) -> Any:
    env = {**stub_model_env(model), "ETUDE_DATA_DIR": str(data)}
    if database:
        env["ETUDE_DATABASE_URL"] = database
    return etude_server(env, data.parent)


def _assert_deleted(erased: dict[str, Any], session: str) -> None:
    assert erased["session"] == session
    assert erased["messages"] == 4 and erased["checkpoints"] > 4
    assert erased["records"] == 3  # the session and two uploads
    assert erased["uploads"] == ["zebra-canary-2.mid", "zebra-canary.mid"]


def _nothing_in_files(data: Path, session: str) -> None:
    """No file under the data directory holds the lesson: not its uploads (by name or by
    content) and not, byte for byte, its text or id (SQLite, its WAL, Chroma's files)."""
    kept_somewhere = False
    for path in data.rglob("*"):
        assert "zebra" not in path.name.lower(), path
        if path.is_file() and path.suffix not in (".lock",):
            content = path.read_bytes()
            assert CANARY.encode() not in content, path
            assert session.encode() not in content, path
            kept_somewhere = kept_somewhere or KEPT.encode() in content
    assert kept_somewhere, "the check would not have seen the lesson's text at all"


def test_a_learner_deletes_a_lesson_over_http_and_nothing_remains_in_sqlite(
    model: str, tmp_path: Path, chorale_midi: Path
) -> None:
    data = tmp_path / "data"
    with _serve(model, data) as served:
        lessons = Lessons(served, chorale_midi.read_bytes())
        try:
            foreign = lessons.ben.delete(f"/sessions/{lessons.doomed}")
            assert foreign.status_code == 404  # another learner's lesson is not found
            deleted = lessons.ana.delete(f"/sessions/{lessons.doomed}")
            assert deleted.status_code == 200, deleted.text
            _assert_deleted(deleted.json()["deleted"], lessons.doomed)
            lessons.check_survivors()
            assert lessons.ana.delete(f"/sessions/{lessons.doomed}").status_code == 404
        finally:
            lessons.close()
        _nothing_in_files(data, lessons.doomed)
    with sqlite3.connect(data / "etude.sqlite") as check:
        for (table,) in check.execute("SELECT name FROM sqlite_master WHERE type='table'"):
            for row in check.execute(f"SELECT * FROM {table}"):
                assert lessons.doomed not in repr(row) and CANARY not in repr(row), table


def test_the_operator_deletes_a_lesson_with_the_cli(
    model: str, tmp_path: Path, chorale_midi: Path
) -> None:
    data = tmp_path / "data"
    with _serve(model, data) as served:
        lessons = Lessons(served, chorale_midi.read_bytes())
        try:
            env = {**stub_model_env(model), "ETUDE_DATA_DIR": str(data)}
            listed = run_etude("sessions", "list", "--json", **env)
            listed_ids = [s["id"] for s in json.loads(listed.stdout)["sessions"]]
            assert lessons.doomed in listed_ids, listed.stderr
            done = run_etude("sessions", "delete", lessons.doomed, "--json", **env)
            assert done.returncode == 0, done.stderr
            _assert_deleted(json.loads(done.stdout)["deleted"], lessons.doomed)
            lessons.check_survivors()
            again = run_etude("sessions", "delete", lessons.doomed, **env)
            assert again.returncode == 2 and again.stderr.startswith("error: no lesson")
            plain = run_etude("sessions", "delete", lessons.kept, **env)
            assert plain.stdout.startswith(f"Deleted lesson {lessons.kept}: 2 messages")
        finally:
            lessons.close()
        _nothing_in_files(data, lessons.doomed)


def test_a_lesson_deleted_over_http_leaves_no_row_in_postgres(
    model: str, tmp_path: Path, chorale_midi: Path, postgres_url: str
) -> None:
    import psycopg

    data = tmp_path / "data"
    with _serve(model, data, postgres_url) as served:
        lessons = Lessons(served, chorale_midi.read_bytes())
        try:
            deleted = lessons.ana.delete(f"/sessions/{lessons.doomed}")
            assert deleted.status_code == 200, deleted.text
            _assert_deleted(deleted.json()["deleted"], lessons.doomed)
            lessons.check_survivors()
        finally:
            lessons.close()
    for path in data.rglob("*"):
        assert "zebra" not in path.name.lower(), path
    seen_kept = False
    with psycopg.connect(postgres_url) as check:
        tables = check.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        for (table,) in tables:
            for row in check.execute(f'SELECT * FROM "{table}"'):
                text = repr(row)
                assert lessons.doomed not in text and CANARY not in text, table
                seen_kept = seen_kept or KEPT in text
    assert seen_kept, "the check would not have seen the lessons at all"
