"""Receiving a learner's score: size-limited, stored per learner, validated before use.

Each upload gets its own folder ``<data_dir>/uploads/<learner key>/<upload id>/`` holding the
file under the learner's own (sanitised) name, so the loader's error messages name the file
the learner knows, and derived files (analysis, display data) sit next to it. ``receive_score``
is the whole path an upload takes: saved, parsed once to validate it, recorded as the learner's.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from etude.server.errors import ApiError
from etude.server.ownership import Ownership, UploadRecord
from etude.server.studio import ScoreStudio

if TYPE_CHECKING:
    from etude.state import Attachment

CHUNK_BYTES = 1 << 16
_UNSAFE = re.compile(r"[^\w.-]+")


class Readable(Protocol):
    """What an upload offers: Starlette's ``UploadFile`` and plain files both fit."""

    async def read(self, size: int = -1) -> bytes: ...


def learner_folder(uploads_root: Path, learner: str) -> Path:
    """The learner's folder; hashed so that a header-supplied id can never name a path.

    >>> learner_folder(Path("/u"), "ana@example.org").parent
    PosixPath('/u')
    >>> learner_folder(Path("/u"), "../../etc").name == learner_folder(Path("/u"), "ana").name
    False
    """
    return uploads_root / hashlib.sha256(learner.encode()).hexdigest()[:24]


def safe_filename(name: str | None) -> str:
    """A file name that is safe on disk and still recognisable to the learner.

    >>> safe_filename("../My Chorale (v2).mid")
    'My_Chorale_v2_.mid'
    >>> safe_filename(None)
    'score'
    """
    base = Path(name or "").name.strip()
    cleaned = _UNSAFE.sub("_", base).strip("._")[-80:]
    return cleaned or "score"


async def save_upload(source: Readable, filename: str | None, folder: Path, limit: int) -> Path:
    """Stream ``source`` to ``folder/<new id>/<filename>``; refuses more than ``limit`` bytes
    without ever holding the whole file in memory."""
    target_dir = folder / uuid.uuid4().hex[:16]
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / safe_filename(filename)
    size = 0
    try:
        with target.open("wb") as out:
            while chunk := await source.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit:
                    raise ApiError(
                        413, f"{target.name} is too large (the limit is {limit / 1e6:.0f} MB)"
                    )
                out.write(chunk)
        if size == 0:
            raise ApiError(422, f"{target.name} is empty")
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)
        raise
    return target


def discard(path: Path) -> None:
    """Remove an upload that failed validation, with its folder."""
    shutil.rmtree(path.parent, ignore_errors=True)


def validate_score(path: Path) -> Attachment:
    """Parse the upload once: a file that is not a score is the learner's error (422)."""
    from etude.attachments import prepare_attachment
    from etude.scores.loading import ScoreError

    try:
        return prepare_attachment(path)
    except ScoreError as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc


async def receive_score(
    file: UploadFile,
    studio: ScoreStudio,
    ownership: Ownership,
    learner: str,
    session_id: str,
) -> UploadRecord:
    """Save, validate (parse, in one of the studio's places) and record an upload into the
    learner's folder."""
    folder = learner_folder(studio.root, learner)
    path = await save_upload(file, file.filename, folder, studio.limit)
    try:
        attachment = await run_in_threadpool(studio.exclusive, validate_score, path)
    except ApiError:
        discard(path)
        raise
    return ownership.add_upload(
        learner, session_id, path.name, attachment["format"], str(path), path.parent.name
    )
