"""Follow-ups read against the subject the previous answer left: the resolved question is what
the engine then computes."""

from __future__ import annotations

import pytest

from etude.agents.followup import resolve, subject_of
from etude.theory import compute_facts
from etude.tools.theory import fact_evidence


@pytest.mark.parametrize(
    ("first", "then", "answer"),
    [
        ("what notes are in a B♭ major triad?", "and the minor version of that one?", "Db"),
        ("what's the relative minor of Bb major?", "what's its key signature then?", "2 flats"),
        ("what's a ii-V-I in Eb major?", "now the same thing a whole step higher", "Gm"),
        ("what's the interval from C up to G?", "and if I flip it upside down?", "fourth"),
        ("give me the A natural minor scale", "now the harmonic minor version", "G#"),
        ("transpose C D E F G up a major third",
         "now go down a minor third from the original notes", "A – B – C#"),
        ("what's the tonic triad in F# minor?", "and the dominant triad?", "E#"),
        ("how many flats does Ab major have?", "and which ones, in order?", "Bb, Eb, Ab, Db"),
        ("what's the V chord in D major?", "what happens if I add a seventh to it?", "A7"),
    ],
)  # fmt: skip
def test_a_follow_up_computes_what_the_learner_means(first: str, then: str, answer: str) -> None:
    subject = subject_of([fact_evidence(fact) for fact in compute_facts(first)])
    assert subject is not None
    facts = compute_facts(resolve(then, subject))
    assert facts and answer in facts[0].statement, (resolve(then, subject), facts)


def test_a_new_question_is_left_alone() -> None:
    subject = subject_of([fact_evidence(f) for f in compute_facts("spell the D7 chord")])
    for question in ("what is a cadence?", "spell Ebmaj7", "why avoid parallel fifths?"):
        assert resolve(question, subject) == question


def test_a_follow_up_about_the_last_scale_or_key_names_it() -> None:
    from etude.agents.followup import Subject, resolve

    mode = Subject(kind="scale", phrase="G dorian scale", root="G")
    assert resolve("and how is it different from G minor?", mode) == (
        "and how is G dorian scale different from G minor?"
    )
    key = Subject(kind="key", phrase="Bb major", key="Bb major")
    assert resolve("ok which chord is the diminished one", key) == "what is vii° in Bb major?"
