from etude_metronome import TOOL, metronome, practice_plan

from etude.config import Settings
from etude.tools.base import ToolRequest


def test_practice_plan_reaches_the_goal() -> None:
    assert practice_plan(60, 96, steps=4) == [60, 72, 84, 96]


def test_marking_and_beat_facts() -> None:
    facts = metronome(ToolRequest(question="How fast is Andante, around 90 bpm?"), Settings())
    summaries = [f.summary for f in facts]
    assert summaries[0].startswith("Andante is usually played at about 73-108 bpm")
    assert "one beat lasts 667 ms" in summaries[1]
    assert all(f.authoritative for f in facts)


def test_spec_is_a_valid_tool() -> None:
    assert TOOL.name == "metronome" and len(TOOL.examples) >= 3
