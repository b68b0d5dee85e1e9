"""Which key a learner's chords are in: the key named first, then how to find it, the honest
alternative, and a chord outside the key explained only as far as it is computed.

The chord lists and phrasings here are not the ones of the report that found the gap
("G D Em C", "A E F#m D"): those are left for held-out checks."""

from __future__ import annotations

import pytest

from etude.theory.calculator import compute_facts
from etude.theory.hearing import example_for
from etude.theory.key_finding import candidate_keys, find_key, which_key
from etude.theory.keys import key_label
from etude.theory.practice import next_step
from etude.theory.progressions import progression
from etude.theory.questions import (
    ChordQuery,
    DiatonicQuery,
    KeyFromSignatureQuery,
    KeyOfChordsQuery,
    parse,
)


@pytest.mark.parametrize(
    ("chords", "key", "figures"),
    [
        ("Bb F Gm Eb", "Bb major", ["I", "V", "vi", "IV"]),
        ("Am Dm E7 Am", "A minor", ["i", "iv", "V7", "i"]),
        ("C Am F G", "C major", ["I", "vi", "IV", "V"]),
        ("D A Bm G", "D major", ["I", "V", "vi", "IV"]),
        ("Em C G D", "E minor", ["i", "VI", "III", "VII"]),
        ("C G/B Am7 Fmaj7 G7 C", "C major", ["I", "V6", "vi7", "IVmaj7", "V7", "I"]),
        ("Gb Db Ebm Cb", "Gb major", ["I", "V", "vi", "IV"]),
        ("F# C# D#m B", "F# major", ["I", "V", "vi", "IV"]),
    ],
)
def test_the_key_holding_the_chords_is_named_with_each_numeral(
    chords: str, key: str, figures: list[str]
) -> None:
    fact = which_key(chords.split())
    assert fact.data["key"] == key
    assert fact.data["figures"] == figures
    assert fact.statement.startswith(key) or fact.statement.startswith(f"Most likely {key}")


@pytest.mark.parametrize(("tonic", "mode"), candidate_keys())
def test_every_key_is_found_from_its_own_cadence(tonic: str, mode: str) -> None:
    """I–IV–V7–I (i–iv–V7–i in minor), realised in each key by the progression engine, is
    found to be in that key, spelled as written (Cb major, not B major)."""
    figures = ["I", "IV", "V7", "I"] if mode == "major" else ["i", "iv", "V7", "i"]
    realised = progression(figures, tonic, mode)  # type: ignore[arg-type]
    symbols = [str(chord["symbol"]) for chord in realised.data["chords"]]
    found = find_key(symbols)
    assert [r.label for r in found.best] == [key_label(tonic, mode)]


def test_the_steps_collect_the_notes_read_the_signature_and_decide_by_the_home_chord() -> None:
    fact = which_key(["D", "A", "Bm", "G"])
    collect, together, signature, decide, other = fact.steps
    assert "D – F# – A (D)" in collect and "G – B – D (G)" in collect
    assert together.endswith("D E F# G A B C#.")
    assert "F# and C#" in signature and "D major and its relative minor, B minor" in signature
    assert "the home chord D is the first chord" in decide
    assert "its V, A, is among them" in decide
    assert decide.endswith("So D major is home.")
    assert "B minor, as III – VII – i – VI" in other


def test_the_raised_leading_tone_of_minor_is_explained_not_called_foreign() -> None:
    fact = which_key(["Am", "Dm", "E7", "Am"])
    assert "G# is the raised 7th of A minor (harmonic minor)" in fact.steps[2]
    assert "E7 (V7)" in fact.steps[2]
    assert "C major has the same key signature, but E7 is not among its chords" in fact.steps[3]
    assert fact.data["alternatives"] == []
    assert fact.data["ends_home"] is True
    assert fact.data["rival"] is None  # C major does not hold E7: no ending to compare
    assert next_step(fact) == (
        "Next: play E7 then Am slowly and sing G# rising to A: that half step from the "
        "leading tone is the pull that makes Am sound like home."
    )


def test_a_close_call_is_said_to_be_one() -> None:
    """Em C G D starts on E minor's home chord; G major has its V: both are said, E minor
    first (the home chord at the start counts for more), G major as the close second."""
    fact = which_key(["Em", "C", "G", "D"])
    assert fact.statement.startswith("Most likely E minor, though G major is close")
    assert "the home chord Em is the first chord" in fact.steps[3]
    assert "its V, D, is among them" in fact.steps[3]
    assert "G major, as vi – IV – I – V" in fact.steps[-1]
    assert fact.data["rival"] == {"key": "G major", "symbol": "G"}


def test_when_nothing_decides_both_keys_are_given() -> None:
    fact = which_key(["Dm", "Em"])
    assert fact.statement.startswith("These chords fit C major and A minor equally")
    assert fact.data["keys"] == ["C major", "A minor"]
    assert "Nothing in the chords decides between them" in fact.steps[3]


def test_a_borrowed_chord_is_named_as_borrowed_with_the_key_it_comes_from() -> None:
    fact = which_key(["C", "F", "Fm", "C"])
    assert fact.data["key"] == "C major"
    assert fact.statement.startswith("C major: three of the four chords belong to it")
    assert "Fm is not in C major: it is iv, borrowed from C minor." in fact.statement
    assert "Ab comes from Fm, the chord outside the key." in fact.steps[2]
    assert fact.data["outside"] == ["Fm"]
    assert fact.data["figures"] == ["I", "IV", "iv", "I"]


def test_a_secondary_dominant_and_the_neapolitan_are_computed() -> None:
    neapolitan = which_key(["C", "Db", "G7", "C"])
    assert "Db is not in C major: it is bII, the Neapolitan chord." in neapolitan.statement
    secondary = which_key(["C", "D7", "G", "C"])
    # G major holds all four; C major, which the chords start and end on, holds three and
    # its one chord outside is computed to be the V7 of its V
    assert secondary.statement.startswith("Most likely G major, though C major is close")
    assert "D7 is not in C major: it is V7/V, the V7 of G" in secondary.steps[-1]


def test_a_chord_with_no_computed_explanation_gets_only_its_foreign_notes() -> None:
    fact = which_key(["C", "F#", "G", "C"])
    assert "F# is not in C major: F#, A# and C# are not in the key." in fact.statement
    assert "borrowed" not in fact.statement and "secondary" not in fact.statement
    assert "It is not a chord of C minor either, nor the V or V7" in fact.steps[4]


def test_the_reply_parts_are_computed_an_example_ends_home_and_a_next_step_compares() -> None:
    fact = which_key(["Bb", "F", "Gm", "Eb"])
    example = example_for(fact)
    assert example is not None
    assert example.events[-1] == example.events[0]  # closed on the home chord, Bb
    assert example.text.endswith("then Bb, the home chord (I) of Bb major.")
    step = next_step(fact)
    assert step is not None
    assert "end on Bb" in step and "end on Gm" in step


@pytest.mark.parametrize(
    ("question", "chords"),
    [
        ("Which key do Bb, F, Gm and Eb belong to?", ["Bb", "F", "Gm", "Eb"]),
        ("find the key of Am F C G", ["Am", "F", "C", "G"]),
        ("Am F C G: what key is this?", ["Am", "F", "C", "G"]),
        ("what key is this progression in? Dm G C", ["Dm", "G", "C"]),
        ("my chords are F C G, what key am I in", ["F", "C", "G"]),
        ("What tonality is Am Dm E7 Am?", ["Am", "Dm", "E7", "Am"]),
        ("I strum Em C G D all day. What key are these chords from?", ["Em", "C", "G", "D"]),
    ],
)
def test_a_question_for_the_key_of_listed_chords_is_read_as_one(
    question: str, chords: list[str]
) -> None:
    assert parse(question) == [KeyOfChordsQuery(chords=chords)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("spell Am F C G", [ChordQuery(symbol=s) for s in ("Am", "F", "C", "G")]),
        ("what are the chords in G major", [DiatonicQuery(tonic="G", mode="major")]),
        ("what key has one sharp", [KeyFromSignatureQuery(count=1, accidental="sharp")]),
        ("what are these chords in G major: Am D G", [DiatonicQuery(tonic="G", mode="major")]),
    ],
)
def test_questions_that_name_a_key_or_ask_something_else_parse_as_before(
    question: str, expected: list[object]
) -> None:
    assert parse(question) == expected


def test_notes_and_a_named_key_are_not_read_as_a_key_question() -> None:
    assert parse("which key has the notes C D E")[0].kind == "identify"
    assert not any(
        isinstance(q, KeyOfChordsQuery) for q in parse("What would Am F C G be in the key of D?")
    )


def test_the_engine_answers_the_key_question_with_one_fact() -> None:
    [fact] = compute_facts("Which key do Bb, F, Gm and Eb belong to?")
    assert fact.kind == "progression"
    assert fact.statement.startswith("Bb major:")
    assert fact.data["short"] == "I – V – vi – IV in Bb major"
