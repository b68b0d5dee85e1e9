"""The bridge adapter v3 learns: computed, verified by the tutor's guard, never a repeat."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from etude.claims import check_sentence
from etude.evidence import Evidence
from etude.finetune.bridge_data import balance
from etude.finetune.examples import Example, Turn
from etude.finetune.sources.bridges import (
    BRIDGE_KEYS,
    IDEAS,
    bridge_for,
    ideas_in,
)
from etude.llm.recording import RecordingChatModel


@pytest.mark.parametrize("idea", IDEAS, ids=lambda idea: idea.name)
def test_every_idea_in_every_bridge_key_is_a_sentence_the_checker_verifies(idea) -> None:
    for tonic, mode in BRIDGE_KEYS:
        if idea.mode and idea.mode != mode:
            continue
        sentence = idea.sentence(tonic, mode)
        assert check_sentence(sentence).status == "verified", sentence


def test_the_bridge_carries_the_asked_idea_into_a_key_the_reply_did_not_use() -> None:
    passage = Evidence(
        tool="theory",
        kind="passage",
        summary="In C major the deceptive cadence goes from G to Am instead of C.",
    )
    bridge = bridge_for("Why is the deceptive cadence a surprise?", [passage], [passage.summary])
    assert bridge == "In G major, a deceptive cadence goes from D major to E minor."


def test_a_score_gets_its_own_key_and_its_first_finding() -> None:
    analysis = Evidence(
        tool="critic",
        kind="analysis",
        summary="The score is in D major.",
        data={
            "key": {"tonic": "D", "mode": "major"},
            "findings": [{"message": "The leading tone C#5 moves to A4 instead of D5."}],
        },
    )
    assert bridge_for("Can you check my piece?", [analysis], []) == (
        "The leading tone of D major is C#."
    )


def test_nothing_to_carry_over_is_an_empty_bridge() -> None:
    assert bridge_for("How do I end a song well?", [], []) == ""
    said = ["The dominant of G major is D."]
    assert bridge_for("What does the dominant do?", [], said) == ""  # only a repeat was left


def test_ideas_are_read_in_the_order_named_and_the_specific_wins() -> None:
    names = [i.name for i in ideas_in("The plagal cadence and the leading tone")]
    assert names == ["plagal cadence", "leading tone"]
    assert ideas_in("third species counterpoint") == []


def test_balance_keeps_every_bridge_and_caps_the_empty_ones() -> None:
    import random

    def example(reply: str, n: int) -> Example:
        turns = [Turn(role="user", content=f"q{n}"), Turn(role="assistant", content=reply)]
        return Example(id=str(n), source="knowledge", group="g", kind="k", level="beginner",
                       messages=turns)  # fmt: skip

    examples = [example("In G major, …", 0), *(example("", n) for n in range(1, 6))]
    kept = balance(examples, 2.0, random.Random(0))
    assert sum(1 for e in kept if e.reply) == 1 and sum(1 for e in kept if not e.reply) == 2


def test_the_recording_model_keeps_what_the_tutor_sends_and_says_nothing() -> None:
    model = RecordingChatModel()
    reply = model.invoke([SystemMessage("evidence"), HumanMessage("question")])
    assert reply.content == ""
    assert [m.content for m in model.calls[0]] == ["evidence", "question"]
    assert RecordingChatModel().calls == []
