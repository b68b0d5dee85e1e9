"""Questions about a tune pasted in the message, answered from music21's reading of it."""

from __future__ import annotations

import pytest
from music21 import converter, interval

from etude.critic.questions import solve_tune
from etude.theory.plan import Chord, Count, Degree, Interval, Key, Meter, Note, Numeral, show

# A minor, 3/4: bar 1 outlines E major (the dominant, with the raised 7th), the tune ends on A.
TUNE = "X:1\nT:Test\nM:3/4\nL:1/8\nK:Am\nE2 ^G2 B2 | c2 B A ^G2 | A6 |]"


def _parsed_notes() -> list:
    return list(converter.parse(TUNE, format="abc").recurse().notes)


def ask(question: str):
    solution = solve_tune(f"{question}\n{TUNE}")
    assert solution is not None, question
    return solution


def test_what_the_header_states() -> None:
    assert ask("What key is this tune in?").value == Key("A", "minor")
    assert ask("Which time signature does it use?").value == Meter("3/4")
    assert ask("How many bars does the tune have?").value == Count(3, "bars")


def test_length_in_a_note_value() -> None:
    solution = ask("Counting in eighth notes, how long is the tune?")
    assert solution.value == Count(18, "eighth notes")
    assert solution.steps[0] == "In 3/4 a full bar holds 6 eighth notes."
    assert ask("How many quarter notes long is the tune?").value == Count(9, "quarter notes")


def test_interval_between_two_of_its_notes() -> None:
    notes = _parsed_notes()
    first = interval.Interval(notes[0].pitch, notes[1].pitch)
    assert ask("What is the interval between the first two notes?").value == Interval(first.name)
    assert ask("How many semitones apart are the first two notes?").value == Count(4, "semitones")
    low = min(notes, key=lambda n: n.pitch.ps)
    high = max(notes, key=lambda n: n.pitch.ps)
    span = interval.Interval(low.pitch, high.pitch)
    assert ask("What interval does the tune span, lowest to highest?").value == Interval(span.name)


def test_scale_degree_of_the_last_note() -> None:
    value = ask("Which scale degree is the last note?").value
    assert isinstance(value, Degree) and (value.number, value.name) == (1, "tonic")
    assert ask("What scale degree does the tune start on?").value.name == "dominant"


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("Which chord is outlined in bar 1?", "E major (E – G# – B)"),
        ("What chord do the notes of the first bar outline?", "E major (E – G# – B)"),
        (
            "If bar 1 were transposed down a perfect fifth, which chord would it outline?",
            "A major (A – C# – E)",
        ),
    ],
)
def test_the_chord_a_bar_outlines(question: str, shown: str) -> None:
    solution = ask(question)
    assert isinstance(solution.value, Chord) and show(solution.value) == shown
    assert solution.steps[0].startswith("Bar 1 holds E4, G#4, B4")


def test_quality_and_numeral_of_a_bar() -> None:
    assert ask("What is the quality of the chord outlined in bar 1?").value.quality.endswith(
        "major triad"
    )
    numeral = ask("In the tune's key, what roman numeral does bar 1 outline?").value
    assert isinstance(numeral, Numeral) and numeral.figure == "V"


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("What is the relative major of the tune's key?", Key("C", "major")),
        ("What is the dominant of the relative major of the key this tune is in?", Note("G")),
        ("Which note is the leading tone of this tune's key?", Note("G#")),
        ("How many flats would the key signature have in the parallel major?", None),
    ],
)
def test_theory_questions_about_the_tunes_key(question: str, value: object) -> None:
    solution = ask(question)
    assert solution.steps[0].startswith("The tune is in A minor: its K: field reads Am")
    if value is None:
        assert show(solution.value) == "3 sharps (F#, C#, G#)"
    elif isinstance(value, Note):
        assert getattr(solution.value, "note", getattr(solution.value, "name", None)) == value.name
    else:
        assert solution.value == value


def test_no_tune_or_an_unanswerable_question() -> None:
    assert solve_tune("What is the relative minor of C?") is None
    assert solve_tune(f"Who wrote this tune?\n{TUNE}") is None
    assert solve_tune("Look: X:1 is not a tune\nK: nothing") is None
