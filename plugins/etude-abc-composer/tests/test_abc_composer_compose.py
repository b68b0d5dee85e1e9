import random

import pytest
from etude_abc_composer.abc_text import parse_abc, score_to_abc
from etude_abc_composer.compose import compose
from etude_abc_composer.constraints import parse_constraints
from etude_abc_composer.generator import bar_rhythm, beat_groups
from etude_abc_composer.verify import check_melody
from music21 import stream


@pytest.mark.parametrize("meter", ["2/4", "3/4", "4/4", "5/4", "6/8", "7/8", "9/8", "12/8"])
def test_bar_rhythms_fill_the_bar(meter: str) -> None:
    rng = random.Random(0)
    for _ in range(20):
        assert sum(bar_rhythm(meter, 0.25, 2.0, rng)) == sum(beat_groups(meter))


def test_melody_meets_every_stated_constraint() -> None:
    c = parse_constraints("write an 8-bar melody in D dorian in 6/8 for flute between D4 and D6")
    result = compose(c, seed=3)
    assert result.violations == []
    parsed = parse_abc(result.abc)
    assert check_melody(parsed, c) == []
    assert "K:D dor" in result.abc and "M:6/8" in result.abc


def test_verifier_catches_a_broken_constraint() -> None:
    c = parse_constraints("write a 4-bar melody in G major in 3/4")
    result = compose(c, seed=1)
    wrong = c.model_copy(update={"meter": "4/4", "tonic": "A"})
    problems = check_melody(parse_abc(result.abc), wrong)
    assert any(p.startswith("meter") for p in problems)
    assert any(p.startswith("key") for p in problems)


def test_impossible_range_is_reported_not_faked() -> None:
    c = parse_constraints("write a 4-bar melody in C major between C4 and D4")
    with pytest.raises(ValueError, match="fewer than three notes"):
        compose(c, seed=1)


def test_harmonisation_of_a_given_melody_keeps_it() -> None:
    tune = parse_abc("X:1\nM:4/4\nL:1/4\nK:G\nG A B G | c B A2 | B c d B | A F G2 |]\n")
    c = parse_constraints("harmonise this in G major")
    result = compose(c, seed=0, melody=tune)
    assert result.violations == []
    parsed = parse_abc(result.abc)
    assert len(parsed.parts) == 2
    assert [n.nameWithOctave for n in parsed.parts[0].recurse().notes][:4] == [
        "G4",
        "A4",
        "B4",
        "G4",
    ]


def test_abc_round_trip_keeps_accidentals() -> None:
    source = parse_abc("X:1\nM:4/4\nL:1/8\nK:G\n^F2 F2 =F2 ^F2 | G8 |]\n")
    again = parse_abc(score_to_abc(source))
    names = [n.nameWithOctave for n in again.recurse().notes]
    assert names == [n.nameWithOctave for n in source.recurse().notes]
    assert isinstance(again, stream.Score)
