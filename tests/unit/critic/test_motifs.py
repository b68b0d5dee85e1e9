from __future__ import annotations

from music21 import converter

from etude.critic.motifs import Repetition, find_repetitions


def test_transposed_sequence_is_found() -> None:
    melody = converter.parse("tinyNotation: 4/4 c4 d e c  f g a f  r1  c4 d e c  f g a f")
    found = find_repetitions(melody)
    assert found[0] == Repetition((1, 2), (4, 5), 0)
    assert "bars 4-5 repeat bars 1-2 at the same pitch" in found[0].describe()


def test_sequence_a_fourth_higher() -> None:
    melody = converter.parse("tinyNotation: 4/4 c4 d e c  f g a f")
    assert find_repetitions(melody)[0].describe() == "bar 2 repeats bar 1 a fourth higher"


def test_different_rhythm_is_not_a_repetition() -> None:
    melody = converter.parse("tinyNotation: 4/4 c4 d e c  c8 d e4 c2")
    assert find_repetitions(melody) == []
