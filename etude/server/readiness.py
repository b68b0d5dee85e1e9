"""``GET /ready``: can this worker answer a turn now? Each backend a turn needs is asked, briefly.

A load balancer or an orchestrator sends turns only to ready workers, so readiness must fail
when a turn would: when the lesson database does not answer, when the knowledge index cannot be
reached, when the chat model is not loaded or its server is down. Liveness (``/health``) is a
separate, cheap question (is the process serving at all?), because restarting a worker whose
database is down helps nobody.

The three checks, each bounded by ``PROBE_TIMEOUT_S``:

- ``database``: PostgreSQL (``ETUDE_DATABASE_URL``) answers ``SELECT 1`` on a fresh connection,
  or the SQLite file opens and answers the same;
- ``knowledge``: the Chroma server (``ETUDE_CHROMA_URL``) answers its heartbeat, or the local
  index exists in the data folder;
- ``model``: the OpenAI-compatible server (``ETUDE_OPENAI_BASE_URL``) answers ``GET /models``,
  or the embedded model has finished loading in this process.

A fresh connection rather than the worker's pool: a probe must not take a connection a turn is
waiting for, and it tells the truth about the server, not about a connection opened an hour ago.
"""

from __future__ import annotations

import asyncio
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from etude.config import Settings

PROBE_TIMEOUT_S = 2.0
"""How long one backend may take to answer before it counts as down."""

Part = Literal["database", "knowledge", "model"]


@dataclass(frozen=True)
class Check:
    """One backend's answer: ``ok`` and a short line saying what was asked (and, when it
    failed, why), safe to show an operator (no password: URLs are named by host only).

    >>> Check("database", False, "postgresql at db:5432: connection refused").line()
    'database: postgresql at db:5432: connection refused'
    """

    part: Part
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{self.part}: {self.detail}"


def _host(url: str) -> str:
    """Where a URL points, without its credentials or path.

    >>> _host("postgresql://etude:s3cret@db.internal:5432/etude")
    'db.internal:5432'
    >>> _host("http://chroma:8000")
    'chroma:8000'
    """
    parsed = urlsplit(url)
    host = parsed.hostname or "?"
    return f"{host}:{parsed.port}" if parsed.port else host


def http_status(url: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status ``url`` answers a GET with (an error status too); ``OSError`` when
    nothing answers within ``PROBE_TIMEOUT_S``."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_S) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def check_database(settings: Settings) -> Check:
    """``SELECT 1`` on the lesson database, on a connection of its own."""
    if settings.database_url:
        where = f"postgresql at {_host(settings.database_url)}"
        try:
            import psycopg

            with psycopg.connect(
                settings.database_url, connect_timeout=max(1, int(PROBE_TIMEOUT_S))
            ) as conn:
                conn.execute("SELECT 1").fetchone()
        except Exception as exc:  # psycopg's OperationalError, or the extra missing
            return Check("database", False, f"{where}: {_first_line(exc)}")
        return Check("database", True, where)
    path = settings.sqlite_path
    try:
        # Read-only: a probe never creates the file (the worker does, when it starts).
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=PROBE_TIMEOUT_S) as db:
            db.execute("SELECT 1").fetchone()
    except sqlite3.Error as exc:
        return Check("database", False, f"sqlite at {path.name}: {_first_line(exc)}")
    return Check("database", True, f"sqlite at {path.name}")


def check_knowledge(settings: Settings) -> Check:
    """The Chroma server's heartbeat, or the local index's file."""
    if settings.chroma_url:
        url = settings.chroma_url.rstrip("/")
        where = f"chroma at {_host(url)}"
        try:
            status = http_status(f"{url}/api/v2/heartbeat")
        except OSError as exc:
            return Check("knowledge", False, f"{where}: {_first_line(exc)}")
        if status != 200:
            return Check("knowledge", False, f"{where}: HTTP {status}")
        return Check("knowledge", True, where)
    if (settings.kb_dir / "chroma.sqlite3").is_file():
        return Check("knowledge", True, "local index")
    return Check("knowledge", False, "local index not built (etude kb build)")


def check_model(settings: Settings, loaded: Callable[[], bool]) -> Check:
    """The model server's ``/models``, or whether this process has loaded the embedded model
    (``loaded``: the warm-up has finished without an error)."""
    if settings.openai_base_url:
        url = settings.openai_base_url.rstrip("/")
        where = f"model server at {_host(url)}"
        try:
            status = http_status(
                f"{url}/models", {"Authorization": f"Bearer {settings.openai_api_key}"}
            )
        except OSError as exc:
            return Check("model", False, f"{where}: {_first_line(exc)}")
        # Any answer short of a server error means it is up: some servers (llama.cpp without
        # --api-key, Ollama) answer /models differently, but none answers 5xx when healthy.
        if status >= 500:
            return Check("model", False, f"{where}: HTTP {status}")
        return Check("model", True, where)
    if loaded():
        return Check("model", True, f"{settings.model} loaded")
    return Check("model", False, f"{settings.model} still loading")


async def readiness(settings: Settings, loaded: Callable[[], bool]) -> list[Check]:
    """The three checks, side by side in worker threads (a slow one does not delay the rest)."""
    return list(
        await asyncio.gather(
            asyncio.to_thread(check_database, settings),
            asyncio.to_thread(check_knowledge, settings),
            asyncio.to_thread(check_model, settings, loaded),
        )
    )
