"""The server's own knobs: how learners are identified and how much they may upload.

Their values come from ``etude.config.Settings`` (the one place that reads the environment);
``ServerSettings`` is the slice the web app needs, so the mentor's code never sees how the
server authenticates and a test can build the server's view on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from etude.config import AuthMode, Settings
from etude.limits import DEFAULT_LIMITS

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
    """How ``etude serve`` authenticates learners: a typed view of the server's part of
    ``etude.config.Settings``, where each knob is declared with its variable and its reason.

    >>> ServerSettings().auth
    'cookie'
    >>> ServerSettings.from_settings(Settings(auth="header", auth_secret="s3cret")).secret
    's3cret'
    """

    auth: AuthMode = "cookie"
    """``Settings.auth`` (ETUDE_AUTH)."""

    secret: str | None = field(default=None, repr=False)
    """``Settings.auth_secret`` (ETUDE_AUTH_SECRET)."""

    max_upload_bytes: int = MAX_UPLOAD_BYTES
    """``Settings.max_upload_bytes`` (ETUDE_MAX_UPLOAD_BYTES)."""

    secure_cookies: bool = False
    """``Settings.secure_cookies`` (ETUDE_SECURE_COOKIES)."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerSettings:
        return cls(
            auth=settings.auth,
            secret=settings.auth_secret,
            max_upload_bytes=settings.max_upload_bytes,
            secure_cookies=settings.secure_cookies,
        )
