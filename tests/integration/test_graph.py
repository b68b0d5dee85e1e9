"""End-to-end turns through the compiled LangGraph graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from etude.config import Settings
from etude.evidence import Evidence
from etude.mentor import Mentor
from etude.sessions import open_sqlite
from etude.theory.spelling import notes_in
from etude.tools.base import ToolRequest, ToolSpec
from etude.tools.registry import load_registry

pytestmark = pytest.mark.integration


def test_triad_question_is_answered_from_computed_facts(mentor: Mentor) -> None:
    result = mentor.ask("Which notes make up a G major triad?")
    assert "theory" in result.route
    facts = [e for e in result.evidence if e.kind == "fact"]
    assert facts and facts[0].notes == ["G", "B", "D"] and facts[0].authoritative
    assert result.answer.startswith(facts[0].summary)
    assert {"G", "B", "D"} <= set(notes_in(result.answer))
    assert_no_false_claims(result.answer, "Which notes make up a G major triad?")
    assert result.blocks[0] == {"role": "answer", "source": "computed", "text": facts[0].summary}
    assert result.timings_ms["total"] > 0


def assert_no_false_claims(answer: str, question: str) -> None:
    """Every sentence the learner reads passes the claim checker (none is refuted)."""
    from etude.claims import ClaimContext, check_sentence
    from etude.claims.guard import sentences

    context = ClaimContext.of(question)
    refuted = [
        s for s in sentences(answer) if check_sentence(s, context=context).status == "refuted"
    ]
    assert not refuted, refuted


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("Why do composers avoid parallel fifths?", "voice-leading/parallel-fifths-and-octaves"),
        ("What makes a deceptive cadence deceptive?", "cadences/deceptive-cadence"),
        ("How is a rondo put together?", "form/rondo-form"),
    ],
)
def test_knowledge_question_cites_the_relevant_real_chunks(
    mentor: Mentor, settings: Settings, question: str, article: str
) -> None:
    from etude.knowledge.retrieval import knowledge_base

    result = mentor.ask(question)
    passages = [e for e in result.evidence if e.citation is not None]
    assert passages, "expected at least one cited article"
    cited = [p.citation for p in passages if p.citation]
    assert article in {c.article for c in cited}, [c.article for c in cited]
    collection = knowledge_base(settings.kb_dir)._collection
    stored = collection.get(ids=[c.chunk_id for c in cited], include=["metadatas"])
    assert len(stored["ids"]) == len(cited)
    by_id = dict(zip(stored["ids"], stored["metadatas"] or [], strict=True))
    for citation in cited:
        assert by_id[citation.chunk_id]["title"] == citation.title
        assert by_id[citation.chunk_id]["section"] == citation.section
    title = next(c.title for c in cited if c.article == article)
    assert title in result.answer


def test_lesson_continues_in_a_new_mentor_on_the_same_database(
    mentor: Mentor, settings: Settings
) -> None:
    mentor.ask("I play the cello and I'm writing my first string quartet.", session="quartet")
    again = Mentor(settings, registry=mentor.registry)
    try:
        result = again.ask("Which instrument did I say I play?", session="quartet")
        assert "cello" in result.answer.lower()
        history = again.history("quartet")
        assert [m["role"] for m in history] == ["human", "ai", "human", "ai"]
    finally:
        again.close()


def test_attached_score_gets_its_key_from_music21(mentor: Mentor, g_major_midi: Path) -> None:
    from etude.attachments import prepare_attachment

    result = mentor.ask("What key is my piece in?", attachment=prepare_attachment(g_major_midi))
    assert "critic" in result.route
    analysis = next(e for e in result.evidence if e.tool == "critic" and e.authoritative)
    assert analysis.data["key"]["tonic"] == "G" and analysis.data["key"]["mode"] == "major"
    assert "G major" in result.answer


def test_a_failing_tool_degrades_to_a_message(settings: Settings, tmp_path: Path) -> None:
    def explode(request: ToolRequest, _: Settings) -> list[Evidence]:
        raise RuntimeError("metronome broke")

    broken = ToolSpec(
        name="metronome",
        description="Sets a practice tempo in beats per minute.",
        examples=("Set my metronome to 90 bpm", "Give me a practice tempo for this etude"),
        run=explode,
    )
    persistence = open_sqlite(tmp_path / "degrade.sqlite")
    mentor = Mentor(
        settings, registry=load_registry(plugins=False, extra=[broken]), persistence=persistence
    )
    try:
        result = mentor.ask("Set my metronome to 90 bpm please", session="m1")
        assert result.route == ["metronome"]
        assert result.evidence[0].kind == "error"
        assert "metronome broke" in result.answer
        assert len(mentor.history("m1")) == 2
    finally:
        mentor.close()


def test_checkpoints_live_in_sqlite(settings: Settings, mentor: Mentor) -> None:
    mentor.ask("Hello!", session="sqlite-check")
    persistence = open_sqlite(settings.sqlite_path)
    try:
        assert "sqlite-check" in persistence.sessions()
    finally:
        persistence.close()
