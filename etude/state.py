"""The state one lesson thread carries through the graph, with its reducers.

``messages`` accumulates across turns (the lesson's memory); everything else describes the
current turn and is reset by intake at the start of each one (``agents.intake.fresh_turn``).
A turn's input is its human message, the LangGraph chat convention (``turn_input``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from langgraph.runtime import Runtime
from pydantic import BaseModel

from etude.config import Level
from etude.evidence import Evidence
from etude.learner import LearnerProfile


class Fresh(list[Evidence]):
    """Marks an evidence update that replaces the turn's evidence instead of extending it.

    No longer written: a Python subclass does not survive JSON, so over LangGraph Server it
    arrived as a plain list and the last turn's evidence stayed. Intake resets the evidence
    with LangGraph's ``Overwrite`` instead; the class remains so that checkpoints written
    before still load."""


Data = dict[str, Any]
"""A typed object as the state keeps it: its JSON dump. Checkpoints then hold plain data, which
every checkpointer stores and revives without an allow-list of our classes (LangGraph Server's
serializer warns about, and will refuse, classes it was not told about); nodes read the typed
object back with ``evidence_of`` and ``profile_of``."""


def as_data(items: Iterable[Evidence | Data]) -> list[Data]:
    """Evidence as plain data, whether a tool returned objects or dicts.

    >>> as_data([Evidence(tool="t", kind="other", summary="a")])[0]["summary"]
    'a'
    """
    return [item.model_dump(mode="json") if isinstance(item, BaseModel) else item for item in items]


def collect_evidence(current: list[Data] | None, update: Iterable[Evidence | Data]) -> list[Data]:
    """Tools run in parallel and each adds evidence; intake starts each turn with none.

    >>> collect_evidence([], [Evidence(tool="t", kind="other", summary="a")])[0]["summary"]
    'a'
    >>> collect_evidence([{"tool": "t", "kind": "other", "summary": "a"}], Fresh())
    []
    """
    if isinstance(update, Fresh) or current is None:
        return as_data(update)
    return [*as_data(current), *as_data(update)]


def evidence_of(state: TurnState) -> list[Evidence]:
    """The turn's evidence as typed objects.

    >>> evidence_of({"evidence": [{"tool": "t", "kind": "other", "summary": "a"}]})[0].tool
    't'
    """
    return [Evidence.model_validate(item) for item in state.get("evidence") or []]


def profile_of(state: TurnState) -> LearnerProfile:
    """The learner's profile as intake read it, or an empty one.

    >>> profile_of({"profile": {"name": "Ana"}}).name
    'Ana'
    """
    return LearnerProfile.model_validate(state.get("profile") or {})


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
    profile: Data
    """``LearnerProfile`` as plain data; read it with ``profile_of``."""
    route: list[str]
    offtopic: bool
    route_scores: dict[str, float]
    evidence: Annotated[list[Data], collect_evidence]
    """``Evidence`` as plain data; read it with ``evidence_of``."""
    answer: str
    blocks: list[dict[str, str]]
    timings_ms: Annotated[dict[str, float], merge_timings]


@dataclass(frozen=True)
class TurnContext:
    """Per-invocation facts that are not lesson state: who is asking."""

    learner: str = "local"


AUTH_USER_KEY = "langgraph_auth_user_id"
"""Where LangGraph Server puts the identity its auth handler returned (``configurable``); a
caller cannot set it, unlike the run's context."""


def learner_of(runtime: Runtime[TurnContext], default: str) -> str:
    """Who is asking: the signed-in user on LangGraph Server, else the run's context (the CLI,
    ``etude serve``), else ``default``.

    >>> learner_of(Runtime(context=TurnContext(learner="ana")), "local")
    'ana'
    >>> learner_of(Runtime(context=None), "local")
    'local'
    """
    from langgraph.config import get_config

    try:
        user = get_config().get("configurable", {}).get(AUTH_USER_KEY)
    except RuntimeError:  # called outside a graph run (a unit test of one node)
        user = None
    if user:
        return str(user)
    context = runtime.context
    if isinstance(context, TurnContext):
        return context.learner
    if isinstance(context, dict) and context.get("learner"):
        return str(context["learner"])
    return default


def turn_input(
    message: str, *, attachment: Attachment | None = None, level: Level | None = None
) -> dict[str, Any]:
    """The graph input for one learner turn: its human message, with the score reference and
    the one-off level in ``additional_kwargs`` (read by ``agents.chat_input``), exactly what a
    LangGraph chat client would send. Intake resets the rest of the turn.

    >>> turn_input("Spell a G major triad", level="beginner")["messages"][0].additional_kwargs
    {'level': 'beginner'}
    """
    from langchain_core.messages import HumanMessage

    extra: dict[str, Any] = {}
    if attachment is not None:
        extra["attachment"] = dict(attachment)
    if level is not None:
        extra["level"] = level
    return {"messages": [HumanMessage(message, additional_kwargs=extra)]}


class Node(Protocol):
    """What every node factory returns: the turn's state in, a partial update out."""

    def __call__(self, state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]: ...
