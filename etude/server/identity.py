"""Who is calling: a learner id for every API request, and the shared-secret gate.

Cookie mode (default) needs no accounts: the first visit gets a random token in an HttpOnly
cookie and the learner id is a hash of it, so the database never holds a usable token. Header
mode is for deployments behind a proxy that signs learners in and passes their id in
``X-Etude-Learner``. Either mode can require a shared secret on top. ``identify_caller`` is the
HTTP middleware that applies all of this to every request before a route sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from etude.server.config import (
    ACCESS_COOKIE,
    LEARNER_COOKIE,
    LEARNER_HEADER,
    SECRET_HEADER,
    ServerSettings,
)
from etude.server.errors import ApiError

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_HEADER_ID = re.compile(r"^[\w.@+-]{1,128}$")

OPEN_PATHS = ("/health", "/ready", "/metrics", "/static/")
"""Paths that need neither a learner nor the shared secret."""
COOKIE_MAX_AGE = 400 * 24 * 3600
"""Browsers cap cookie lifetimes at 400 days; a learner's token should last that long."""


@dataclass(frozen=True)
class Caller:
    """The learner behind a request; ``new_token`` is set when a cookie must be issued."""

    learner: str
    new_token: str | None = None


def learner_id(token: str) -> str:
    """The stable learner id for a cookie token.

    >>> learner_id("a" * 43) == learner_id("a" * 43), learner_id("a" * 43).startswith("web-")
    (True, True)
    """
    return "web-" + hashlib.sha256(token.encode()).hexdigest()[:32]


def identify(request: Request, settings: ServerSettings) -> Caller:
    """The caller's learner id; raises ``ApiError(401)`` in header mode without a valid header.

    A missing or malformed cookie is not an error: it makes a new learner, as a first visit does.
    """
    if settings.auth == "header":
        value = request.headers.get(LEARNER_HEADER, "").strip()
        if not _HEADER_ID.match(value):
            raise ApiError(
                401,
                f"this server needs the {LEARNER_HEADER} header (1-128 of A-Z a-z 0-9 _ . @ + -)",
            )
        return Caller(learner=value)
    token = request.cookies.get(LEARNER_COOKIE, "")
    if _TOKEN.match(token):
        return Caller(learner=learner_id(token))
    token = secrets.token_urlsafe(32)
    return Caller(learner=learner_id(token), new_token=token)


def secret_matches(request: Request, secret: str) -> bool:
    """Whether the request proves it knows the shared secret (header, bearer or cookie)."""
    offered = [
        request.headers.get(SECRET_HEADER, ""),
        request.cookies.get(ACCESS_COOKIE, ""),
    ]
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        offered.append(authorization[7:].strip())
    return any(hmac.compare_digest(value.encode(), secret.encode()) for value in offered if value)


async def identify_caller(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """HTTP middleware: check the shared secret, put the ``Caller`` on ``request.state`` and
    set the cookies a first visit (or a first ``/?access=``) earns. The server's settings are
    ``app.state.server``."""
    server: ServerSettings = request.app.state.server
    path = request.url.path
    if path.startswith(OPEN_PATHS):
        return await call_next(request)
    grant_access = False
    if server.secret and not secret_matches(request, server.secret):
        if path == "/" and request.query_params.get("access") == server.secret:
            grant_access = True
        elif path == "/":
            return HTMLResponse(_LOCKED_PAGE, status_code=401)
        else:
            return JSONResponse({"error": "this server needs its access key"}, status_code=401)
    try:
        caller = identify(request, server)
    except ApiError as exc:
        return JSONResponse(exc.payload(), status_code=exc.status)
    request.state.caller = caller
    response = await call_next(request)
    if caller.new_token:
        _set_cookie(response, LEARNER_COOKIE, caller.new_token, server.secure_cookies)
    if grant_access and server.secret:
        _set_cookie(response, ACCESS_COOKIE, server.secret, server.secure_cookies)
    return response


def _set_cookie(response: Response, name: str, value: str, secure: bool) -> None:
    response.set_cookie(
        name, value, max_age=COOKIE_MAX_AGE, httponly=True, samesite="lax", secure=secure
    )


_LOCKED_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Etude</title>
<body style="font-family:system-ui;max-width:32rem;margin:4rem auto">
<h1>Etude</h1><p>This studio needs an access key. Open the link your teacher gave you
(it ends in <code>?access=…</code>).</p></body></html>"""
