"""What a message asks for: a how-to question, or something else."""

from __future__ import annotations

import pytest

from etude.knowledge.asking import asks_how_to


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
