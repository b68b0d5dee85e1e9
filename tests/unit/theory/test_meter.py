"""Time signatures: our reading agrees with music21's for every regular meter, the question
reaches it, and the clapping example is two full bars of the meter."""

from __future__ import annotations

import pytest
from music21 import converter, meter

from etude.theory.calculator import compute_facts
from etude.theory.hearing import example_for
from etude.theory.meter import describe_meter

REGULAR = ["2/4", "3/4", "4/4", "2/2", "3/2", "6/8", "9/8", "12/8", "6/4", "12/16"]


@pytest.mark.parametrize("text", REGULAR)
def test_beats_and_kind_agree_with_music21(text: str) -> None:
    fact = describe_meter(text)
    signature = meter.TimeSignature(text)
    assert fact.data["beats"] == signature.beatCount
    assert (fact.data["classification"] == "compound") == (signature.beatDivisionCount == 3)
    example = example_for(fact)
    assert example is not None
    parsed = converter.parse(example.abc, format="abc")
    assert parsed.highestTime == 2 * signature.barDuration.quarterLength


def test_questions_about_a_time_signature_are_computed() -> None:
    [fact] = compute_facts("is 12/8 simple or compound?")
    assert fact.statement.startswith("12/8 is compound quadruple time: 4 beats in a bar")
    [fact] = compute_facts("how many beats are in a bar of 3/8?")
    assert "3/8 is simple triple time" in fact.statement
    assert describe_meter("7/8").data["classification"] == "irregular"
    assert all(f.kind != "meter" for f in compute_facts("play 3/4 of the scale"))


def test_three_eight_is_simple_triple_as_textbooks_teach() -> None:
    """music21 counts 3/8 in one (a compound beat); theory textbooks, and our claim checker,
    call it simple triple: three eighth-note beats."""
    fact = describe_meter("3/8")
    assert (fact.data["classification"], fact.data["beats"]) == ("simple", 3)
    assert meter.TimeSignature("3/8").beatCount == 1
    example = example_for(fact)
    assert (
        example is not None
        and example.abc.splitlines()[-1] == "!>!cc !>!cc !>!cc | !>!cc !>!cc !>!cc |]"
    )
