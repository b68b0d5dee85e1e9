"""Worked steps and examples to hear, checked against music21 rather than against our own
strings: the steps must count what music21 counts, the examples must sound what they say."""

from __future__ import annotations

import re

import pytest
from music21 import converter, interval, pitch

from etude.theory.calculator import compute_facts, fact_behind
from etude.theory.hearing import example_for
from etude.theory.worked import with_worked_steps

QUESTIONS = [
    "spell Cm7",
    "what notes make a C augmented triad",
    "what chord is F# A C# E",
    "interval from C to Ab",
    "what is a major third above E",
    "a minor third below E",
    "notes of D harmonic minor",
    "F lydian",
    "transpose C E G down a minor third",
    "V7 in A minor",
    "what function does A minor have in C major",
    "which keys have 3 flats",
    "key signature of A major",
    "relative minor of F major",
    "parallel minor of C major",
    "ii-V-I in F",
    "how many semitones in a perfect fifth",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_fact_type_gets_steps_a_short_form_and_an_example(question: str) -> None:
    [fact, *_] = compute_facts(question)
    assert len(fact.steps) >= 2, fact
    assert fact.data.get("short"), fact.data
    example = example_for(fact)
    assert example is not None
    assert example.abc.startswith("X:1") and "<score-partwise" in example.musicxml
    parsed = converter.parse(example.abc, format="abc")
    heard = [sorted(p.nameWithOctave for p in n.pitches) for n in parsed.recurse().notes]
    assert heard == [sorted(event) for event in example.events]


@pytest.mark.parametrize(
    ("low", "high"), [("C", "Ab"), ("E", "G#"), ("F#", "Eb"), ("Bb", "D"), ("D", "C#")]
)
def test_interval_steps_count_what_music21_counts(low: str, high: str) -> None:
    [fact] = compute_facts(f"what is the interval from {low} to {high}")
    size = interval.Interval(
        pitch.Pitch(low.replace("b", "-") + "4"), pitch.Pitch(high.replace("b", "-") + "5")
    )
    letters, semitones, quality = fact.steps
    assert f"— {size.generic.simpleUndirected} letters" in letters
    assert semitones.endswith(f"— {size.semitones % 12}.")
    assert size.semitones % 12 == fact.data["semitones"]
    assert size.simpleNiceName.lower() in quality


def test_chord_steps_spell_each_tone_by_letter_and_size() -> None:
    [fact] = compute_facts("spell F#m7b5")
    root = fact.data["root"]
    for tone, code, step in zip(
        fact.notes[1:], fact.data["intervals"][1:], fact.steps[2:], strict=True
    ):
        size = interval.Interval(code)
        assert step.startswith(f"{tone} is the ")
        assert f"{size.generic.undirected} letter names" in step
        assert f"{int(size.semitones)} semitones" in step
        above = interval.Interval(
            pitch.Pitch(root.replace("b", "-")), pitch.Pitch(tone.replace("b", "-"))
        )
        assert above.semitones % 12 == size.semitones % 12


def test_dominant_seventh_example_resolves_as_taught() -> None:
    for question in ("V7 in C major", "V7 in Eb minor", "V7 in F# major", "V7 in A minor"):
        [fact] = compute_facts(question)
        example = example_for(fact)
        assert example is not None
        dominant, tonic = ([pitch.Pitch(n) for n in event] for event in example.events)
        moves = {a.name: b.ps - a.ps for a, b in zip(dominant, tonic, strict=True)}
        leading, seventh = fact.notes[1].replace("b", "-"), fact.notes[3].replace("b", "-")
        assert moves[leading] == 1 and moves[seventh] in (-1, -2)
        assert re.search(r"rises to .*falls to", example.text)


def test_a_verdict_is_worked_out_from_the_fact_behind_its_truth_only() -> None:
    assert fact_behind("The notes of B diminished are B – D – F.").notes == ["B", "D", "F"]
    assert fact_behind("A perfect fifth above B is F#.") is None  # misread as "above A"
    assert (
        fact_behind("Harmonic minor raises only the seventh degree (A – B – C – D – E – F – G#).")
        is None
    )


@pytest.mark.parametrize(
    ("truth", "notes"),
    [
        ("The dominant triad of C major is a major triad.", ["G", "B", "D"]),
        ("The submediant of Eb major is a minor triad.", ["C", "Eb", "G"]),
        ("The leading tone triad of A minor is a diminished triad.", ["G#", "B", "D"]),
    ],
)
def test_a_verdict_on_a_degree_chord_is_worked_out_and_heard(truth: str, notes: list[str]) -> None:
    fact = fact_behind(truth)
    assert fact is not None and len(fact.steps) >= 2
    example = example_for(fact)
    assert example is not None
    assert [pitch.Pitch(n.replace("b", "-")).name for n in notes] == [
        pitch.Pitch(n).name for (n,) in example.events[:3]
    ]


def test_a_verdict_on_a_degree_chord_of_another_quality_finds_no_fact() -> None:
    assert fact_behind("The dominant triad of C major is a minor triad.") is None


def test_a_fact_with_its_own_steps_keeps_them() -> None:
    [fact] = compute_facts("the french sixth in E minor")
    assert with_worked_steps(fact).steps == fact.steps
    assert any("leads to V" in step for step in fact.steps)


def test_a_request_to_write_gets_music_not_an_incidental_fact() -> None:
    """ "a bass line for C Am Dm G" once got the interval C–G; "a progression in A minor for
    a pop song" the list of diatonic triads."""
    [pop] = compute_facts("help me write a verse progression in A minor for a pop song")
    assert pop.kind == "progression" and pop.data["figures"] == ["i", "VI", "III", "VII"]
    [bass] = compute_facts("Write a simple bass line for C Am Dm G, one note per beat, 4/4")
    bars = bass.data["bass"]
    chords = [c["notes"] for c in bass.data["chords"]]
    assert [bar[0] for bar in bars] == ["C", "A", "D", "G"]
    for bar, tones, following in zip(bars, chords, [*bars[1:], None], strict=True):
        assert len(bar) == 4 and bar[2] in tones  # the root, then the fifth on beat 3
        if following is not None:  # beat 4 walks into the next root by step
            step = (pitch.Pitch(bar[3]).pitchClass - pitch.Pitch(following[0]).pitchClass) % 12
            assert step in (1, 2, 10, 11)


def test_a_modulation_goes_through_a_chord_both_keys_own() -> None:
    from music21 import key, roman

    [fact] = compute_facts("Give me a chord progression that modulates from C major to G major")
    pivot = fact.data["pivot"]
    for tonic, figure in (("C", pivot["in_source"]), ("G", pivot["in_target"])):
        chord = roman.RomanNumeral(figure, key.Key(tonic))
        assert {p.name for p in chord.pitches} <= {p.name for p in key.Key(tonic).pitches}
    last = fact.data["chords"][-3:]
    assert [c["symbol"] for c in last] == ["D7", "G", "G"] and len(fact.data["chords"]) == 8


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("V of V in Bb major", "V of V in Bb major is C major"),
        ("what is the V of the V of C major?", "V of V in C major is D major"),
    ],
)
def test_a_numeral_of_a_numeral_is_named_of_not_in(question: str, said: str) -> None:
    """Music theory names a secondary dominant "V of V" (V/V); "V in V in Bb major" is no
    name a learner will meet anywhere."""
    statement = compute_facts(question)[0].statement
    assert statement.startswith(said) and " in V in " not in statement


@pytest.mark.parametrize(
    ("question", "first", "second"),
    [
        ("What is V/V in Bb major?", "F is degree 5, so V in Bb major is built on F", "C is "),
        ("spell V/ii in F major", "G is degree 2, so ii in F major", "count up the G minor"),
        ("what is V7/V in A minor", "E is degree 5", "count up the E major scale"),
    ],
)
def test_a_secondary_numeral_is_counted_in_the_key_it_points_to(
    question: str, first: str, second: str
) -> None:
    """ "V/V in Bb major" was worked as "Count up the Bb major scale …; C is degree 5": C is
    degree 2 of Bb major. Its root is degree 5 of F major, the key V/V points to."""
    steps = compute_facts(question)[0].steps
    assert first in steps[0] and second in steps[1]
    assert "harmonic minor" not in " ".join(steps)  # a secondary's alterations are not that
