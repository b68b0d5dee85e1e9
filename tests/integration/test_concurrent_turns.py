"""Two writers on one lesson at the same moment: both turns are kept, in some order.

A turn reads the lesson's latest checkpoint, runs, and writes its own on top. Two processes
doing that at once on one lesson both read the same checkpoint, and the turn that commits
second used to hide the other one on an orphaned branch: both learners got an answer, one
answer vanished from the history (issue #21). Each lesson's turns are now serialised across
processes (``Persistence.turn_lock``: a lock file beside the SQLite database, a PostgreSQL
advisory lock), so the second turn reads the first one's checkpoint.

Everything here is real: separate ``etude ask`` and ``etude serve`` processes, the SQLite file
or a PostgreSQL server. Only the chat model is a stand-in (``tests.model_stub``), and it holds
each request until both turns have reached it (or 8 s have passed), so without the lock both
turns are provably in flight together.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from etude.config import Settings
from etude.mentor import Mentor
from tests.servers import ROOT, etude_server, model_stub, stub_model_env

pytestmark = pytest.mark.integration

SESSION = "two-writers"
GATHER = ("--gather", "2", "--gather-timeout", "8")


def _ask_at_once(
    env: dict[str, str], messages: list[str]
) -> list[subprocess.CompletedProcess[str]]:
    """One ``etude ask --session`` process per message, all started together."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "etude", "ask", message, "--session", SESSION, "--json"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for message in messages
    ]
    done = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return done


def _history(settings: Settings, session: str = SESSION) -> list[dict[str, str]]:
    mentor = Mentor(settings)
    try:
        return mentor.history(session)
    finally:
        mentor.close()


def _assert_both_kept(history: list[dict[str, str]], messages: list[str]) -> None:
    asked = [m["content"] for m in history if m["role"] == "human"]
    assert sorted(asked) == sorted(messages), f"history holds {asked}"
    assert [m["role"] for m in history] == ["human", "ai"] * len(messages)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_two_etude_ask_processes_on_one_session_keep_both_turns(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    database = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    messages = ["Hello, I am the first writer here.", "Hello, I am the second writer here."]
    with model_stub(tmp_path, *GATHER) as model:
        env = {**stub_model_env(model), "ETUDE_DATA_DIR": str(tmp_path / "data")}
        if database:
            env["ETUDE_DATABASE_URL"] = database
        done = _ask_at_once(env, messages)
    for result in done:
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["session"] == SESSION
    settings = Settings(data_dir=tmp_path / "data", database_url=database)
    _assert_both_kept(_history(settings), messages)


def test_two_server_workers_on_one_postgres_keep_both_turns(
    postgres_url: str, tmp_path: Path
) -> None:
    """The same lesson, one turn sent to each of two ``etude serve`` processes at once."""
    messages = ["Hello, this goes to worker one.", "Hello, this goes to worker two."]
    learner = {"X-Etude-Learner": "ana"}
    with model_stub(tmp_path, *GATHER) as model:
        env = {
            **stub_model_env(model),
            "ETUDE_DATA_DIR": str(tmp_path / "data"),
            "ETUDE_DATABASE_URL": postgres_url,
            "ETUDE_AUTH": "header",
        }
        with etude_server(env, tmp_path) as one, etude_server(env, tmp_path) as two:
            session = httpx.post(f"{one.url}/sessions", headers=learner).json()["id"]

            def turn(url: str, message: str) -> Any:
                return httpx.post(
                    f"{url}/sessions/{session}/turns",
                    json={"message": message},
                    headers=learner,
                    timeout=300,
                )

            with ThreadPoolExecutor(2) as pool:
                replies = list(pool.map(turn, [one.url, two.url], messages))
            for reply in replies:
                assert reply.status_code == 200, reply.text
            history = httpx.get(f"{two.url}/sessions/{session}", headers=learner).json()
    _assert_both_kept(history["messages"], messages)


_HOLDER = """
import sys, time
from pathlib import Path
from etude.config import Settings
from etude.sessions import open_persistence
url = sys.argv[2] if len(sys.argv) > 2 else None
persistence = open_persistence(Settings(data_dir=Path(sys.argv[1]), database_url=url))
with persistence.turn_lock("held-lesson"):
    print("holding", flush=True)
    time.sleep(600)
"""


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_turn_lock_excludes_other_processes_and_dies_with_its_holder(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """While another process holds a lesson, a turn on it waits (here: gives up after 0.3 s)
    and other lessons are free; once the holder is SIGKILLed the lesson is free at once."""
    from etude.sessions import SessionBusy, open_persistence

    database = request.getfixturevalue("postgres_url") if backend == "postgres" else None
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(tmp_path), *([database] if database else [])],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    persistence = open_persistence(Settings(data_dir=tmp_path, database_url=database))
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "holding\n"
        with pytest.raises(SessionBusy), persistence.turn_lock("held-lesson", wait_s=0.3):
            pass
        with persistence.turn_lock("another-lesson", wait_s=0.3):
            pass
        holder.kill()
        holder.wait(timeout=10)
        with persistence.turn_lock("held-lesson", wait_s=5):
            pass
    finally:
        if holder.poll() is None:
            holder.kill()
        persistence.close()
