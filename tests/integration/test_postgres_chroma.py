"""A lesson started on one worker continues on another: real PostgreSQL, real Chroma server.

Scale-out deployments run several ``etude`` workers that share nothing but two servers:
PostgreSQL for lesson checkpoints and learner records (``ETUDE_DATABASE_URL``) and Chroma for
the knowledge index (``ETUDE_CHROMA_URL``). Here both servers are started on loopback in a
temporary folder, and each worker is a separate ``etude ask`` process with its own empty data
directory, so the only way a lesson can continue is through the two servers. No mocks.

With ``ETUDE_DATABASE_URL`` set, the lesson records (learner record, mastery, attempts, open
exercise) land in PostgreSQL whether the lesson tool runs in a graph turn or on its own, and no
SQLite file appears in the data directory.

Skipped when the PostgreSQL server binaries (Debian's ``postgresql-15``; another folder with
``ETUDE_PG_BIN``), the ``postgres`` extra or Chroma's ``chroma`` command are missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from etude.cli.progress import progress_report
from etude.config import Settings
from etude.lessons.records import LessonRecords
from etude.mentor import Mentor
from etude.sessions import open_postgres
from etude.store_layout import PROGRESS_KEY, profile_namespace
from etude.tools.base import ToolRequest
from etude.tools.lesson import lesson
from etude.tools.registry import load_registry
from tests.servers import free_port, stop, wait_until_up

pytestmark = pytest.mark.integration

CHROMA = Path(sys.executable).parent / "chroma"
ETUDE = Path(sys.executable).parent / "etude"
SESSION = "shared-lesson"
LEARNER = "pia"


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMA.exists():
        pytest.skip(f"no chroma command at {CHROMA}")
    folder, port = tmp_path_factory.mktemp("chroma-server"), free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    with (folder / "log").open("w") as log:
        server = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(folder / "db"), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip

    def beating() -> bool:
        chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
        return True

    try:
        # The client raises its own errors, not only OSError, while the server starts.
        wait_until_up(
            beating, server, what="the Chroma server", seconds=60, log=folder / "log",
            not_yet=(Exception,),
        )  # fmt: skip
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


class Worker:
    """One ``etude`` process per turn, with its own empty data directory: a server worker that
    shares nothing with the others but the two servers."""

    def __init__(self, folder: Path, database: str, chroma: str) -> None:
        self.data_dir = folder
        self.env = {
            **os.environ,
            "ETUDE_DATA_DIR": str(folder),
            "ETUDE_DATABASE_URL": database,
            "ETUDE_CHROMA_URL": chroma,
            # Replies of one sentence: the lesson's verdicts come from the tools, not the model.
            "ETUDE_MAX_SENTENCES": "1",
            "ETUDE_MAX_NEW_TOKENS": "48",
            "OMP_NUM_THREADS": "1",
        }

    def ask(self, message: str, session: str = SESSION, learner: str = LEARNER) -> dict[str, Any]:
        return dict(self.json("ask", message, "--session", session, "--json", learner=learner))

    def json(self, *args: str, learner: str = LEARNER) -> Any:
        """Run ``etude ARGS`` as this worker and parse the JSON it prints."""
        done = subprocess.run(
            [str(ETUDE), *args],
            capture_output=True,
            text=True,
            timeout=600,
            env={**self.env, "ETUDE_LEARNER": learner},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)


def test_a_lesson_started_on_one_worker_continues_on_another(
    postgres_url: str, chroma_url: str, tmp_path: Path
) -> None:
    first = Worker(tmp_path / "worker-a", postgres_url, chroma_url)
    second = Worker(tmp_path / "worker-b", postgres_url, chroma_url)

    theory = first.ask("What is a plagal cadence?")
    assert "theory" in theory["route"]
    passages = [e for e in theory["evidence"] if e.get("citation")]
    assert passages, "no knowledge passage came back from the Chroma server"
    found = second.json("kb", "search", "What is a plagal cadence?", "--json")
    assert passages[0]["citation"]["article"] in [hit["article"] for hit in found]

    opening = first.ask("I'm a beginner pianist and want to write my first song")
    assert "lesson" in opening["route"]
    assert "Placement question 1 of 2" in opening["answer"]

    persistence = open_postgres(postgres_url)
    try:
        opened = LessonRecords(persistence.store).open_exercise(LEARNER)
        assert opened is not None, "the open exercise is not in PostgreSQL"
        expected = " ".join(opened[0].expected)

        answer = second.ask(expected)
        assert answer["route"] == ["lesson"]  # the open exercise, read from PostgreSQL, claims it
        verdicts = [
            e for e in answer["evidence"] if e["tool"] == "lesson" and e["data"].get("result")
        ]
        assert verdicts and verdicts[0]["data"]["result"]["correct"] is True, answer["evidence"]
        assert "Placement question 2 of 2" in answer["answer"]

        # `etude progress` on any worker reports what PostgreSQL holds.
        shown = first.json("progress", "--json")
        assert shown["track"] is not None and shown["skills"], shown
        held = progress_report(LessonRecords(persistence.store), LEARNER)
        assert shown == held.model_dump(mode="json")

        # Another learner's question on the second worker reads the index the first one built.
        other = second.ask("What is a plagal cadence?", session="sams-lesson", learner="sam")
        assert [e["citation"] for e in other["evidence"] if e.get("citation")] == [
            e["citation"] for e in passages
        ]
        assert sorted(persistence.sessions()) == ["sams-lesson", SESSION]
    finally:
        persistence.close()

    for worker in (first, second):  # nothing of the lesson or the index lives on a worker
        assert not (worker.data_dir / "etude.sqlite").exists()
        assert not (worker.data_dir / "kb").exists()

    server = urlsplit(chroma_url)
    collections = chromadb.HttpClient(host=server.hostname, port=server.port).list_collections()
    assert [c.name for c in collections] == ["etude_knowledge"]

    # The whole thread, as any third process sees it: three turns from two workers.
    reader = Mentor(
        Settings.from_env().with_overrides(data_dir=tmp_path / "reader", database_url=postgres_url)
    )
    try:
        assert [m["role"] for m in reader.history(SESSION)] == ["human", "ai"] * 3
    finally:
        reader.close()


def _sqlite_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.sqlite*")) if folder.exists() else []


def _records(url: str, learner: str) -> tuple[Any, Any, list[Any], Any]:
    """What PostgreSQL holds of a learner's lessons: record, mastery, attempts, open exercise."""
    persistence = open_postgres(url)
    try:
        records = LessonRecords(persistence.store)
        return (
            records.learner(learner),
            records.mastery(learner),
            records.attempts(learner),
            records.open_exercise(learner),
        )
    finally:
        persistence.close()


def test_the_lesson_tool_outside_a_graph_keeps_its_records_in_postgres(
    postgres_url: str, tmp_path: Path
) -> None:
    """Called without a graph's store (``etude tools check``, the fine-tuning builder), the
    lesson tool opens the configured store: PostgreSQL, not a SQLite file of its own."""
    settings = Settings(
        data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", database_url=postgres_url
    )

    def say(text: str) -> list[Any]:
        return lesson(ToolRequest(question=text, learner="lou"), settings)

    assert any(e.data.get("type") == "exercise" for e in say("Give me an exercise on intervals"))
    record, _, attempts, opened = _records(postgres_url, "lou")
    assert record is not None and attempts == []
    assert opened is not None, "the open exercise is not in PostgreSQL"
    exercise = opened[0]

    reply = say("My answer is " + " ".join(exercise.expected))
    assert reply[0].data["result"]["correct"] is True
    record, mastery, attempts, opened = _records(postgres_url, "lou")
    assert record is not None and record.exercises_done == 1
    assert [(a.exercise_id, a.correct) for a in attempts] == [(exercise.id, True)]
    assert mastery[exercise.skill].correct == 1
    assert opened is not None and opened[0].id != exercise.id  # the next one, also there
    assert _sqlite_files(tmp_path) == []


def test_a_graph_turn_keeps_the_lesson_and_the_thread_in_postgres(
    postgres_url: str, tmp_path: Path
) -> None:
    """The whole turn through ``Mentor``: checkpoints, profile and lesson records all land in
    PostgreSQL. A scripted chat model writes the replies (the real one is exercised above); the
    theory, critic and encoder tools are left out, as no lesson turn needs them and theory
    would build a local knowledge index."""
    settings = Settings.from_env().with_overrides(
        data_dir=tmp_path / "data", database_url=postgres_url, router_llm_fallback=False
    )
    mentor = Mentor(
        settings,
        registry=load_registry(plugins=False, skip=["theory", "critic", "encoder"]),
        chat_model=FakeListChatModel(responses=["Take your time with it."]),
    )
    try:
        first = mentor.ask("Quiz me on triads", session="maya-lesson", learner="maya")
        assert first.route == ["lesson"]
        _, _, attempts, opened = _records(postgres_url, "maya")
        assert opened is not None and attempts == []

        second = mentor.ask(
            "My answer: " + " ".join(opened[0].expected), session="maya-lesson", learner="maya"
        )
        assert second.route == ["lesson"]  # the open exercise, read from PostgreSQL, claims it
        record, mastery, attempts, _ = _records(postgres_url, "maya")
        assert record is not None
        assert [(a.exercise_id, a.correct) for a in attempts] == [(opened[0].id, True)]
        assert mastery[opened[0].skill].attempts == 1
    finally:
        mentor.close()

    persistence = open_postgres(postgres_url)
    try:
        assert "maya-lesson" in persistence.sessions()
        progress = persistence.store.get(profile_namespace("maya"), PROGRESS_KEY)
        assert progress is not None and progress.value["lesson"] == 2  # remember() wrote it
    finally:
        persistence.close()
    assert _sqlite_files(tmp_path) == []
