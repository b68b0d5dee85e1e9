"""``POST /analyze``: the critic's report on an uploaded score, exactly ``etude analyze --json``.
Nothing is kept: the file lives in a scratch folder for the length of the request."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, UploadFile
from starlette.concurrency import run_in_threadpool

from etude.config import Level
from etude.server.deps import SettingsDep, StudioDep
from etude.server.uploads import save_upload

router = APIRouter()


@router.post("/analyze", summary="The critic's report on a score (`etude analyze --json`).")
async def analyze(
    settings: SettingsDep,
    studio: StudioDep,
    file: UploadFile = File(..., description="MIDI, MusicXML/MXL or ABC."),  # noqa: B008
    level: Level | None = Form(None),  # noqa: B008
) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="etude-analyze-"))
    try:
        path = await save_upload(file, file.filename, scratch, studio.limit)
        # The report names the file by the learner's own (sanitised) name, never the scratch
        # folder it sat in for this request.
        return await run_in_threadpool(studio.analysis, path, level or settings.level)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
