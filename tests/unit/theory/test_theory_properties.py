"""Property tests: round trips that must hold for every spelling, not just the examples."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from music21 import interval, pitch

from etude.theory import chords, intervals, transpose
from etude.theory.spelling import human, to_music21

NOTES = st.sampled_from(
    [letter + accidental for letter in "CDEFGAB" for accidental in ("", "#", "-")]
)
SIMPLE_INTERVALS = st.sampled_from(
    ["m2", "M2", "m3", "M3", "P4", "A4", "d5", "P5", "m6", "M6", "m7", "M7"]
)


@settings(max_examples=200, deadline=None)
@given(NOTES, SIMPLE_INTERVALS)
def test_note_at_then_interval_between_round_trip(start: str, name: str) -> None:
    target = intervals.note_at(start, name).data["result"]
    assert intervals.interval_between(start, to_music21(target)).data["name"] == name


@settings(max_examples=100, deadline=None)
@given(SIMPLE_INTERVALS)
def test_inverting_twice_is_identity(name: str) -> None:
    once = intervals.inversion(name).data["inversion"]
    assert intervals.inversion(once).data["inversion"] == name
    assert interval.Interval(name).semitones + interval.Interval(once).semitones == 12


@settings(max_examples=200, deadline=None)
@given(st.lists(NOTES, min_size=1, max_size=5), SIMPLE_INTERVALS)
def test_transposing_up_then_down_restores_spelling(notes: list[str], name: str) -> None:
    up = [to_music21(n) for n in transpose.transpose_notes(notes, name, "above").notes]
    back = transpose.transpose_notes(up, name, "below").notes
    assert back == [human(n) for n in notes]


@settings(max_examples=200, deadline=None)
@given(
    NOTES,
    st.sampled_from(["", "m", "dim", "aug", "7", "maj7", "m7", "m7b5", "dim7", "6", "9", "sus4"]),
)
def test_identifying_a_spelled_chord_gives_it_back(root: str, suffix: str) -> None:
    spec = chords.parse_symbol(human(root) + suffix)
    assert spec is not None
    found = chords.find_chord(spec.tones())
    assert found is not None
    assert found.tones() == spec.tones()


@settings(max_examples=200, deadline=None)
@given(NOTES, st.sampled_from(["", "m", "7", "maj7", "m7", "m7b5", "dim7", "9", "13", "7b9"]))
def test_chord_tones_are_stacked_one_letter_apart(root: str, suffix: str) -> None:
    """Each chord tone sits on the letter its interval number says (no D# for an Eb)."""
    spec = chords.parse_symbol(human(root) + suffix)
    assert spec is not None
    root_step = pitch.Pitch(root).diatonicNoteNum
    for name, tone in zip(spec.intervals, spec.tones(), strict=True):
        number = interval.Interval(name).generic.undirected
        assert (pitch.Pitch(tone).diatonicNoteNum - root_step) % 7 == (number - 1) % 7
