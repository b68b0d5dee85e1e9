"""The score side of the studio: the critic's report and the display data for an upload.

Both are computed once per upload (and level) and kept as JSON beside the file, because the
page asks again on every reload and music21 takes a second or more on a chorale.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from etude.config import Level
from etude.server.errors import ApiError


class ScoreStudio:
    """Analyses and display data for uploaded scores, cached next to each upload.

    >>> ScoreStudio(Path("/tmp/uploads"), 20_000_000).limit
    20000000
    """

    def __init__(self, root: Path, limit: int) -> None:
        self.root = root
        self.limit = limit
        self._lock = threading.Lock()

    def analysis(self, path: Path, level: Level) -> dict[str, Any]:
        """The ``etude analyze --json`` object for the file; a bad file is an ``ApiError(422)``."""
        return self._cached(path, f"analysis-{level}.json", lambda: _analyze(path, level))

    def analysis_and_view(self, path: Path, level: Level) -> tuple[dict[str, Any], dict[str, Any]]:
        analysis = self.analysis(path, level)
        view = self._cached(path, "view.json", lambda: _view(path))
        return analysis, view

    def _cached(self, path: Path, name: str, compute: Any) -> dict[str, Any]:
        cache = path.parent / f".{path.name}.{name}"
        if cache.is_file() and cache.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            return json.loads(cache.read_text(encoding="utf-8"))
        value: dict[str, Any] = compute()
        with self._lock:
            temporary = cache.with_suffix(".tmp")
            temporary.write_text(json.dumps(value), encoding="utf-8")
            temporary.replace(cache)
        return value


def _analyze(path: Path, level: Level) -> dict[str, Any]:
    from etude.critic.analysis import analyze_file
    from etude.scores.loading import ScoreError

    try:
        report = analyze_file(path, level=level)
    except ScoreError as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc
    report.style = _style(path)
    report.encoder = _encoder(path)
    return report.model_dump(mode="json")


def _encoder(path: Path) -> dict[str, Any] | None:
    """The encoder's most surprising notes, as ``etude analyze`` reports them; None without a
    checkpoint or when the encoder cannot read the piece."""
    try:
        from etude.attachments import load_attachment
        from etude.encoders.surprise import analysis_section

        return analysis_section(load_attachment(path).score)
    except (OSError, ValueError):
        return None


def _style(path: Path) -> dict[str, Any] | None:
    """The encoder's style estimate, as ``etude analyze`` reports it; None when the encoder
    has no checkpoint or cannot read the piece (the analysis stands on its own)."""
    try:
        from etude.attachments import load_attachment
        from etude.encoders.embedding import embed_midi, estimate_style
        from etude.scores.midi_bytes import score_midi_bytes

        piece = embed_midi(score_midi_bytes(load_attachment(path))).piece
        return estimate_style(piece).model_dump(mode="json")
    except (OSError, ValueError):
        return None


def _view(path: Path) -> dict[str, Any]:
    from etude.attachments import load_attachment
    from etude.scores.loading import ScoreError
    from etude.server.scoreview import score_view

    try:
        return score_view(load_attachment(path)).model_dump(mode="json")
    except ScoreError as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc
