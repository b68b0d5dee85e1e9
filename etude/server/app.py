"""The HTTP API and the web studio, served by one FastAPI app around one ``Mentor``.

Endpoints follow DESIGN.md's HTTP contract; the studio's extras (uploads into a session, the
score view, the learner's profile) are documented in ``docs/SERVER.md`` and in ``/openapi.json``.
Every error is ``{"error": "..."}``; a session that is not the caller's answers 404 exactly
like one that does not exist.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUpload
from starlette.exceptions import HTTPException as StarletteHTTPException

from etude.config import LEVELS, Level, Settings
from etude.mentor import Mentor, TurnResult
from etude.server.config import ACCESS_COOKIE, LEARNER_COOKIE, ServerSettings
from etude.server.errors import ApiError
from etude.server.identity import Caller, identify, secret_matches
from etude.server.ownership import Ownership, SessionRecord, UploadRecord
from etude.server.profile import Profile, learner_profile
from etude.server.runner import TurnRunner
from etude.server.studio import ScoreStudio
from etude.server.uploads import discard, learner_folder, save_upload

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
MAX_MESSAGE_CHARS = 4000
OPEN_PATHS = ("/health", "/static/")
"""Paths that need neither a learner nor the shared secret."""
COOKIE_MAX_AGE = 400 * 24 * 3600
"""Browsers cap cookie lifetimes at 400 days; a learner's token should last that long."""


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


class TurnRequest(BaseModel):
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    level: Level | None = None
    upload: str | None = Field(default=None, description="Attach an earlier upload by its id.")


class ScoreReply(BaseModel):
    upload: UploadSummary
    analysis: dict[str, Any] = Field(description="The `etude analyze --json` object.")
    view: dict[str, Any] = Field(description="Notation text, notes and bar offsets to draw.")


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


def create_app(
    settings: Settings | None = None,
    server: ServerSettings | None = None,
    *,
    mentor: Mentor | None = None,
    warm_up: bool = True,
) -> FastAPI:
    """The ASGI app. ``mentor`` lets tests and the load bench share one loaded model;
    ``warm_up`` loads the model in the background at start so the first turn is not slow."""
    settings = settings or Settings.from_env()
    server = server or ServerSettings.from_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_mentor = mentor is None
        app.state.mentor = mentor or Mentor(settings)
        _ = app.state.mentor.graph  # compiled here, once, before two threads could race to it
        app.state.ownership = Ownership(app.state.mentor.persistence.store)
        app.state.runner = TurnRunner()
        app.state.studio = ScoreStudio(settings.data_dir / "uploads", server.max_upload_bytes)
        app.state.warm = app.state.runner.submit(
            app.state.mentor.warm_up if warm_up else lambda: None
        )
        try:
            yield
        finally:
            app.state.runner.close()
            if own_mentor:
                app.state.mentor.close()

    app = FastAPI(
        title="Etude",
        summary="An open-source composition mentor: lessons, score analysis and the web studio.",
        version="0.1.0",
        lifespan=lifespan,
        # FastAPI's /docs and /redoc pages load their scripts from a CDN; the studio must work
        # offline, so only the schema itself is served (any OpenAPI viewer can open it).
        docs_url=None,
        redoc_url=None,
    )

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.payload(), status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """Unknown paths and wrong methods answer in the same ``{"error"}`` shape."""
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "request"
        return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid')}"}, status_code=422)

    @app.middleware("http")
    async def who_is_calling(request: Request, call_next: Any) -> Any:
        path = request.url.path
        if path.startswith(OPEN_PATHS):
            return await call_next(request)
        grant_access = False
        if server.secret and not secret_matches(request, server.secret):
            if path == "/" and request.query_params.get("access") == server.secret:
                grant_access = True
            elif path == "/":
                return HTMLResponse(_LOCKED_PAGE, status_code=401)
            else:
                return JSONResponse({"error": "this server needs its access key"}, status_code=401)
        try:
            caller = identify(request, server)
        except ApiError as exc:
            return JSONResponse(exc.payload(), status_code=exc.status)
        request.state.caller = caller
        response = await call_next(request)
        cookie = {"httponly": True, "samesite": "lax", "secure": server.secure_cookies}
        if caller.new_token:
            response.set_cookie(LEARNER_COOKIE, caller.new_token, max_age=COOKIE_MAX_AGE, **cookie)
        if grant_access and server.secret:
            response.set_cookie(ACCESS_COOKIE, server.secret, max_age=COOKIE_MAX_AGE, **cookie)
        return response

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/health", summary="Liveness: 200 while the server runs.")
    async def health(request: Request) -> dict[str, Any]:
        return {
            "status": "ok",
            "model_ready": request.app.state.warm.done(),
            "turns_waiting": request.app.state.runner.waiting,
        }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def studio_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    @app.post("/analyze", summary="The critic's report on a score (`etude analyze --json`).")
    async def analyze(
        request: Request,
        file: UploadFile = File(..., description="MIDI, MusicXML/MXL or ABC."),  # noqa: B008
        level: Level | None = Form(None),  # noqa: B008
    ) -> dict[str, Any]:
        studio: ScoreStudio = request.app.state.studio
        scratch = Path(tempfile.mkdtemp(prefix="etude-analyze-"))
        try:
            path = await save_upload(file, file.filename, scratch, studio.limit)
            return await run_in_threadpool(studio.analysis, path, level or settings.level)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    @app.post("/sessions", status_code=201, summary="Start a lesson owned by the caller.")
    async def create_session(request: Request) -> SessionRecord:
        return _ownership(request).create_session(_caller(request).learner)

    @app.get("/sessions", summary="The caller's lessons, most recent first.")
    async def list_sessions(request: Request) -> SessionList:
        return SessionList(sessions=_ownership(request).sessions(_caller(request).learner))

    @app.get("/sessions/{session_id}", summary="A lesson's history.")
    async def get_session(request: Request, session_id: str) -> SessionDetail:
        record = _owned(request, session_id)
        messages = await run_in_threadpool(request.app.state.mentor.history, session_id)
        upload = _ownership(request).latest_upload(_caller(request).learner, session_id)
        return SessionDetail(
            **record.model_dump(),
            messages=messages,
            score=UploadSummary.of(upload) if upload else None,
        )

    @app.post("/sessions/{session_id}/uploads", status_code=201, summary="Upload a score.")
    async def upload_score(
        request: Request,
        session_id: str,
        file: UploadFile = File(..., description="MIDI, MusicXML/MXL or ABC."),  # noqa: B008
        level: Level | None = Form(None),  # noqa: B008
    ) -> ScoreReply:
        _owned(request, session_id)
        record = await _store_upload(request, session_id, file)
        return await _score_reply(request, record, level)

    @app.get("/sessions/{session_id}/score", summary="The session's latest score, to display.")
    async def session_score(
        request: Request, session_id: str, level: Level | None = None
    ) -> ScoreReply:
        _owned(request, session_id)
        record = _ownership(request).latest_upload(_caller(request).learner, session_id)
        if record is None:
            raise ApiError(404, "no score has been uploaded to this session")
        return await _score_reply(request, record, level)

    @app.post(
        "/sessions/{session_id}/turns",
        summary="Ask the mentor; streams with `Accept: text/event-stream`.",
        openapi_extra=_TURN_BODY,
        response_model=TurnResult,
    )
    async def post_turn(request: Request, session_id: str) -> Any:
        _owned(request, session_id)
        turn, upload = await _read_turn(request)
        learner = _caller(request).learner
        if upload is not None:
            record = await _store_upload(request, session_id, upload)
        elif turn.upload:
            found = _ownership(request).upload_for(learner, turn.upload)
            if found is None:
                raise ApiError(404, "no such upload")
            record = found
        else:
            record = None
        attachment = (
            await run_in_threadpool(_prepare, Path(record.path)) if record is not None else None
        )
        _ownership(request).touch(learner, session_id, turn.message)
        mentor: Mentor = request.app.state.mentor

        def events() -> Any:
            return mentor.stream_turn(
                turn.message,
                session=session_id,
                attachment=attachment,
                level=turn.level,
                learner=learner,
            )

        runner: TurnRunner = request.app.state.runner
        if "text/event-stream" in request.headers.get("accept", ""):
            return StreamingResponse(
                _sse(runner.stream(events)),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        async for event in runner.stream(events):
            if event.get("event") == "done":
                return event["result"]
        raise ApiError(500, "the turn ended without an answer")

    @app.get("/me", summary="The caller's learner profile and progress.")
    async def me(request: Request) -> Profile:
        learner = _caller(request).learner
        store = request.app.state.mentor.persistence.store
        sessions = len(_ownership(request).sessions(learner))
        return await run_in_threadpool(learner_profile, store, learner, sessions)

    return app


def _caller(request: Request) -> Caller:
    caller: Caller = request.state.caller
    return caller


def _ownership(request: Request) -> Ownership:
    ownership: Ownership = request.app.state.ownership
    return ownership


def _owned(request: Request, session_id: str) -> SessionRecord:
    record = _ownership(request).session_for(_caller(request).learner, session_id)
    if record is None:
        raise ApiError(404, "no such session")
    return record


def _prepare(path: Path) -> Any:
    from etude.attachments import prepare_attachment
    from etude.scores.loading import ScoreError

    try:
        return prepare_attachment(path)
    except ScoreError as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc


async def _store_upload(request: Request, session_id: str, file: StarletteUpload) -> UploadRecord:
    """Save, validate (parse) and record an upload into the caller's folder."""
    studio: ScoreStudio = request.app.state.studio
    learner = _caller(request).learner
    path = await save_upload(
        file, file.filename, learner_folder(studio.root, learner), studio.limit
    )
    try:
        attachment = await run_in_threadpool(_prepare, path)
    except ApiError:
        discard(path)
        raise
    return _ownership(request).add_upload(
        learner, session_id, path.name, attachment["format"], str(path), path.parent.name
    )


async def _score_reply(request: Request, record: UploadRecord, level: Level | None) -> ScoreReply:
    studio: ScoreStudio = request.app.state.studio
    chosen = level or request.app.state.mentor.settings.level
    analysis, view = await run_in_threadpool(studio.analysis_and_view, Path(record.path), chosen)
    return ScoreReply(upload=UploadSummary.of(record), analysis=analysis, view=view)


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
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ApiError(422, 'send JSON {"message": ...} or a multipart form') from exc
        return TurnRequest.model_validate(body), None
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


_LOCKED_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Etude</title>
<body style="font-family:system-ui;max-width:32rem;margin:4rem auto">
<h1>Etude</h1><p>This studio needs an access key. Open the link your teacher gave you
(it ends in <code>?access=…</code>).</p></body></html>"""
