"""Scores the learner attaches to a turn: validated once, parsed once per process.

The CLI and the server check an attachment before the turn starts (a bad file is the learner's
error, answered with one clear line), and the critic and encoder then reuse the same parse.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from etude.scores.loading import LoadedScore, ScoreError, load_score
from etude.state import Attachment


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> LoadedScore:
    return load_score(path)


def load_attachment(path: str | Path) -> LoadedScore:
    """The parsed score at ``path``, re-read only if the file changed."""
    resolved = Path(path).expanduser().resolve()
    try:
        stat = resolved.stat()
    except FileNotFoundError:
        raise ScoreError(f"file not found: {path}") from None
    if not resolved.is_file():
        raise ScoreError(f"not a file: {path}")
    return _load(str(resolved), stat.st_mtime_ns, stat.st_size)


def prepare_attachment(path: str | Path) -> Attachment:
    """Validate an attachment for a turn; raises ``ScoreError`` with a learner-facing line."""
    loaded = load_attachment(path)
    return {"path": str(loaded.path.resolve()), "format": loaded.format}
