from pathlib import Path

from etude_songwriting import TOOL
from etude_songwriting.prosody import check_prosody
from etude_songwriting.requests import parse_request
from music21 import converter

from etude.config import Settings
from etude.tools.base import ToolRequest

MELODY = """X:1
T:test
M:4/4
L:1/4
K:C
C D E F | G A B c |
"""


def test_parse_write_request() -> None:
    request = parse_request("Write me a song called Midnight Train in a blues style")
    assert (request.mode, request.title, request.style) == ("write", "Midnight Train", "blues")


def test_analysis_evidence_is_computed() -> None:
    question = "Check my lyrics:\nRoses in the garden bright\nDancing in the morning light\n"
    evidence = TOOL.run(ToolRequest(question=question), Settings())
    assert "rhyme scheme AA" in evidence[0].summary and evidence[0].authoritative


def test_prosody_flags_a_misplaced_stress() -> None:
    score = converter.parse(MELODY, format="abc")
    good = check_prosody("Happy morning", score)  # HAP-py MOR-ning: stresses on beats 1 and 3
    bad = check_prosody("Today again", score)  # to-DAY a-GAIN: stresses on beats 2 and 4
    assert good.misplaced == [] and good.stressed_on_strong == 1.0
    assert [m.word for m in bad.misplaced] == ["today", "again"]


def test_prosody_with_an_attached_melody(tmp_path: Path) -> None:
    path = tmp_path / "tune.abc"
    path.write_text(MELODY)
    question = "Does my prosody work:\nToday again\nI walk"
    evidence = TOOL.run(ToolRequest(question=question, attachment=path, attachment_format="abc"),
                        Settings())  # fmt: skip
    assert any("Prosody" in e.summary and "today" in e.summary for e in evidence)


def test_a_quoted_line_gets_its_syllables_counted_word_by_word() -> None:
    from etude_songwriting.tool import songwriting

    from etude.config import Settings
    from etude.tools.base import ToolRequest

    request = ToolRequest(question="count the syllables in 'Twinkle, twinkle, little star'")
    [fact] = songwriting(request, Settings())
    assert fact.data["syllables"] == 7
    assert "twinkle 2" in fact.summary and "/u/u/u/" in fact.summary


def test_a_question_about_songwriting_gets_no_usage_hint(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The how-to ("paste them after a line ending with ':'") is for a request the coach
    cannot read; a question about songwriting goes to the knowledge base (issue #20), whose
    search is replaced here by a recorder (the real one is exercised by the teaching bench)."""
    from etude_songwriting.tool import songwriting

    import etude.knowledge.retrieval as retrieval
    from etude.config import Settings
    from etude.tools.base import ToolRequest

    asked: list[str] = []
    monkeypatch.setattr(
        retrieval, "retrieve", lambda question, settings: asked.append(question) or []
    )
    for question in ("what does prosody mean in songwriting?", "is a slant rhyme ok in a chorus?"):
        assert songwriting(ToolRequest(question=question), Settings()) == []
    assert asked == ["what does prosody mean in songwriting?", "is a slant rhyme ok in a chorus?"]
    [hint] = songwriting(ToolRequest(question="can you check my lyrics?"), Settings())
    assert "paste them" in hint.summary
