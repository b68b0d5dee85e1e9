"""Starting real servers on loopback for integration tests: a free port, waiting until the
server answers (failing with its log when it dies or never does), and stopping it."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


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
