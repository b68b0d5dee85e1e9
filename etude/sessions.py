"""Where lessons persist: the LangGraph checkpointer (threads) and store (learners).

SQLite by default, one file under the data directory, in WAL mode with a busy timeout so a
chat in one terminal and an ``etude ask`` in another can share it. With ``ETUDE_DATABASE_URL``
both live in PostgreSQL instead, so that several server workers (on several machines) share
every lesson: a lesson started on one worker continues on any other.

A turn reads the lesson's latest checkpoint and writes its own on top; two turns of one lesson
running at once (two ``etude ask --session S``, two server workers) would both build on the
same checkpoint, and one would vanish onto an orphaned branch. ``Persistence.turn_lock`` makes
them take turns, across processes: a lock file per lesson beside the SQLite database (released
by the kernel when its holder dies), or a PostgreSQL advisory lock (released by the server when
its connection closes).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.store.base import BaseStore
from langgraph.store.sqlite import SqliteStore

from etude.config import Settings
from etude.evidence import Citation, Evidence
from etude.learner import LearnerProfile
from etude.state import Fresh

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: turns are serialised within one process only
    fcntl = None  # type: ignore[assignment]

SERIALIZABLE_TYPES = (Evidence, Citation, LearnerProfile, Fresh)
"""Our types inside checkpoints; LangGraph only revives classes it was told about."""

TURN_LOCK_WAIT_S = 600.0
"""How long a turn waits for the turn before it on the same lesson: far longer than any turn
takes (seconds on a CPU), short enough that a stuck holder is reported rather than waited for
for ever."""

_LOCK_POLL_S = 0.05

TurnLock = Callable[[str, float], AbstractContextManager[None]]


class SessionBusy(RuntimeError):
    """Another turn of the same lesson held it for longer than ``TURN_LOCK_WAIT_S``."""


def _connect(path: Path, *, autocommit: bool = False) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    isolation: Literal["DEFERRED"] | None = None if autocommit else "DEFERRED"
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30.0, isolation_level=isolation)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    # FULL: every commit is fsynced to the WAL, so an acknowledged turn survives a power cut
    # too, not only a killed process (costs ~1 ms per checkpoint on an SSD).
    conn.execute("PRAGMA synchronous=FULL")
    # A deleted lesson is overwritten with zeros, not left in free pages of the file.
    conn.execute("PRAGMA secure_delete=ON")
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
    _lock: TurnLock
    _compact: Callable[[], None] = lambda: None

    def close(self) -> None:
        self._close()

    def turn_lock(
        self, thread_id: str, wait_s: float = TURN_LOCK_WAIT_S
    ) -> AbstractContextManager[None]:
        """Hold the lesson ``thread_id`` for one turn (read checkpoint → write checkpoint), in
        this process and every other one on the same database; ``SessionBusy`` after
        ``wait_s`` seconds of waiting."""
        return self._lock(thread_id, wait_s)

    def sessions(self) -> list[str]:
        """Thread ids of all saved lessons, most recent first."""
        return [row[0] for row in self._query(_SESSIONS_SQL)]

    def erase_thread(self, thread_id: str) -> ErasedThread:
        """Delete every checkpoint and pending write of the lesson, between its turns (under its
        lock), and leave no copy of it in the database's files: SQLite overwrites what it
        deletes (``secure_delete``) and the write-ahead log is emptied into the file."""
        config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
        with self.turn_lock(thread_id):
            latest = self.checkpointer.get_tuple(config)
            messages = latest.checkpoint["channel_values"].get("messages", []) if latest else []
            checkpoints = len(list(self.checkpointer.list(config)))
            self.checkpointer.delete_thread(thread_id)
        self._compact()
        return ErasedThread(checkpoints=checkpoints, messages=len(messages))


@dataclass(frozen=True)
class ErasedThread:
    """What ``Persistence.erase_thread`` removed."""

    checkpoints: int
    messages: int


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
    store = SqliteStore(store_conn)
    # Each guards its connection with its own lock; the server's turn threads write through
    # both at once, and a store transaction that read before it writes fails at once
    # ("database is locked", no busy wait) if the saver committed in between. One lock for the
    # database file, in this process, makes them take turns (checkpoint writes take ~1 ms).
    # Re-entrant: a thread reading the saver's history may touch the store meanwhile.
    shared = threading.RLock()
    checkpointer.lock = shared  # type: ignore[assignment]
    store.lock = shared  # type: ignore[assignment]
    checkpointer.setup()
    store.setup()

    def close() -> None:
        saver_conn.close()
        store_conn.close()

    locks = path.with_name(path.name + ".locks")

    def lock(thread_id: str, wait_s: float) -> AbstractContextManager[None]:
        return _file_lock(locks / f"{_digest(thread_id)}.lock", thread_id, wait_s)

    def compact() -> None:
        # Old page images stay in the write-ahead log until a checkpoint empties it.
        with shared:
            saver_conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def query(sql: str) -> list[tuple[Any, ...]]:
        with shared:  # not inside another thread's checkpoint transaction on this connection
            return saver_conn.execute(sql).fetchall()

    return Persistence(checkpointer, store, query, close, lock, compact)


def _digest(thread_id: str) -> str:
    """A file name for any thread id (ids come from learners: never a path).

    >>> _digest("../../etc/passwd")
    '3754d6cb3a38e1185e5b382d5f3ef3f1'
    """
    return hashlib.sha256(thread_id.encode()).hexdigest()[:32]


_LOCAL_LOCKS: dict[str, threading.Lock] = {}
_LOCAL_LOCKS_GUARD = threading.Lock()


@contextmanager
def _file_lock(path: Path, thread_id: str, wait_s: float) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``: the kernel frees it when the holder exits, however it
    exits, so a killed turn never leaves its lesson locked. The file stays (empty) afterwards:
    removing it while another process waits on it would let a third one lock a new file."""
    if fcntl is None:  # pragma: no cover - no flock on Windows
        with _LOCAL_LOCKS_GUARD:
            local = _LOCAL_LOCKS.setdefault(thread_id, threading.Lock())
        if not local.acquire(timeout=wait_s):
            raise SessionBusy(_busy(thread_id, wait_s))
        try:
            yield
        finally:
            local.release()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+b") as handle:
        _poll(lambda: _try_flock(handle.fileno()), thread_id, wait_s)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _poll(attempt: Callable[[], bool], thread_id: str, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while not attempt():
        if time.monotonic() > deadline:
            raise SessionBusy(_busy(thread_id, wait_s))
        time.sleep(_LOCK_POLL_S)


def _busy(thread_id: str, wait_s: float) -> str:
    return f"lesson {thread_id} is busy with another turn (waited {wait_s:.0f} s)"


POOL_SIZE = 8
"""Most PostgreSQL connections one process opens for checkpoints and the store: a server runs
turns in threads, and each checkpoint or store call holds a connection only for its own
statements."""

LOCK_POOL_SIZE = 24
"""Most PostgreSQL connections one process holds for lesson locks. A turn holds its lesson's
advisory lock, on a connection of its own, from start to end, including while it waits for the
model; the locks have their own pool so that turns holding them can never take every
connection their checkpoints need (with one pool, eight turns in flight would hold all eight
connections and each wait for a ninth). Turns past this many wait for a lock connection, for
up to ``TURN_LOCK_WAIT_S``."""


def open_postgres(url: str) -> Persistence:
    """Checkpointer and store on the PostgreSQL database at ``url``; creates their tables.

    Needs the ``postgres`` extra (``langgraph-checkpoint-postgres``, ``psycopg[binary]``).
    """
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from langgraph.store.postgres import PostgresStore
        from psycopg.rows import dict_row, tuple_row
        from psycopg_pool import ConnectionPool, PoolTimeout
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
        # A connection is checked before it is handed out: after PostgreSQL restarts, every
        # pooled connection is dead, and without the check each would fail one request first
        # (tests/integration/test_topology.py restarts it under two workers).
        check=ConnectionPool.check_connection,
        open=True,
    )
    try:
        pool.wait(timeout=30)
        checkpointer = PostgresSaver(pool, serde=serializer())  # type: ignore[arg-type]
        store = PostgresStore(pool)  # type: ignore[arg-type]
        # Two processes opening a fresh database at once would both run CREATE TABLE IF NOT
        # EXISTS, and PostgreSQL does not make that race-safe: the loser fails with a unique
        # violation on pg_type. One advisory lock makes the setups take turns; the second
        # finds the tables made and its migrations recorded. The lock is polled, not awaited:
        # a blocked pg_advisory_lock holds a snapshot, and the store's CREATE INDEX
        # CONCURRENTLY in the holder would wait for that snapshot forever.
        with pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:

            def attempt() -> bool:
                row = cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", _SCHEMA_LOCK)
                return bool((found := row.fetchone()) and found[0])

            deadline = time.monotonic() + SCHEMA_WAIT_S
            while not attempt():
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"another process has been creating Etude's tables in PostgreSQL "
                        f"for over {SCHEMA_WAIT_S:.0f} s"
                    )
                time.sleep(_LOCK_POLL_S)
            try:
                checkpointer.setup()
                store.setup()
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", _SCHEMA_LOCK)
    except Exception:
        pool.close()
        raise

    try:
        locks = ConnectionPool(
            url,
            min_size=1,
            max_size=LOCK_POOL_SIZE,
            kwargs={"autocommit": True, "prepare_threshold": 0},
            check=ConnectionPool.check_connection,
            open=True,
        )
    except Exception:
        pool.close()
        raise

    def query(sql: str) -> list[tuple[Any, ...]]:
        with pool.connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            return cursor.execute(sql).fetchall()

    @contextmanager
    def lock(thread_id: str, wait_s: float) -> Iterator[None]:
        """A session-level advisory lock, held on one connection of the lock pool for the
        turn; if the process dies the connection closes and PostgreSQL releases the lock."""
        key = (_ADVISORY_CLASS, _advisory_key(thread_id))
        deadline = time.monotonic() + wait_s
        try:
            held = locks.getconn(timeout=wait_s)
        except PoolTimeout as exc:  # every lock connection held by a turn for that long
            raise SessionBusy(_busy(thread_id, wait_s)) from exc
        try:
            with held.cursor(row_factory=tuple_row) as cursor:

                def attempt() -> bool:
                    row = cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key).fetchone()
                    return bool(row and row[0])

                _poll(attempt, thread_id, max(0.0, deadline - time.monotonic()))
                try:
                    yield
                finally:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
        finally:
            locks.putconn(held)

    def close() -> None:
        locks.close()
        pool.close()

    return Persistence(checkpointer, store, query, close, lock)


_ADVISORY_CLASS = int.from_bytes(b"Etud", "big", signed=True)
"""The first key of Etude's advisory locks, so they cannot meet another application's."""

SCHEMA_WAIT_S = 120.0
"""How long a process waits for another to finish creating the tables before it gives up."""

_SCHEMA_LOCK = (_ADVISORY_CLASS + 1, 0)
"""The advisory lock held while one process creates or migrates the tables; its own first key,
so no lesson's lock can share it."""


def _advisory_key(thread_id: str) -> int:
    """The second key: 32 bits of the thread id's hash (two lessons sharing one only wait
    for each other).

    >>> _advisory_key("lesson-1") == _advisory_key("lesson-1"), -2**31 <= _advisory_key("x") < 2**31
    (True, True)
    """
    return int.from_bytes(hashlib.sha256(thread_id.encode()).digest()[:4], "big", signed=True)


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
