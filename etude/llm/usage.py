"""How many tokens the chat model read and wrote: for ``/metrics``, the turn log and traces.

Every backend reports its own calls here (:func:`record`): the local transformers model counts
its prompt and the tokens ``generate`` produced, even when the tutor stops reading early; an
OpenAI-compatible server reports ``usage`` (asked for with ``stream_options.include_usage`` when
streaming). One process-wide tally answers "how much has the model done" for Prometheus; a turn
that wants its own share opens :func:`turn_usage` around its work, and the calls made inside it
(in this thread or in threads started from a copy of its context, as LangGraph's are) add to it
too.

This module imports nothing heavy: the server reads it without loading a model.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class TokenCount:
    """Prompt (read) and completion (written) tokens, added up.

    >>> count = TokenCount()
    >>> count.add(12, 5); count.add(3, 1)
    >>> count.prompt, count.completion, count.calls
    (15, 6, 2)
    """

    prompt: int = 0
    completion: int = 0
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, prompt: int, completion: int) -> None:
        with self._lock:
            self.prompt += max(0, int(prompt))
            self.completion += max(0, int(completion))
            self.calls += 1

    def snapshot(self) -> tuple[int, int, int]:
        """``(prompt, completion, calls)`` read together."""
        with self._lock:
            return self.prompt, self.completion, self.calls


TOTAL = TokenCount()
"""Every model call this process made, by any backend."""

_TURN: contextvars.ContextVar[TokenCount | None] = contextvars.ContextVar(
    "etude_turn_tokens", default=None
)


def record(prompt: int, completion: int) -> None:
    """One model call's tokens: added to the process total and to the open turn's count.

    >>> before = TOTAL.snapshot()
    >>> with turn_usage() as turn:
    ...     record(10, 4)
    >>> (turn.prompt, turn.completion), TOTAL.snapshot()[1] - before[1]
    ((10, 4), 4)
    """
    TOTAL.add(prompt, completion)
    turn = _TURN.get()
    if turn is not None:
        turn.add(prompt, completion)


@contextmanager
def turn_usage() -> Iterator[TokenCount]:
    """Counts the model calls made until the block ends (this context and copies of it)."""
    count = TokenCount()
    token = _TURN.set(count)
    try:
        yield count
    finally:
        try:
            _TURN.reset(token)
        except ValueError:  # closed from another context (a generator finalised elsewhere)
            _TURN.set(None)
