"""Chords for a mood: the knowledge base's progressions, spelled by the engine in the key asked."""

from __future__ import annotations

import pytest

from etude.knowledge.moods import chords_for_a_mood, mood_sections, with_chords_for_a_mood
from etude.theory.progressions import progression
from etude.theory.spelling import to_music21


def test_every_mood_section_has_progressions_for_both_modes() -> None:
    sections = mood_sections()
    assert {"sad", "dark", "hopeful", "bright"} <= {mood for s in sections for mood in s.moods}
    for section in sections:
        modes = {p.mode for p in section.progressions}
        assert modes == {"major", "minor"}, section.citation.label()
        assert section.opening and all(p.reason for p in section.progressions)


@pytest.mark.parametrize("tonic", ["C", "G", "F#", "Bb", "Eb", "C#", "Ab"])
def test_every_progression_spells_in_every_key(tonic: str) -> None:
    for section in mood_sections():
        for chosen in section.progressions:
            assert chosen.mode is not None
            fact = progression(list(chosen.figures), to_music21(tonic), chosen.mode)  # type: ignore[arg-type]
            assert len(fact.data["chords"]) == len(chosen.figures)


@pytest.mark.parametrize(
    ("message", "key", "first"),
    [
        ("help me pick chords for a sad verse in E minor", "E minor", "Em (E G B) – C (C E G)"),
        ("which chords should I use for a dark bridge in D minor?", "D minor", "Dm (D F A)"),
        ("what chords work for a hopeful chorus in D major?", "D major", "D (D F# A) – G"),
        ("can you help me choose chords for a melancholy intro in C major", "C major", "Am (A"),
        ("I need help finding chords for a bright chorus in Bb major", "Bb major", "Bb (Bb D F)"),
        ("suggest a progression for an uplifting chorus in A minor", "A minor", "C (C E G)"),
        (
            "chords for a suspenseful bridge in C major?",
            "C major",
            "C (C E G) – F#dim7 (F# A C Eb)",
        ),
        (
            "which chords could I use for an anxious passage in G minor?",
            "G minor",
            "Gm (G Bb D) – F#dim7",
        ),
    ],
)
def test_the_progressions_are_spelled_in_the_key_asked(message: str, key: str, first: str) -> None:
    advice = chords_for_a_mood(message)
    assert advice is not None and advice.authoritative and advice.citation is not None
    lines = advice.summary.splitlines()
    assert lines[0].endswith(f"in {key}, try one of these progressions:")
    assert lines[1].split(": ", 1)[1].startswith(first)
    assert lines[-1] == f"— from “{advice.citation.label()}”"
    assert advice.data["next_step"].startswith("Next: play ")
    assert advice.data["steps"][0].startswith(f"Number the scale of {key}")


def test_each_shown_chord_is_the_engines() -> None:
    advice = chords_for_a_mood("help me pick chords for a sad verse in E minor")
    assert advice is not None
    for shown in advice.data["progressions"]:
        again = progression(shown["data"]["figures"], "E", "minor")
        assert again.data["chords"] == shown["data"]["chords"]


def test_without_a_key_the_example_key_is_said() -> None:
    advice = chords_for_a_mood("I need help finding chords for a sad song")
    assert advice is not None
    assert "(spelled in A minor as an example; they work in any key)" in advice.summary


@pytest.mark.parametrize(
    "message",
    [
        "why do minor chords sound sad?",
        "is a minor chord sad?",
        "write a sad melody in E minor",
        "which chords are in E minor?",
        "help me pick a title for my sad song",
    ],
)
def test_no_advice_where_none_is_asked(message: str) -> None:
    assert chords_for_a_mood(message) is None


def test_the_advice_replaces_the_list_of_the_keys_chords() -> None:
    from etude.evidence import Evidence

    listed = Evidence(tool="theory", kind="fact", summary="…", data={"kind": "diatonic_chords"})
    message = "help me pick chords for a sad verse in E minor"
    merged = with_chords_for_a_mood(message, [listed])
    assert [item.data.get("type") for item in merged] == ["mood_progressions"]
    assert with_chords_for_a_mood("which chords are in E minor?", [listed]) == [listed]
