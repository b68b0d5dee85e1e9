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


def _chain(turns: list[str]) -> tuple[str, list[str]]:
    """Each turn resolved against the subject the turns before it left, as the graph does."""
    subject = None
    statements: list[str] = []
    question = ""
    for turn in turns:
        question = resolve(turn, subject)
        facts = compute_facts(question)
        statements = [fact.statement for fact in facts]
        found = subject_of([fact_evidence(fact) for fact in facts], subject)
        subject = found or subject
    return question, statements


@pytest.mark.parametrize(
    ("turns", "wanted"),
    [
        (["spell a G major chord", "what about Eb?"], ["Eb – G – Bb"]),
        (["spell the D major triad", "the minor version?", "and what about E?"], ["E – G – B"]),
        (["spell the A major triad", "and the minor version", "which notes changed?"], ["C", "C#"]),
        (["what are the notes of Gmaj7", "which one is the third?"], ["B"]),
        (["spell A7", "which note is the fifth?"], ["E"]),
        (["key signature of Ab major", "what about E?"], ["4 sharps"]),
        (["how many flats does Bb major have", "and the minor version?"], ["5 flats"]),
        (["relative minor of A major", "what's the IV chord in that key?", "and in the other key?"],
         ["D – F# – A"]),
        (["what's the relative major of B minor", "how many sharps in it?"], ["2 sharps"]),
        (["what is V in G major", "and in the minor version of that key?"], ["D – F# – A"]),
        (["what are the chords in F major", "tell me about the third one"], ["A – C – E"]),
        (["spell the E major scale", "what's its relative minor?"], ["C# minor"]),
        (["spell the C dorian scale", "and in A?"], ["A – B – C – D – E – F# – G"]),
        (["the A major scale", "which note is the seventh degree?"], ["G#"]),
        (["what's a minor sixth above E", "and the major version?"], ["C#"]),
        (["what's a perfect fourth above A", "what about C?"], ["F"]),
        (["what's the interval from F up to D", "how many semitones does it span?"], ["9"]),
        (["interval from A up to F#", "what's its inversion?"], ["minor third"]),
        (["transpose D F A up a major second", "what about down a minor third?"], ["B – D – F"]),
        (["spell the G major triad", "now transpose it up a whole step"], ["A – C# – E"]),
        (["spell the D major scale", "the same thing a whole step higher"], ["E major scale"]),
        (["spell the E minor scale", "and the harmonic version?"], ["D#"]),
    ],
)  # fmt: skip
def test_two_and_three_turn_exchanges_resolve(turns: list[str], wanted: list[str]) -> None:
    question, statements = _chain(turns)
    text = " ".join(statements)
    assert statements and all(w in text for w in wanted), (question, statements)


def test_the_critic_leaves_the_finding_and_the_key_of_the_piece() -> None:
    from etude.evidence import Evidence

    analysis = Evidence(
        tool="critic",
        kind="analysis",
        summary="…",
        authoritative=True,
        data={
            "key": {"tonic": "D", "mode": "major"},
            "findings": [
                {"rule": "weak_cadence", "bar": 8, "severity": "info"},
                {"rule": "range", "bar": 3, "severity": "error", "parts": [3]},
            ],
        },
    )
    finding = subject_of([analysis])
    assert finding is not None and finding.kind == "finding" and finding.bar == 3
    assert resolve("why is that a problem?", finding) == "why is range a problem?"
    assert "bar 3" in resolve("which bar was that?", finding)
    assert resolve("how do I fix the problem you mentioned?", finding) == (
        "how do I fix the range in bar 3 of my piece?"
    )
    relative = compute_facts(resolve("and its relative?", finding))
    assert relative and "B minor" in relative[0].statement


def test_after_a_critique_that_named_a_slip_that_note_is_the_slip() -> None:
    from etude.agents.followup import asks_about_the_piece
    from etude.evidence import Evidence

    analysis = Evidence(
        tool="critic",
        kind="analysis",
        summary="…",
        authoritative=True,
        data={"key": {"tonic": "E", "mode": "minor"}, "findings": []},
    )
    slip = Evidence(
        tool="critic",
        kind="analysis",
        summary="Bar 1, alto (beat 3): this F4 may be a slip. …",
        data={"type": "likely_slip", "pitch": "F4", "bar": 1, "beat": 3.0, "part": 1},
    )
    piece = subject_of([analysis, slip])
    assert piece is not None and piece.slip == "the F4 in bar 1"
    for message in ("what should that note be instead?", "why is the note you flagged wrong?"):
        assert asks_about_the_piece(message, piece)
        assert resolve(message, piece) == (
            "which note sounds wrong in my piece (the F4 in bar 1), and what should it be?"
        )
    without = subject_of([analysis])
    assert without is not None and without.slip is None
    # left as asked: the reply answers it from the critique itself (the tests below)
    assert resolve("what should that note be instead?", without) == (
        "what should that note be instead?"
    )


def test_a_subject_is_plain_json_kept_in_the_thread() -> None:
    import json

    from etude.agents.followup import Subject

    first = subject_of([fact_evidence(f) for f in compute_facts("relative minor of F major")])
    assert first is not None
    stored = json.loads(json.dumps(first.model_dump(mode="json")))
    assert Subject.model_validate(stored) == first
    assert (first.key, first.other_key) == ("D minor", "F major")


def _critique(*findings: dict, extra: tuple = ()) -> list:
    """A critic's evidence of a piece: its overview, one item per finding, and ``extra``."""
    from etude.evidence import Evidence

    overview = Evidence(
        tool="critic",
        kind="analysis",
        summary="The score is in G major; 4 bars, 4 part(s).",
        authoritative=True,
        data={"bars": 4, "key": {"tonic": "G", "mode": "major"}, "findings": list(findings)},
    )
    items = [
        Evidence(tool="critic", kind="analysis", summary=f["rule"], data=f, authoritative=True)
        for f in findings
    ]
    return [overview, *items, *extra]


def _reply(message: str, evidence: list) -> tuple[str, str]:
    from etude.agents.reply import plan_reply

    intent, before, after = plan_reply(message, ["critic"], evidence, "intermediate")
    return intent, "\n\n".join(block.text for block in before + after)


_OCTAVES = {
    "rule": "parallel_octaves",
    "bar": 2,
    "beat": 3.0,
    "severity": "error",
    "parts": [0, 3],
    "message": "Parallel octaves between soprano and bass.",
    "suggestion": {
        "changes": [],
        "why": "Move the soprano's D5 to A4 (bar 2, beat 3): that removes the parallel octaves, "
        "the chord stays D major.",
    },
}


@pytest.mark.parametrize(
    "message",
    ["what should that note be?", "ok so what should it be instead?", "and the wrong note?"],
)
def test_after_a_clean_critique_that_note_is_asked_back_not_the_critique_restated(
    message: str,
) -> None:
    intent, text = _reply(message, _critique())
    assert intent == "that_note"
    assert text.startswith("My critique did not name a wrong note: none of the rules I check")
    assert "in these 4 bars" in text and "Which note do you mean?" in text
    assert "The score is in" not in text


@pytest.mark.parametrize(
    "message", ["what should that note be?", "what should it be then?", "fix that note how?"]
)
def test_after_a_critique_with_a_checked_fix_that_note_is_the_fix(message: str) -> None:
    intent, text = _reply(message, _critique(_OCTAVES))
    assert intent == "that_note"
    # what is wrong first (the finding always shows), then the note of its checked fix
    assert text.startswith("Parallel octaves between soprano and bass. For the parallel octaves")
    assert "in bar 2, the note to change is the one in my checked fix" in text
    assert "move the soprano's D5 to A4 (bar 2, beat 3). That removes the parallel" in text
    assert "What I found" not in text and "The score is in" not in text


def test_a_named_bar_is_answered_for_that_bar_only() -> None:
    _, text = _reply("what should the note in bar 2 be?", _critique(_OCTAVES))
    assert "D5 to A4" in text
    _, text = _reply("what should the note in bar 4 be?", _critique(_OCTAVES))
    assert text.startswith("My critique named no note to change in bar 4.") and "D5" not in text


def test_findings_without_a_fix_are_named_and_the_note_asked_for() -> None:
    monotony = {"rule": "rhythmic_monotony", "bar": 1, "severity": "info", "parts": [0]}
    _, text = _reply("what should that note be?", _critique(monotony))
    assert text.startswith("My critique named no single note to change: it found the rhythmic")
    assert "monotony in bar 1" in text and "Which note do you mean?" in text


def test_the_note_a_critique_singled_out_is_the_one_meant() -> None:
    from etude.evidence import Evidence

    odd = Evidence(
        tool="critic",
        kind="analysis",
        summary="Bar 2, bass (beat 2): this F2 is the least expected note in the piece.",
        data={"type": "least_expected", "pitch": "F2", "bar": 2},
    )
    _, text = _reply("what should that note be?", _critique(extra=(odd,)))
    assert text == (
        "The one note my critique singled out: Bar 2, bass (beat 2): this F2 is the least "
        "expected note in the piece."
    )


def test_a_slip_or_another_question_keeps_the_critique() -> None:
    from etude.evidence import Evidence

    slip = Evidence(
        tool="critic",
        kind="analysis",
        summary="Bar 1, alto (beat 3): this F4 may be a slip.",
        data={"type": "likely_slip", "pitch": "F4", "bar": 1, "beat": 3.0, "part": 1},
    )
    intent, text = _reply("what should that note be?", _critique(extra=(slip,)))
    assert intent == "critique" and "this F4 may be a slip" in text
    intent, text = _reply("which bar was the problem?", _critique(_OCTAVES))
    assert intent == "critique" and "What I found" in text
