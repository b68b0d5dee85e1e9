"""``POST /sessions/{id}/turns``: one turn of the lesson, answered as the ``etude ask --json``
object or, with ``Accept: text/event-stream``, streamed as Server-Sent Events.

A turn arrives as JSON or, when a score comes with it, as a multipart form; either way it runs
on a turn thread of its own (``etude.server.runner``) at once, and only its model's prose waits
for other learners' prose. It takes a place in the queue before its body is read; past the
queue's limits it is answered 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload

from etude.config import LEVELS, Level
from etude.mentor import Mentor, TurnResult
from etude.server.bodies import parse_json
from etude.server.config import MAX_MESSAGE_CHARS
from etude.server.deps import (
    CallerDep,
    MentorDep,
    OwnershipDep,
    RunnerDep,
    StudioDep,
    owned_session,
)
from etude.server.errors import ApiError
from etude.server.metrics import TurnMetrics, observed
from etude.server.ownership import Ownership, UploadRecord
from etude.server.runner import TurnEvents, TurnsBusy
from etude.server.studio import ScoreStudio
from etude.server.uploads import receive_score, validate_score

log = logging.getLogger(__name__)

router = APIRouter()


class TurnRequest(BaseModel):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    level: Level | None = None
    upload: str | None = Field(default=None, description="Attach an earlier upload by its id.")


_TURN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": TurnRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": {"type": "string"},
                        "level": {"type": "string", "enum": list(LEVELS)},
                        "upload": {"type": "string"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            },
        },
    },
    "responses": {
        "200": {
            "description": "The `etude ask --json` object, or with `Accept: text/event-stream` "
            "the SSE events route, evidence, token and done.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        }
    },
}
"""The body as ``/openapi.json`` shows it: the route reads it itself (JSON or multipart)."""


@router.post(
    "/sessions/{session_id}/turns",
    summary="Ask the mentor; streams with `Accept: text/event-stream`.",
    openapi_extra=_TURN_BODY,
    response_model=TurnResult,
)
async def post_turn(
    request: Request,
    session_id: str,
    caller: CallerDep,
    ownership: OwnershipDep,
    mentor: MentorDep,
    runner: RunnerDep,
    studio: StudioDep,
) -> Any:
    owned_session(ownership, caller, session_id)
    try:
        admission = runner.admit(caller.learner)
    except TurnsBusy as busy:
        raise ApiError(429, str(busy), {"Retry-After": str(busy.retry_after)}) from None
    try:
        events = await _prepared_turn(
            request, session_id, caller.learner, ownership, mentor, studio
        )
    except BaseException:
        admission.release()
        raise
    stream = runner.start(events, admission)
    if "text/event-stream" in request.headers.get("accept", ""):
        return StreamingResponse(
            _sse(stream),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    async for event in stream:
        if event.get("event") == "done":
            return event["result"]
    raise ApiError(500, "the turn ended without an answer")


async def _prepared_turn(
    request: Request,
    session_id: str,
    learner: str,
    ownership: Ownership,
    mentor: Mentor,
    studio: ScoreStudio,
) -> TurnEvents:
    """Read and check everything the turn needs (its body, its score) before it is queued;
    returns the turn itself, ready to run on a turn thread."""
    turn, upload = await _read_turn(request)
    record: UploadRecord | None
    if upload is not None:
        record = await receive_score(upload, studio, ownership, learner, session_id)
    elif turn.upload:
        record = ownership.upload_for(learner, turn.upload)
        if record is None:
            raise ApiError(404, "no such upload")
    else:
        record = None
    attachment = (
        await run_in_threadpool(studio.exclusive, validate_score, Path(record.path))
        if record is not None
        else None
    )
    metrics: TurnMetrics = request.app.state.metrics
    queued_at = time.perf_counter()

    def turn_events() -> Iterator[dict[str, Any]]:
        try:
            yield from mentor.stream_turn(
                turn.message,
                session=session_id,
                attachment=attachment,
                level=turn.level,
                learner=learner,
            )
        finally:
            # The session list's title and order, written on the turn's thread once its reply
            # is out: a store write (an fsynced commit) on the event loop held up every other
            # learner's stream, fifty times over when fifty turns arrived at once.
            ownership.touch(learner, session_id, turn.message)

    def events() -> Iterator[dict[str, Any]]:
        return observed(metrics, session_id, turn_events, queued_at)

    return events


async def _read_turn(request: Request) -> tuple[TurnRequest, StarletteUpload | None]:
    """A turn arrives as JSON or as a multipart form (when a file comes with it)."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            fields = {k: v for k, v in form.items() if isinstance(v, str) and v != ""}
            turn = TurnRequest.model_validate(fields)
            if upload is not None and not isinstance(upload, StarletteUpload):
                raise ApiError(422, "file must be a file upload")
            return turn, upload
        return TurnRequest.model_validate(parse_json(await request.body())), None
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        first = exc.errors()[0] if hasattr(exc, "errors") else None
        where = ".".join(str(p) for p in first["loc"]) if first else "request"
        reason = first["msg"] if first else str(exc)
        raise ApiError(422, f"{where}: {reason}") from exc


async def _sse(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    """Server-Sent Events: ``event:`` names the kind, ``data:`` carries the event as JSON."""
    try:
        async for event in events:
            yield _sse_frame(str(event.get("event", "message")), event)
    except Exception:
        log.exception("turn failed")
        error = {"event": "error", "error": "the mentor failed on this turn; please try again"}
        yield _sse_frame("error", error)


def _sse_frame(name: str, event: dict[str, Any]) -> bytes:
    """One SSE frame; JSON never contains a raw newline, so one ``data:`` line suffices.

    >>> _sse_frame("token", {"event": "token", "text": "Hi"})
    b'event: token\\ndata: {"event": "token", "text": "Hi"}\\n\\n'
    """
    data = json.dumps(to_jsonable_python(event), ensure_ascii=False)
    return f"event: {name}\ndata: {data}\n\n".encode()
