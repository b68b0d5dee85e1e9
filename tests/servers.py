"""Starting real servers on loopback for integration tests: a free port, waiting until the
server answers (failing with its log when it dies or never does), and stopping it; and the
servers themselves: ``etude serve``, a throw-away PostgreSQL, the stand-in model server."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(
    answers: Callable[[], bool],
    process: subprocess.Popen[bytes],
    *,
    what: str,
    seconds: float,
    log: Path,
    every: float = 0.5,
    not_yet: tuple[type[Exception], ...] = (OSError,),
) -> None:
    """Poll ``answers`` until it returns true; the errors in ``not_yet`` (a refused connection,
    by default) mean the server is still starting. An exited process or the deadline fails the
    test with the end of the server's log."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if answers():
                return
        except not_yet:
            pass
        if process.poll() is not None:
            raise AssertionError(f"{what} exited early:\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not answer in {seconds:.0f} s:\n{_tail(log)}")
        time.sleep(every)


def stop(process: subprocess.Popen[bytes], grace: float = 20) -> None:
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return f"(no log at {log})"


ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Served:
    """A server process started for a test: its base URL, the process and its log."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (``VmHWM``)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024


@contextmanager
def model_stub(folder: Path, *options: str) -> Iterator[str]:
    """``tests.model_stub`` on a free port (see its docstring for ``options``); yields the
    ``/v1`` base URL to put in ``ETUDE_OPENAI_BASE_URL``."""
    port = free_port()
    log = folder / f"model-stub-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.model_stub", "--port", str(port), *options],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        with urllib.request.urlopen(f"{base}/health", timeout=2) as reply:
            return bool(reply.status == 200)

    try:
        wait_until_up(healthy, process, what="the model stub", seconds=30, log=log, every=0.1)
        yield f"{base}/v1"
    finally:
        stop(process, grace=5)


def stub_model_env(model_url: str) -> dict[str, str]:
    """What makes an ``etude`` process use the stand-in model (and nothing slow besides)."""
    return {
        "ETUDE_OPENAI_BASE_URL": model_url,
        "ETUDE_OPENAI_MODEL": "stub",
        "ETUDE_ROUTER_LLM": "0",
        "OMP_NUM_THREADS": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(ROOT),
    }


@contextmanager
def etude_server(
    env: dict[str, str], folder: Path, *, port: int | None = None, host: str = "127.0.0.1"
) -> Iterator[Served]:
    """``etude serve`` as its own process with ``env`` added to this one's environment; yields
    once ``/health`` says the model has loaded (so that a turn sent then starts at once)."""
    port = port or free_port()
    log = folder / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "etude", "serve", "--host", host, "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        with urllib.request.urlopen(f"{base}/health", timeout=5) as reply:
            return bool(json.load(reply).get("model_ready"))

    try:
        wait_until_up(healthy, process, what="etude serve", seconds=300, log=log)
        yield Served(base, process, log)
    finally:
        stop(process)


def _run_as(owner: dict[str, Any], *command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=120, **owner)


def postgres_owner() -> dict[str, Any] | None:
    """PostgreSQL refuses to run as root: the ``postgres`` (or ``nobody``) user's ids to run it
    as; ``{}`` when not root; None when root has no such user."""
    if os.geteuid() != 0:
        return {}
    import pwd

    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    return None


@contextmanager
def postgres_server(bin_dir: Path, owner: dict[str, Any]) -> Iterator[str]:
    """A throw-away PostgreSQL server from the binaries in ``bin_dir`` (Debian's
    ``/usr/lib/postgresql/15/bin``), on loopback in a temporary folder, with an empty database
    ``etude``; yields its URL."""
    import psycopg

    # Not under pytest's tmp_path: its root-only parent folder would stop the postgres user.
    home = Path(tempfile.mkdtemp(prefix="etude-pg-"))
    if owner:
        os.chown(home, owner["user"], owner["group"])
    data, port = home / "data", free_port()
    # fsync off: a throw-away test database, where speed matters and durability does not.
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {home} -c fsync=off"
    try:
        _run_as(owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "etude", "--auth=trust",
                "--no-sync")  # fmt: skip
        _run_as(owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                str(home / "log"), "-w", "-t", "60", "start")  # fmt: skip
        try:
            with psycopg.connect(
                f"postgresql://etude@127.0.0.1:{port}/postgres", autocommit=True
            ) as admin:
                admin.execute("CREATE DATABASE etude")
            yield f"postgresql://etude@127.0.0.1:{port}/etude"
        finally:
            _run_as(owner, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w",
                    "stop")  # fmt: skip
    finally:
        shutil.rmtree(home, ignore_errors=True)
