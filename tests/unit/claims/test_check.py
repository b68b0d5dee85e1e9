"""The claim checker on sentences a model or a learner might write: true ones verified, false
ones refuted with the right fact, musical talk it cannot read marked unverifiable."""

from __future__ import annotations

import pytest

from etude.claims import ClaimContext, check_sentence, read_premise
from etude.theory.plan import Key

TRUE = [
    "The dominant of C major is G.",
    "G is the dominant of C major.",
    "The subdominant of D major is G.",
    "The mediant of F major is A.",
    "The supertonic of Bb major is C.",
    "The leading tone in A minor is G#.",
    "The relative minor of E major is C# minor.",
    "The relative major of C minor is E♭ major.",
    "The parallel minor of G major is G minor.",
    "D major has two sharps.",
    "E flat major has three flats.",
    "A minor has no sharps or flats.",
    "F major has no sharps.",
    "A major third is 4 semitones.",
    "A perfect fifth spans 7 semitones.",
    "C to A flat is a minor sixth.",
    "From E up to C is a minor sixth.",
    "A perfect fifth above D is A.",
    "V in C major is G major.",
    "In G major, D7 is the V7.",
    "The ii chord in F major is G minor.",
    "A D7 chord is D, F#, A and C.",
    "The notes of E minor are E, G, B.",
    "B D F is a diminished triad.",
    "A plagal cadence is IV to I.",
    "A deceptive cadence goes from V to vi.",
    "In G major, a deceptive cadence goes from D major to E minor.",
    "A deceptive cadence in A minor moves from E major to F major.",
    "In Eb major, a plagal cadence goes from Ab to Eb.",
    "Try it in D major: a deceptive cadence goes from A major to B minor.",
    "The A harmonic minor scale has a G#.",
    "D dorian has no sharps.",
    "A dominant seventh chord has a minor seventh.",
    "In minor keys, the V chord is major.",
    "C and B# are enharmonic.",
    "D major has two sharps, and its relative minor is B minor.",
    "The dominant of the relative minor of C major is E.",
    "The leading tone resolves up to the tonic.",
    "Harmonic minor raises the seventh degree.",
    "6/8 is a compound metre.",
    "The tritone is the same as an augmented fourth.",
]

FALSE = [
    ("The dominant of C major is C.", "G"),
    ("The dominant of C is indeed A.", "G"),
    ("The subdominant of D major is A.", "G"),
    ("The leading tone in A minor is G.", "G#"),
    ("The relative major of E major is C# minor.", "relative minor"),
    ("The relative minor of C# major is C# minor.", "A# minor"),
    ("A major third is 6 semitones.", "4 semitones"),
    ("A major third is 3 semitones.", "4 semitones"),
    ("E major has 3 sharps.", "4 sharps"),
    ("A D7 chord is D, F, A and C.", "F#"),
    ("G B D F is a D minor triad.", "G7"),
    ("The A natural minor scale has a G#.", "G"),
    ("A dominant seventh chord has a major seventh.", "minor seventh"),
    ("A half cadence ends on I.", "V"),
    ("In G major, a deceptive cadence goes from D major to G major.", "V to vi"),
    ("In G major, the secondary dominant of G is D.", "another degree"),
    ("A deceptive cadence in A minor moves from E major to C major.", "V to vi"),
    ("In G major, D7 is the IV7.", "V7"),
    ("The V chord in a major key is minor.", "major"),
    ("C and D are enharmonic.", "different pitches"),
    ("The chordal seventh resolves up by step.", "down"),
    ("Harmonic minor raises the sixth and the seventh.", "only the seventh"),
    ("3/4 is a compound metre.", "simple"),
    ("The tritone is the same as a perfect fifth.", "6 semitones"),
]


@pytest.mark.parametrize("sentence", TRUE)
def test_true_claims_are_verified(sentence: str) -> None:
    verdict = check_sentence(sentence)
    assert verdict.status == "verified", verdict


@pytest.mark.parametrize(("sentence", "right"), FALSE)
def test_false_claims_are_refuted_with_the_right_fact(sentence: str, right: str) -> None:
    verdict = check_sentence(sentence)
    assert verdict.status == "refuted", verdict
    assert any(right in fix for fix in verdict.corrections()), verdict.corrections()


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("Cadences give phrases a sense of ending.", "unverifiable"),
        ("Diminished chords always resolve downwards.", "unverifiable"),
        ("Practise it slowly and listen.", "no_claim"),
        ("Great question!", "no_claim"),
        ("I think you will enjoy this.", "no_claim"),
    ],
)
def test_sentences_without_readable_claims(sentence: str, status: str) -> None:
    assert check_sentence(sentence).status == status


def test_an_implicit_key_is_read_from_the_question() -> None:
    assert check_sentence("The dominant is D.", question="the dominant of G?").status == "verified"
    wrong = check_sentence("The dominant is A.", question="What's the dominant of G major?")
    assert wrong.status == "refuted"


def test_a_respelled_computed_note_is_refuted() -> None:
    context = ClaimContext(key=Key("E-", "major"), notes=frozenset({"Eb", "G", "Bb"}))
    assert check_sentence("Its root is D#.", context=context).status == "refuted"
    assert check_sentence("Its root is Eb.", context=context).status != "refuted"


def test_the_score_key_must_match_the_critics() -> None:
    context = ClaimContext(score_keys=frozenset({"C major"}))
    assert check_sentence("Your piece is in H minor.", context=context).status == "refuted"
    assert check_sentence("Your piece is in C major.", context=context).status == "verified"


@pytest.mark.parametrize(
    ("question", "holds", "opening"),
    [
        ("The relative minor of F major is A minor, right?", False, "No — "),
        ("is a major third 4 semitones?", True, "Yes — "),
        ("Is the relative minor of F major A minor?", False, "D minor"),
        ("Does D major have two sharps?", True, "2 sharps"),
        ("I was told the leading tone of A minor is G", False, "not G"),
        ("Is there a G# in A harmonic minor?", True, "G#"),
        ("Are C and B# enharmonic?", True, "same pitch"),
    ],
)
def test_premises_are_checked_first(question: str, holds: bool, opening: str) -> None:
    premise = read_premise(question)
    assert premise is not None
    assert premise.holds is holds
    assert opening in premise.reply


@pytest.mark.parametrize(
    "question",
    [
        "What is the relative minor of F major?",
        "Is it ok to use parallel fifths in pop?",
        "how do I end a melody?",
    ],
)
def test_plain_questions_carry_no_premise(question: str) -> None:
    assert read_premise(question) is None


@pytest.mark.parametrize(
    ("sentence", "holds"),
    [
        ("Lydian is a major scale with a raised 4th.", True),
        ("The D dorian mode is D minor with B instead of Bb.", True),
        ("Mixolydian is major with a flattened sixth.", False),
        ("Locrian is basically minor with a flat 2.", False),
    ],
)
def test_a_mode_described_as_an_altered_major_or_minor_is_checked(
    sentence: str, holds: bool
) -> None:
    assert check_sentence(sentence).status == ("verified" if holds else "refuted")


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("The G major scale is G, A, B, C, D, D, F#.", "refuted"),  # a degree twice
        ("A Bb7 chord is Bb–D–F–Ab.", "verified"),
        ("A Bb7 chord is Bb–D–F–A.", "refuted"),  # a dashed list is read whole
        ("E major is the major key with three sharps.", "refuted"),
        ("The minor key with four flats is F minor.", "verified"),
        ("A major has three sharps: F#, C# and D#.", "refuted"),
        ("E minor has no sharps or flats.", "refuted"),
    ],
)
def test_whole_listings_signatures_and_named_accidentals_are_checked(
    sentence: str, status: str
) -> None:
    assert check_sentence(sentence).status == status


def test_notes_with_octaves_in_the_evidence_are_the_same_spellings() -> None:
    context = ClaimContext(notes=frozenset({"Bb2", "A3", "G3"}))
    found = "this Bb2 is the least expected note; A3 is far likelier, then G3."
    assert check_sentence(found, context=context).status != "refuted"
    assert check_sentence("this A#2 is the least expected note.", context=context).status == (
        "refuted"
    )


def test_a_path_from_one_key_to_another_is_not_a_claim_about_the_first_key() -> None:
    assert check_sentence("From C major to A minor a route is C–F–Dm–E7–Am.").status != "refuted"
    assert check_sentence("A harmonic minor is A–B–C–D–E–F–G#–A.").status == "verified"


def test_two_interval_names_for_one_size_are_a_plain_yes() -> None:
    """Enharmonic intervals: the same sound, two spellings; a different size is a plain no."""
    from etude.claims.premise import read_premise

    same = read_premise("is a diminished fifth the same as an augmented fourth?")
    assert same is not None and same.holds
    assert same.reply.startswith("Yes — a diminished fifth and an augmented fourth are the same")
    assert "Gb is a diminished fifth and F# an augmented fourth" in same.reply
    other = read_premise("a major sixth is the same as a minor seventh, right?")
    assert other is not None and not other.holds
    assert other.reply.startswith("No — a major sixth spans 9 semitones and a minor seventh 10")


def test_a_scale_said_to_be_keys_is_not_verified_by_its_first_tonic() -> None:
    sentence = (
        "In G major, the three most common G major scales are D major, E minor, and F# major."
    )
    assert check_sentence(sentence).status != "verified"


@pytest.mark.parametrize(
    ("question", "holds", "said"),
    [
        # about every key of a mode: checked in C major (A minor) and in Eb major (F# minor)
        ("the 3rd chord of a major scale is always minor, right?", True, "every major key"),
        ("in minor keys the chord on the 6th degree is major, isn't it?", True, "A minor"),
        ("the dominant of a major key is always G, right?", False, "counterexample"),
        ("I think the leading tone of a minor scale is G#", False, "counterexample"),
        ("the chord on the 2nd degree of a major key is major, right?", False, "every major"),
    ],
)
def test_a_claim_about_every_key_must_hold_in_two(question: str, holds: bool, said: str) -> None:
    premise = read_premise(question)
    assert premise is not None
    assert premise.holds is holds
    assert said in premise.reply


def test_a_capital_a_names_the_key_not_every_key() -> None:
    assert check_sentence("A major key signature has three sharps.").status != "refuted"
    assert check_sentence("The A minor scale has a G#.").status == "refuted"


def test_is_it_true_that_carries_its_claim_and_nothing_else() -> None:
    # split as an inverted question it read "the mediant is a minor [triad]": refuted
    premise = read_premise("is it true that the third note of A minor is a minor third above it?")
    assert premise is not None and premise.holds and "C, is a minor third above" in premise.reply
    premise = read_premise("is it true that the relative minor of F major is D minor?")
    assert premise is not None and premise.holds


@pytest.mark.parametrize(
    ("question", "holds", "said"),
    [
        ("Is the sixth of a major scale a minor sixth?", False, "A, is a major sixth above"),
        ("the 7th of a major scale is a major seventh above the tonic, right?", True, "B"),
        ("the 4th of F major is an augmented fourth, right?", False, "Bb, is a perfect fourth"),
        ("the third degree of a minor key is a minor third above the tonic, right?", True, "C"),
        ("I was told the 2nd of D major is a minor second above D", False, "major second"),
    ],
)
def test_a_degrees_distance_above_the_tonic_is_checked(
    question: str, holds: bool, said: str
) -> None:
    premise = read_premise(question)
    assert premise is not None
    assert premise.holds is holds
    assert said in premise.reply


def test_a_distance_above_another_note_is_not_read_as_the_degrees() -> None:
    assert check_sentence("The sixth of C major is a major sixth above D.").status != "verified"
