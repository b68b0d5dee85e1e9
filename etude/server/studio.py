"""The score side of the studio: the critic's report and the display data for an upload.

Both are computed once per upload (and level) and kept as JSON beside the file, because the
page asks again on every reload and music21 takes a second or more on a chorale.

Reading a score is the most expensive thing a request can ask for: each parse runs in a worker
process that may use ``Limits.parse_memory_bytes`` (1.5 GB) for up to ``parse_seconds``. So one
server reads ``MAX_PARALLEL_SCORES`` scores at a time (``ScoreStudio.exclusive``), lets
``MAX_WAITING_SCORES`` more wait, and answers the rest 429: forty uploads at once must not
become forty workers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from etude.config import Level
from etude.limits import DEFAULT_LIMITS
from etude.scores.export import SUFFIXES, ExportFormat
from etude.server.errors import ApiError

if TYPE_CHECKING:
    from etude.scores.loading import LoadedScore

T = TypeVar("T")

MAX_PARALLEL_SCORES = 2
"""Scores one server process reads (parses, analyses, renders) at once."""

MAX_WAITING_SCORES = 8
"""Score reads that may wait for a place; more are answered 429."""

RETRY_SCORES_S = 5
"""``Retry-After`` for a score read refused for lack of a place: a chorale takes 1-3 s."""


class ScoreStudio:
    """Analyses and display data for uploaded scores, cached next to each upload.

    >>> ScoreStudio(Path("/tmp/uploads"), 20_000_000).limit
    20000000
    """

    def __init__(self, root: Path, limit: int, data_dir: Path | None = None) -> None:
        self.root = root
        self.data_dir = data_dir or root.parent
        """Where the corpus index for ``"similar"`` is looked for (the settings' data dir)."""
        self.limit = limit
        self._lock = threading.Lock()
        self._places = threading.BoundedSemaphore(MAX_PARALLEL_SCORES)
        self._asking = 0

    @property
    def reading(self) -> int:
        """Score reads running or waiting for a place now."""
        return self._asking

    def exclusive(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` once one of the ``MAX_PARALLEL_SCORES`` places is free (run it in a
        thread); ``ApiError(429)`` when ``MAX_WAITING_SCORES`` calls are waiting already."""
        with self._lock:
            if self._asking >= MAX_PARALLEL_SCORES + MAX_WAITING_SCORES:
                raise ApiError(
                    429,
                    "the server is reading other scores; please try again shortly",
                    {"Retry-After": str(RETRY_SCORES_S)},
                )
            self._asking += 1
        try:
            with self._places:
                return call(*args)
        finally:
            with self._lock:
                self._asking -= 1

    def analysis(self, path: Path, level: Level) -> dict[str, Any]:
        """The ``etude analyze --json`` object for the file; a bad file is an ``ApiError(422)``."""
        return self.exclusive(self._analysis, path, level)

    def analysis_and_view(self, path: Path, level: Level) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.exclusive(self._analysis_and_view, path, level)

    def export(self, path: Path, fmt: ExportFormat) -> bytes:
        """The upload as a ``fmt`` file to take home; ``ApiError(422)`` when the format cannot
        carry its notes. Kept beside the upload, like the analysis."""
        return self.exclusive(self._export, path, fmt)

    def export_tune(self, abc: str, fmt: ExportFormat, name: str) -> bytes:
        """A tune from the chat (ABC text) as a ``fmt`` file named ``name``, read under the same
        limits as a pasted tune; nothing is kept."""
        return self.exclusive(_export_tune, abc, fmt, name)

    def corrected(self, path: Path, level: Level, finding: int) -> bytes:
        """MusicXML of the upload with the critic's verified fix for its ``finding``-th finding
        (at ``level``) applied; ``ApiError(422)`` when that finding has none. Only the critic's
        own suggestions are applied, never edits a request makes up."""
        return self.exclusive(self._corrected, path, level, finding)

    def _corrected(self, path: Path, level: Level, finding: int) -> bytes:
        findings = self._analysis(path, level)["findings"]
        if not 0 <= finding < len(findings) or not findings[finding].get("suggestion"):
            raise ApiError(422, "that finding has no fix the critic verified")
        return _corrected(path, findings[finding]["suggestion"]["changes"])

    def _export(self, path: Path, fmt: ExportFormat) -> bytes:
        cache = path.parent / f".{path.name}.export{SUFFIXES[fmt]}"
        if cache.is_file() and cache.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            return cache.read_bytes()
        data = _export(path, fmt)
        with self._lock:
            temporary = cache.with_suffix(".tmp")
            temporary.write_bytes(data)
            temporary.replace(cache)
        return data

    def _analysis(self, path: Path, level: Level) -> dict[str, Any]:
        return self._cached(
            path, f"analysis-{level}.json", lambda: _analyze(path, level, self.data_dir)
        )

    def _analysis_and_view(self, path: Path, level: Level) -> tuple[dict[str, Any], dict[str, Any]]:
        analysis = self._analysis(path, level)
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


def _analyze(path: Path, level: Level, data_dir: Path) -> dict[str, Any]:
    """The report, from the same reading of the file the upload's check made (the parse is
    cached per file), so reading, playing back and drawing share one time budget."""
    from etude.attachments import load_attachment
    from etude.critic.analysis import analyze_score
    from etude.scores.loading import ScoreError

    try:
        loaded = load_attachment(path)
        report = analyze_score(loaded, level=level, style=True)
    except ScoreError as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc
    report.style = _style(loaded)
    report.encoder = _encoder(loaded)
    report.similar = _similar(loaded, data_dir)
    return report.model_dump(mode="json")


def _similar(loaded: LoadedScore, data_dir: Path) -> list[dict[str, Any]] | None:
    """The nearest corpus pieces, as ``etude analyze`` reports them; None without a corpus
    index of the checkpoint in use (the analysis is cached with the upload, so an index built
    later shows on the next upload)."""
    try:
        from etude.encoders.octuple import OctupleEncoder
        from etude.encoders.similar import index_exists, similar_section
        from etude.scores.midi_bytes import score_midi_bytes

        if not index_exists(data_dir):
            return None
        return similar_section(OctupleEncoder().encode(score_midi_bytes(loaded)).tokens, data_dir)
    except (OSError, ValueError):
        return None


def _encoder(loaded: LoadedScore) -> dict[str, Any] | None:
    """The encoder's most surprising notes, as ``etude analyze`` reports them; None without a
    checkpoint or when the encoder cannot read the piece."""
    try:
        from etude.encoders.surprise import analysis_section

        return analysis_section(loaded.score)
    except (OSError, ValueError):
        return None


def _style(loaded: LoadedScore) -> dict[str, Any] | None:
    """The encoder's style estimate, as ``etude analyze`` reports it; None when the encoder
    has no checkpoint or cannot read the piece (the analysis stands on its own)."""
    try:
        from etude.encoders.embedding import embed_midi, estimate_style
        from etude.scores.midi_bytes import score_midi_bytes

        piece = embed_midi(score_midi_bytes(loaded)).piece
        return estimate_style(piece).model_dump(mode="json")
    except (OSError, ValueError):
        return None


def _view(path: Path) -> dict[str, Any]:
    """What the page draws, made in a worker with what is left of the file's time budget
    (converting a score to MusicXML walks all of it, as playing it back does)."""
    from etude.attachments import load_attachment
    from etude.scores.loading import ScoreError
    from etude.scores.sandbox import isolation_available, run_isolated
    from etude.server.scoreview import score_view

    try:
        loaded = load_attachment(path)
        if not isolation_available():
            return score_view(loaded).model_dump(mode="json")
        return run_isolated(
            lambda: score_view(loaded).model_dump(mode="json"),
            path.name,
            DEFAULT_LIMITS,
            doing="draw",
            budget=loaded.budget,
        )
    except ScoreError as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc


def _export(path: Path, fmt: ExportFormat) -> bytes:
    """The conversion, in a worker with what is left of the file's time budget (music21 walks
    the whole score to write it, as it does to draw it)."""
    from etude.attachments import load_attachment
    from etude.scores.export import export_score
    from etude.scores.loading import ScoreError
    from etude.scores.sandbox import isolation_available, run_isolated

    try:
        loaded = load_attachment(path)
        if not isolation_available():
            return export_score(loaded, fmt)
        return run_isolated(
            lambda: export_score(loaded, fmt),
            path.name,
            DEFAULT_LIMITS,
            doing="write out",
            budget=loaded.budget,
        )
    except ScoreError as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc


def _export_tune(abc: str, fmt: ExportFormat, name: str) -> bytes:
    """A tune read as ``load_score_text`` reads one pasted into a message (size limit, parse in
    a worker), then written out in a worker on the same time budget."""
    from etude.scores.export import export_score
    from etude.scores.loading import ScoreError, load_score_text
    from etude.scores.sandbox import isolation_available, run_isolated

    stem = Path(name).stem
    try:
        loaded = load_score_text(abc, name=f"{stem}.abc")
        if not isolation_available():
            return export_score(loaded, fmt, title=stem)
        return run_isolated(
            lambda: export_score(loaded, fmt, title=stem),
            loaded.path.name,
            DEFAULT_LIMITS,
            doing="write out",
            budget=loaded.budget,
        )
    except ScoreError as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc


def _corrected(path: Path, changes: list[dict[str, Any]]) -> bytes:
    """The score with ``changes`` made, as MusicXML, in a worker on the file's time budget."""
    from etude.attachments import load_attachment
    from etude.critic.fixes import apply_changes
    from etude.critic.report import Change
    from etude.scores.export import musicxml_bytes
    from etude.scores.loading import ScoreError
    from etude.scores.sandbox import isolation_available, run_isolated

    edits = [Change.model_validate(change) for change in changes]

    def write() -> bytes:
        fixed = apply_changes(loaded.score, edits)
        if loaded.keyboard_split:
            fixed = fixed.makeNotation()
        return musicxml_bytes(fixed, loaded.path.stem)

    try:
        loaded = load_attachment(path)
        if not isolation_available():
            return write()
        return run_isolated(write, path.name, DEFAULT_LIMITS, doing="correct", budget=loaded.budget)
    except (ScoreError, ValueError) as exc:
        raise ApiError(422, str(exc).splitlines()[0]) from exc
