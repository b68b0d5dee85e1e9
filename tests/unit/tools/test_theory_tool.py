"""The theory tool's computed evidence: a multiple-choice question gives one picked option (or
a plain note that none is picked), a tune question its answer, never options read as chords."""

from __future__ import annotations

from etude.tools.theory import computable, computed

TUNE = "X:1\nT:Test\nM:3/4\nL:1/8\nK:D\nD2 F2 A2 | G2 E2 C2 | D6 |]"


def test_a_multiple_choice_question_gives_one_picked_option() -> None:
    evidence = computed(
        "What is the relative minor of F major?\nA) A minor\nB) D minor\nC) D major"
    )
    assert len(evidence) == 1 and evidence[0].authoritative
    assert evidence[0].summary.splitlines()[0] == "Answer: B) D minor"
    assert evidence[0].data["kind"] == "choice"
    assert computable("What is the relative minor of F major? A) A minor B) D minor C) D major")


def test_options_are_never_read_as_chords() -> None:
    """'A) 6 | B) 5' once became the chords A6 and B5."""
    evidence = computed("How many notes are in a seventh chord? A) 6 | B) 5 | C) 4 | D) 3")
    assert [item.authoritative for item in evidence] == [False]
    assert "cannot compute" in evidence[0].summary
    assert "A6" not in str(evidence) and "B5" not in str(evidence)


def test_a_question_about_a_tune_is_answered_from_the_tune() -> None:
    evidence = computed(
        f"In the following tune, what is the interval between the first two notes?\n{TUNE}"
    )
    assert len(evidence) == 1
    assert evidence[0].summary == "The interval between the first two notes is a major third."
    assert evidence[0].data["steps"][0] == "The first two notes are D4 and F#4."


def test_a_multiple_choice_question_about_a_tune() -> None:
    question = (
        f"Look at this tune. What key is it in?\n{TUNE}\nA) B minor\nB) D major"
        f"\nC) A major\nD) D minor"
    )
    evidence = computed(question)
    assert evidence[0].summary.splitlines()[0] == "Answer: B) D major"
