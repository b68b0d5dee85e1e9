"""Advice with computable candidates, and the chromatic chords named in words: the chord a
question names only as context is never answered as if it were the question."""

from __future__ import annotations

import pytest

from etude.theory.calculator import compute_facts


@pytest.mark.parametrize(
    ("question", "replaced", "expected"),
    [
        ("my verse goes G - Em - C - D; what can I use in place of the C?", "C", "Am"),
        ("in D major, is there something better than the A chord before the last D?", "A", "A7"),
        ("what's an alternative to Bb in F major", "Bb", "Gm"),
    ],
)
def test_a_chord_named_for_replacement_gets_candidates_of_its_function(
    question: str, replaced: str, expected: str
) -> None:
    [fact] = compute_facts(question)
    assert fact.kind == "substitution"
    assert fact.data["replaces"] == replaced
    assert expected in fact.data["options"]
    assert replaced not in fact.data["options"]


def test_chords_under_a_melody_note_all_contain_it() -> None:
    [fact] = compute_facts("which chords could harmonise a long B in G major?")
    assert fact.kind == "substitution"
    assert fact.data["options"][:3] == ["G", "Bm", "Em"]
    assert all(" B" in line or "B –" in line for line in fact.steps[1:])


def test_an_interval_below_a_note_is_not_a_harmony_question() -> None:
    [fact] = compute_facts("which note is a major third under G?")
    assert fact.kind == "interval"


@pytest.mark.parametrize(
    ("question", "notes"),
    [
        ("spell the Italian augmented sixth in F minor", ["Db", "F", "B"]),
        ("what does a french 6th look like in B minor", ["G", "B", "C#", "E#"]),
        ("German +6 of D minor?", ["Bb", "D", "F", "G#"]),
        ("which notes make the neapolitan chord of G minor", ["C", "Eb", "Ab"]),
    ],
)
def test_named_chromatic_chords_are_spelled_not_the_key_triad(
    question: str, notes: list[str]
) -> None:
    [fact] = compute_facts(question)
    assert fact.notes == notes
    assert fact.steps, "a named chord says how it is built and where it goes"


def test_a_misspelt_chord_quality_is_still_read() -> None:
    [fact] = compute_facts("what are the notes of a half-dimished seventh chord on E?")
    assert fact.notes[-4:] == ["E", "G", "Bb", "D"] or "E – G – Bb – D" in fact.statement


@pytest.mark.parametrize(
    ("question", "changed"),
    [
        (
            "how does B locrian differ from B minor?",
            "C instead of C#, a lowered second; F instead of F#",
        ),
        ("F mixolydian vs F major", "Eb instead of E, a lowered seventh"),
    ],
)
def test_two_scales_are_compared_note_by_note(question: str, changed: str) -> None:
    [fact] = compute_facts(question)
    assert changed in fact.statement


@pytest.mark.parametrize(
    ("question", "statement"),
    [
        ("how does a plagal cadence go in F major?", "Plagal cadence (IV–I) in F major: Bb"),
        ("write out an interrupted cadence in E minor", "(V–VI) in E minor: B (B D# F#) – C"),
        ("is this (V-I) in A major?", "V–I in A major: E (E G# B) – A (A C# E)"),
    ],
)
def test_a_named_cadence_in_a_key_is_spelled(question: str, statement: str) -> None:
    [fact] = compute_facts(question)
    assert statement in fact.statement


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        (
            "what can I use instead of the G chord in A minor?",
            "G is VII in A minor, a chord of dominant function",
        ),
        ("alternative to Bdim in C major", "Bdim is vii° in C major, a chord of dominant function"),
        ("what could replace Em in C major?", "Em is iii in C major, a chord of tonic function"),
        ("something in place of F in A minor?", "F is VI in A minor, a chord of tonic function"),
        ("what can replace the E chord in A minor?", "E is V in A minor, the dominant chord"),
        ("what can I play instead of C in C major", "C is I in C major, the tonic chord"),
        ("instead of Dm in C major", "Dm is ii in C major, a pre-dominant chord"),
    ],
)
def test_a_function_is_never_worded_as_another_chord(question: str, phrase: str) -> None:
    """ "G is VII in A minor, a dominant chord" read as "G is the V chord": only I and V are
    the tonic and dominant chords, the others have their function."""
    [fact] = compute_facts(question)
    assert fact.steps[0].startswith(phrase + ";")
