from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etude.claims import ClaimContext
from etude.claims.grounding import contradicts, misstates_key
from etude.claims.guard import SentenceGuard
from etude.theory.spelling import keys_in, notes_in, pitch_class


@pytest.mark.parametrize(
    ("text", "notes"),
    [
        ("E♭, G and B♭", ["Eb", "G", "Bb"]),
        ("F sharp and C double sharp", ["F#", "C##"]),
        ("A chord is a group of notes.", []),
        ("A minor has no sharps.", ["A"]),
        ("Play A, C and E.", ["A", "C", "E"]),
        ("Bach wrote it. Great!", []),
        ("Play Bb7, then F#m7b5 and Cmaj7.", ["Bb", "F#", "C"]),
        ("Asus4 resolves; Amen and Dmitri are words.", ["A"]),
    ],
)
def test_notes_in(text: str, notes: list[str]) -> None:
    assert notes_in(text) == notes


@pytest.mark.parametrize(
    ("sentence", "allowed", "bad"),
    [
        ("The triad is G, B and D.", {"G", "B", "D"}, False),
        ("The triad is G, B and D#.", {"G", "B", "D"}, True),
        ("E flat major starts on D#.", {"Eb", "F", "G"}, True),
        ("Start from G.", {"G", "B", "D"}, False),
        ("It also appears in C major.", {"G", "B", "D"}, False),
        ("Anything goes with no facts: C, D, E.", set(), False),
        # A tip quoted from the knowledge base, in an answer about F#7#9: its Bb7 names A#.
        ("Spell the root to fit the key (Bb7 in F major).", {"F#", "A#", "C#", "E", "G##"}, True),
        ("Resolve it to G7.", {"G", "B", "D", "F"}, False),
    ],
)
def test_contradicts(sentence: str, allowed: set[str], bad: bool) -> None:
    assert contradicts(sentence, allowed) is bad


@given(st.lists(st.text(alphabet="abcdefg ,.!?\n", max_size=20), max_size=20))
def test_guard_never_invents_text(pieces: list[str]) -> None:
    guard = SentenceGuard(ClaimContext())
    shown = "".join(s for piece in pieces for s in guard.feed(piece)) + "".join(guard.flush())
    source = "".join(pieces)
    for word in shown.split():
        assert word in source


@given(st.sampled_from(["C", "D", "E", "F", "G", "A", "B"]), st.sampled_from(["", "#", "b"]))
def test_pitch_class_in_range(letter: str, accidental: str) -> None:
    assert 0 <= pitch_class(letter + accidental) < 12


@pytest.mark.parametrize(
    ("sentence", "keys", "bad"),
    [
        ("The key is H minor, as the part name says.", {"C major"}, True),
        ("Your song is written in G major.", {"C major"}, True),
        ("It is in the key of E♭ major.", {"Eb major"}, False),
        ("The key is C major, and bar 4 visits G major.", {"C major"}, False),
        ("Its dominant is G major.", {"C major"}, False),
        ("The key is H minor.", set(), False),  # nothing computed: nothing to contradict
    ],
)
def test_misstates_key(sentence: str, keys: set[str], bad: bool) -> None:
    assert misstates_key(sentence, keys) is bad


def test_guard_drops_a_sentence_that_moves_the_piece_to_another_key() -> None:
    context = ClaimContext(
        score_keys=frozenset(keys_in("The score is in C major (music21 key analysis)."))
    )
    guard = SentenceGuard(context, policy="lenient")
    shown = "".join([*guard.feed("The key is H minor. Nice work in bar 2."), *guard.flush()])
    assert shown == "Nice work in bar 2."


def test_strict_policy_drops_what_it_cannot_verify_and_plain_filler_beside_teaching() -> None:
    guard = SentenceGuard(ClaimContext(), policy="strict", plain=False)
    text = "The dominant of C major is G. Cadences feel final. Keep practising!"
    shown = "".join([*guard.feed(text), *guard.flush()])
    assert shown == "The dominant of C major is G. "
    assert guard.dropped == ["Cadences feel final.", "Keep practising!"]


def test_a_sentence_repeating_the_reply_adds_nothing() -> None:
    guard = SentenceGuard(ClaimContext(), said=["The dominant of C major is G."])
    assert "".join([*guard.feed("The dominant of C major is G."), *guard.flush()]) == ""


def test_refuted_sentences_leave_their_corrections() -> None:
    guard = SentenceGuard(ClaimContext(), policy="lenient")
    list(guard.feed("A major third is 6 semitones. "))
    assert guard.corrections() == ["A major third spans 4 semitones."]
