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
