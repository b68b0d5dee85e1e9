"""One mentor, many learners: turns run one at a time on a dedicated worker thread.

The chat model and its caches are not thread-safe and a CPU has no spare cores for two
decodes anyway, so turns queue in arrival order on a single thread while the event loop keeps
serving pages, uploads and histories. Events cross from that thread to the request's coroutine
through an asyncio queue, which is what lets a turn stream as Server-Sent Events.

The queue is bounded: a turn is first *admitted* (``TurnRunner.admit``), which fails with
``TurnsBusy`` when the server already holds ``max_waiting`` turns or the learner already has
``max_per_learner`` queued or running, and says after how many seconds to try again (the route
answers 429 with ``Retry-After``). A queue without bound would let one script, or a crowd, make
every learner wait without end and hold every request's memory meanwhile.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_END = object()

TurnEvents = Callable[[], Iterator[dict[str, Any]]]

TYPICAL_TURN_S = 15.0
"""A turn's length before any has been measured (the embedded model on a 2-core CPU)."""


class TurnsBusy(Exception):
    """A turn was not admitted; ``retry_after`` is when a place is likely to be free."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Admission:
    """A place in the queue, held from ``admit`` until the turn ends (or is given up before
    it starts); releasing twice is harmless."""

    def __init__(self, runner: TurnRunner, learner: str) -> None:
        self._runner = runner
        self.learner = learner
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._runner._release(self.learner)


class TurnRunner:
    """Runs turn generators serially on one worker thread and streams their events.

    >>> import asyncio
    >>> runner = TurnRunner()
    >>> async def collect():
    ...     return [e async for e in runner.stream(lambda: iter([{"event": "token"}]))]
    >>> asyncio.run(collect())
    [{'event': 'token'}]
    >>> runner.close()
    """

    def __init__(self, max_waiting: int | None = None, max_per_learner: int | None = None) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="etude-turn")
        self.max_waiting = max_waiting
        self.max_per_learner = max_per_learner
        self._waiting = 0
        self._per_learner: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        self._turn_s = TYPICAL_TURN_S

    @property
    def waiting(self) -> int:
        """Turns queued or running now; the page shows it so a learner knows why it waits."""
        return self._waiting

    def admit(self, learner: str) -> Admission:
        """A place in the queue for one of ``learner``'s turns, or ``TurnsBusy``.

        >>> runner = TurnRunner(max_waiting=2, max_per_learner=1)
        >>> first = runner.admit("ana")
        >>> runner.admit("ana")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        etude.server.runner.TurnsBusy: you already have 1 turn waiting; ...
        >>> second = runner.admit("ben")
        >>> runner.admit("cleo")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        etude.server.runner.TurnsBusy: the mentor has 2 turns waiting, its limit; ...
        >>> first.release(); runner.admit("cleo").learner
        'cleo'
        >>> runner.close()
        """
        with self._count_lock:
            retry_after = max(1, math.ceil(self._turn_s))
            mine = self._per_learner[learner]
            if self.max_per_learner is not None and mine >= self.max_per_learner:
                raise TurnsBusy(
                    f"you already have {mine} turn{'s' if mine != 1 else ''} waiting; "
                    "send the next when it is answered",
                    retry_after * mine,
                )
            if self.max_waiting is not None and self._waiting >= self.max_waiting:
                raise TurnsBusy(
                    f"the mentor has {self._waiting} turns waiting, its limit; "
                    "please try again shortly",
                    retry_after,
                )
            self._waiting += 1
            self._per_learner[learner] += 1
        return Admission(self, learner)

    def _release(self, learner: str) -> None:
        with self._count_lock:
            self._waiting -= 1
            self._per_learner[learner] -= 1
            if self._per_learner[learner] <= 0:
                del self._per_learner[learner]

    def start(
        self, events: TurnEvents, admission: Admission | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Queue the turn now and return its events as the worker produces them; an exception
        in the turn is re-raised there. The turn runs to its end even if nobody reads them
        (the client hung up), and its place in the queue is given back when it ends. Without
        an ``admission`` the turn is queued outside the limits (warm-up, tests)."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        place = admission or self._admit_unbounded()

        def put(item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            began = time.monotonic()
            try:
                for event in events():
                    put(event)
            except BaseException as exc:  # handed to the coroutine, which re-raises it
                put(exc)
            finally:
                with self._count_lock:
                    self._turn_s = 0.8 * self._turn_s + 0.2 * (time.monotonic() - began)
                place.release()
                put(_END)

        self._executor.submit(work)
        return _drain(queue)

    async def stream(self, events: TurnEvents) -> AsyncIterator[dict[str, Any]]:
        """``start`` without an admission, for callers that bound their own turns."""
        async for event in self.start(events):
            yield event

    def _admit_unbounded(self) -> Admission:
        with self._count_lock:
            self._waiting += 1
            self._per_learner[""] += 1
        return Admission(self, "")

    def submit(self, call: Callable[[], Any]) -> Future[Any]:
        """Queue ``call`` on the worker thread, in turn with the lessons (e.g. warming up)."""
        return self._executor.submit(call)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


async def _drain(queue: asyncio.Queue[Any]) -> AsyncIterator[dict[str, Any]]:
    while (item := await queue.get()) is not _END:
        if isinstance(item, BaseException):
            raise item
        yield item
