"""``GET /health``: liveness, whether the model has loaded, and how many turns wait."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from etude.server.deps import ModelReadyDep, RunnerDep

router = APIRouter()


@router.get("/health", summary="Liveness: 200 while the server runs.")
async def health(model_ready: ModelReadyDep, runner: RunnerDep) -> dict[str, Any]:
    return {"status": "ok", "model_ready": model_ready, "turns_waiting": runner.waiting}
