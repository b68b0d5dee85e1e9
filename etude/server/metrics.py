"""What an operator watches: ``GET /metrics`` in Prometheus' text format, and one JSON log line
per turn.

Both come from one observer (:func:`observed`) wrapped around each turn's event stream on
the turn's thread, so a turn is counted even when its client hangs up. Written by hand rather
than with ``prometheus_client``: a handful of series do not justify a dependency, and the text
format is short (https://prometheus.io/docs/instrumenting/exposition_formats/). The model's
tokens come from :mod:`etude.llm.usage`, where every backend reports its calls.

The log line never carries the message or the reply (a learner's words are theirs), and names
the lesson by a hash, so logs can be shipped to a shared system: request id, session hash,
route, status and timings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from etude.llm import usage
from etude.server.tracing import Tracer, TurnSpan, turn_attributes

TURN_LOG = logging.getLogger("etude.turns")
"""One INFO record per turn, its message a JSON object (see :func:`turn_event`)."""

LATENCY_BUCKETS_S = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0)
"""From a computed fact (a tenth of a second) to a long reply of the CPU model (a minute)."""


class Histogram:
    """A Prometheus histogram: cumulative buckets, sum and count.

    >>> h = Histogram("etude_x_seconds", "X.", (1.0, 5.0))
    >>> h.observe(0.5); h.observe(3.0)
    >>> print("\\n".join(h.lines()))
    # HELP etude_x_seconds X.
    # TYPE etude_x_seconds histogram
    etude_x_seconds_bucket{le="1.0"} 1
    etude_x_seconds_bucket{le="5.0"} 2
    etude_x_seconds_bucket{le="+Inf"} 2
    etude_x_seconds_sum 3.5
    etude_x_seconds_count 2
    """

    def __init__(self, name: str, help_text: str, buckets: tuple[float, ...]) -> None:
        self.name, self.help, self.buckets = name, help_text, buckets
        self.counts = [0] * len(buckets)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        for index, bound in enumerate(self.buckets):
            if value <= bound:
                self.counts[index] += 1
        self.sum += value
        self.count += 1

    def lines(self) -> list[str]:
        out = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        out += [
            f'{self.name}_bucket{{le="{bound}"}} {count}'
            for bound, count in zip(self.buckets, self.counts, strict=True)
        ]
        out += [
            f'{self.name}_bucket{{le="+Inf"}} {self.count}',
            f"{self.name}_sum {round(self.sum, 6)}",
            f"{self.name}_count {self.count}",
        ]
        return out


def _label(value: str) -> str:
    """A label value as the text format escapes it.

    >>> _label('a"b\\\\c')
    'a\\\\"b\\\\\\\\c'
    """
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class TurnMetrics:
    """The server's counters, shared by the turn threads (writes, under the lock) and
    ``/metrics`` (reads)."""

    def __init__(self, tracer: Tracer | None = None) -> None:
        self._lock = threading.Lock()
        self.tracer = tracer
        """Where each turn's span goes (``ETUDE_TRACING``); ``None``: no traces."""
        self.turns: Counter[str] = Counter()
        self.tool_errors: Counter[str] = Counter()
        self.latency = Histogram(
            "etude_turn_seconds",
            "Time from a turn leaving the queue to its answer.",
            LATENCY_BUCKETS_S,
        )
        self.first_text = Histogram(
            "etude_turn_first_text_seconds",
            "Time from a turn leaving the queue to the first text streamed to the learner.",
            LATENCY_BUCKETS_S,
        )

    def record(
        self, status: str, seconds: float, first_text: float | None, errors: list[str]
    ) -> None:
        with self._lock:
            self.turns[status] += 1
            self.latency.observe(seconds)
            if first_text is not None:
                self.first_text.observe(first_text)
            self.tool_errors.update(errors)

    def render(self, queued: int, working: int = 0, model_queue: int = 0) -> str:
        """The text format; ``queued`` is the turns admitted now (waiting for a place, working
        or waiting for the model), ``working`` those holding a place, ``model_queue`` the
        generations waiting for the in-process model or holding it: turns run side by side,
        so the model's queue is where a learner's prose waits.

        >>> metrics = TurnMetrics()
        >>> metrics.record("ok", 0.3, 0.2, ["critic"])
        >>> text = metrics.render(queued=3, working=1, model_queue=2)
        >>> 'etude_turns_total{status="ok"} 1' in text, "etude_turn_queue_depth 3" in text
        (True, True)
        >>> "etude_turns_working 1" in text, "etude_model_queue_depth 2" in text
        (True, True)
        >>> 'etude_tool_errors_total{tool="critic"} 1' in text
        True
        >>> 'etude_model_tokens_total{kind="completion"}' in text
        True
        """
        with self._lock:
            lines = [
                "# HELP etude_turns_total Turns answered (ok) or failed (error).",
                "# TYPE etude_turns_total counter",
            ]
            for status in sorted({"ok", "error", *self.turns}):
                lines.append(f'etude_turns_total{{status="{_label(status)}"}} {self.turns[status]}')
            lines += [
                "# HELP etude_tool_errors_total Tool results that were errors, by tool.",
                "# TYPE etude_tool_errors_total counter",
            ]
            for tool, count in sorted(self.tool_errors.items()):
                lines.append(f'etude_tool_errors_total{{tool="{_label(tool)}"}} {count}')
            lines += self.latency.lines() + self.first_text.lines()
        prompt, completion, calls = usage.TOTAL.snapshot()
        lines += [
            "# HELP etude_model_tokens_total Tokens the chat model read (prompt) and wrote"
            " (completion).",
            "# TYPE etude_model_tokens_total counter",
            f'etude_model_tokens_total{{kind="prompt"}} {prompt}',
            f'etude_model_tokens_total{{kind="completion"}} {completion}',
            "# HELP etude_model_calls_total Calls to the chat model.",
            "# TYPE etude_model_calls_total counter",
            f"etude_model_calls_total {calls}",
            "# HELP etude_turn_queue_depth Turns queued or running in this process.",
            "# TYPE etude_turn_queue_depth gauge",
            f"etude_turn_queue_depth {queued}",
            "# HELP etude_turns_working Turns running their tools, blocks or decode now.",
            "# TYPE etude_turns_working gauge",
            f"etude_turns_working {working}",
            "# HELP etude_model_queue_depth Generations waiting for the in-process model or "
            "holding it.",
            "# TYPE etude_model_queue_depth gauge",
            f"etude_model_queue_depth {model_queue}",
        ]
        return "\n".join(lines) + "\n"


def session_hash(session: str) -> str:
    """A lesson's id as logs name it: enough to follow one lesson, not to look it up.

    >>> session_hash("abc")
    'ba7816bf8f01cfea'
    """
    return hashlib.sha256(session.encode()).hexdigest()[:16]


def turn_event(
    request_id: str,
    session: str,
    status: str,
    route: list[str],
    timings_ms: dict[str, Any],
    waited_ms: float,
    tokens: tuple[int, int] = (0, 0),
) -> dict[str, Any]:
    """What is recorded of a turn, for its log line and its span: no message text, no reply,
    the lesson hashed.

    >>> event = turn_event("r1", "abc", "ok", ["theory"], {"total": 5.0}, 1.5)
    >>> event["session"], event["model_tokens"]
    ('ba7816bf8f01cfea', {'prompt': 0, 'completion': 0})
    """
    return {
        "event": "turn",
        "request_id": request_id,
        "session": session_hash(session),
        "status": status,
        "route": route,
        "queue_wait_ms": round(waited_ms, 1),
        "timings_ms": timings_ms,
        "model_tokens": {"prompt": tokens[0], "completion": tokens[1]},
    }


@dataclass
class _Turn:
    """One turn being observed: what its log line, its metrics and its span are made of."""

    request_id: str
    session: str
    started: float
    waited_ms: float
    tokens: usage.TokenCount
    span: TurnSpan | None
    first_text: float | None = None


def observed(
    metrics: TurnMetrics,
    session: str,
    events: Callable[[], Iterator[dict[str, Any]]],
    queued_at: float | None = None,
) -> Iterator[dict[str, Any]]:
    """``events()`` passed through unchanged, measured on the way: run on the turn's thread,
    so the clock starts when the turn has a place (``queued_at`` is when it was admitted)."""
    started = time.perf_counter()
    result: Any = None
    with usage.turn_usage() as tokens:
        turn = _Turn(
            request_id=uuid.uuid4().hex,
            session=session,
            started=started,
            waited_ms=(started - queued_at) * 1000 if queued_at is not None else 0.0,
            tokens=tokens,
            span=metrics.tracer.start_span("etude.turn") if metrics.tracer else None,
        )
        try:
            for event in events():
                if turn.first_text is None and event.get("event") == "token":
                    turn.first_text = time.perf_counter() - started
                if event.get("event") == "done":
                    result = event["result"]
                yield event
        except BaseException:
            _finish(metrics, turn, "error", None)
            raise
        _finish(metrics, turn, "ok", result)


def _finish(metrics: TurnMetrics, turn: _Turn, status: str, result: Any) -> None:
    seconds = time.perf_counter() - turn.started
    evidence = list(getattr(result, "evidence", None) or [])
    errors = [e.tool for e in evidence if getattr(e, "kind", "") == "error"]
    metrics.record(status, seconds, turn.first_text, errors)
    route = list(getattr(result, "route", None) or [])
    timings = dict(getattr(result, "timings_ms", None) or {"total": round(seconds * 1000, 1)})
    prompt, completion, _ = turn.tokens.snapshot()
    event = turn_event(
        turn.request_id, turn.session, status, route, timings, turn.waited_ms, (prompt, completion)
    )
    TURN_LOG.info(json.dumps(event, sort_keys=True))
    if turn.span is not None:
        for key, value in turn_attributes(event, turn.first_text).items():
            turn.span.set_attribute(key, value)
        turn.span.end()
