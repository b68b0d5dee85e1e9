"""Where lessons persist: the LangGraph checkpointer (threads) and store (learners).

SQLite by default, one file under the data directory, in WAL mode with a busy timeout so a
chat in one terminal and an ``etude ask`` in another can share it. With ``ETUDE_DATABASE_URL``
both live in PostgreSQL instead, so that several server workers (on several machines) share
every lesson: a lesson started on one worker continues on any other.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.store.base import BaseStore
from langgraph.store.sqlite import SqliteStore

from etude.config import Settings
from etude.evidence import Citation, Evidence
from etude.learner import LearnerProfile
from etude.state import Fresh

SERIALIZABLE_TYPES = (Evidence, Citation, LearnerProfile, Fresh)
"""Our types inside checkpoints; LangGraph only revives classes it was told about."""


def _connect(path: Path, *, autocommit: bool = False) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    isolation: Literal["DEFERRED"] | None = None if autocommit else "DEFERRED"
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30.0, isolation_level=isolation)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    # FULL: every commit is fsynced to the WAL, so an acknowledged turn survives a power cut
    # too, not only a killed process (costs ~1 ms per checkpoint on an SSD).
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(
        allowed_msgpack_modules=[(cls.__module__, cls.__name__) for cls in SERIALIZABLE_TYPES]
    )


_SESSIONS_SQL = (
    "SELECT thread_id, MAX(checkpoint_id) AS last FROM checkpoints "
    "GROUP BY thread_id ORDER BY last DESC"
)
"""Both checkpointers keep the same ``checkpoints`` table; checkpoint ids grow with time."""


@dataclass
class Persistence:
    """A checkpointer and a store on one database, and the means to query and close it."""

    checkpointer: BaseCheckpointSaver[Any]
    store: BaseStore
    _query: Callable[[str], list[tuple[Any, ...]]]
    _close: Callable[[], None]

    def close(self) -> None:
        self._close()

    def sessions(self) -> list[str]:
        """Thread ids of all saved lessons, most recent first."""
        return [row[0] for row in self._query(_SESSIONS_SQL)]


def open_persistence(settings: Settings) -> Persistence:
    """PostgreSQL when ``settings.database_url`` is set, else the SQLite file."""
    if settings.database_url:
        return open_postgres(settings.database_url)
    return open_sqlite(settings.sqlite_path)


def open_sqlite(path: Path) -> Persistence:
    saver_conn = _connect(path)
    # The store manages its own transactions and needs an autocommit connection.
    store_conn = _connect(path, autocommit=True)
    checkpointer = SqliteSaver(saver_conn, serde=serializer())
    checkpointer.setup()
    store = SqliteStore(store_conn)
    store.setup()

    def close() -> None:
        saver_conn.close()
        store_conn.close()

    return Persistence(checkpointer, store, lambda sql: saver_conn.execute(sql).fetchall(), close)


POOL_SIZE = 8
"""Most PostgreSQL connections one process opens: a server runs turns in threads, and each
checkpoint or store call holds a connection only for its own statements."""


def open_postgres(url: str) -> Persistence:
    """Checkpointer and store on the PostgreSQL database at ``url``; creates their tables.

    Needs the ``postgres`` extra (``langgraph-checkpoint-postgres``, ``psycopg[binary]``).
    """
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from langgraph.store.postgres import PostgresStore
        from psycopg.rows import dict_row, tuple_row
        from psycopg_pool import ConnectionPool
    except ImportError as exc:
        raise RuntimeError(
            "ETUDE_DATABASE_URL needs PostgreSQL support: pip install 'etude[postgres]'"
        ) from exc
    # What LangGraph's Postgres classes require: autocommit, dict rows, and no server-side
    # prepared statements (they break behind a transaction-pooling proxy such as PgBouncer).
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=POOL_SIZE,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        open=True,
    )
    try:
        pool.wait(timeout=30)
        checkpointer = PostgresSaver(pool, serde=serializer())  # type: ignore[arg-type]
        checkpointer.setup()
        store = PostgresStore(pool)  # type: ignore[arg-type]
        store.setup()
    except Exception:
        pool.close()
        raise

    def query(sql: str) -> list[tuple[Any, ...]]:
        with pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            return cursor.execute(sql).fetchall()

    return Persistence(checkpointer, store, query, pool.close)


def learner_store(settings: Settings) -> AbstractContextManager[BaseStore]:
    """The store wherever the mentor keeps learners (PostgreSQL when ``ETUDE_DATABASE_URL`` is
    set, else the SQLite file), for use outside a graph run: ``etude progress`` and a tool
    called without a graph must read the store the server writes to, not a stale local file."""
    return _store_of(open_persistence(settings))


@contextmanager
def _store_of(persistence: Persistence) -> Iterator[BaseStore]:
    try:
        yield persistence.store
    finally:
        persistence.close()
