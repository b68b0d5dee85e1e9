"""The state one lesson thread carries through the graph, with its reducers.

``messages`` accumulates across turns (the lesson's memory); everything else describes the
current turn and is replaced by intake at the start of each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from langgraph.runtime import Runtime

from etude.config import Level
from etude.evidence import Evidence
from etude.learner import LearnerProfile


class Fresh(list[Evidence]):
    """Marks an evidence update that replaces the turn's evidence instead of extending it."""


def collect_evidence(current: list[Evidence] | None, update: list[Evidence]) -> list[Evidence]:
    """Tools run in parallel and each adds evidence; a turn's input starts with ``Fresh()``.

    >>> collect_evidence([], [Evidence(tool="t", kind="other", summary="a")])[0].summary
    'a'
    >>> collect_evidence([Evidence(tool="t", kind="other", summary="a")], Fresh())
    []
    """
    if isinstance(update, Fresh) or current is None:
        return list(update)
    return [*current, *update]


def merge_timings(current: dict[str, float] | None, update: dict[str, float]) -> dict[str, float]:
    """Per-node wall times of the turn; a turn's input resets them with ``{"__reset__": 0}``.

    >>> merge_timings({"a": 1.0}, {"b": 2.0})
    {'a': 1.0, 'b': 2.0}
    >>> merge_timings({"a": 1.0}, {"__reset__": 0.0})
    {}
    """
    if "__reset__" in update:
        return {k: v for k, v in update.items() if k != "__reset__"}
    return {**(current or {}), **update}


class Attachment(TypedDict):
    """A score the learner sent with the turn, already checked to exist and be readable."""

    path: str
    format: str


class TurnState(TypedDict, total=False):
    """Everything the graph knows during one learner turn."""

    messages: Annotated[list[AnyMessage], add_messages]
    question: str
    attachment: Attachment | None
    piece: Attachment | None
    subject: dict[str, Any] | None
    """What the last computed answer was about (``agents.followup.Subject``), kept across turns
    so "and the minor version of that one?" can be read against it."""
    """The score this lesson is about: the last one attached in the thread (kept across turns,
    so "is there any bar that doesn't work?" after an upload is about that upload)."""
    requested_level: Level | None
    level: Level
    profile: LearnerProfile
    route: list[str]
    offtopic: bool
    route_scores: dict[str, float]
    evidence: Annotated[list[Evidence], collect_evidence]
    answer: str
    blocks: list[dict[str, str]]
    timings_ms: Annotated[dict[str, float], merge_timings]


@dataclass(frozen=True)
class TurnContext:
    """Per-invocation facts that are not lesson state: who is asking."""

    learner: str = "local"


def turn_input(
    message: str, *, attachment: Attachment | None = None, level: Level | None = None
) -> dict[str, Any]:
    """The graph input for one learner turn. Every per-turn key is set, so nothing from the
    previous turn (an old attachment, a one-off level) leaks into this one."""
    from langchain_core.messages import HumanMessage

    return {
        "messages": [HumanMessage(message)],
        "question": message,
        "attachment": attachment,
        "requested_level": level,
        "route": [],
        "offtopic": False,
        "evidence": Fresh(),
        "timings_ms": {"__reset__": 0.0},
        "answer": "",
        "blocks": [],
    }


class Node(Protocol):
    """What every node factory returns: the turn's state in, a partial update out."""

    def __call__(self, state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]: ...
