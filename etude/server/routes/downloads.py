"""Scores to take home: the learner's upload, and any tune engraved in the lesson, as MusicXML,
MIDI or ABC (``etude.scores.export``; ABC only where it carries every note).

- ``GET /sessions/{id}/uploads/{upload}/{format}``: the upload, named as the learner named it
  with the format's extension (``bwv66_6.mid`` → ``bwv66_6.musicxml``).
- ``POST /sessions/{id}/tunes/{format}`` with JSON ``{"abc": "..."}``: a tune from the chat,
  named by its ``T:`` title (``Little tune`` → ``Little_tune.mid``), else ``tune``.

The same rules as an upload: only the caller's lesson and upload (another learner's answers
404), a score read at most ``MAX_PARALLEL_SCORES`` at a time in a time- and memory-limited
worker, a tune no longer than one that may be pasted into a message. Nothing of the server's
folders reaches the learner: errors and file names name the learner's file alone.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from etude.scores.export import MEDIA_TYPES, SUFFIXES, ExportFormat
from etude.scores.loading import MAX_TEXT_BYTES
from etude.server.deps import CallerDep, OwnershipDep, StudioDep, owned_session
from etude.server.errors import ApiError
from etude.server.uploads import safe_filename

router = APIRouter()

_TITLE = re.compile(r"^\s*T:\s*(.+?)\s*$", re.MULTILINE)


class Tune(BaseModel):
    abc: str = Field(description="The tune's ABC text, as engraved in the chat.")


def attachment(data: bytes, fmt: ExportFormat, filename: str) -> Response:
    """The file as a download under ``filename`` (RFC 6266, with the UTF-8 form for a name
    that is not ASCII).

    >>> attachment(b"X:1", "abc", "Étude.abc").headers["content-disposition"]
    'attachment; filename="_tude.abc"; filename*=UTF-8\\'\\'%C3%89tude.abc'
    """
    plain = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})


def tune_filename(abc: str, fmt: ExportFormat) -> str:
    """The tune's title as a safe file name with the format's extension.

    >>> tune_filename("X:1\\nT:Little tune\\nK:G\\nGABc|", "midi")
    'Little_tune.mid'
    >>> tune_filename("T:../../etc/passwd\\nK:G\\nG|", "abc"), tune_filename("K:G\\nG|", "abc")
    ('passwd.abc', 'tune.abc')
    """
    title = _TITLE.search(abc)
    return safe_filename(title.group(1) if title else "tune").replace(".", "_") + SUFFIXES[fmt]


@router.get(
    "/sessions/{session_id}/uploads/{upload_id}/{fmt}",
    summary="The lesson's uploaded score as MusicXML, MIDI or ABC, to download.",
    response_class=Response,
    responses={422: {"description": "The format cannot carry this score's notes."}},
)
async def download_upload(
    session_id: str,
    upload_id: str,
    fmt: ExportFormat,
    caller: CallerDep,
    ownership: OwnershipDep,
    studio: StudioDep,
) -> Response:
    owned_session(ownership, caller, session_id)
    record = ownership.upload_for(caller.learner, upload_id)
    if record is None or record.session != session_id:
        raise ApiError(404, "no such upload in this session")
    data = await run_in_threadpool(studio.export, Path(record.path), fmt)
    return attachment(data, fmt, Path(record.filename).stem + SUFFIXES[fmt])


@router.post(
    "/sessions/{session_id}/tunes/{fmt}",
    summary="A tune from the lesson's chat (ABC text) as MusicXML, MIDI or ABC, to download.",
    response_class=Response,
    responses={422: {"description": "Not a tune, too long, or the format cannot carry it."}},
)
async def download_tune(
    session_id: str,
    fmt: ExportFormat,
    tune: Tune,
    caller: CallerDep,
    ownership: OwnershipDep,
    studio: StudioDep,
) -> Response:
    owned_session(ownership, caller, session_id)
    if len(tune.abc.encode("utf-8")) > MAX_TEXT_BYTES:
        raise ApiError(413, "the tune is too long to convert")
    filename = tune_filename(tune.abc, fmt)
    data = await run_in_threadpool(studio.export_tune, tune.abc, fmt, filename)
    return attachment(data, fmt, filename)
