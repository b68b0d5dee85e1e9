"""A lesson read back from its checkpoints: each turn's question, score, route, evidence and
answer, for ``etude sessions``, ``Mentor.history`` and anyone who wants their lessons as data.

The checkpointer saves a thread after every node of every turn. A turn begins with an
``input`` checkpoint; its last checkpoint holds the whole turn (intake resets the per-turn
keys as each turn starts, see ``etude.agents.intake.fresh_turn``). So a transcript is the last
checkpoint of each run of checkpoints that starts with an input. A turn cut off before its
answer was saved (a killed process) is kept, marked ``complete=False``.

Nothing here loads a model: reading a lesson needs only the database.

>>> turn = Turn(number=1, question="Spell a G major triad", answer="G – B – D")
>>> print(Transcript(session="s1", turns=[turn]).markdown())
# Lesson s1
<BLANKLINE>
1 turn.
<BLANKLINE>
## Turn 1
<BLANKLINE>
**You:** Spell a G major triad
<BLANKLINE>
**Etude:**
<BLANKLINE>
G – B – D
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, Field

from etude.evidence import Evidence
from etude.sessions import Persistence


class Turn(BaseModel):
    """One question and its answer, with what the answer rests on."""

    number: int = Field(description="1 for the lesson's first turn.")
    at: str | None = Field(None, description="When the turn was saved (ISO 8601, UTC).")
    question: str
    attachment: dict[str, str] | None = Field(
        None, description="The score sent with the question: its path and format."
    )
    level: str | None = Field(None, description="The level the turn was taught at.")
    route: list[str] = Field(default_factory=list, description="The tools that answered.")
    answer: str = ""
    evidence: list[Evidence] = Field(
        default_factory=list, description="Computed facts, critic findings, quoted passages."
    )
    blocks: list[dict[str, str]] = Field(
        default_factory=list, description="The reply's parts: role, source and text."
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)
    complete: bool = Field(True, description="False if the turn was cut off before its answer.")


class Transcript(BaseModel):
    """A whole lesson, oldest turn first; ``model_dump(mode="json")`` is the JSON export."""

    session: str
    turns: list[Turn] = Field(default_factory=list)

    @property
    def attachments(self) -> list[dict[str, str]]:
        """Every score sent in the lesson, in order."""
        return [turn.attachment for turn in self.turns if turn.attachment]

    def markdown(self) -> str:
        """The lesson as a readable Markdown document."""
        count = len(self.turns)
        lines = [f"# Lesson {self.session}", "", f"{count} turn{'s' if count != 1 else ''}."]
        if self.turns and self.turns[0].at:
            lines[-1] += f" Started {_when(self.turns[0].at)}, last {_when(self.turns[-1].at)}."
        for turn in self.turns:
            lines += ["", f"## Turn {turn.number}" + (f" · {_when(turn.at)}" if turn.at else "")]
            lines += ["", f"**You:** {turn.question}"]
            if turn.attachment:
                lines += ["", f"*Score:* `{turn.attachment['path']}` ({turn.attachment['format']})"]
            lines += ["", "**Etude:**", "", turn.answer or "*(no answer was saved)*"]
            if turn.evidence:
                route = ", ".join(turn.route) or "none"
                lines += ["", f"**Evidence** (route: {route}):", ""]
                lines += [f"- {_evidence_line(item)}" for item in turn.evidence]
        return "\n".join(lines) + "\n"


class SessionSummary(BaseModel):
    """One line of ``etude sessions list``."""

    id: str
    turns: int
    updated: str | None = Field(None, description="When the lesson last changed (ISO 8601).")
    first_question: str = ""


def _when(iso: str | None) -> str:
    """``2026-12-06T03:01:58.76+00:00`` → ``2026-12-06 03:01 UTC``."""
    if not iso:
        return ""
    return f"{iso[:10]} {iso[11:16]} UTC" if len(iso) >= 16 else iso


def _evidence_line(item: Evidence) -> str:
    source = f" — {item.citation.label()} ({item.citation.article})" if item.citation else ""
    summary = " ".join(item.summary.split())
    if len(summary) > 300:
        summary = summary[:297] + "…"
    mark = ", computed" if item.authoritative else ""
    return f"{item.tool} · {item.kind}{mark}: {summary}{source}"


def _config(session: str) -> RunnableConfig:
    return {"configurable": {"thread_id": session}}


def _turn(number: int, at: str | None, values: Mapping[str, Any], complete: bool) -> Turn:
    return Turn(
        number=number,
        at=at,
        question=str(values.get("question") or ""),
        attachment=values.get("attachment"),
        level=values.get("level") or values.get("requested_level"),
        route=list(values.get("route") or []),
        answer=str(values.get("answer") or ""),
        evidence=list(values.get("evidence") or []),
        blocks=list(values.get("blocks") or []),
        timings_ms={k: v for k, v in (values.get("timings_ms") or {}).items() if k[:2] != "__"},
        complete=complete,
    )


Saved = tuple[Mapping[str, Any], Mapping[str, Any], str | None]
"""One checkpoint as read here: its metadata, its channel values and its timestamp."""


def turns_of(checkpoints: Iterable[Saved]) -> list[Turn]:
    """Turns from ``(metadata, channel_values, timestamp)`` of a thread's checkpoints, oldest
    first.

    >>> start = {"__start__": {"question": "Hi", "answer": ""}}
    >>> done = {"question": "Hi", "answer": "Hello!", "route": []}
    >>> bye = {"__start__": {"question": "Bye"}}
    >>> turns = turns_of([({"source": "input"}, start, "t0"), ({"source": "loop"}, done, "t1"),
    ...                   ({"source": "input"}, bye, "t2")])
    >>> [(t.answer, t.complete) for t in turns]
    [('Hello!', True), ('', False)]
    """
    groups: list[list[Saved]] = []
    for checkpoint in checkpoints:
        metadata = checkpoint[0]
        if metadata.get("source") == "input" or not groups:
            groups.append([])
        groups[-1].append(checkpoint)
    turns: list[Turn] = []
    for group in groups:
        _, values, at = group[-1]
        if "__start__" in values:  # only the input was saved: the turn never ran
            values = values["__start__"] if isinstance(values["__start__"], Mapping) else {}
        if not values.get("question"):
            continue
        complete = bool(values.get("answer"))
        turns.append(_turn(len(turns) + 1, at, values, complete))
    return turns


def transcript(persistence: Persistence, session: str) -> Transcript | None:
    """The lesson ``session`` from its checkpoints; None if no such lesson was saved."""
    saved = list(persistence.checkpointer.list(_config(session)))
    if not saved:
        return None
    oldest_first = [
        (dict(t.metadata or {}), t.checkpoint.get("channel_values") or {}, t.checkpoint.get("ts"))
        for t in reversed(saved)
    ]
    return Transcript(session=session, turns=turns_of(oldest_first))


def summaries(persistence: Persistence) -> list[SessionSummary]:
    """Every saved lesson, most recently changed first, from its latest checkpoint alone."""
    found = []
    for session in persistence.sessions():
        latest = persistence.checkpointer.get_tuple(_config(session))
        if latest is None:
            continue
        values = latest.checkpoint.get("channel_values") or {}
        asked = [m for m in values.get("messages") or [] if getattr(m, "type", "") == "human"]
        first = str(asked[0].content) if asked else str(values.get("question") or "")
        found.append(
            SessionSummary(
                id=session,
                turns=len(asked),
                updated=latest.checkpoint.get("ts"),
                first_question=" ".join(first.split()),
            )
        )
    return found
