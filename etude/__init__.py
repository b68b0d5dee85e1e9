"""Etude: an open-source composition mentor.

A LangGraph graph routes each learner turn to tools (exact theory, score critic, MusicBERT
encoder, plug-ins) and a small Llama-style chat model turns their typed evidence into a lesson.

The Python API is :class:`etude.Mentor` (``docs/API.md``)::

    from etude import Mentor

    with Mentor() as mentor:
        print(mentor.ask("Which notes are in a D7 chord?").answer)

``import etude`` stays cheap: the names below are imported on first use, so a program that
only reads ``etude.__version__`` never loads torch, LangGraph or music21
(``tests/unit/test_api.py`` checks).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

if TYPE_CHECKING:
    from etude.api import Mentor, Reply
    from etude.config import Settings
    from etude.critic.report import AnalysisReport
    from etude.lessons.progress import ProgressReport
    from etude.mentor import TurnResult
    from etude.transcripts import Transcript, Turn

__all__ = [
    "AnalysisReport",
    "Mentor",
    "ProgressReport",
    "Reply",
    "Settings",
    "Transcript",
    "Turn",
    "TurnResult",
    "__version__",
]

_HOMES = {
    "Mentor": "etude.api",
    "Reply": "etude.api",
    "Settings": "etude.config",
    "AnalysisReport": "etude.critic.report",
    "ProgressReport": "etude.lessons.progress",
    "TurnResult": "etude.mentor",
    "Transcript": "etude.transcripts",
    "Turn": "etude.transcripts",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'etude' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
