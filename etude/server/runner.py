"""One mentor, many learners: turns run one at a time on a dedicated worker thread.

The chat model and its caches are not thread-safe and a CPU has no spare cores for two
decodes anyway, so turns queue in arrival order on a single thread while the event loop keeps
serving pages, uploads and histories. Events cross from that thread to the request's coroutine
through an asyncio queue, which is what lets a turn stream as Server-Sent Events.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

_END = object()

TurnEvents = Callable[[], Iterator[dict[str, Any]]]


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

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="etude-turn")
        self._waiting = 0
        self._count_lock = threading.Lock()

    @property
    def waiting(self) -> int:
        """Turns queued or running now; the page shows it so a learner knows why it waits."""
        return self._waiting

    async def stream(self, events: TurnEvents) -> AsyncIterator[dict[str, Any]]:
        """Yield the events of ``events()`` as the worker produces them; an exception in the
        turn is re-raised here. If the caller stops listening the turn still finishes, so
        the lesson's history never holds half a turn."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()

        def put(item: Any) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            try:
                for event in events():
                    put(event)
            except BaseException as exc:  # handed to the coroutine, which re-raises it
                put(exc)
            finally:
                with self._count_lock:
                    self._waiting -= 1
                put(_END)

        with self._count_lock:
            self._waiting += 1
        self._executor.submit(work)
        while (item := await queue.get()) is not _END:
            if isinstance(item, BaseException):
                raise item
            yield item

    def submit(self, call: Callable[[], Any]) -> Future[Any]:
        """Queue ``call`` on the worker thread, in turn with the lessons (e.g. warming up)."""
        return self._executor.submit(call)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
