"""Which section of an article answers a question: the ranking before the tutor quotes."""

from __future__ import annotations

from etude.evidence import Citation
from etude.knowledge.index import Passage
from etude.knowledge.retrieval import ranked


def passage(section: str, score: float, article: str = "intervals/the-tritone") -> Passage:
    citation = Citation(
        article=article, title="The tritone", section=section, chunk_id=section, score=score
    )
    return Passage(f"# {section}\n…", citation, "intervals", "intermediate", [])


def test_a_question_of_two_clauses_gets_the_definition_it_asks_for_first() -> None:
    found = [passage("Practical tip for handling the tritone", 0.62), passage("What it is", 0.57)]
    (best,) = ranked(found, "what's a tritone and why does it sound tense?", 1)
    assert best.citation.section == "What it is"
    # asked only for the reason, the definition gets no preference over the closer section
    (best,) = ranked(found, "why does a tritone sound tense?", 1)
    assert best.citation.section == "Practical tip for handling the tritone"


def test_one_section_per_article_in_order_of_rank() -> None:
    found = [
        passage("What it is", 0.50),
        passage("Why it pulls", 0.55, article="voice-leading/resolution"),
        passage("Practical tip", 0.40),
    ]
    best = ranked(found, "why does the tritone pull?", 5)
    assert [p.citation.article for p in best] == [
        "voice-leading/resolution",
        "intervals/the-tritone",
    ]


def test_what_makes_a_kind_gets_the_definition_and_what_makes_it_weak_the_reason() -> None:
    """ "What makes a cadence deceptive?" asks what one is (V going to vi, not I); it quoted the
    section on why a deceptive cadence needs a continuation."""
    found = [
        passage("Why a deceptive cadence needs a continuation", 0.60, "cadences/deceptive"),
        passage("What a deceptive cadence is", 0.57, "cadences/deceptive"),
    ]
    for question in ("what makes a cadence deceptive?", "What makes V-vi a deceptive cadence"):
        (best,) = ranked(found, question, 1)
        assert best.citation.section == "What a deceptive cadence is", question
    found = [
        passage("What a plagal cadence is", 0.60, "cadences/plagal"),
        passage(
            "Why a plagal cadence sounds weaker than an authentic one", 0.57, "cadences/plagal"
        ),
    ]
    for question in ("what makes a plagal cadence weak?", "what makes a plagal cadence sound soft"):
        (best,) = ranked(found, question, 1)
        assert best.citation.section.startswith("Why"), question
