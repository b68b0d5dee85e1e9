"""``GET /``: the studio page. Its scripts, styles and vendored libraries are the static files
``create_app`` mounts at ``/static``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

STATIC_DIR = Path(__file__).parents[1] / "static"

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def studio_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")
