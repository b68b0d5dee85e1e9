"""The HTTP API and the web studio, served by one FastAPI app around one ``Mentor``.

Endpoints follow DESIGN.md's HTTP contract; the studio's extras (uploads into a session, the
score view, the learner's profile) are documented in ``docs/SERVER.md`` and in ``/openapi.json``.
Every error is ``{"error": "..."}``; a session that is not the caller's answers 404 exactly
like one that does not exist.

This module only assembles the app; where the rest is:

- routes, one module per area: ``etude.server.routes`` (its docstring maps paths to modules);
- what a route is handed (mentor, turn runner, ownership, score studio, caller):
  ``etude.server.deps``, from ``app.state`` as ``lifespan`` below builds it;
- who is calling (cookie or header, shared secret): ``etude.server.identity``;
- what a request must pass first (host, origin, content type, size) and the headers every
  response carries: ``etude.server.guard``;
- the ``{"error"}`` shape: ``etude.server.errors``;
- ``/ready``'s checks: ``etude.server.readiness``; ``/metrics`` and the per-turn JSON log line:
  ``etude.server.metrics``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from etude.config import Settings
from etude.mentor import Mentor
from etude.server.config import ServerSettings
from etude.server.errors import answer_errors_as_json
from etude.server.guard import RequestGuard
from etude.server.identity import identify_caller
from etude.server.metrics import TURN_LOG, TurnMetrics
from etude.server.ownership import Ownership
from etude.server.routes import ROUTERS
from etude.server.routes.pages import STATIC_DIR
from etude.server.runner import TurnRunner
from etude.server.studio import ScoreStudio
from etude.server.tracing import make_tracer


def create_app(
    settings: Settings | None = None,
    server: ServerSettings | None = None,
    *,
    mentor: Mentor | None = None,
    warm_up: bool = True,
) -> FastAPI:
    """The ASGI app. ``mentor`` lets tests and the load bench share one loaded model;
    ``warm_up`` loads the model in the background at start so the first turn is not slow."""
    settings = settings or Settings.from_env()
    server = server or ServerSettings.from_settings(settings)
    app = FastAPI(
        title="Etude",
        summary="An open-source composition mentor: lessons, score analysis and the web studio.",
        version="0.1.0",
        lifespan=partial(lifespan, mentor=mentor, warm_up=warm_up),
        # FastAPI's /docs and /redoc pages load their scripts from a CDN; the studio must work
        # offline, so only the schema itself is served (any OpenAPI viewer can open it).
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.server = server
    app.state.metrics = TurnMetrics(make_tracer(settings.tracing))
    _log_turns_as_json_lines()
    answer_errors_as_json(app)
    app.middleware("http")(identify_caller)
    # Added last, so it is the outermost: nothing reads a request it refuses.
    app.add_middleware(RequestGuard, settings=server)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app


def _log_turns_as_json_lines() -> None:
    """Each turn's log record is already a JSON object: written as it is, one per line, on
    stderr beside uvicorn's own lines (which a log shipper can tell apart: they are not JSON)."""
    if TURN_LOG.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    TURN_LOG.addHandler(handler)
    TURN_LOG.setLevel(logging.INFO)
    TURN_LOG.propagate = False


@asynccontextmanager
async def lifespan(app: FastAPI, *, mentor: Mentor | None, warm_up: bool) -> AsyncIterator[None]:
    """Build the parts the routes share (``etude.server.deps`` hands them out) and close them
    at shut-down; a mentor the caller passed in is theirs to close."""
    settings: Settings = app.state.settings
    server: ServerSettings = app.state.server
    app.state.mentor = mentor or Mentor(settings)
    _ = app.state.mentor.graph  # compiled here, once, before the turn threads start
    app.state.ownership = Ownership(app.state.mentor.persistence.store)
    app.state.runner = TurnRunner(
        server.max_queued_turns, server.max_learner_turns, workers=server.turn_threads
    )
    app.state.studio = ScoreStudio(
        settings.data_dir / "uploads", server.max_upload_bytes, settings.data_dir
    )
    app.state.warm = app.state.runner.submit(app.state.mentor.warm_up if warm_up else lambda: None)
    try:
        yield
    finally:
        app.state.runner.close()
        if mentor is None:
            app.state.mentor.close()
