"""The mentor the CLI and the server drive: the real compiled graph, router and tools on a
temporary SQLite file, with a scripted chat model as the one stand-in (a model's words are the
only part that is not computed, so they are the boundary to fake)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage

from etude.config import Settings
from etude.evidence import Evidence
from etude.mentor import Mentor
from etude.theory import compute_facts
from etude.tools.base import ToolRequest
from etude.tools.registry import ToolRegistry, load_registry
from etude.tools.theory import fact_evidence

TRIAD = "Which notes make up a G major triad?"
REPLY = "Triads stack two thirds over a root. Now spell the D major triad yourself."


class PromptRecorder(BaseCallbackHandler):
    """The messages the chat model was given, call by call."""

    def __init__(self) -> None:
        self.prompts: list[list[BaseMessage]] = []

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        self.prompts.extend(messages)


def computed_only(request: ToolRequest, settings: Settings) -> list[Evidence]:
    """The theory tool without its knowledge passages: building the Chroma index takes over a
    minute on a laptop, and retrieval has its own tests (tests/integration)."""
    return [fact_evidence(fact) for fact in compute_facts(request.question)]


def tools_without_retrieval() -> ToolRegistry:
    """The built-in tools, in their order, the theory tool's retrieval left out."""
    tools = ToolRegistry()
    for spec in load_registry(plugins=False):
        tools.add(replace(spec, run=computed_only) if spec.name == "theory" else spec)
    return tools


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # The classifier alone routes: the scripted model is for replies, not for routing. It
    # stands for a strong model, whose prose the lenient claim policy lets through when the
    # checker cannot refute it (the embedded model's strict policy is the tutor's own test).
    return Settings.from_env().with_overrides(
        data_dir=tmp_path_factory.mktemp("mentor"),
        router_llm_fallback=False,
        claim_policy="lenient",
    )


@pytest.fixture(scope="module")
def recorder() -> PromptRecorder:
    return PromptRecorder()


@pytest.fixture(scope="module")
def mentor(settings: Settings, recorder: PromptRecorder) -> Iterator[Mentor]:
    model = FakeListChatModel(responses=[REPLY], callbacks=[recorder])
    mentor = Mentor(settings, registry=tools_without_retrieval(), chat_model=model)
    yield mentor
    mentor.close()


def test_a_computed_fact_leads_the_answer(mentor: Mentor, settings: Settings) -> None:
    result = mentor.ask(TRIAD, session="triad")
    assert result.route == ["theory"]
    (fact,) = result.evidence
    assert fact.authoritative and fact.notes == ["G", "B", "D"]
    assert result.answer.startswith(fact.summary)
    # the model's words come after the computed blocks, through the claim checker, and the
    # computed next step closes the reply
    assert f"\n\n{REPLY}\n\nNext: " in result.answer
    assert {"route", "theory", "tutor", "total"} <= result.timings_ms.keys()
    assert settings.sqlite_path.exists()  # the thread is checkpointed in the temporary file


def test_a_turn_streams_route_evidence_tokens_then_the_result(mentor: Mentor) -> None:
    events = list(mentor.stream_turn(TRIAD, session="streamed"))
    kinds = [event["event"] for event in events]
    assert kinds[0] == "route" and events[0]["tools"] == ["theory"]
    assert kinds.index("evidence") < kinds.index("token")
    assert kinds[-1] == "done" and kinds.count("done") == 1
    result = events[-1]["result"]
    assert result.session == "streamed"
    assert "".join(e["text"] for e in events if e["event"] == "token").strip() == result.answer
    assert events[kinds.index("evidence")]["items"] == [
        item.model_dump(mode="json") for item in result.evidence
    ]


def test_the_second_turn_of_a_session_sees_the_first(
    mentor: Mentor, settings: Settings, recorder: PromptRecorder
) -> None:
    first = mentor.ask(TRIAD, session="two-turns")
    recorder.prompts.clear()
    second = mentor.ask("Thanks, that helps a lot", session="two-turns")
    assert second.route == []  # conversation: no tool
    assert [(m["role"], m["content"]) for m in mentor.history("two-turns")] == [
        ("human", TRIAD),
        ("ai", first.answer),
        ("human", "Thanks, that helps a lot"),
        ("ai", second.answer),
    ]
    (prompt,) = recorder.prompts
    contents = [str(message.content) for message in prompt]
    assert TRIAD in contents and first.answer in contents
    assert contents[-1] == "Thanks, that helps a lot"
    # another session knows nothing of it, and the file keeps it for the next process
    assert mentor.history("someone-else") == []
    again = Mentor(settings, registry=mentor.registry)
    try:
        assert len(again.history("two-turns")) == 4
    finally:
        again.close()


def test_a_turn_without_a_session_starts_one(mentor: Mentor) -> None:
    result = mentor.ask("Hello! Nice to meet you.")
    assert len(result.session) == 12
    assert [m["role"] for m in mentor.history(result.session)] == ["human", "ai"]
