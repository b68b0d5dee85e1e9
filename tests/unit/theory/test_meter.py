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


IRREGULAR = {"5/4": [3, 2], "5/8": [3, 2], "7/8": [2, 2, 3], "7/4": [2, 2, 3], "11/8": [3, 3, 3, 2]}


@pytest.mark.parametrize(("text", "groups"), IRREGULAR.items())
def test_an_irregular_meter_is_clapped_in_its_groups(text: str, groups: list[int]) -> None:
    """5/4, 7/8 …: two bars of the meter's pulses, each group's first pulse accented, and the
    count names the same groups and accents."""
    fact = describe_meter(text)
    assert fact.data["groups"] == groups
    example = example_for(fact)
    assert example is not None and example.rhythm
    signature = meter.TimeSignature(text)
    parsed = converter.parse(example.abc, format="abc")
    assert parsed.highestTime == 2 * signature.barDuration.quarterLength
    pulse = 4 / signature.denominator
    assert all(n.quarterLength == pulse for n in parsed.flatten().notes)
    assert len(parsed.flatten().notes) == 2 * sum(groups)
    # music21's ABC reader drops decorations: the accents are read from the MusicXML
    engraved = converter.parseData(example.musicxml, format="musicxml").flatten().notes
    accented = [n.offset for n in engraved if n.articulations]
    starts = [pulse * sum(groups[:i]) for i in range(len(groups))]
    bar = signature.barDuration.quarterLength
    assert accented == starts + [bar + start for start in starts]
    plus = "+".join(str(n) for n in groups)
    assert f"groups of {plus}" in example.text
    assert example.abc.splitlines()[-1].split(" | ")[0].count("!>!") == len(groups)


def test_meter_questions_are_read_beyond_the_signature_s_numbers() -> None:
    """How a meter sounds or feels, two meters compared, how to write in one: each a question
    about the meter; an order to write in a meter, a share or a note value is not."""
    from etude.theory.questions import parse

    def signatures(question: str) -> list[str]:
        return [getattr(query, "signature", "") for query in parse(question)]

    assert signatures("what's the difference between 2/4 and 6/8 when you listen?") == [
        "2/4",
        "6/8",
    ]
    assert signatures("how does 9/8 feel?") == ["9/8"]
    assert signatures("can you hear whether a song is in 12/8?") == ["12/8"]
    assert signatures("how should I compose in 7/8?") == ["7/8"]
    assert signatures("2/2 or 4/4 for a march?") == ["2/2", "4/4"]
    assert parse("compose a tune in 6/8 that sounds like a jig") == []
    assert parse("give me a rhythm exercise in 3/4") == []
    assert parse("do 1/8 notes sound faster than 1/4 notes?") == []
    assert parse("play 3/4 of the scale and listen") == []
