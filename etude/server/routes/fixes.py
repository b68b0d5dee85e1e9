"""``POST /sessions/{id}/uploads/{upload}/fixes``: apply the critic's verified fix for one
finding of an upload. The corrected score becomes the lesson's newest upload (MusicXML, named
``<the learner's name>-fixed.musicxml``), analysed again and returned as an upload is, so the
page shows it, its downloads hand it out, and the next question is about it.

Only a suggestion the critic itself made for that upload (its cached analysis, at the level
asked) is applied: a request names a finding, never notes to change.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from etude.config import Level
from etude.server.deps import CallerDep, MentorDep, OwnershipDep, StudioDep, owned_session
from etude.server.errors import ApiError
from etude.server.routes.sessions import ScoreReply, score_reply
from etude.server.uploads import discard, learner_folder, validate_score

router = APIRouter()


class FixRequest(BaseModel):
    finding: int = Field(description="0-based index into the upload's `analysis.findings`.")
    level: Level | None = Field(default=None, description="The level the findings were made at.")


@router.post(
    "/sessions/{session_id}/uploads/{upload_id}/fixes",
    status_code=201,
    summary="Apply the critic's verified fix for one finding; the corrected score is uploaded.",
)
async def apply_fix(
    session_id: str,
    upload_id: str,
    request: FixRequest,
    caller: CallerDep,
    ownership: OwnershipDep,
    mentor: MentorDep,
    studio: StudioDep,
) -> ScoreReply:
    owned_session(ownership, caller, session_id)
    record = ownership.upload_for(caller.learner, upload_id)
    if record is None or record.session != session_id:
        raise ApiError(404, "no such upload in this session")
    level = request.level or mentor.settings.level
    data = await run_in_threadpool(studio.corrected, Path(record.path), level, request.finding)
    folder = learner_folder(studio.root, caller.learner) / uuid.uuid4().hex[:16]
    folder.mkdir(parents=True, exist_ok=True)
    stem = Path(record.filename).stem.removesuffix("-fixed")
    path = folder / f"{stem}-fixed.musicxml"
    path.write_bytes(data)
    try:
        attachment = await run_in_threadpool(studio.exclusive, validate_score, path)
    except ApiError:
        discard(path)
        raise
    fixed = ownership.add_upload(
        caller.learner, session_id, path.name, attachment["format"], str(path), folder.name
    )
    return await score_reply(studio, mentor, fixed, request.level)
