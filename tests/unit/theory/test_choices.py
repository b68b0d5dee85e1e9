"""Multiple choice: options found in every usual form, kept away from the question readers,
compared with the computed answer by value, exactly one picked (or none, said plainly)."""

from __future__ import annotations

import pytest

from etude.theory.choices import answer_choices, read_choices
from etude.theory.options import read_option


def _letter(question: str) -> str | None:
    fact = answer_choices(question)
    assert fact is not None, question
    first = fact.statement.splitlines()[0]
    return first.removeprefix("Answer: ")[0] if first.startswith("Answer: ") else None


# ----------------------------------------------------------------------------- finding options

STEM = "What is the relative minor of Bb major?"


@pytest.mark.parametrize(
    "options",
    [
        "A) D minor\nB) G minor\nC) C minor\nD) G major",
        "A. D minor\nB. G minor\nC. C minor\nD. G major",
        "(A) D minor\n(B) G minor\n(C) C minor\n(D) G major",
        "a) D minor\nb) G minor\nc) C minor\nd) G major",
        "1) D minor\n2) G minor\n3) C minor\n4) G major",
        "1. D minor\n2. G minor\n3. C minor\n4. G major",
        "A) D minor B) G minor C) C minor D) G major",
        "A) D minor | B) G minor | C) C minor | D) G major",
        "(A) D minor (B) G minor (C) C minor (D) G major",
        "Options:\nA) D minor\n\nB) G minor\n\nC) C minor\n\nD) G major",
        "Options: a. D minor; b. G minor; c. C minor; d. G major",
    ],
)
def test_options_in_every_usual_form(options: str) -> None:
    choices = read_choices(f"{STEM}\n{options}")
    assert choices is not None
    assert choices.stem == STEM
    assert [text for _, text in choices.options] == ["D minor", "G minor", "C minor", "G major"]
    fact = answer_choices(f"{STEM}\n{options}")
    assert fact is not None
    assert fact.statement.splitlines()[0] == f"Answer: {choices.options[1][0]}) G minor"


def test_options_on_the_question_line() -> None:
    choices = read_choices("How many semitones in a perfect fifth? A) 6 B) 5 C) 7 D) 8")
    assert choices is not None
    assert choices.stem == "How many semitones in a perfect fifth?"
    assert _letter("How many semitones in a perfect fifth? A) 6 B) 5 C) 7 D) 8") == "C"


@pytest.mark.parametrize(
    "text",
    [
        "My plan for today:\n1. write a melody\n2. harmonise it\n3. check the bass",
        "What is the relative minor of C?",
        "Play A) slowly",
        "Check this: A) first idea",
    ],
)
def test_no_options_no_choice(text: str) -> None:
    assert read_choices(text) is None


def test_trailing_instruction_is_not_an_option() -> None:
    text = f"{STEM}\nA. D minor\nB. G minor\nC. C minor\nD. G major\nAnswer with the letter."
    choices = read_choices(text)
    assert choices is not None and len(choices.options) == 4
    assert choices.options[-1] == ("D", "G major")


def test_options_never_reach_the_chord_and_note_readers() -> None:
    """Read whole, 'A) C B) Bb …' was the notes A C B Bb: the stem alone is read."""
    fact = answer_choices("Which note is the dominant of F major? A) C B) Bb C) E D) F")
    assert fact is not None
    assert fact.statement.splitlines()[0] == "Answer: A) C"
    assert fact.query == "the dominant of F major"
    assert answer_choices("How many notes are in a seventh chord? A) 6 | B) 5 | C) 4") is None


# ----------------------------------------------------------------------------- reading options


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("F#", "notes", ("F#",)),
        ("F sharp", "notes", ("F#",)),
        ("F♯", "notes", ("F#",)),
        ("E-flat", "notes", ("E-",)),
        ("G – B – D", "notes", ("G", "B", "D")),
        ("G, B, D", "notes", ("G", "B", "D")),
        ("six", "number", 6),
        ("12", "number", 12),
        ("Two sharps", "signature", 2),
        ("3 flats", "signature", -3),
        ("No sharps or flats", "signature", 0),
        ("Major third", "interval", "M3"),
        ("minor 6th", "interval", "m6"),
        ("P4", "interval", "P4"),
        ("tritone", "interval", "A4"),
        ("Diminished", "quality", "dim"),
        ("Half-diminished seventh", "quality", "m7b5"),
        ("6/8", "meter", "6/8"),
        ("Subtonic", "degree", (7, False)),
        ("Leading tone", "degree", (7, True)),
    ],
)
def test_option_values(text: str, field: str, value: object) -> None:
    assert getattr(read_option(text), field) == value


def test_chord_options_by_symbol_name_or_notes() -> None:
    for text in ("Em7", "E minor seventh", "E – G – B – D", "E G B D"):
        chord = read_option(text).chord
        assert chord is not None and chord.symbol == "Em7", text


# ----------------------------------------------------------------------------- picking


@pytest.mark.parametrize(
    ("question", "letter"),
    [
        (
            "Which note is a major third above the subdominant of A major?\nA) F#\nB) E"
            "\nC) F\nD) G#",
            "A",
        ),
        (
            "Which note is a major third above the subdominant of A major?\nA) G\nB) Gb"
            "\nC) F sharp\nD) E",
            "C",
        ),
        (
            "Spell the dominant seventh chord of C minor.\nA) G – B – D – F"
            "\nB) G – Bb – D – F\nC) G B D\nD) Eb G Bb D",
            "A",
        ),
        (
            "Which chord is the supertonic seventh chord of A minor?\nA) Bm7\nB) Bm7b5"
            "\nC) Bdim7\nD) BMaj7",
            "B",
        ),
        (
            "What is the key signature of the relative major of F# minor?"
            "\nA) 2 sharps B) 3 sharps C) four sharps D) none",
            "B",
        ),
        (
            "How far is it from D up to the submediant of Eb major?\nA) Major sixth B) Minor "
            "seventh C) Major seventh D) Augmented sixth",
            "B",
        ),
        (
            "Which roman numeral does the chord G# B D F get in A minor?"
            " A) vii°7 B) viiø7 C) V7 D) ii7",
            "A",
        ),
        (
            "What is the quality of the triad on the leading tone of Bb major?"
            " A) Major B) Minor C) Diminished D) Augmented",
            "C",
        ),
        (
            "What is the enharmonic equivalent of the leading tone of C# minor?"
            " A) C B) B C) A# D) Db",
            "A",
        ),
        ("How many half steps from E up to C? A) seven B) eight C) nine D) ten", "B"),
        (
            "Which key is the relative of E♭ major?"
            "\n(A) G minor (B) C minor (C) Eb minor (D) F minor",
            "B",
        ),
    ],
)
def test_each_kind_of_answer_is_matched_by_value(question: str, letter: str) -> None:
    assert _letter(question) == letter


def test_which_note_is_not_in() -> None:
    question = "Which of these notes is not in the D harmonic minor scale? A) C# B) Bb C) C D) E"
    assert _letter(question) == "C"
    assert _letter("Which of these notes is in the B major scale? A) C B) F C) A# D) G") == "C"


def test_which_chord_is_diatonic() -> None:
    question = "Which chord is diatonic to the relative minor of G major? A) F# B) D C) G# D) Bb"
    assert _letter(question) == "B"


def test_no_option_matches_says_so() -> None:
    fact = answer_choices("What is the dominant of the relative minor of C? A) G B) D C) F D) A")
    assert fact is not None
    assert fact.statement.startswith("None of the options matches: ")
    assert "E" in fact.statement
    assert fact.data["choice"] is None


def test_an_uncomputable_stem_picks_nothing() -> None:
    assert answer_choices("Who wrote the Goldberg Variations? A) Bach B) Mozart C) Haydn") is None
    assert (
        answer_choices("Why avoid parallel fifths? A) They sound hollow B) Rules C) Taste") is None
    )


def test_the_answer_keeps_its_steps() -> None:
    fact = answer_choices(
        "Key signature of the relative minor of the dominant of E♭?\n"
        "A) One flat\nB) Two flats\nC) Three flats\nD) Two sharps"
    )
    assert fact is not None
    assert fact.statement.splitlines() == [
        "Answer: B) Two flats",
        "The key signature of the relative minor of the dominant of Eb is 2 flats (Bb, Eb).",
    ]
    assert len(fact.steps) == 3
    assert fact.kind == "choice" and fact.data["choice"] == "B"


def test_the_other_reading_of_given_notes() -> None:
    """F Ab C D is Fm6 to the engine, and Dø7 to a book: an option naming either is right."""
    fact = answer_choices("What chord is F Ab C D? A) Dm7b5 B) Dm7 C) Fmaj7 D) Bb7")
    assert fact is not None and fact.statement.startswith("Answer: A) Dm7b5")
    assert "also make" in fact.statement


@pytest.mark.parametrize(
    ("question", "first_line"),
    [
        ("Which of the following is the dominant of G? a) C b) D c) E d) F#", "Answer: b) D"),
        (
            "The relative minor of E♭ major is:\nA) C minor\nB) G minor\nC) F minor",
            "Answer: A) C minor",
        ),
        (
            "What is the interval between C and G?\n1. Perfect fourth\n2. Perfect fifth"
            "\n3. Major sixth",
            "Answer: 2) Perfect fifth",
        ),
        (
            "Choose the correct spelling of the F# major triad: A) F# A C# B) F# A# C# C) Gb Bb Db",
            "Answer: B) F# A# C#",
        ),
        ("Which chord is V7 in D major? (A) A7 (B) D7 (C) E7 (D) G7", "Answer: A) A7"),
        ("How many flats does Ab major have? A) 3 B) 4 C) 5 D) 2", "Answer: B) 4"),
        ("Which interval is a tritone? A) C-F# B) C-G C) C-F D) C-E", "Answer: A) C-F#"),
        (
            "In the key of F major, what is the IV chord? A) Bb major B) C major C) G minor",
            "Answer: A) Bb major",
        ),
        ("Identify the chord: C E G B\nA) Cmaj7\nB) C7\nC) Cm7\nD) Em", "Answer: A) Cmaj7"),
    ],
)
def test_free_phrasings_of_multiple_choice(question: str, first_line: str) -> None:
    fact = answer_choices(question)
    assert fact is not None
    assert fact.statement.splitlines()[0] == first_line


def test_single_step_questions_and_inversions() -> None:
    """A mode's scale comes from the single-step rules; an inversion is matched bass first."""
    dorian = "Which notes are in D dorian? A) D E F# G A B C# B) D E F G A B C C) D E F G A Bb C"
    assert _letter(dorian) == "B"
    assert _letter("Which note is not in the D dorian scale? A) B B) C C) Bb D) E") == "C"
    inverted = "Spell the G major triad in first inversion. A) G B D B) D G B C) B D G"
    assert _letter(inverted) == "C"
