"""What every request must pass before a route sees it, and what every response carries.

``RequestGuard`` is the outermost layer of the app (an ASGI middleware, so that it sees the
body as it streams in). In order:

1. **Host** (DNS rebinding): a page on ``evil.example`` whose name the attacker re-points at
   127.0.0.1 reaches the server with ``Host: evil.example``. Only the names the server was
   bound to (the loopback names and its port, by default) or those listed in
   ``ETUDE_ALLOWED_HOSTS`` are served; anything else is 421.
2. **Origin** (cross-site request forgery): a state-changing request (any method but GET, HEAD
   and OPTIONS) whose ``Origin`` is not one of those hosts, or whose ``Sec-Fetch-Site`` is not
   ``same-origin`` (or ``none``: typed by the user), is 403. Another port of localhost is
   another site. Requests without either header (curl, scripts) carry no ambient cookie from a
   page and pass.
3. **Content type**: a body must be JSON or multipart; ``text/plain`` and URL-encoded forms,
   which a page may send anywhere without asking, are 415.
4. **Size**: a body may not exceed ``MAX_JSON_BYTES`` (JSON; measured from the message length
   limit) or the upload limit plus ``MULTIPART_OVERHEAD`` (multipart). A longer
   ``Content-Length`` is 413 before a byte is read; a body without one is counted as it
   streams and refused at the limit.

Every response, refusals included, carries ``SECURITY_HEADERS``: a Content-Security-Policy the
studio works under (its scripts are files of its own, never inline or evaluated), no MIME
sniffing, no framing, no referrer (``/?access=`` puts the shared secret in a URL).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException

from etude.server.config import MAX_JSON_BYTES, MULTIPART_OVERHEAD, ServerSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # The notation renderers (OpenSheetMusicDisplay, abcjs) style the SVG they draw.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body passes its limit while it streams in; FastAPI hands
    an ``HTTPException`` from the body on unchanged, and the app answers it as ``{"error"}``."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is too large (the limit is {_size(limit)})")


class RequestGuard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, settings: ServerSettings) -> None:
        self.app = app
        self.hosts = HostNames(settings.allowed_hosts)
        self.upload_limit = settings.max_upload_bytes + MULTIPART_OVERHEAD

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_security_headers(send)
        headers = Headers(scope=scope)
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            await _answer(send, *refusal)
            return
        if scope["method"] not in SAFE_METHODS:
            limit = self.upload_limit if _is_multipart(headers) else MAX_JSON_BYTES
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                await _answer(send, 413, BodyTooLarge(limit).detail)
                return
            receive = _counted(receive, limit)
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            # Raised from ``receive`` while a layer below read the body; a layer that reads it
            # in a task group (Starlette's BaseHTTPMiddleware) hands it on in an ExceptionGroup.
            too_large = _body_too_large(exc)
            if too_large is None:
                raise
            if not started:
                await _answer(send, 413, too_large.detail)

    def refusal(self, scope: Scope, headers: Headers) -> tuple[int, str] | None:
        """Why the request is refused before it is read (status, sentence), or None."""
        host = headers.get("host", "")
        if not self.hosts.allows(host):
            return 421, f"this server does not answer to the name {host[:100]!r}"
        if scope["method"] in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is not None and not self.hosts.allows(_authority(origin), same_as=host):
            return 403, "requests from another site are refused"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "requests from another site are refused"
        if _has_body(headers) and not _is_json(headers) and not _is_multipart(headers):
            return 415, "send JSON (application/json) or a multipart form"
        return None


class HostNames:
    """The ``Host`` values a server answers to.

    Entries are ``name`` (any port), ``name:port`` or ``*`` (any name: only behind a proxy
    that checks the host itself); names compare without case, IPv6 addresses in brackets.

    >>> names = HostNames(("localhost:8000", "127.0.0.1:8000"))
    >>> names.allows("localhost:8000"), names.allows("LOCALHOST:8000"), names.allows("evil.example")
    (True, True, False)
    >>> names.allows("localhost:3000"), HostNames(("*",)).allows("anything:1")
    (False, True)
    >>> HostNames(("*",)).allows("a.example:1", same_as="b.example:1")
    False
    >>> HostNames(("etude.example",)).allows("etude.example")
    True
    >>> HostNames(("ip:80",)).allows("10.0.0.5"), HostNames(("ip:80",)).allows("evil.example")
    (True, False)
    """

    def __init__(self, entries: tuple[str, ...]) -> None:
        self.any = "*" in entries
        self.entries = {entry.strip().lower().rstrip(".") for entry in entries if entry.strip()}

    def allows(self, host: str, *, same_as: str | None = None) -> bool:
        """Whether ``host`` (a ``Host`` header, or an origin's authority) is one of ours;
        ``same_as`` is the request's own ``Host``, which an origin may always equal."""
        wanted = host.strip().lower()
        if not wanted:
            return False
        if same_as is not None and wanted == same_as.strip().lower():
            return True
        if self.any:
            return same_as is None
        name, port = _split_authority(wanted)
        ports = (port,) if port else ("80", "443")
        candidates = {name, *(f"{name}:{p}" for p in ports)}
        if _is_ip(name):
            candidates.update(f"ip:{p}" for p in ports)
        return bool(candidates & self.entries)


def _split_authority(authority: str) -> tuple[str, str]:
    """``(name, port)`` of ``name[:port]``; an IPv6 address keeps its brackets.

    >>> _split_authority("[::1]:8000"), _split_authority("localhost."), _split_authority("a:b:c")
    (('[::1]', '8000'), ('localhost', ''), ('a:b:c', ''))
    """
    name, colon, port = authority.rpartition(":")
    if not colon or "]" in port or not port.isdigit() or (":" in name and "]" not in name):
        return authority.rstrip("."), ""
    return name.rstrip("."), port


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def _authority(origin: str) -> str:
    """``host:port`` of an ``Origin`` header (the scheme's port when it names none); ``""``
    for ``null`` and anything else that is not an origin.

    >>> _authority("http://localhost:8000"), _authority("https://etude.example"), _authority("null")
    ('localhost:8000', 'etude.example:443', '')
    """
    try:
        parts = urlsplit(origin)
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:
        return ""
    if not parts.hostname or port is None:
        return ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{port}"


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    return bool(headers.get("transfer-encoding")) or (length is not None and length != "0")


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _is_json(headers: Headers) -> bool:
    kind = _media_type(headers)
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


def _is_multipart(headers: Headers) -> bool:
    return _media_type(headers) == "multipart/form-data"


def _counted(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises ``BodyTooLarge`` once the body has passed ``limit`` bytes."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


def _body_too_large(exc: BaseException) -> BodyTooLarge | None:
    """The ``BodyTooLarge`` that ``exc`` is or only consists of, else None."""
    if isinstance(exc, BodyTooLarge):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        matched, others = exc.split(BodyTooLarge)
        if matched is not None and others is None:
            inner: BaseException = matched
            while isinstance(inner, BaseExceptionGroup):
                inner = inner.exceptions[0]
            return inner if isinstance(inner, BodyTooLarge) else None
    return None


def _with_security_headers(send: Send) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {name.lower() for name, _ in message.get("headers", [])}
            extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return send_with_headers


async def _answer(send: Send, status: int, error: str) -> None:
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _size(limit: int) -> str:
    return f"{limit / 1e6:.1f} MB" if limit >= 1_000_000 else f"{limit / 1e3:.0f} kB"
