"""compute_facts on free phrasing: the same fact however the learner words it."""

from __future__ import annotations

import pytest

from etude.theory.calculator import compute_facts
from etude.theory.questions import SubstituteQuery, parse, tokenize


def _only(question: str):
    facts = compute_facts(question)
    assert len(facts) >= 1, question
    return facts[0]


@pytest.mark.parametrize(
    ("question", "kind", "notes"),
    [
        ("Which notes make up a G major triad?", "chord", "G B D"),
        ("Spell a D minor seventh chord", "chord", "D F A C"),
        ("what's in F#m7", "chord", "F# A C# E"),
        ("Cmaj7", "chord", "C E G B"),
        ("C major seven", "chord", "C E G B"),
        ("spell C major 7th", "chord", "C E G B"),
        ("Bø7", "chord", "B D F A"),
        ("B half-diminished seventh chord", "chord", "B D F A"),
        ("B half diminished 7", "chord", "B D F A"),
        ("C7b9", "chord", "C E G Bb Db"),
        ("C7 with a flat nine", "chord", "C E G Bb Db"),
        ("G dominant seventh flat 9", "chord", "G B D F Ab"),
        ("G/B", "chord", "B D G"),
        ("G major triad in first inversion", "chord", "B D G"),
        ("C minor 7 chord in second inversion", "chord", "G Bb C Eb"),
        ("E-flat minor chord", "chord", "Eb Gb Bb"),
        ("E♭7", "chord", "Eb G Bb Db"),
        ("What is C13?", "chord", "C E G Bb D A"),
        ("F diminished seventh chord", "chord", "F Ab Cb Ebb"),
        ("Csus4", "chord", "C F G"),
        ("What chord is C E G Bb?", "chord_identification", "C E G Bb"),
        ("what chord is c e g bb", "chord_identification", "C E G Bb"),
        ("identify the chord D-F-A-C", "chord_identification", "D F A C"),
        ("What notes are in the E flat major scale?", "scale", "Eb F G Ab Bb C D"),
        ("E♭ major scale", "scale", "Eb F G Ab Bb C D"),
        ("mi bémol majeur", "scale", "Eb F G Ab Bb C D"),
        ("e minor scale", "scale", "E F# G A B C D"),
        ("F sharp harmonic minor scale", "scale", "F# G# A B C# D E#"),
        ("What's the harmonic minor of A?", "scale", "A B C D E F G#"),
        ("D dorian", "scale", "D E F G A B C"),
        ("the dorian mode on D", "scale", "D E F G A B C"),
        ("C blues scale", "scale", "C Eb F Gb G Bb"),
        ("A minor pentatonic", "scale", "A C D E G"),
        ("C whole tone scale", "scale", "C D E F# G# Bb"),
        ("What is a minor sixth above E?", "interval", "E C"),
        ("what note is a perfect fifth below D", "interval", "D G"),
        ("What is the interval between C and A flat?", "interval", "C Ab"),
        ("How many sharps does A major have?", "key_signature", "F# C# G#"),
        ("how many flats in E-flat major?", "key_signature", "Bb Eb Ab"),
        ("key signature of F# minor", "key_signature", "F# C# G#"),
        ("What is the relative minor of F major?", "related_keys", "F D"),
        ("relative major of a minor", "related_keys", "A C"),
        ("What is V7 in F major?", "roman_numeral", "C E G Bb"),
        ("What is V7 in B flat major?", "roman_numeral", "F A C Eb"),
        ("what is viiø7 in C", "roman_numeral", "B D F A"),
        ("what is the roman numeral of A minor in C major?", "roman_numeral", "A C E"),
        ("transpose C E G up a major third", "transposition", "E G# B"),
        ("Transpose C E G up a whole step", "transposition", "D F# A"),
        ("transpose G7 down a perfect fourth", "transposition", "D F# A C"),
        ("Transpose C E G from C major to D major", "transposition", "D F# A"),
        ("ii–V–I in Bb", "progression", "C Eb G F A C Bb D F"),
        ("ii-V-I in A minor", "progression", "B D F E G# B A C E"),
        ("I-V-vi-IV in G", "progression", "G B D D F# A E G B C E G"),
        ("In Db major, is it F# or Gb?", "enharmonic", "Gb"),
        ("What's the fingering for a C major triad?", "fingering", "C E G"),
    ],
)
def test_free_phrasing(question: str, kind: str, notes: str) -> None:
    fact = _only(question)
    assert fact.kind == kind
    assert fact.notes == notes.split()


@pytest.mark.parametrize(
    ("question", "fragment"),
    [
        ("which key has 3 flats?", "Eb major and its relative minor C minor"),
        ("Which key has no sharps or flats?", "C major"),
        ("Invert a major third", "minor sixth"),
        ("How many semitones in a tritone?", "6 semitones"),
        ("What is a major tenth?", "16 semitones"),
        ("What is the parallel minor of C major?", "C minor"),
        ("Circle of fifths", "C – G – D – A – E – B"),
        ("What keys are next to G on the circle of fifths?", "D major"),
        ("Diatonic chords in D major", "vii° C#dim (C# E G)"),
        ("What are the seventh chords in A minor?", "iiø7 Bm7b5"),
        ("What is the fingering for the B major scale on piano?", "left hand 4-3-2-1-4-3-2-1"),
        ("Give me the fingering for E flat minor", "right hand 3-1-2-3-4-1-2-3"),
        ("12-bar blues in F", "Bb7 (Bb D F Ab)"),
        ("What's the enharmonic of F#?", "Gb"),
    ],
)
def test_statements_contain_the_answer(question: str, fragment: str) -> None:
    assert fragment in _only(question).statement


@pytest.mark.parametrize(
    "question",
    [
        "why do composers avoid parallel fifths?",
        "What is a deceptive cadence?",
        "How does sonata form work?",
        "How do I write a good melody?",
        "Can you explain the dorian mode?",
        "What does a dominant seventh chord resolve to?",
        "Am I allowed to double the leading tone?",
        "Do you like Bach?",
        "",
    ],
)
def test_nothing_computable_gives_no_facts(question: str) -> None:
    assert compute_facts(question) == []


def test_article_a_is_not_the_note_a() -> None:
    assert compute_facts("What is a minor sixth above E?")[0].notes == ["E", "C"]
    kinds = [t.kind for t in tokenize("what is a flat nine chord")]
    assert "NOTE" not in kinds


def test_several_subjects_give_several_facts() -> None:
    facts = compute_facts("Spell Cmaj7 and Dm7")
    assert [f.data["symbol"] for f in facts] == ["Cmaj7", "Dm7"]


@pytest.mark.parametrize(
    ("question", "notes"),
    [
        ("What notes are in A9?", "A C# E G B"),
        ("What notes are in Bb?", "Bb D F"),
        ("spell A7", "A C# E G"),
    ],
)
def test_chord_symbols_that_look_like_interval_codes(question: str, notes: str) -> None:
    assert _only(question).notes == notes.split()


def test_a_melody_to_harmonise_gets_chords_for_its_own_notes() -> None:
    """Every chord chosen holds its melody note; a melody ending on the tonic closes on I
    (or i); a note outside the key is said to be outside it (issue #20)."""
    import random

    from etude.theory.calculator import compute_facts
    from etude.theory.questions import HarmoniseQuery, parse
    from etude.theory.scales import scale_notes
    from etude.theory.spelling import human, pitch_class

    assert parse("help me harmonise the melody E D C in C major") == [
        HarmoniseQuery(melody=["E", "D", "C"], tonic="C", mode="major")
    ]
    rng = random.Random(5)
    for tonic, mode in [("C", "major"), ("Bb", "major"), ("E", "minor"), ("F#", "minor")]:
        scale = [
            human(n) for n in scale_notes(tonic, "major" if mode == "major" else "harmonic minor")
        ]
        for _ in range(10):
            melody = [rng.choice(scale) for _ in range(rng.randint(2, 5))] + [scale[0]]
            question = f"harmonise the melody {' '.join(melody)} in {tonic} {mode}"
            fact = compute_facts(question)[0]
            chords = fact.data["chords"]
            assert len(chords) == len(melody), question
            for note, row in zip(melody, chords, strict=True):
                assert pitch_class(note) in {pitch_class(n) for n in row["notes"]}, question
            assert chords[-1]["degree"] == 1, question
    outside = compute_facts("harmonise the melody C C# D in C major")[0]
    assert "C# is not in C major" in outside.statement


@pytest.mark.parametrize(
    ("message", "chords"),
    [
        (
            "I keep writing Dm Bb F C, is that ok?",
            ["D minor triad", "Bb major triad", "F major triad", "C major triad"],
        ),
        (
            "verse goes E B C#m A then repeats",
            ["E major triad", "B major triad", "C# minor triad", "A major triad"],
        ),
        ("play G7 C", ["G dominant seventh chord", "C major triad"]),
    ],
)
def test_bare_letters_among_chord_symbols_are_chords_not_one_note_set(
    message: str, chords: list[str]
) -> None:
    facts = compute_facts(message)
    assert [(f.kind, f.query) for f in facts] == [("chord", chord) for chord in chords]


def test_bare_letters_alone_are_still_a_note_set() -> None:
    assert [f.kind for f in compute_facts("which chord do F A C make?")] == ["chord_identification"]


@pytest.mark.parametrize(
    ("message", "statement"),
    [
        ("what is the third chord in E flat major?", "is G minor (G – Bb – D)"),
        ("2nd chord of A major please", "is B minor (B – D – F#)"),
        ("the sixth chord in F major", "is D minor (D – F – A)"),
    ],
)
def test_the_nth_chord_of_a_key_is_the_chord_on_its_nth_degree(
    message: str, statement: str
) -> None:
    facts = compute_facts(message)
    assert len(facts) == 1 and statement in facts[0].statement


@pytest.mark.parametrize(
    ("question", "target", "key"),
    [
        ("The chords Bb Gm Eb F feel really predictable, any ideas?", "Eb", ("B-", "major")),
        ("how can I make G Em C D less boring", "C", ("G", "major")),
        ("Dm Bb F C — could this be more interesting?", "C", ("D", "minor")),
        ("my loop is Cm Ab Eb Bb and it feels stale, more interesting?", "Bb", ("C", "minor")),
    ],
)
def test_a_plain_progression_gets_substitutes_for_its_predominant(
    question: str, target: str, key: tuple[str, str]
) -> None:
    (query,) = parse(question)
    assert isinstance(query, SubstituteQuery)
    assert (query.target, (query.tonic, query.mode)) == (target, key)


def test_words_about_plainness_without_chords_ask_for_no_substitute() -> None:
    assert not any(isinstance(q, SubstituteQuery) for q in parse("my melody is boring, help"))


@pytest.mark.parametrize(
    ("question", "example"),
    [
        ("what is the 2nd note of a major scale?", "C major"),
        ("which notes make up a minor scale?", "A natural minor"),
        ("what's the relative minor of a major key?", "C major"),
    ],
)
def test_a_question_about_every_scale_of_a_mode_is_answered_by_an_example(
    question: str, example: str
) -> None:
    from etude.theory import compute_facts

    facts = compute_facts(question)
    assert facts and all(example in f.statement for f in facts)
    assert all("is only an example" in f.statement for f in facts)


@pytest.mark.parametrize(
    "question", ["what is the 2nd note of the A major scale?", "notes in a major?", "A major scale"]
)
def test_the_key_of_a_stays_the_key_of_a(question: str) -> None:
    from etude.theory import compute_facts

    facts = compute_facts(question)
    assert facts and all("only an example" not in f.statement for f in facts)
    assert all("A major" in f.statement for f in facts)
