"""The deployment of ``deploy/compose.yaml``, as real processes on loopback without Docker.

Two ``etude serve`` workers, each with its own empty data folder, share nothing but three
servers: PostgreSQL (lessons, ownership), ``chroma run`` (the knowledge index) and
``transformers serve`` (an OpenAI-compatible model server with the embedded SmolLM2, the same
protocol as vLLM and llama.cpp's server). A lesson moves between the workers, turn by turn, and
nothing of it is lost; ``/ready`` names each backend that goes down and recovers when it is back.

No mocks: every part is the real server a deployment runs (issue #24).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from etude.config import Settings
from etude.knowledge.index import KnowledgeBase
from etude.llm.loading import embedded_model_dir
from etude.server.metrics import session_hash
from tests.servers import Served, etude_server, free_port, postgres_owner, stop, wait_until_up

pytestmark = pytest.mark.integration

PG_BIN = Path(os.environ.get("ETUDE_PG_BIN", "/usr/lib/postgresql/15/bin"))
CHROMA = Path(sys.executable).parent / "chroma"
TRANSFORMERS = Path(sys.executable).parent / "transformers"
FIRST = "Which notes make up a G major triad?"
SECOND = "And which notes are in a D major triad?"
THIRD = "Which notes make up an A minor triad?"


class Restartable:
    """A server process that a test stops and starts again on the same port and data."""

    def __init__(self, name: str, command: list[str], folder: Path, url: str, probe: str):
        self.name, self.command, self.folder, self.url, self.probe = (
            name,
            command,
            folder,
            url,
            probe,
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, seconds: float = 240) -> None:
        log = self.folder / f"{self.name}.log"
        env = {
            **os.environ,
            "ANONYMIZED_TELEMETRY": "False",
            "HF_HUB_OFFLINE": "1",
            # One thread: the server shares two cores with the workers and the test.
            "OMP_NUM_THREADS": "1",
        }
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, env=env
            )

        def answers() -> bool:
            with urllib.request.urlopen(self.probe, timeout=2) as reply:
                return bool(reply.status == 200)

        wait_until_up(answers, self.process, what=self.name, seconds=seconds, log=log, every=1)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, grace=10)
            self.process = None


class Postgres:
    """A throw-away PostgreSQL cluster that can be stopped and started again on its port."""

    def __init__(self, owner: dict[str, Any]) -> None:
        self.owner = owner
        self.home = Path(tempfile.mkdtemp(prefix="etude-topology-pg-"))
        if owner:
            os.chown(self.home, owner["user"], owner["group"])
        self.data, self.port = self.home / "data", free_port()
        self.url = f"postgresql://etude@127.0.0.1:{self.port}/etude"
        self._pg("initdb", "-D", str(self.data), "-U", "etude", "--auth=trust", "--no-sync")

    def _pg(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(PG_BIN / program), *args], check=True, capture_output=True, timeout=120,
            **self.owner,
        )  # fmt: skip

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.home} -c fsync=off"
        self._pg("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.home / "log"),
                 "-w", "-t", "60", "start")  # fmt: skip

    def stop(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self) -> None:
        import psycopg

        admin_url = self.url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute("CREATE DATABASE etude")

    def remove(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


class Topology:
    """The three shared servers and two workers, started once for this module."""

    def __init__(self, postgres: Postgres, chroma: Restartable, model: Restartable) -> None:
        self.postgres, self.chroma, self.model = postgres, chroma, model
        self.workers: list[Served] = []


@pytest.fixture(scope="module")
def topology(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    for program in (PG_BIN / "initdb", CHROMA, TRANSFORMERS):
        if not program.exists():
            pytest.skip(f"{program} is missing")
    pytest.importorskip("psycopg")
    pytest.importorskip("langchain_openai")
    owner = postgres_owner()
    if owner is None:
        pytest.skip("running as root with no unprivileged user to run PostgreSQL as")
    folder = tmp_path_factory.mktemp("topology")
    # The Chroma server gets the run's knowledge index, built once (a local index's folder is
    # what `chroma run --path` serves), instead of a slow first build over HTTP.
    local = KnowledgeBase(settings.kb_dir)
    local.build()
    shutil.copytree(settings.kb_dir, folder / "chroma")
    chroma_port, model_port = free_port(), free_port()
    model_dir = embedded_model_dir(settings)
    with ExitStack() as stack:
        postgres = Postgres(owner)
        stack.callback(postgres.remove)
        postgres.start()
        stack.callback(postgres.stop)
        postgres.create_database()
        chroma = Restartable(
            "chroma",
            [str(CHROMA), "run", "--path", str(folder / "chroma"), "--host", "127.0.0.1",
             "--port", str(chroma_port)],
            folder, f"http://127.0.0.1:{chroma_port}",
            f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat",
        )  # fmt: skip
        chroma.start(seconds=60)
        stack.callback(chroma.stop)
        model = Restartable(
            "model-server",
            [str(TRANSFORMERS), "serve", str(model_dir), "--host", "127.0.0.1",
             "--port", str(model_port), "--device", "cpu", "--dtype", "bfloat16"],
            folder, f"http://127.0.0.1:{model_port}/v1",
            f"http://127.0.0.1:{model_port}/health",
        )  # fmt: skip
        model.start()
        stack.callback(model.stop)
        found = Topology(postgres, chroma, model)
        for name in ("worker-1", "worker-2"):
            data = folder / name
            data.mkdir()
            env = {
                "ETUDE_DATA_DIR": str(data),
                "ETUDE_DATABASE_URL": postgres.url,
                "ETUDE_CHROMA_URL": chroma.url,
                "ETUDE_OPENAI_BASE_URL": model.url,
                "ETUDE_OPENAI_MODEL": str(model_dir),
                "ETUDE_CLAIM_POLICY": "strict",
                "ETUDE_MAX_NEW_TOKENS": "40",
                "ETUDE_ROUTER_LLM": "0",
                "OMP_NUM_THREADS": "1",
                "HF_HUB_OFFLINE": "1",
            }
            found.workers.append(stack.enter_context(etude_server(env, data)))
        yield found


def turn(client: httpx.Client, worker: Served, session: str, message: str) -> dict[str, Any]:
    reply = client.post(f"{worker.url}/sessions/{session}/turns", json={"message": message})
    assert reply.status_code == 200, reply.text
    result: dict[str, Any] = reply.json()
    return result


def human_turns(client: httpx.Client, worker: Served, session: str) -> list[str]:
    reply = client.get(f"{worker.url}/sessions/{session}")
    assert reply.status_code == 200, reply.text
    messages = reply.json()["messages"]
    assert [m["role"] for m in messages] == ["human", "ai"] * (len(messages) // 2)
    return [m["content"] for m in messages if m["role"] == "human"]


def test_a_lesson_moves_between_workers_and_nothing_is_lost(topology: Topology) -> None:
    first, second = topology.workers
    with httpx.Client(timeout=600) as learner:
        session = learner.post(f"{first.url}/sessions").json()["id"]
        one = turn(learner, first, session, FIRST)
        assert one["session"] == session
        assert "G – B – D" in one["answer"]
        # Passages came from the Chroma server: neither worker has a local index.
        assert any(e["kind"] == "passage" for e in one["evidence"]), one["evidence"]
        assert not (first.log.parent / "kb" / "chroma.sqlite3").exists()

        # Turn 2 on the other worker, which has never seen this lesson or this learner.
        two = turn(learner, second, session, SECOND)
        assert "D – F# – A" in two["answer"]
        assert human_turns(learner, second, session) == [FIRST, SECOND]
        assert human_turns(learner, first, session) == [FIRST, SECOND]

    with httpx.Client(timeout=60) as stranger:
        assert stranger.get(f"{second.url}/sessions/{session}").status_code == 404

    # Each worker counted its turn and logged it as one JSON line, without the learner's words.
    for worker in (first, second):
        metrics = httpx.get(f"{worker.url}/metrics", timeout=30)
        assert metrics.headers["content-type"].startswith("text/plain")
        assert re.search(r'^etude_turns_total\{status="ok"\} [1-9]', metrics.text, re.M)
        assert re.search(r"^etude_turn_seconds_count [1-9]", metrics.text, re.M)
        assert "etude_turn_queue_depth 0" in metrics.text
        lines = worker.log.read_text(errors="replace").splitlines()
        events = [json.loads(line) for line in lines if line.startswith('{"')]
        mine = [e for e in events if e["session"] == session_hash(session)]
        assert mine and all(e["status"] == "ok" and e["request_id"] for e in mine)
        assert "theory" in mine[-1]["route"]
        # The model server's tokens: every turn's share is in the worker's total.
        total = re.search(
            r'^etude_model_tokens_total\{kind="completion"\} (\d+)', metrics.text, re.M
        )
        assert total, metrics.text
        logged = sum(e["model_tokens"]["completion"] for e in events)
        assert int(total.group(1)) >= logged
        assert not any(session in line for line in lines if line.startswith('{"'))
        assert FIRST not in "\n".join(lines) and SECOND not in "\n".join(lines)


def ready(worker: Served) -> tuple[int, dict[str, Any]]:
    reply = httpx.get(f"{worker.url}/ready", timeout=30)
    body: dict[str, Any] = reply.json()
    return reply.status_code, body


def wait_ready(worker: Served, want: int, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        status, body = ready(worker)
        if status == want or time.monotonic() > deadline:
            assert status == want, body
            return body
        time.sleep(1)


@pytest.mark.parametrize("part", ["database", "knowledge", "model"])
def test_ready_names_the_backend_that_is_down_and_recovers(topology: Topology, part: str) -> None:
    first, second = topology.workers
    for worker in (first, second):
        body = wait_ready(worker, 200)
        assert body["status"] == "ready"
        assert set(body["checks"]) == {"database", "knowledge", "model"}
    server = {"database": topology.postgres, "knowledge": topology.chroma, "model": topology.model}
    backend = server[part]
    backend.stop()
    try:
        for worker in (first, second):
            body = wait_ready(worker, 503)
            assert body["error"].startswith(f"not ready: {part}: ")
            assert [name for name, c in body["checks"].items() if not c["ok"]] == [part]
            # Liveness does not depend on the backends: the process itself is fine.
            assert httpx.get(f"{worker.url}/health", timeout=10).status_code == 200
    finally:
        backend.start()
    for worker in (first, second):
        wait_ready(worker, 200)

    # Once the backend is back, a lesson still takes turns on either worker, and keeps them all.
    with httpx.Client(timeout=600) as learner:
        session = learner.post(f"{second.url}/sessions").json()["id"]
        assert "A – C – E" in turn(learner, second, session, THIRD)["answer"]
        assert "G – B – D" in turn(learner, first, session, FIRST)["answer"]
        assert human_turns(learner, second, session) == [THIRD, FIRST]


def test_a_workers_database_pool_survives_a_postgres_restart() -> None:
    """Every pooled connection dies with the server; the pool must hand out a live one
    afterwards, not fail the next request (as it did before connections were checked)."""
    from etude.sessions import open_postgres

    owner = postgres_owner()
    if owner is None or not (PG_BIN / "initdb").exists():
        pytest.skip("no PostgreSQL to run")
    postgres = Postgres(owner)
    try:
        postgres.start()
        postgres.create_database()
        persistence = open_postgres(postgres.url)
        try:
            assert persistence.sessions() == []
            postgres.stop()
            postgres.start()
            assert persistence.sessions() == []
        finally:
            persistence.close()
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            postgres.stop()
        postgres.remove()
