"""Turning a tool's plain function into a graph node.

Every tool, built-in or plug-in, runs through this one wrapper: it builds the typed request
from the turn, times the call, and turns a failure into an error the tutor reports, so a broken
tool costs one answer its evidence, never the session.
"""

from __future__ import annotations

import logging
import threading
import time
import zlib
from pathlib import Path
from typing import Any

from langgraph.config import get_config
from langgraph.runtime import Runtime

from etude.config import Settings
from etude.evidence import Evidence
from etude.state import Node, TurnContext, TurnState, as_data, learner_of, profile_of
from etude.tools.base import ToolSpec

log = logging.getLogger(__name__)

_UPLOAD_LOCKS = tuple(threading.RLock() for _ in range(64))


def upload_lock(path: Path) -> threading.RLock:
    """The lock the tools of a turn hold while they read one upload.

    LangGraph runs the tools a turn is routed to concurrently, in threads, and they share the
    parsed score (``etude.attachments.load_attachment`` keeps it). A music21 score is not
    safe to read from two threads: reading builds and clears its caches, and the encoder's
    MIDI rendering forks a worker that copies the score as it is at that instant. Once in
    about a hundred critiques on the wrong-note benchmark the encoder tool failed with "the
    MIDI file has no notes" on a file that renders on its own every time: a score caught
    mid-change by the fork is the likely cause. Tools on the same file now take turns (a
    fixed pool keeps the locks bounded); with two cores and Python's lock on the interpreter
    they gained little from overlapping.

    >>> upload_lock(Path("a.xml")) is upload_lock(Path("./a.xml").resolve())
    True
    """
    return _UPLOAD_LOCKS[zlib.crc32(str(path.resolve()).encode()) % len(_UPLOAD_LOCKS)]


def make_tool_node(spec: ToolSpec, settings: Settings) -> Node:
    def run_tool(state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        started = time.perf_counter()
        attachment = state.get("attachment")
        request = spec.input_model(
            question=state["question"],
            attachment=Path(attachment["path"]) if attachment else None,
            attachment_format=attachment["format"] if attachment else None,
            level=state.get("level", settings.level),
            profile=profile_of(state),
            learner=learner_of(runtime, settings.learner),
            session=get_config().get("configurable", {}).get("thread_id"),
            store=runtime.store,
        )
        try:
            if request.attachment is None:
                evidence = spec.run(request, settings)
            else:
                with upload_lock(request.attachment):
                    evidence = spec.run(request, settings)
        except Exception as exc:
            log.exception("tool %s failed", spec.name)
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            evidence = [
                Evidence(
                    tool=spec.name,
                    kind="error",
                    summary=f"The {spec.name} tool could not help this time ({reason}).",
                    authoritative=True,
                )
            ]
        items = as_data(evidence)
        runtime.stream_writer({"event": "evidence", "tool": spec.name, "items": items})
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return {"evidence": items, "timings_ms": {spec.name: elapsed}}

    run_tool.__name__ = f"tool_{spec.name}"
    return run_tool
