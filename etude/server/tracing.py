"""OpenTelemetry traces for ``etude serve``, optional (``ETUDE_TRACING``, the ``otel`` extra).

One span per turn, ``etude.turn``, carrying what the JSON turn log carries (request id, the
lesson's hash, route, status, queue wait, time to first text, each step's time) and the model's
tokens for that turn, so a trace backend (Jaeger, Tempo, Honeycomb …) shows where a slow turn
spent its time beside the rest of a deployment's traces. Like the log, a span never holds the
learner's message or the reply.

The span is started and ended explicitly rather than made "current": a turn is a generator that
yields between steps, and a current span would leak into whatever the worker thread does between
two of its events.
"""

from __future__ import annotations

from typing import Any, Protocol

from etude.config import TracingMode


class TracingUnavailable(RuntimeError):
    """Tracing was asked for but OpenTelemetry's SDK is not installed."""


class TurnSpan(Protocol):
    def set_attribute(self, key: str, value: Any) -> Any: ...

    def end(self) -> Any: ...


class Tracer(Protocol):
    def start_span(self, name: str) -> TurnSpan: ...


def make_tracer(mode: TracingMode) -> Tracer | None:
    """The tracer turns report to, or ``None`` when tracing is off.

    >>> make_tracer("off") is None
    True
    """
    if mode == "off":
        return None
    try:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SpanExporter,
        )
    except ImportError as exc:
        raise TracingUnavailable(
            f"ETUDE_TRACING={mode} needs OpenTelemetry: pip install 'etude[otel]'"
        ) from exc
    exporter: SpanExporter
    if mode == "console":
        exporter = ConsoleSpanExporter()
    else:
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError as exc:
            raise TracingUnavailable(
                "ETUDE_TRACING=otlp needs the OTLP exporter: pip install 'etude[otel]'"
            ) from exc
        exporter = OTLPSpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "etude"}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider.get_tracer("etude.server")


def turn_attributes(event: dict[str, Any], first_text_s: float | None) -> dict[str, Any]:
    """A turn's span attributes, from what its log line records (``metrics.turn_event``):
    plain numbers and strings, as OpenTelemetry takes them.

    >>> event = {"request_id": "r1", "session": "ab12", "status": "ok", "route": ["theory"],
    ...          "queue_wait_ms": 1.5, "timings_ms": {"tutor": 5.0},
    ...          "model_tokens": {"prompt": 30, "completion": 7}}
    >>> attrs = turn_attributes(event, 0.2)
    >>> attrs["etude.route"], attrs["etude.timing_ms.tutor"], attrs["etude.model.completion_tokens"]
    (('theory',), 5.0, 7)
    """
    attributes: dict[str, Any] = {
        "etude.request_id": event["request_id"],
        "etude.session": event["session"],
        "etude.status": event["status"],
        "etude.route": tuple(event["route"]),
        "etude.queue_wait_ms": event["queue_wait_ms"],
        "etude.model.prompt_tokens": event["model_tokens"]["prompt"],
        "etude.model.completion_tokens": event["model_tokens"]["completion"],
    }
    if first_text_s is not None:
        attributes["etude.first_text_ms"] = round(first_text_s * 1000, 1)
    for step, value in event["timings_ms"].items():
        if isinstance(value, int | float):
            attributes[f"etude.timing_ms.{step}"] = float(value)
    return attributes
