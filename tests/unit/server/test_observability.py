"""What an operator sees of a turn: ``/metrics``' model tokens, the JSON log line and the
OpenTelemetry span (issue #24). The turn's events are given here; the real server's
``/metrics`` is read in ``tests/integration/test_topology.py``."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from etude.llm import usage
from etude.server.metrics import TURN_LOG, TurnMetrics, observed, session_hash
from etude.server.tracing import TracingUnavailable, make_tracer

SECRET = "my private melody question"


def _turn(prompt: int, completion: int) -> Iterator[dict[str, Any]]:
    yield {"event": "token", "text": "G – B – D"}
    usage.record(prompt, completion)  # the model, called inside the turn
    result = SimpleNamespace(
        answer=SECRET, evidence=[], route=["theory"], timings_ms={"theory": 4.0, "tutor": 90.0}
    )
    yield {"event": "done", "result": result}


def _tracer() -> tuple[Any, InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test"), exporter


def test_model_tokens_reach_metrics_log_and_span(caplog: pytest.LogCaptureFixture) -> None:
    tracer, exporter = _tracer()
    metrics = TurnMetrics(tracer)
    before = metrics.render(queued=0)
    TURN_LOG.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="etude.turns"):
            list(observed(metrics, "lesson-1", lambda: _turn(120, 30)))
    finally:
        TURN_LOG.propagate = False

    def tokens(text: str, kind: str) -> int:
        line = next(
            x
            for x in text.splitlines()
            if x.startswith(f'etude_model_tokens_total{{kind="{kind}"}}')
        )
        return int(line.split()[-1])

    after = metrics.render(queued=0)
    assert tokens(after, "prompt") - tokens(before, "prompt") == 120
    assert tokens(after, "completion") - tokens(before, "completion") == 30

    event = json.loads(caplog.records[-1].getMessage())
    assert event["model_tokens"] == {"prompt": 120, "completion": 30}
    assert event["session"] == session_hash("lesson-1")

    (span,) = exporter.get_finished_spans()
    assert span.name == "etude.turn"
    attributes = dict(span.attributes or {})
    assert attributes["etude.route"] == ("theory",)
    assert attributes["etude.status"] == "ok"
    assert attributes["etude.model.completion_tokens"] == 30
    assert attributes["etude.timing_ms.tutor"] == 90.0
    assert attributes["etude.first_text_ms"] >= 0
    assert SECRET not in json.dumps({k: str(v) for k, v in attributes.items()})
    assert "lesson-1" not in json.dumps({k: str(v) for k, v in attributes.items()})


def test_a_failed_turn_ends_its_span_with_status_error() -> None:
    tracer, exporter = _tracer()

    def broken() -> Iterator[dict[str, Any]]:
        yield {"event": "token", "text": "x"}
        raise RuntimeError("tool crashed")

    with pytest.raises(RuntimeError):
        list(observed(TurnMetrics(tracer), "lesson-2", broken))
    (span,) = exporter.get_finished_spans()
    assert dict(span.attributes or {})["etude.status"] == "error"


def test_tokens_of_one_turn_are_not_counted_in_another(caplog: pytest.LogCaptureFixture) -> None:
    metrics = TurnMetrics()
    TURN_LOG.propagate = True
    try:
        with caplog.at_level(logging.INFO, logger="etude.turns"):
            first = observed(metrics, "a", lambda: _turn(10, 1))
            next(first)  # the first turn is under way ...
            with usage.turn_usage() as other:  # ... while other work records its own calls
                usage.record(5, 5)
            list(first)
    finally:
        TURN_LOG.propagate = False
    assert (other.prompt, other.completion) == (5, 5)
    assert json.loads(caplog.records[-1].getMessage())["model_tokens"] == {
        "prompt": 10,
        "completion": 1,
    }


def test_tracing_modes() -> None:
    assert make_tracer("off") is None
    assert make_tracer("console") is not None


def test_tracing_without_opentelemetry_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_otel(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("opentelemetry"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_otel)
    with pytest.raises(TracingUnavailable, match=r"pip install 'etude\[otel\]'"):
        make_tracer("otlp")
