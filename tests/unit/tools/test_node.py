"""The one node every tool runs in, on a real (one-node) LangGraph graph: the request it builds,
the evidence it streams, its timing, and a failing tool costing one answer, never the turn."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.store.memory import InMemoryStore

from etude.config import Settings
from etude.evidence import Evidence
from etude.learner import LearnerProfile
from etude.state import Fresh, TurnContext, TurnState, evidence_of
from etude.tools.base import ToolFunction, ToolRequest, ToolSpec
from etude.tools.node import make_tool_node


def _spec(run: ToolFunction, input_model: type[ToolRequest] = ToolRequest) -> ToolSpec:
    return ToolSpec(
        name="probe", description="A probe.", examples=("probe",), run=run, input_model=input_model
    )


def _recorder(seen: list[ToolRequest]) -> ToolFunction:
    def run(request: ToolRequest, settings: Settings) -> list[Evidence]:
        seen.append(request)
        return []

    return run


def _turn(
    spec: ToolSpec,
    settings: Settings,
    *,
    store: InMemoryStore | None = None,
    learner: str = "ana",
    **state: Any,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One turn through a graph of just this tool's node: its final state and custom events."""
    graph = StateGraph(TurnState, context_schema=TurnContext)
    graph.add_node(spec.name, make_tool_node(spec, settings))
    graph.add_edge(START, spec.name)
    graph.add_edge(spec.name, END)
    compiled = graph.compile(checkpointer=InMemorySaver(), store=store)
    events, final = [], {}
    for mode, payload in compiled.stream(
        {"question": "What is a cadence?", "evidence": Fresh(), **state},
        {"configurable": {"thread_id": "lesson-7"}},
        context=TurnContext(learner=learner),
        stream_mode=["custom", "values"],
    ):
        if mode == "custom":
            events.append(payload)
        else:
            final = payload
    return final, events


def test_a_tools_evidence_reaches_the_state_and_the_stream(tmp_path: Path) -> None:
    fact = Evidence(tool="probe", kind="fact", summary="C E G", authoritative=True)
    final, events = _turn(_spec(lambda request, settings: [fact]), Settings(data_dir=tmp_path))
    assert evidence_of(final) == [fact]
    assert final["evidence"] == [fact.model_dump(mode="json")]  # plain data in checkpoints
    assert events == [
        {"event": "evidence", "tool": "probe", "items": [fact.model_dump(mode="json")]}
    ]


def test_the_request_carries_the_turn_the_store_and_the_session(tmp_path: Path) -> None:
    seen: list[ToolRequest] = []
    store = InMemoryStore()
    profile = LearnerProfile(name="Ana", instruments=["cello"])
    _turn(
        _spec(_recorder(seen)),
        Settings(data_dir=tmp_path),
        store=store,
        level="advanced",
        profile=profile,
        attachment={"path": str(tmp_path / "chorale.mid"), "format": "midi"},
    )
    (request,) = seen
    assert request.question == "What is a cadence?"
    assert request.store is store
    assert request.session == "lesson-7"
    assert request.learner == "ana"
    assert request.level == "advanced" and request.profile == profile
    assert request.attachment == tmp_path / "chorale.mid" and request.attachment_format == "midi"


def test_defaults_when_the_turn_says_nothing(tmp_path: Path) -> None:
    class Custom(ToolRequest):
        tempo: int = 90

    seen: list[ToolRequest] = []
    _turn(
        _spec(_recorder(seen), input_model=Custom),
        Settings(data_dir=tmp_path, level="beginner"),
    )
    (request,) = seen
    assert isinstance(request, Custom)  # a plug-in's own request model
    assert request.level == "beginner" and request.profile == LearnerProfile()
    assert request.attachment is None and request.store is None


def test_the_settings_reach_the_tool(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, retrieval_k=7)
    seen: list[Settings] = []

    def run(request: ToolRequest, given: Settings) -> list[Evidence]:
        seen.append(given)
        return []

    _turn(_spec(run), settings)
    assert seen == [settings]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (ValueError("the file has no notes\nTraceback detail the learner must not see"),
         "the file has no notes"),
        (KeyError(), "KeyError"),  # no message: the exception's name
    ],
)  # fmt: skip
def test_a_failing_tool_gives_one_error_not_an_exception(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, error: Exception, reason: str
) -> None:
    def broken(request: ToolRequest, settings: Settings) -> list[Evidence]:
        raise error

    with caplog.at_level(logging.ERROR, logger="etude.tools.node"):
        final, events = _turn(_spec(broken), Settings(data_dir=tmp_path))
    (item,) = evidence_of(final)
    assert item.kind == "error" and item.tool == "probe" and item.authoritative
    assert item.summary == f"The probe tool could not help this time ({reason})."
    assert events[0]["items"] == [item.model_dump(mode="json")]
    assert "tool probe failed" in caplog.text  # the traceback goes to the log instead


def test_the_tool_is_timed(tmp_path: Path) -> None:
    def slow(request: ToolRequest, settings: Settings) -> list[Evidence]:
        time.sleep(0.05)
        return []

    final, _ = _turn(_spec(slow), Settings(data_dir=tmp_path))
    assert final["timings_ms"]["probe"] >= 50
    assert make_tool_node(_spec(slow), Settings(data_dir=tmp_path)).__name__ == "tool_probe"


def _two_tools_at_once(tmp_path: Path, **state: Any) -> list[tuple[float, float]]:
    """Two slow tools a turn is routed to together (one superstep, as the router's fan-out
    makes it): when each ran."""
    spans: list[tuple[float, float]] = []

    def slow(request: ToolRequest, settings: Settings) -> list[Evidence]:
        started = time.perf_counter()
        time.sleep(0.3)
        spans.append((started, time.perf_counter()))
        return []

    settings = Settings(data_dir=tmp_path)
    graph = StateGraph(TurnState, context_schema=TurnContext)
    for name in ("first", "second"):
        spec = ToolSpec(name=name, description="A probe.", examples=(name,), run=slow)
        graph.add_node(name, make_tool_node(spec, settings))
        graph.add_edge(START, name)
        graph.add_edge(name, END)
    graph.compile().invoke(
        {"question": "Check my piece", "evidence": Fresh(), **state},
        context=TurnContext(learner="ana"),
    )
    return sorted(spans)


def test_tools_reading_the_same_upload_take_turns(tmp_path: Path) -> None:
    """A music21 score is not safe to read from two threads (``upload_lock``); tools without
    an upload still run together."""
    upload = tmp_path / "piece.musicxml"
    upload.write_text("<score-partwise/>")
    (a, b) = _two_tools_at_once(tmp_path, attachment={"path": str(upload), "format": "musicxml"})
    assert b[0] >= a[1]
    (c, d) = _two_tools_at_once(tmp_path)
    assert d[0] < c[1]
