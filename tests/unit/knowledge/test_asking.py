"""What a message asks for: a how-to question, or something else."""

from __future__ import annotations

import pytest

from etude.knowledge.asking import asks_for_advice, asks_how_to, asks_what_defines, asks_why


@pytest.mark.parametrize(
    "message",
    [
        "how do I end a melody so it sounds finished",
        "How should a tune finish?",
        "what is the best way to end a phrase?",
        "what's a good way to start a melody",
        "any tips for writing a bridge?",
        "My chorus is flat. How can I make it lift?",
        "can you explain how to write a countermelody",
        "i'd like to know how a fugue subject is answered",
        "ok so how would you voice a C major chord for strings?",
    ],
)
def test_how_to_questions(message: str) -> None:
    assert asks_how_to(message)


@pytest.mark.parametrize(
    "message",
    [
        "write me a melody that ends on the tonic",
        "compose an 8-bar tune in G",
        "can you make up a melody for me",
        "give me a melody in D minor",
        "write a tune that shows how to end on the tonic",
        "how about a jig in D?",
        "how many beats are in a bar of 6/8?",
        "how long should an intro be?",
        "what is a cadence?",
        "why does a deceptive cadence surprise?",
    ],
)
def test_not_how_to_questions(message: str) -> None:
    assert not asks_how_to(message)


@pytest.mark.parametrize(
    "question",
    [
        "What makes a cadence deceptive?",
        "what makes a cadence plagal",
        "so what makes a cadence perfect rather than imperfect?",
        "what makes a chord diminished?",
        "what makes a key minor",
        "what makes an interval perfect in a major scale?",
        "what makes a piece a rondo?",
        "what makes V–vi a deceptive cadence",
    ],
)
def test_what_makes_a_kind_asks_what_defines_it(question: str) -> None:
    assert asks_what_defines(question) and not asks_why(question)


@pytest.mark.parametrize(
    "question",
    [
        "what makes a melody bad?",
        "what makes parallel fifths wrong",
        "what makes my cadence weak?",
        "what makes a minor chord sound sad?",
        "what makes this progression work?",
        "what makes a diminished chord unstable?",
        "what makes a deceptive cadence so surprising",
        "what makes a tune catchy?",
        "why is a plagal cadence called the amen cadence?",
    ],
)
def test_what_makes_an_effect_or_a_judgement_asks_why(question: str) -> None:
    assert asks_why(question) and not asks_what_defines(question)


@pytest.mark.parametrize(
    "message",
    [
        "help me pick chords for a sad verse in E minor",
        "Can you help me choose a tempo for my march?",
        "I'd like some help selecting a key for this song",
        "help me figure out which chord comes next",
        "which chords should I use for the bridge?",
        "what key should I write my ballad in?",
        "what progression would work for a dark intro",
        "could you recommend chords for a lullaby",
    ],
)
def test_requests_for_help_choosing_are_advice(message: str) -> None:
    assert asks_for_advice(message)


@pytest.mark.parametrize(
    "message",
    [
        "write me a sad melody in E minor",
        "compose a jig in G major",
        "can you make up a tune for me?",
        "what is a chord progression?",
        "help!",
        "which chord is C E G?",
    ],
)
def test_orders_and_plain_questions_are_not_advice(message: str) -> None:
    assert not asks_for_advice(message)
