"""Lessons: ``/sessions`` (create, list), ``/sessions/{id}`` (history; ``DELETE`` removes the
lesson with its uploads), and the scores uploaded into a lesson (``/sessions/{id}/uploads``,
``/sessions/{id}/score``). Turns are in ``turns``.

Every lookup is "the caller's session with this id" (``deps.owned_session``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from etude.config import Level
from etude.mentor import Mentor
from etude.server.deps import CallerDep, MentorDep, OwnershipDep, StudioDep, owned_session
from etude.server.erasure import Erased, erase_lesson
from etude.server.errors import ApiError
from etude.server.ownership import SessionRecord, UploadRecord
from etude.server.studio import ScoreStudio
from etude.server.uploads import receive_score

router = APIRouter()


class SessionList(BaseModel):
    sessions: list[SessionRecord]


class UploadSummary(BaseModel):
    id: str
    filename: str
    format: str
    created: float

    @classmethod
    def of(cls, record: UploadRecord) -> UploadSummary:
        return cls(
            id=record.id, filename=record.filename, format=record.format, created=record.created
        )


class SessionDetail(SessionRecord):
    messages: list[dict[str, str]] = Field(description="The lesson so far: role and content.")
    score: UploadSummary | None = Field(description="The score uploaded last, if any.")


class ScoreReply(BaseModel):
    upload: UploadSummary
    analysis: dict[str, Any] = Field(description="The `etude analyze --json` object.")
    view: dict[str, Any] = Field(description="Notation text, notes and bar offsets to draw.")


@router.post("/sessions", status_code=201, summary="Start a lesson owned by the caller.")
async def create_session(caller: CallerDep, ownership: OwnershipDep) -> SessionRecord:
    return ownership.create_session(caller.learner)


@router.get("/sessions", summary="The caller's lessons, most recent first.")
async def list_sessions(caller: CallerDep, ownership: OwnershipDep) -> SessionList:
    return SessionList(sessions=ownership.sessions(caller.learner))


@router.get("/sessions/{session_id}", summary="A lesson's history.")
async def get_session(
    session_id: str, caller: CallerDep, ownership: OwnershipDep, mentor: MentorDep
) -> SessionDetail:
    record = owned_session(ownership, caller, session_id)
    messages = await run_in_threadpool(mentor.history, session_id)
    upload = ownership.latest_upload(caller.learner, session_id)
    return SessionDetail(
        **record.model_dump(),
        messages=messages,
        score=UploadSummary.of(upload) if upload else None,
    )


class Deleted(BaseModel):
    deleted: Erased = Field(description="What was removed.")


@router.delete(
    "/sessions/{session_id}",
    summary="Delete a lesson: its history, its uploads and the records made from them.",
)
async def delete_session(
    session_id: str,
    caller: CallerDep,
    ownership: OwnershipDep,
    mentor: MentorDep,
    studio: StudioDep,
) -> Deleted:
    owned_session(ownership, caller, session_id)
    erased = await run_in_threadpool(
        erase_lesson, mentor.persistence, studio.root, session_id, caller.learner
    )
    return Deleted(deleted=erased)


@router.post("/sessions/{session_id}/uploads", status_code=201, summary="Upload a score.")
async def upload_score(
    session_id: str,
    caller: CallerDep,
    ownership: OwnershipDep,
    mentor: MentorDep,
    studio: StudioDep,
    file: UploadFile = File(..., description="MIDI, MusicXML/MXL or ABC."),  # noqa: B008
    level: Level | None = Form(None),  # noqa: B008
) -> ScoreReply:
    owned_session(ownership, caller, session_id)
    record = await receive_score(file, studio, ownership, caller.learner, session_id)
    return await score_reply(studio, mentor, record, level)


@router.get("/sessions/{session_id}/score", summary="The session's latest score, to display.")
async def session_score(
    session_id: str,
    caller: CallerDep,
    ownership: OwnershipDep,
    mentor: MentorDep,
    studio: StudioDep,
    level: Level | None = None,
) -> ScoreReply:
    owned_session(ownership, caller, session_id)
    record = ownership.latest_upload(caller.learner, session_id)
    if record is None:
        raise ApiError(404, "no score has been uploaded to this session")
    return await score_reply(studio, mentor, record, level)


async def score_reply(
    studio: ScoreStudio, mentor: Mentor, record: UploadRecord, level: Level | None
) -> ScoreReply:
    """The upload with its analysis (at ``level``, else the mentor's) and what the page draws."""
    chosen = level or mentor.settings.level
    analysis, view = await run_in_threadpool(studio.analysis_and_view, Path(record.path), chosen)
    return ScoreReply(upload=UploadSummary.of(record), analysis=analysis, view=view)
