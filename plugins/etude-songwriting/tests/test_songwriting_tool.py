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
