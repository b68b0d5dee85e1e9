"""Running a parser in a forked worker under a time limit and a memory cap.

music21's parsers are pure Python and cannot be interrupted from another thread, so the only
sure way to stop a pathological file is a separate process: the worker parses, freezes the
score with music21's own pickler and sends it back; the parent kills it when the time budget
runs out. The memory cap (``RLIMIT_AS``) is set relative to what the worker inherited, because a
worker forked from a server that holds a language model already has gigabytes mapped.

The time budget belongs to the file, not to each worker: reading it, playing it back for the
encoder and drawing it for the studio all draw on one ``Budget`` of ``Limits.parse_seconds``,
so a file that reads slowly and plays back slowly costs ``parse_seconds`` in all, not once per
step (a 5 kB ABC tie chain took 84 s when each step had a budget of its own).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TypeVar

from music21 import converter, stream

from etude.limits import Limits
from etude.scores.errors import ScoreError

Parser = Callable[[Path, bytes], tuple[stream.Score, int]]
T = TypeVar("T")

try:
    import resource
except ImportError:  # pragma: no cover - Windows has no rlimits
    resource = None  # type: ignore[assignment]


class Budget:
    """Seconds of worker time one file may still use, shared by every step that reads it.

    >>> budget = Budget(30.0)
    >>> budget.spend(12.5); budget.left, budget.spent
    (17.5, 12.5)
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self._lock = threading.Lock()

    @property
    def left(self) -> float:
        return max(self.seconds - self.spent, 0.0)

    def spend(self, seconds: float) -> None:
        with self._lock:
            self.spent += seconds


class WorkerPeaks:
    """How much memory this process's workers grew by (peak resident memory over what each
    inherited), for the benchmarks that show no admitted file comes near the cap.

    >>> peaks = WorkerPeaks(); peaks.record(5); peaks.record(3); (peaks.largest, peaks.count)
    (5, 2)
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.largest = 0
        self.count = 0

    def record(self, grown: int) -> None:
        self.largest = max(self.largest, grown)
        self.count += 1


WORKER_PEAKS = WorkerPeaks()
"""Every worker of this process reports here (a measurement, read by ``bench/fuzz_report.py``)."""


def isolation_available() -> bool:
    """Whether this platform can fork a worker (Linux and macOS; not Windows).

    >>> isinstance(isolation_available(), bool)
    True
    """
    return "fork" in multiprocessing.get_all_start_methods()


def parse_isolated(
    parser: Parser, path: Path, data: bytes, limits: Limits, budget: Budget | None = None
) -> tuple[stream.Score, int]:
    """``parser(path, data)`` in a worker process; ``ScoreError`` if it fails, runs out of
    time or of memory. The worker freezes the score with music21's own pickler."""

    def parse() -> tuple[str, int]:
        score, tunes = parser(path, data)
        return converter.freezeStr(score, fmt="pickle"), tunes

    frozen, tunes = run_isolated(parse, path.name, limits, doing="read", budget=budget)
    return converter.thawStr(frozen), tunes


def run_isolated(
    task: Callable[[], T], name: str, limits: Limits, *, doing: str, budget: Budget | None = None
) -> T:
    """``task()`` in a worker process under ``limits.parse_memory_bytes`` and the time left in
    ``budget`` (``limits.parse_seconds`` without one); its result (which must pickle) comes back
    through a pipe, and the time it took is spent from the budget. ``ScoreError`` if it fails,
    runs out of time or of memory; ``name`` is the file's name and ``doing`` what the task does
    to it, for those messages. ``fork`` is used so the worker starts in milliseconds with
    music21 already imported; it touches nothing but its task's own objects and a pipe."""
    seconds = budget.left if budget is not None else limits.parse_seconds
    if seconds <= 0:
        raise ScoreError(
            f"{name} used up its {limits.parse_seconds:g} s budget before Etude could "
            f"{doing} it; it is malformed or too complex"
        )
    began = time.monotonic()
    try:
        return _run_worker(task, name, limits, doing, seconds)
    finally:
        if budget is not None:
            budget.spend(time.monotonic() - began)


def _run_worker(task: Callable[[], T], name: str, limits: Limits, doing: str, seconds: float) -> T:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(sender, task, name, doing, limits), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            spent = "" if seconds >= limits.parse_seconds else " (with reading it)"
            raise ScoreError(
                f"{name} took longer than {limits.parse_seconds:g} s to {doing}{spent}; "
                "it is malformed or too complex"
            )
        try:
            status, payload, grown = receiver.recv()
        except EOFError:
            raise ScoreError(
                f"could not {doing} {name}: it needs more memory or time than Etude allows"
            ) from None
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join(timeout=5)
    WORKER_PEAKS.record(grown)
    if status != "ok":
        raise ScoreError(payload)
    return payload


def _work(
    sender: Connection, task: Callable[[], object], name: str, doing: str, limits: Limits
) -> None:
    """The worker's body: never raises, always answers with ``(status, payload, grown)``, where
    ``grown`` is how far its resident memory rose above what it started with."""
    started = _memory_kb("VmRSS")
    try:
        _cap_memory(limits.parse_memory_bytes)
        outcome: tuple[str, object] = ("ok", task())
    except ScoreError as exc:
        outcome = ("refused", str(exc))
    except MemoryError:
        outcome = ("refused", f"{name} needs more memory to {doing} than Etude allows")
    except BaseException as exc:  # the worker reports every failure as one line
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        outcome = ("refused", f"could not {doing} {name}: {reason}")
    try:
        sender.send((*outcome, max(_memory_kb("VmHWM") - started, 0) * 1024))
    finally:
        sender.close()
        os._exit(0)


def _memory_kb(field: str) -> int:
    """A ``/proc/self/status`` figure in kB (0 where there is none). A forked process's peak
    (``VmHWM``) starts at its resident size when forked, not at its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cap_memory(extra_bytes: int) -> None:
    if resource is None:
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        mapped = 0
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra_bytes
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
