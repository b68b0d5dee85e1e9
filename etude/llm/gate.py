"""One generation at a time on the in-process model, first come first served.

The embedded model (transformers on the CPU) and its caches are not thread-safe, and a 2-core
CPU has no spare cores for a second decode anyway. So every generation on an in-process model
passes through one process-wide :class:`ModelGate`: the server's turns run side by side (their
tools, their computed blocks, their checkpoints), and only the model's prose waits its turn.
A remote model (an OpenAI-compatible server) needs no gate: that server schedules its own
requests.

A turn that is on the model *steps aside* meanwhile (:func:`off_the_places`): the server's
turn runner lets only a few turns work at once (their tools and blocks are Python, and more
threads than cores only slow each other down), and a turn that waits for the model, or reads
what it writes, gives its place to a turn that has work to do. The decode runs on torch's own
threads, beside the turns; ``etude.server.runner`` installs the hooks (:func:`stepping_aside`).

>>> gate = ModelGate()
>>> with gate.hold():
...     gate.depth
1
>>> gate.depth, gate.generations
(0, 1)
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

TYPICAL_GENERATION_S = 6.0
"""A generation's length before any has been measured (a short bridge of the CPU model)."""

_Hooks = tuple[Callable[[], None], Callable[[], None]]

_aside: ContextVar[_Hooks | None] = ContextVar("etude_model_gate_aside", default=None)
"""A context variable rather than a thread-local: LangGraph runs a step's parallel nodes on
its own threads, with a copy of the caller's context."""


@contextmanager
def stepping_aside(leave: Callable[[], None], back: Callable[[], None]) -> Iterator[None]:
    """While inside, :func:`off_the_places` on this thread (or a thread LangGraph starts for
    it) calls ``leave()`` as it begins and ``back()`` as it ends.

    >>> events = []
    >>> with stepping_aside(lambda: events.append("leave"), lambda: events.append("back")):
    ...     with off_the_places():
    ...         events.append("decode")
    >>> events
    ['leave', 'decode', 'back']
    """
    token = _aside.set((leave, back))
    try:
        yield
    finally:
        _aside.reset(token)


@contextmanager
def off_the_places() -> Iterator[None]:
    """The caller's turn gives up its working place while inside (a no-op outside a turn
    runner): wrapped around waiting for the model and reading its stream."""
    hooks = _aside.get()
    if hooks is None:
        yield
        return
    leave, back = hooks
    leave()
    try:
        yield
    finally:
        back()


class ModelGate:
    """A fair (FIFO) lock around one model's generations, which also counts and times them:
    the server's ``/metrics`` shows how many generations wait, and its ``Retry-After`` reads
    how long one holds the model."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._queue: deque[threading.Event] = deque()
        self._hold_s = TYPICAL_GENERATION_S
        self._since = 0.0
        self.generations = 0
        """Generations that have held the model and let it go."""

    @property
    def depth(self) -> int:
        """Generations waiting for the model or holding it now."""
        with self._lock:
            return len(self._queue) + int(self._busy)

    @property
    def waiting(self) -> int:
        """Generations waiting for the model now (the one holding it not counted)."""
        with self._lock:
            return len(self._queue)

    @property
    def mean_hold_s(self) -> float:
        """A moving average of how long one generation holds the model."""
        with self._lock:
            return self._hold_s

    def acquire(self) -> float:
        """Wait for the model (behind every generation that asked before); returns the seconds
        waited."""
        started = time.perf_counter()
        with self._lock:
            if not self._busy:
                self._busy = True
                self._since = time.perf_counter()
                return 0.0
            turn = threading.Event()
            self._queue.append(turn)
        try:
            turn.wait()
        except BaseException:
            with self._lock:
                handed_over = turn not in self._queue
                if not handed_over:
                    self._queue.remove(turn)
            if handed_over:  # the model was given to this thread as it was interrupted
                self.release()
            raise
        return time.perf_counter() - started

    def release(self) -> None:
        """Hand the model to the longest-waiting generation, or leave it free."""
        with self._lock:
            now = time.perf_counter()
            self._hold_s = 0.8 * self._hold_s + 0.2 * (now - self._since)
            self.generations += 1
            if self._queue:
                self._since = now
                self._queue.popleft().set()  # ownership passes on; _busy stays True
            else:
                self._busy = False

    @contextmanager
    def hold(self) -> Iterator[None]:
        """The model for one generation, off the turn's working place meanwhile."""
        with off_the_places():
            self.acquire()
            try:
                yield
            finally:
                self.release()


IN_PROCESS_MODEL = ModelGate()
"""The gate of every model run in this process (one CPU, one decode at a time)."""
