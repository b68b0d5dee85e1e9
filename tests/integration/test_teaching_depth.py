"""Replies that teach, through the real graph (router, theory tool, tutor, claim checker):
the same question at three levels, and the example's ABC and MusicXML in the evidence."""

from __future__ import annotations

import pytest
from music21 import converter

from etude.mentor import Mentor
from tests.integration.test_graph import assert_no_false_claims

pytestmark = pytest.mark.integration


def test_the_same_question_at_three_levels(mentor: Mentor) -> None:
    question = "What chord is V7 in A minor?"
    replies = {
        level: mentor.ask(question, session=f"levels-{level}", level=level)
        for level in ("beginner", "intermediate", "advanced")
    }
    texts = {level: result.answer for level, result in replies.items()}
    assert len(set(texts.values())) == 3
    for result in replies.values():
        assert result.answer.startswith("V7 in A minor: E – G# – B – D")
        assert_no_false_claims(result.answer, question)
    assert "How to work it out:" in texts["beginner"] and "Words used:" in texts["beginner"]
    assert "How to work it out:" in texts["intermediate"]
    assert "Words used:" not in texts["intermediate"]
    assert "Short form:" in texts["advanced"] and "How to work it out" not in texts["advanced"]
    assert all("G# rises to A, D falls to C" in text for text in texts.values())


def test_the_example_travels_as_abc_and_musicxml(mentor: Mentor) -> None:
    result = mentor.ask("spell Cm7", session="example-json", level="beginner")
    [example] = [e for e in result.evidence if e.kind == "example"]
    assert example.data["text"] in result.answer
    parsed = converter.parse(example.data["abc"], format="abc")
    assert [p.name for p in parsed.recurse().notes[-1].pitches] == ["C", "E-", "G", "B-"]
    assert "<score-partwise" in example.data["musicxml"]
    dumped = result.model_dump(mode="json")
    assert any(e["kind"] == "example" and e["data"]["abc"] for e in dumped["evidence"])


def test_a_comparison_quotes_a_passage_for_each_side(mentor: Mentor) -> None:
    """Asked as a whole, a comparison sits between two articles and retrieval may reach only
    one; each side is looked up on its own and quoted with its citation."""
    question = "how does a suspension differ from an appoggiatura?"
    result = mentor.ask(question, session="comparison")
    cited = [e.citation.title for e in result.evidence if e.kind == "passage" and e.citation]
    assert any("suspension" in title.lower() for title in cited), cited
    assert any("appoggiatura" in title.lower() for title in cited), cited
    quoted = result.answer.split("Read more:")[0].lower()
    assert quoted.count("— from “") >= 2
    assert "suspension" in quoted and "appoggiatura" in quoted
    assert_no_false_claims(result.answer, question)
