"""``GET /health``: liveness, whether the model has loaded, and how many turns wait;
``GET /ready``: whether the backends a turn needs answer (``etude.server.readiness``); and
``GET /metrics``: the turn counters in Prometheus' text format (``etude.server.metrics``)."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from etude.server.deps import MentorDep, MetricsDep, ModelReadyDep, RunnerDep
from etude.server.readiness import readiness

router = APIRouter()


@router.get("/health", summary="Liveness: 200 while the server runs.")
async def health(model_ready: ModelReadyDep, runner: RunnerDep) -> dict[str, Any]:
    return {
        "status": "ok",
        "model_ready": model_ready,
        "turns_waiting": runner.waiting,
        "model_waiting": runner.model_queue,
    }


@router.get(
    "/ready",
    summary="Readiness: 200 when the database, the knowledge index and the model answer; "
    "503 naming the part that does not.",
    responses={503: {"description": "A backend is down; `error` names it."}},
)
async def ready(request: Request, mentor: MentorDep) -> JSONResponse:
    warm: Future[Any] = request.app.state.warm

    def loaded() -> bool:
        return warm.done() and warm.exception() is None

    checks = await readiness(mentor.settings, loaded)
    body: dict[str, Any] = {"checks": {c.part: {"ok": c.ok, "detail": c.detail} for c in checks}}
    failing = [c for c in checks if not c.ok]
    if failing:
        body["error"] = "not ready: " + "; ".join(c.line() for c in failing)
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ready", **body})


@router.get(
    "/metrics",
    summary="Prometheus metrics: turns, turn latency and time to first text, queue depth, "
    "tool errors by tool.",
    response_class=PlainTextResponse,
)
async def metrics(metrics: MetricsDep, runner: RunnerDep) -> PlainTextResponse:
    return PlainTextResponse(
        metrics.render(
            queued=runner.waiting, working=runner.working, model_queue=runner.model_queue
        ),
        media_type="text/plain; version=0.0.4",
    )
