"""Errors the API answers with: always ``{"error": "one line"}`` and a fitting status code.

A learner's mistake (a broken MIDI file, a session that is not theirs) is a 4xx with a line they
can act on; the same shape everywhere lets the web page show any error the same way, which is
why FastAPI's own errors (unknown path, wrong method, invalid request) are answered in it too.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An error meant for the caller, with any headers it needs (``Retry-After``).

    >>> ApiError(404, "no such session").payload()
    {'error': 'no such session'}
    """

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}

    def payload(self) -> dict[str, str]:
        return {"error": self.message}


async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.payload(), status_code=exc.status, headers=exc.headers)


async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Unknown paths and wrong methods answer in the same ``{"error"}`` shape."""
    return JSONResponse(
        {"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
    )


async def internal_error(_request: Request, _exc: Exception) -> JSONResponse:
    """A fault of ours, still in the ``{"error"}`` shape (the traceback goes to the log, where
    only faults of ours belong: bad input is answered before it can raise)."""
    return JSONResponse({"error": "internal error; please try again"}, status_code=500)


async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's validation errors as one line: the first field at fault and why."""
    first = exc.errors()[0] if exc.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
    return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid')}"}, status_code=422)


def answer_errors_as_json(app: FastAPI) -> None:
    """Install the handlers that give every error the ``{"error"}`` shape."""
    app.exception_handler(ApiError)(api_error)
    app.exception_handler(StarletteHTTPException)(http_error)
    app.exception_handler(RequestValidationError)(invalid_request)
    app.exception_handler(Exception)(internal_error)
