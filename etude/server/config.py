"""The server's own knobs: how learners are identified and how much they may upload.

They live apart from ``etude.config.Settings`` because only ``etude serve`` reads them; the
mentor's settings stay the same whether a turn comes from the terminal or from the web.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

from etude.limits import DEFAULT_LIMITS

AuthMode = Literal["cookie", "header"]
AUTH_MODES: tuple[AuthMode, ...] = ("cookie", "header")

LEARNER_COOKIE = "etude_learner"
"""HttpOnly cookie holding a browser's random learner token (cookie mode)."""

ACCESS_COOKIE = "etude_access"
"""HttpOnly cookie that remembers a correct shared secret, so the page works after ``?access=``."""

LEARNER_HEADER = "X-Etude-Learner"
"""Header a trusted reverse proxy sets to the signed-in learner's id (header mode)."""

SECRET_HEADER = "X-Etude-Secret"
"""Header carrying the deployment's shared secret when one is configured."""

MAX_UPLOAD_BYTES = DEFAULT_LIMITS.max_bytes
"""The score loader's own limit (``etude.limits``): larger uploads are refused while they
stream in, before a byte reaches the disk past the limit or music21 sees the file."""


@dataclass(frozen=True)
class ServerSettings:
    """How ``etude serve`` authenticates learners. Each field names its environment variable.

    >>> ServerSettings().auth
    'cookie'
    """

    auth: AuthMode = "cookie"
    """ETUDE_AUTH: ``cookie`` (default) gives every new browser a random learner token in an
    HttpOnly cookie; ``header`` trusts ``X-Etude-Learner`` set by a reverse proxy that has
    already signed the learner in (never expose header mode without such a proxy)."""

    secret: str | None = None
    """ETUDE_AUTH_SECRET: when set, every API call must prove it knows this shared secret, with
    ``X-Etude-Secret`` or ``Authorization: Bearer``; a browser opens ``/?access=SECRET`` once
    and keeps it in an HttpOnly cookie. Useful for a class server on a shared network."""

    max_upload_bytes: int = MAX_UPLOAD_BYTES
    """ETUDE_MAX_UPLOAD_BYTES: the size limit for one uploaded score."""

    secure_cookies: bool = False
    """ETUDE_SECURE_COOKIES: mark cookies ``Secure`` (set it when served over HTTPS)."""

    @classmethod
    def from_env(cls) -> ServerSettings:
        env = os.environ
        auth = env.get("ETUDE_AUTH") or "cookie"
        if auth not in AUTH_MODES:
            raise ValueError(f"ETUDE_AUTH must be one of {', '.join(AUTH_MODES)}, got {auth!r}")
        raw_limit = env.get("ETUDE_MAX_UPLOAD_BYTES") or str(MAX_UPLOAD_BYTES)
        try:
            limit = int(raw_limit)
        except ValueError as exc:
            raise ValueError(
                f"ETUDE_MAX_UPLOAD_BYTES must be an integer, got {raw_limit!r}"
            ) from exc
        return cls(
            auth=auth,
            secret=env.get("ETUDE_AUTH_SECRET") or None,
            max_upload_bytes=limit,
            secure_cookies=env.get("ETUDE_SECURE_COOKIES", "0") in ("1", "true", "yes"),
        )
