"""SIGKILL in the middle of a turn, twenty times in a row: no acknowledged turn is lost, the
session is never corrupt, and its history never holds half a turn (a question without its
reply, which the next reply would then answer too: issue #21).

A turn counts as acknowledged when ``Mentor.ask`` has returned it (the CLI prints it, the server
sends it); the mentor only returns after the turn's checkpoint is committed (``durability="sync"``,
SQLite WAL with ``synchronous=FULL``). The worker is a real process (see ``kill_worker.py``);
each round forks a fresh one, which first reports what the database holds, then answers turns
until the test kills it at a random moment inside a turn.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from etude.sessions import open_sqlite

ROUNDS = 20
DEADLINE_S = 300
ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """The zygote process and its line protocol."""

    def __init__(self, data_dir: Path) -> None:
        env = {
            **os.environ,
            "ETUDE_DATA_DIR": str(data_dir),
            "OMP_NUM_THREADS": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONUNBUFFERED": "1",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.kill_worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        # A hung worker must fail the test, not hang it: past the deadline the whole process
        # group goes (the zygote and its child both hold the pipe open).
        self.watchdog = threading.Timer(DEADLINE_S, os.killpg, (self.process.pid, signal.SIGKILL))
        self.watchdog.start()
        assert self.read() == "ready"

    @property
    def stdout(self) -> IO[str]:
        assert self.process.stdout is not None
        return self.process.stdout

    def read(self) -> str:
        line = self.stdout.readline()
        assert line, f"the worker died (exit {self.process.poll()})"
        return line.strip()

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self) -> None:
        self.watchdog.cancel()
        if self.process.poll() is None:
            self.send("quit")
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _start_round(worker: Worker, first_turn: int) -> tuple[int, set[int]]:
    worker.send(f"fork {first_turn}")
    pid = int(worker.read().removeprefix("pid "))
    label, *answered = worker.read().split()
    assert label == "answered"
    assert worker.read() == "integrity ok"
    assert worker.read() == "history whole"
    return pid, {int(n) for n in "".join(answered).split(",") if n}


def test_sigkill_mid_turn_loses_no_acknowledged_turn(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    worker = Worker(tmp_path)
    acknowledged: set[int] = set()
    killed_inside_a_turn = 0
    next_turn = 1
    began = time.monotonic()
    try:
        for _round in range(ROUNDS):
            pid, answered = _start_round(worker, next_turn)
            assert acknowledged <= answered, f"lost turns {sorted(acknowledged - answered)}"
            acks_before_kill = rng.randint(0, 2)
            in_turn: int | None = None
            while True:
                kind, number = worker.read().split()
                if kind == "ack":
                    acknowledged.add(int(number))
                    in_turn = None
                    acks_before_kill -= 1
                elif kind == "begin":
                    in_turn = int(number)
                    if acks_before_kill <= 0:
                        break
            time.sleep(rng.uniform(0.0, 0.3))
            os.kill(pid, signal.SIGKILL)
            while (line := worker.read()) != "exited":
                kind, number = line.split()
                if kind == "ack":
                    acknowledged.add(int(number))
                    in_turn = None
                elif kind == "begin":
                    in_turn = int(number)
            killed_inside_a_turn += in_turn is not None
            next_turn = max(acknowledged | {in_turn or 0}) + 1
        _pid, answered = _start_round(worker, next_turn)
        assert acknowledged <= answered, f"lost turns {sorted(acknowledged - answered)}"
        assert worker.read() == f"begin {next_turn}"
        assert worker.read() == f"ack {next_turn}"  # the session still takes new turns
        os.kill(_pid, signal.SIGKILL)
        while worker.read() != "exited":
            pass
    finally:
        worker.close()
    elapsed = time.monotonic() - began
    assert len(acknowledged) >= ROUNDS // 2, "too few turns completed to test anything"
    assert killed_inside_a_turn >= ROUNDS * 3 // 4, killed_inside_a_turn
    database = tmp_path / "etude.sqlite"
    with sqlite3.connect(database) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    persistence = open_sqlite(database)
    try:
        assert persistence.sessions() == ["kill-test"]
    finally:
        persistence.close()
    print(f"{ROUNDS} kills ({killed_inside_a_turn} mid-turn), {len(acknowledged)} acks, "
          f"{elapsed:.1f} s")  # fmt: skip


pytestmark = pytest.mark.integration
