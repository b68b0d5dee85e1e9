"""Who is calling: a learner id for every API request, and the shared-secret gate.

Cookie mode (default) needs no accounts: the first visit gets a random token in an HttpOnly
cookie and the learner id is a hash of it, so the database never holds a usable token. Header
mode is for deployments behind a proxy that signs learners in and passes their id in
``X-Etude-Learner``. Either mode can require a shared secret on top.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from starlette.requests import Request

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
