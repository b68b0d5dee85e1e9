"""Where lessons persist: the LangGraph checkpointer (threads) and store (learners).

SQLite by default, one file under the data directory, in WAL mode with a busy timeout so a
chat in one terminal and an ``etude ask`` in another can share it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.store.sqlite import SqliteStore

from etude.evidence import Citation, Evidence
from etude.learner import LearnerProfile
from etude.state import Fresh

SERIALIZABLE_TYPES = (Evidence, Citation, LearnerProfile, Fresh)
"""Our types inside checkpoints; LangGraph only revives classes it was told about."""


def _connect(path: Path, *, autocommit: bool = False) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    isolation = None if autocommit else "DEFERRED"
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30.0, isolation_level=isolation)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def serializer() -> JsonPlusSerializer:
    return JsonPlusSerializer(
        allowed_msgpack_modules=[(cls.__module__, cls.__name__) for cls in SERIALIZABLE_TYPES]
    )


@dataclass
class Persistence:
    checkpointer: SqliteSaver
    store: SqliteStore
    _connections: tuple[sqlite3.Connection, ...]

    def close(self) -> None:
        for conn in self._connections:
            conn.close()

    def sessions(self) -> list[str]:
        """Thread ids of all saved lessons, most recent first."""
        rows = self.checkpointer.conn.execute(
            "SELECT thread_id, MAX(checkpoint_id) AS last FROM checkpoints "
            "GROUP BY thread_id ORDER BY last DESC"
        ).fetchall()
        return [row[0] for row in rows]


def open_sqlite(path: Path) -> Persistence:
    saver_conn = _connect(path)
    # The store manages its own transactions and needs an autocommit connection.
    store_conn = _connect(path, autocommit=True)
    checkpointer = SqliteSaver(saver_conn, serde=serializer())
    checkpointer.setup()
    store = SqliteStore(store_conn)
    store.setup()
    return Persistence(checkpointer, store, (saver_conn, store_conn))
