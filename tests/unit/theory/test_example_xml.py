"""The examples' MusicXML, written directly, reads back in music21 as the example: the same
pitches, durations and bars (property test), and every example the tutor gives uses it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from music21 import converter

from etude.theory.calculator import compute_facts
from etude.theory.example_xml import example_musicxml
from etude.theory.hearing import example_for

NAMES = [
    f"{step}{sign}{octave}"
    for step in "CDEFGAB"
    for sign in ("", "#", "-", "##", "--")
    for octave in (2, 3, 4, 5)
]

group = st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True)
bar = st.sampled_from([[1, 1, 1, 1], [1, 1, 2], [2, 2], [1, 3], [4], [2, 1, 1], [3, 1]])


@st.composite
def examples(draw: st.DrawFn) -> tuple[list[list[str]], list[int]]:
    lengths = [length for bars in draw(st.lists(bar, min_size=1, max_size=4)) for length in bars]
    return [draw(group) for _ in lengths], lengths


def _read(xml: str) -> tuple[list[list[str]], list[float], list[int]]:
    score = converter.parse(xml, format="musicxml")
    notes = list(score.recurse().notes)
    return (
        [sorted(p.nameWithOctave for p in n.pitches) for n in notes],
        [float(n.quarterLength) for n in notes],
        [n.measureNumber for n in notes],
    )


@settings(max_examples=60, deadline=None)
@given(examples())
def test_music21_reads_back_the_example(example: tuple[list[list[str]], list[int]]) -> None:
    events, lengths = example
    xml = example_musicxml(events, lengths, "t")
    assert xml is not None
    pitches, durations, bars = _read(xml)
    assert pitches == [sorted(g) for g in events]
    assert durations == [float(n) for n in lengths]
    starts = [sum(lengths[:i]) for i in range(len(lengths))]
    assert bars == [start // 4 + 1 for start in starts]


def test_an_accidental_is_written_where_the_bar_needs_it() -> None:
    xml = example_musicxml([["C#4"], ["C#4"], ["C4"], ["C4"]], [1, 1, 1, 1])
    assert xml is not None
    assert xml.count("<accidental>sharp</accidental>") == 1
    assert xml.count("<accidental>natural</accidental>") == 1


def test_shapes_it_does_not_cover_are_left_to_music21() -> None:
    assert example_musicxml([["C4"], ["D4"]], [3, 3]) is None  # across the barline
    assert example_musicxml([["C4"]], [1]) is None  # an unfinished bar
    assert example_musicxml([["H4"]], [4]) is None  # not a pitch name


def test_the_tutors_examples_are_written_directly_and_deterministically() -> None:
    for question in ("C# minor seventh chord", "V7 in A minor", "E flat major scale"):
        facts = compute_facts(question)
        example = example_for(facts[0])
        assert example is not None
        assert "Music21" not in example.musicxml  # not music21's exporter
        again = example_musicxml(example.events, _lengths(example.musicxml))
        assert (
            again is not None
            and again.split("<part-list>")[1] == (example.musicxml.split("<part-list>")[1])
        )


def _lengths(xml: str) -> list[int]:
    score = converter.parse(xml, format="musicxml")
    return [int(n.quarterLength) for n in score.recurse().notes]
