"""The server's own knobs: how learners are identified, which names it answers to, how much
a request may carry and how many turns may wait.

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

MAX_MESSAGE_CHARS = 4000
"""Longest message a learner may send in one turn."""

MAX_JSON_BYTES = 12 * MAX_MESSAGE_CHARS + 4096
"""Largest JSON body: a message at the length limit written entirely in characters that JSON
escapes as surrogate pairs (12 bytes each), plus the other fields. Checked before the body is
read whole, so a 30 MB body costs nothing to refuse."""

MULTIPART_OVERHEAD = 64 * 1024
"""What a multipart body may carry on top of its file: the message and the parts' headers."""

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")


def default_hosts(bind: str, port: int) -> tuple[str, ...]:
    """The names ``etude serve --host BIND --port PORT`` answers to unless ``ETUDE_ALLOWED_HOSTS``
    says otherwise: the loopback names and the bound address, on the bound port. Bound to
    every interface (``0.0.0.0``) it also answers to any IP address on that port: a browser
    sends an address as the host only when the user typed it, so rebinding (which needs a
    name) cannot use it.

    >>> default_hosts("127.0.0.1", 8000)
    ('localhost:8000', '127.0.0.1:8000', '[::1]:8000')
    >>> default_hosts("0.0.0.0", 80)[-1], default_hosts("10.0.0.5", 80)[-1]
    ('ip:80', '10.0.0.5:80')
    """
    names = list(LOOPBACK_NAMES)
    if bind in ("0.0.0.0", "::", ""):
        return (*(f"{name}:{port}" for name in names), f"ip:{port}")
    address = (f"[{bind}]" if ":" in bind else bind).lower()
    if address not in names:
        names.append(address)
    return tuple(f"{name}:{port}" for name in names)


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

    allowed_hosts: tuple[str, ...] = LOOPBACK_NAMES
    """``Settings.allowed_hosts`` (ETUDE_ALLOWED_HOSTS); else the loopback names, on the port
    the server listens on when it is known (``etude serve``), on any port otherwise."""

    max_queued_turns: int = 64
    """``Settings.max_queued_turns`` (ETUDE_MAX_QUEUED_TURNS)."""

    max_learner_turns: int = 2
    """``Settings.max_learner_turns`` (ETUDE_MAX_LEARNER_TURNS)."""

    turn_threads: int = 1
    """``Settings.turn_threads`` (ETUDE_TURN_THREADS)."""

    @classmethod
    def from_settings(
        cls, settings: Settings, *, bind: tuple[str, int] | None = None
    ) -> ServerSettings:
        """The server's view of ``settings``; ``bind`` is the address and port it listens on,
        which decide the host names it answers to when ETUDE_ALLOWED_HOSTS is not set.

        >>> ServerSettings.from_settings(Settings(), bind=("127.0.0.1", 8000)).allowed_hosts[0]
        'localhost:8000'
        >>> named = Settings(allowed_hosts="etude.example, x.org")
        >>> ServerSettings.from_settings(named).allowed_hosts
        ('etude.example', 'x.org')
        """
        if settings.allowed_hosts:
            hosts = tuple(h.strip() for h in settings.allowed_hosts.split(",") if h.strip())
        elif bind is not None:
            hosts = default_hosts(*bind)
        else:
            hosts = LOOPBACK_NAMES
        return cls(
            auth=settings.auth,
            secret=settings.auth_secret,
            max_upload_bytes=settings.max_upload_bytes,
            secure_cookies=settings.secure_cookies,
            allowed_hosts=hosts,
            max_queued_turns=settings.max_queued_turns,
            max_learner_turns=settings.max_learner_turns,
            turn_threads=settings.turn_threads,
        )
