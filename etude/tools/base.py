"""What a tool is: a plain function with a schema, plus the facts the router needs about it.

Built-in tools and plug-ins are described the same way, so the graph, the router, the CLI's
``etude tools list`` and the web page all read one registry and nothing special-cases a tool.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from langgraph.store.base import BaseStore
from pydantic import BaseModel, ConfigDict, Field

from etude.config import Level, Settings
from etude.evidence import Evidence
from etude.learner import LearnerProfile


class ToolRequest(BaseModel):
    """The input every tool receives: the learner's words and, if sent, their score.

    A tool that keeps state per learner gets the graph's store in ``store``, handed in
    explicitly by the tool node (as LangGraph's own ``ToolNode`` injects it), never by reaching
    for a global; it is ``None`` outside a graph run.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    question: str
    attachment: Path | None = Field(default=None, description="Score file sent with the turn.")
    attachment_format: str | None = None
    level: Level = "intermediate"
    profile: LearnerProfile = Field(default_factory=LearnerProfile)
    learner: str = Field(default="local", description="Whose lesson this is (stable id).")
    session: str | None = Field(default=None, description="The lesson thread, if known.")
    store: BaseStore | None = Field(
        default=None, exclude=True, repr=False, description="The graph's store, if any."
    )


ToolFunction = Callable[[ToolRequest, Settings], list[Evidence]]


@dataclass(frozen=True)
class TurnFacts:
    """What a tool's ``claims_turn`` hook sees: this turn's message and the learner's store."""

    message: str
    has_attachment: bool
    learner: str
    store: BaseStore | None
    session: str | None = None
    """The lesson thread this message belongs to (an exercise is answered in its own)."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the graph sees it.

    ``description`` and ``examples`` are not documentation only: the router embeds them and
    routes a turn to the tools whose examples it resembles, so good examples are how a tool
    gets called.
    """

    name: str
    description: str
    examples: tuple[str, ...]
    run: ToolFunction
    needs_attachment: bool = False
    """Only offered to the router when the learner attached a score."""
    reads_every_score: bool = False
    """Runs on every turn that carries a score, whatever its words: a learner who sends a score
    wants it read ("is everything playable?" resembles small talk more than any critic example).
    """
    input_model: type[ToolRequest] = ToolRequest
    origin: str = "built-in"
    settings_help: dict[str, str] = field(default_factory=dict)
    recognizes: Callable[[str], bool] | None = None
    """Optional exact parser: when it understands a message, the tool is routed to whatever the
    embedding scores say. Similarity is weak on short symbolic questions ("F# to E#?"), where
    a grammar is certain; a recogniser must be cheap (it runs on every turn) and precise."""
    makes_to_order: bool = False
    """The tool makes new material to order (the composer's tunes) and answers no questions:
    it gets a question only when its own ``recognizes`` reads it as an order ("can you make
    up a melody for me?"). Similarity sends it questions that merely mention what it makes
    ("is a perfect fifth 8 semitones?" got an 8-bar tune before its answer)."""
    claims_turn: Callable[[TurnFacts], bool] | None = None
    """Optional stateful claim: the tool is waiting for this learner's reply (an exercise it
    set) and this message is that reply, so the turn goes to the claiming tool(s) only.
    Similarity cannot know that "E G# B" answers an open exercise; the tool's own state can.
    It runs in the router node on every turn: keep it to a store read or two."""

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"tool name must be an identifier, got {self.name!r}")
        if not self.examples:
            raise ValueError(f"tool {self.name!r} needs at least one example request")
