"""A learner deletes a lesson: its thread, its uploads and everything made from them.

``DELETE /sessions/{id}`` (the learner's own lesson) and ``etude sessions delete ID`` (the
operator, for any learner's) both call ``erase_lesson``. It removes, and reports:

- the lesson's thread: every checkpoint and pending write (``Persistence.erase_thread``, which
  also leaves no copy in SQLite's free pages or write-ahead log);
- the server's records of it: the session record and one record per upload;
- the uploaded files, with the analyses and display data cached beside each.

What stays is the learner's own, across lessons: their profile, progress and exercise record.
Nothing of a lesson reaches the knowledge index (Chroma holds only Etude's articles).
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

from pydantic import BaseModel, Field

from etude.server.ownership import LIST_LIMIT, sessions_namespace, uploads_namespace
from etude.server.uploads import learner_folder
from etude.sessions import Persistence


class Erased(BaseModel):
    """What was deleted, as ``DELETE /sessions/{id}`` and ``etude sessions delete --json`` say."""

    session: str
    messages: int = Field(description="Messages of the lesson's history (questions and replies).")
    checkpoints: int = Field(description="Saved states of the lesson's thread.")
    records: int = Field(description="The server's records: the session and its uploads.")
    uploads: list[str] = Field(description="File names of the uploads removed, with their caches.")

    @property
    def found(self) -> bool:
        return bool(self.checkpoints or self.records or self.uploads)

    def sentence(self) -> str:
        """One line for a person.

        >>> erased = Erased(session="s1", messages=4, checkpoints=12, records=2, uploads=["a.mid"])
        >>> erased.sentence()
        'Deleted lesson s1: 4 messages (12 saved states), 2 records, 1 upload (a.mid).'
        """
        files = f" ({', '.join(self.uploads)})" if self.uploads else ""
        return (
            f"Deleted lesson {self.session}: {self.messages} message{_s(self.messages)} "
            f"({self.checkpoints} saved state{_s(self.checkpoints)}), {self.records} "
            f"record{_s(self.records)}, {len(self.uploads)} upload{_s(len(self.uploads))}{files}."
        )


def erase_lesson(
    persistence: Persistence, uploads_root: Path, session: str, learner: str | None = None
) -> Erased:
    """Delete lesson ``session`` of ``learner`` (of whichever learners have one by that id when
    ``learner`` is None: the operator's command)."""
    store = persistence.store
    learners = [learner] if learner is not None else _learners_with(persistence, session)
    records = 0
    uploads: list[str] = []
    for owner in learners:
        namespace = uploads_namespace(owner)
        for item in store.search(namespace, filter={"session": session}, limit=LIST_LIMIT):
            path = Path(str(item.value.get("path", "")))
            folder = learner_folder(uploads_root, owner)
            if path.parent.parent == folder:  # never remove anything outside the learner's own
                shutil.rmtree(path.parent, ignore_errors=True)
                uploads.append(path.name)
            store.delete(namespace, item.key)
            records += 1
        if store.get(sessions_namespace(owner), session) is not None:
            store.delete(sessions_namespace(owner), session)
            records += 1
        _remove_if_empty(learner_folder(uploads_root, owner))
    thread = persistence.erase_thread(session)
    return Erased(
        session=session,
        messages=thread.messages,
        checkpoints=thread.checkpoints,
        records=records,
        uploads=sorted(uploads),
    )


def _learners_with(persistence: Persistence, session: str) -> list[str]:
    """Every learner the server recorded as owning lesson ``session``, or an upload into it."""
    store = persistence.store
    owners = {
        namespace[-1]
        for namespace in store.list_namespaces(prefix=("server", "sessions"), limit=LIST_LIMIT)
        if store.get(namespace, session) is not None
    }
    owners.update(
        namespace[-1]
        for namespace in store.list_namespaces(prefix=("server", "uploads"), limit=LIST_LIMIT)
        if store.search(namespace, filter={"session": session}, limit=1)
    )
    return sorted(owners)


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty (other lessons' uploads), or not there
        folder.rmdir()


def _s(count: int) -> str:
    return "" if count == 1 else "s"
