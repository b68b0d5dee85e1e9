"""The tutor node on a real one-node graph with a scripted chat model (the true boundary): the
computed blocks lead verbatim, the model's words pass only through the claim checker, and a
failing model costs the bridge, never the turn."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph

from etude.agents.tutor import MODEL_FAILED, make_tutor
from etude.config import Settings
from etude.evidence import Citation, Evidence
from etude.state import Fresh, TurnContext, TurnState
from etude.theory import compute_facts
from etude.tools.theory import fact_evidence


class FailingModel(FakeListChatModel):
    def _call(self, *args: Any, **kwargs: Any) -> str:
        raise RuntimeError("out of memory")

    def _stream(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("out of memory")


def _turn(
    settings: Settings,
    model: BaseChatModel,
    question: str,
    evidence: list[Evidence],
    **state: Any,
) -> dict[str, Any]:
    graph = StateGraph(TurnState, context_schema=TurnContext)
    graph.add_node("tutor", make_tutor(settings, lambda: model))
    graph.add_edge(START, "tutor")
    graph.add_edge("tutor", END)
    compiled = graph.compile(checkpointer=InMemorySaver())
    final: dict[str, Any] = {}
    for mode, payload in compiled.stream(
        {
            "question": question,
            "evidence": Fresh(evidence),
            "level": state.pop("level", "intermediate"),
            "route": state.pop("route", ["theory"]),
            "messages": [],
            **state,
        },
        {"configurable": {"thread_id": "t"}},
        context=TurnContext(),
        stream_mode=["custom", "values"],
    ):
        if mode == "values":
            final = payload
    return final


def _facts(question: str) -> list[Evidence]:
    return [fact_evidence(fact) for fact in compute_facts(question)]


@pytest.fixture
def strict() -> Settings:
    return Settings(claim_policy="strict")


def test_computed_answer_leads_and_a_false_model_sentence_never_shows(strict: Settings) -> None:
    model = FakeListChatModel(
        responses=["The dominant of C major is C. A G major triad is G, B and D. Keep going!"]
    )
    question = "Which notes make up a G major triad?"
    final = _turn(Settings(claim_policy="lenient"), model, question, _facts(question))
    answer = final["answer"]
    assert answer.startswith("G major triad (G): G – B – D")
    assert "dominant of C major is C" not in answer
    roles = [block["role"] for block in final["blocks"]]
    assert roles[0] == "answer" and "next" in roles


def test_strict_policy_keeps_only_verified_new_sentences_of_the_model(strict: Settings) -> None:
    model = FakeListChatModel(
        responses=["A tritone spans 6 semitones. Cadences feel final. Keep going!"]
    )
    final = _turn(strict, model, "why does a diminished triad sound tense?", [], route=[])
    assert "A tritone spans 6 semitones." in final["answer"]
    assert "Cadences feel final" not in final["answer"]  # unverifiable
    assert "Keep going" not in final["answer"]  # stock filler beside teaching


def test_chained_question_shows_its_steps(strict: Settings) -> None:
    question = "What is the dominant of the relative minor of C major?"
    final = _turn(strict, FakeListChatModel(responses=[""]), question, _facts(question))
    assert final["answer"].startswith("The dominant of the relative minor of C major is E.")
    assert "1. The relative minor of C major is A minor" in final["answer"]
    assert "2. The dominant (5th degree) of A minor is E" in final["answer"]


def test_lenient_policy_retries_a_refuted_sentence_with_its_correction() -> None:
    lenient = Settings(claim_policy="lenient")
    model = FakeListChatModel(
        responses=[
            "A major third is 6 semitones. Listen for its brightness.",
            "A major third spans 4 semitones, a bright sound.",
        ]
    )
    final = _turn(lenient, model, "What is a major third?", [], route=[])
    answer = final["answer"]
    assert "6 semitones" not in answer
    assert "Listen for its brightness." in answer  # unverifiable passes under lenient
    assert "4 semitones" in answer  # the retry, checked again


def test_a_failing_model_keeps_the_computed_reply() -> None:
    lenient = Settings(claim_policy="lenient")
    final = _turn(lenient, FailingModel(responses=["x"]), "spell D7", _facts("spell D7"))
    assert final["answer"].startswith("D dominant seventh chord (D7): D – F# – A – C")
    assert MODEL_FAILED in final["answer"]


def test_a_computed_answer_does_not_wait_for_the_tiny_model(strict: Settings) -> None:
    final = _turn(strict, FailingModel(responses=["x"]), "spell D7", _facts("spell D7"))
    assert MODEL_FAILED not in final["answer"]  # never asked
    assert "tutor_first_token" not in final["timings_ms"]


def test_why_question_quotes_the_knowledge_passage_with_its_citation(strict: Settings) -> None:
    citation = Citation(
        article="voice-leading/parallel-fifths-and-octaves",
        title="Parallel fifths and octaves",
        section="Why they are avoided",
        chunk_id="x#1",
        score=0.8,
    )
    passage = Evidence(
        tool="theory",
        kind="passage",
        summary="## Why\nParallel fifths make two voices sound like one. Independence is lost.",
        citation=citation,
    )
    final = _turn(
        strict, FakeListChatModel(responses=[""]), "why avoid parallel fifths?", [passage]
    )
    assert "Parallel fifths make two voices sound like one." in final["answer"]
    assert "Parallel fifths and octaves § Why they are avoided" in final["answer"]
    assert final["blocks"][0]["source"] == "knowledge"


def test_off_topic_and_greetings_need_no_model(strict: Settings) -> None:
    untouched = FailingModel(responses=["x"])
    final = _turn(strict, untouched, "best pizza?", [], route=[], offtopic=True)
    assert "music composition mentor" in final["answer"]
    assert MODEL_FAILED not in final["answer"]
    hello = _turn(strict, untouched, "hi!", [], route=[])
    assert hello["answer"].startswith("Hello!")


def test_a_self_introduction_is_acknowledged_without_the_tiny_model(strict: Settings) -> None:
    final = _turn(strict, FailingModel(responses=["x"]), "I play the oboe", [], route=[])
    assert final["answer"].startswith("Thanks — I will remember that you play the oboe.")
    assert "oboe" in final["answer"].split("\n\n")[-1]


def test_critic_findings_always_show_with_bar_beat_and_fix(strict: Settings) -> None:
    overview = Evidence(
        tool="critic",
        kind="analysis",
        summary="The score is in C major (music21 key analysis, confidence 0.90).",
        authoritative=True,
    )
    finding = Evidence(
        tool="critic",
        kind="analysis",
        summary="Error (parallel_fifths) …",
        data={
            "rule": "parallel_fifths",
            "bar": 2,
            "beat": 2.0,
            "parts": [0, 1],
            "severity": "error",
            "message": "Parallel fifths G5/C4 → A5/D4; try B5 instead of A5.",
        },
    )
    final = _turn(
        strict,
        FakeListChatModel(responses=["Your piece has a barbera-pattern."]),
        "check my voice leading",
        [overview, finding],
        route=["critic"],
    )
    answer = final["answer"]
    assert "Bar 2, beat 2" in answer and "try B5 instead of A5" in answer
    assert "barbera" not in answer
    # no verified suggestion on this finding: the next step points at the rule's own fix
    assert "Next: try the change described above, from bar 2 on" in answer
