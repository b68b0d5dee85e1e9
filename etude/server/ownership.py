"""Which learner owns which lesson and which uploaded score, kept in the LangGraph store.

The records live in the mentor's own store (``Mentor.persistence.store``) next to the learner
profiles, so the server opens no database of its own: whatever persistence the CLI uses (the
SQLite file, or another backend ``etude.sessions`` provides) holds ownership too, and one
backup keeps a deployment's whole state. Records are namespaced by learner, so every lookup is
"this learner's record with this id" and another learner's id simply is not found.
"""

from __future__ import annotations

import time
import uuid

from langgraph.store.base import BaseStore
from pydantic import BaseModel

TITLE_CHARS = 60
"""A session's title is the start of its first message, enough to recognise it in a list."""

LIST_LIMIT = 10_000
"""More lessons or uploads than one learner will ever make; the store pages by ``limit``."""


def sessions_namespace(learner: str) -> tuple[str, ...]:
    return ("server", "sessions", learner)


def uploads_namespace(learner: str) -> tuple[str, ...]:
    return ("server", "uploads", learner)


class SessionRecord(BaseModel):
    """A lesson as the API lists it."""

    id: str
    title: str
    created: float
    updated: float


class UploadRecord(BaseModel):
    """A score a learner uploaded into a session; ``path`` never leaves the server."""

    id: str
    session: str
    filename: str
    format: str
    path: str
    created: float


class Ownership:
    """Session and upload ownership over a LangGraph ``BaseStore``.

    >>> from langgraph.store.memory import InMemoryStore
    >>> book = Ownership(InMemoryStore())
    >>> record = book.create_session("ana")
    >>> book.session_for("ana", record.id) is not None, book.session_for("ben", record.id)
    (True, None)
    """

    def __init__(self, store: BaseStore) -> None:
        self._store = store

    def create_session(self, learner: str) -> SessionRecord:
        now = time.time()
        record = SessionRecord(id=uuid.uuid4().hex[:16], title="", created=now, updated=now)
        self._store.put(
            sessions_namespace(learner), record.id, record.model_dump(exclude={"id"}), index=False
        )
        return record

    def session_for(self, learner: str, session: str) -> SessionRecord | None:
        """The session if ``learner`` owns it; ``None`` both when it is missing and when it is
        someone else's, so the API cannot be used to probe for other learners' ids."""
        item = self._store.get(sessions_namespace(learner), session)
        return SessionRecord(id=item.key, **item.value) if item else None

    def sessions(self, learner: str) -> list[SessionRecord]:
        """The learner's sessions, most recently used first."""
        items = self._store.search(sessions_namespace(learner), limit=LIST_LIMIT)
        records = [SessionRecord(id=item.key, **item.value) for item in items]
        return sorted(records, key=lambda r: r.updated, reverse=True)

    def touch(self, learner: str, session: str, message: str) -> None:
        """Mark a turn: the first message becomes the title, the session moves to the top."""
        record = self.session_for(learner, session)
        if record is None:
            return
        record.title = record.title or " ".join(message.split())[:TITLE_CHARS]
        record.updated = time.time()
        self._store.put(
            sessions_namespace(learner), session, record.model_dump(exclude={"id"}), index=False
        )

    def add_upload(
        self, learner: str, session: str, filename: str, fmt: str, path: str, upload_id: str
    ) -> UploadRecord:
        record = UploadRecord(
            id=upload_id,
            session=session,
            filename=filename,
            format=fmt,
            path=path,
            created=time.time(),
        )
        self._store.put(
            uploads_namespace(learner), upload_id, record.model_dump(exclude={"id"}), index=False
        )
        return record

    def upload_for(self, learner: str, upload: str) -> UploadRecord | None:
        item = self._store.get(uploads_namespace(learner), upload)
        return UploadRecord(id=item.key, **item.value) if item else None

    def latest_upload(self, learner: str, session: str) -> UploadRecord | None:
        items = self._store.search(
            uploads_namespace(learner), filter={"session": session}, limit=LIST_LIMIT
        )
        records = [UploadRecord(id=item.key, **item.value) for item in items]
        return max(records, key=lambda r: r.created, default=None)
