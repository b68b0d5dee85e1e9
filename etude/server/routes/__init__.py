"""The API's routes, one module per area; ``ROUTERS`` is the order ``create_app`` includes them
(the order of ``/openapi.json``'s paths).

| module | paths |
| --- | --- |
| ``health`` | ``GET /health``, ``GET /ready``, ``GET /metrics`` |
| ``pages`` | ``GET /`` (the studio page; its files are mounted at ``/static``) |
| ``analyze`` | ``POST /analyze`` |
| ``sessions`` | ``/sessions``, ``/sessions/{id}`` (history, ``DELETE``), ``uploads``, ``score`` |
| ``downloads`` | ``/sessions/{id}/uploads/{upload}/{format}``, ``/sessions/{id}/tunes/{format}`` |
| ``fixes`` | ``POST /sessions/{id}/uploads/{upload}/fixes`` (the critic's fix, applied) |
| ``turns`` | ``POST /sessions/{id}/turns`` (JSON or SSE) |
| ``profile`` | ``GET /me`` |
"""

from etude.server.routes import (
    analyze,
    downloads,
    fixes,
    health,
    pages,
    profile,
    sessions,
    turns,
)

ROUTERS = (
    health.router,
    pages.router,
    analyze.router,
    sessions.router,
    downloads.router,
    fixes.router,
    turns.router,
    profile.router,
)

__all__ = ["ROUTERS"]
