"""One mentor, many learners: turns run side by side; only the model's prose waits for the model.

A turn runs on a thread of its own as soon as it is admitted: its graph, tools, computed blocks
and checkpoints do not wait for other learners' turns, and its first text (the computed
answer, the critic's findings, the quoted passage) streams as soon as the tutor has it. The
embedded chat model and its caches are not thread-safe, and a 2-core CPU has no spare cores for
two decodes anyway, so each *generation* waits at the process-wide model gate
(``etude.llm.gate``) in arrival order: a chord spelling never waits for another learner's
paragraph. Events cross from a turn's thread to the request's coroutine through an asyncio
queue, which is what lets a turn stream as Server-Sent Events.

At most ``workers`` turns *work* at once (a place each; one by default): their tools and
blocks are mostly Python, and on the 2-core box more at once only slowed each other down
(measured: a burst of fifty chord questions was answered more slowly with four places, and
with two, than with one; bench/RESULTS.md, issue #23). A turn that waits for the model, or
reads what it writes, gives its place away meanwhile (``etude.llm.gate.off_the_places``): the
decode runs on torch's threads beside the turns, and turns on the model never hold back turns
that need none. The threads themselves are bounded by admission.

The queue is bounded: a turn is first *admitted* (``TurnRunner.admit``), which fails with
``TurnsBusy`` when the server already holds ``max_waiting`` turns or the learner already has
``max_per_learner`` queued or running, and says after how many seconds to try again (the route
answers 429 with ``Retry-After``): while the server is full, a place frees every time a turn
ends, so the estimate is the measured time between turn ends while turns were waiting. A queue
without bound would let one script, or a crowd, make every learner wait without end and hold
every request's memory meanwhile.
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

from etude.llm.gate import IN_PROCESS_MODEL, ModelGate, stepping_aside

_END = object()

TurnEvents = Callable[[], Iterator[dict[str, Any]]]

TYPICAL_TURN_S = 15.0
"""A turn's length before any has been measured (the embedded model on a 2-core CPU)."""

DEFAULT_WORKERS = 1
"""Turns working at once (``ETUDE_TURN_THREADS``): tool work is mostly GIL-bound Python, and
the model decodes beside it on torch's threads; a turn on the model does not count."""

THREADS_WITHOUT_LIMIT = 64
"""Turn threads when admission sets no bound (tests, warm-up)."""


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
    """Runs turn generators side by side, at most ``workers`` working at once, and streams
    their events; generations on the in-process model wait at ``gate`` one at a time, off the
    places.

    >>> import asyncio
    >>> runner = TurnRunner()
    >>> async def collect():
    ...     return [e async for e in runner.stream(lambda: iter([{"event": "token"}]))]
    >>> asyncio.run(collect())
    [{'event': 'token'}]
    >>> runner.close()
    """

    def __init__(
        self,
        max_waiting: int | None = None,
        max_per_learner: int | None = None,
        *,
        workers: int = DEFAULT_WORKERS,
        gate: ModelGate = IN_PROCESS_MODEL,
    ) -> None:
        if workers < 1:
            raise ValueError("a turn runner needs at least one worker")
        # One thread per admitted turn (plus one for warm-up): a turn on the model holds a
        # thread but not a place, and the places bound the work.
        threads = (max_waiting if max_waiting is not None else THREADS_WITHOUT_LIMIT) + 1
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="etude-turn")
        self._places = threading.Semaphore(workers)
        self.workers = workers
        self.gate = gate
        self.max_waiting = max_waiting
        self.max_per_learner = max_per_learner
        self._waiting = 0
        self._working = 0
        self._per_learner: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        self._turn_s = TYPICAL_TURN_S
        self._gap_s = TYPICAL_TURN_S / workers
        self._last_end: float | None = None

    @property
    def waiting(self) -> int:
        """Turns admitted and not yet ended (waiting for a place, working, or waiting for the
        model); the page shows it so a learner knows why it waits."""
        return self._waiting

    @property
    def working(self) -> int:
        """Turns holding a place now (running their tools and blocks)."""
        return self._working

    @property
    def model_queue(self) -> int:
        """Generations waiting for the in-process model or holding it now."""
        return self.gate.depth

    def retry_after(self) -> int:
        """Seconds until a place is likely to be free: while the server is full a place frees
        each time a turn ends, so the measured time between turn ends under load.

        >>> TurnRunner(workers=2).retry_after()  # nothing measured yet: 15 s / 2 places
        8
        """
        with self._count_lock:
            return max(1, math.ceil(self._gap_s))

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
            mine = self._per_learner[learner]
            if self.max_per_learner is not None and mine >= self.max_per_learner:
                # the learner's own turn must end first: about one turn's length each
                raise TurnsBusy(
                    f"you already have {mine} turn{'s' if mine != 1 else ''} waiting; "
                    "send the next when it is answered",
                    max(1, math.ceil(self._turn_s)) * mine,
                )
            if self.max_waiting is not None and self._waiting >= self.max_waiting:
                raise TurnsBusy(
                    f"the mentor has {self._waiting} turns waiting, its limit; "
                    "please try again shortly",
                    max(1, math.ceil(self._gap_s)),
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

    def _ended(self, began: float) -> None:
        """Measure a turn that ended: its length, and the gap since the previous end if turns
        were in flight all along (a gap across an idle spell says nothing about load)."""
        now = time.monotonic()
        with self._count_lock:
            self._turn_s = 0.8 * self._turn_s + 0.2 * (now - began)
            if self._last_end is not None:
                self._gap_s = 0.8 * self._gap_s + 0.2 * (now - self._last_end)
            # the next gap counts only if another turn is still in flight after this one
            self._last_end = now if self._waiting > 1 else None

    def _take_place(self) -> None:
        self._places.acquire()
        with self._count_lock:
            self._working += 1

    def _give_place(self) -> None:
        with self._count_lock:
            self._working -= 1
        self._places.release()

    def start(
        self, events: TurnEvents, admission: Admission | None = None
    ) -> AsyncIterator[dict[str, Any]]:
        """Start the turn now (once a place is free) and return its events as its thread
        produces them; an exception in the turn is re-raised there. The turn runs to its end
        even if nobody reads them (the client hung up), and its place in the queue is given
        back when it ends. Without an ``admission`` the turn runs outside the limits (warm-up,
        tests)."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        place = admission or self._admit_unbounded()

        def put(item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            began = time.monotonic()
            failure: BaseException | None = None
            try:
                self._take_place()
                try:
                    with stepping_aside(self._give_place, self._take_place):
                        for event in events():
                            put(event)
                finally:
                    self._give_place()
            except BaseException as exc:  # handed to the coroutine, which re-raises it
                failure = exc
            finally:
                self._ended(began)
                # The queue place is given back before the reader hears of the end (or of the
                # failure): a caller that admits a new turn as soon as this one has ended, or
                # raised, must find the place free (it once raced ahead of the release).
                place.release()
                if failure is not None:
                    put(failure)
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
        """Run ``call`` on a turn thread, outside the places (e.g. warming up: loading the
        model while the first turns already run their tools)."""
        return self._executor.submit(call)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


async def _drain(queue: asyncio.Queue[Any]) -> AsyncIterator[dict[str, Any]]:
    while (item := await queue.get()) is not _END:
        if isinstance(item, BaseException):
            raise item
        yield item
