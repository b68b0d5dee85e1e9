"""Checking a learner's answer to a theory drill against the computed answer.

The verdict is exact (spelling matters: G# is right in E major, Ab is not), and a wrong answer
gets a diagnosis a teacher would give: which note is wrong and what interval the learner
actually wrote ("E up to G is a minor third, 3 semitones; the major third is G#"). Those
diagnoses are computed by the theory engine too, never guessed.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from etude.lessons.exercises import Exercise
from etude.theory.intervals import interval_between, interval_words
from etude.theory.questions import NUMBER_WORDS
from etude.theory.spelling import normalise_text, notes_in, to_music21, with_article
from etude.theory.spelling import pitch_class as pc


class ConstraintResult(BaseModel):
    """One constraint of a composition task, passed or not, with where it fails."""

    name: str
    passed: bool
    detail: str
    bar: int | None = None
    beat: float | None = None


class CheckResult(BaseModel):
    """The verdict on one submission: authoritative, shown to the learner as computed."""

    exercise_id: str
    skill: str
    correct: bool
    given: str = Field(description="What the learner's answer was read as.")
    expected: str = Field(description="The right answer, for the learner to compare.")
    feedback: list[str] = Field(default_factory=list, description="Specific, located remarks.")
    constraints: list[ConstraintResult] = Field(default_factory=list)
    misconceptions: list[str] = Field(
        default_factory=list, description="Stable tags of the errors diagnosed, for analysis."
    )
    answered: bool = Field(default=True, description="False when no answer could be read.")


_QUALITY = {
    "perfect": "P",
    "major": "M",
    "minor": "m",
    "augmented": "A",
    "diminished": "d",
    "maj": "M",
    "min": "m",
    "aug": "A",
    "dim": "d",
    "p": "P",
}
_NUMBER = {
    "unison": 1,
    "prime": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "octave": 8,
    "ninth": 9,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
}
_INTERVAL_WORDS = re.compile(
    r"\b(?P<q>perfect|major|minor|augmented|diminished|maj|min|aug|dim)\.?\s*"
    r"(?P<n>unison|prime|second|third|fourth|fifth|sixth|seventh|octave|ninth|\d(?:st|nd|rd|th)?)\b",
    re.IGNORECASE,
)
_INTERVAL_CODE = re.compile(r"(?<![\w#])(?P<q>[PMmAd])(?P<n>[1-9])(?![\w#])")
_COUNT_WORDS = {word: n for word, n in NUMBER_WORDS.items() if n <= 7}
_SIGNATURE = re.compile(
    r"\b(?P<count>no|zero|none|one|two|three|four|five|six|seven|\d)\s+(?P<acc>sharp|flat)s?\b",
    re.IGNORECASE,
)


def read_interval(text: str) -> str | None:
    """The interval a learner named, as music21's code; None if none is named.

    >>> read_interval("I think it's a minor 3rd"), read_interval("M6"), read_interval("P5")
    ('m3', 'M6', 'P5')
    >>> read_interval("perfect fifth")
    'P5'
    >>> read_interval("a tritone") is None
    True
    """
    if match := _INTERVAL_WORDS.search(text):
        number_word = match["n"].lower()
        number = _NUMBER.get(number_word) or int(re.sub(r"\D", "", number_word))
        return f"{_QUALITY[match['q'].lower()]}{number}"
    if match := _INTERVAL_CODE.search(text):
        return f"{match['q']}{match['n']}"
    return None


def read_notes(text: str) -> list[str]:
    """Note names in an answer, with accidentals written in words or symbols.

    >>> read_notes("My answer: E, G sharp and B")
    ['E', 'G#', 'B']
    """
    return notes_in(normalise_text(text))


def _interval_semitones(code: str) -> int | None:
    from music21 import interval

    try:
        return int(interval.Interval(code).semitones)
    except Exception:  # music21 raises several types for impossible names
        return None


def _result(
    exercise: Exercise, correct: bool, given: str, expected: str, **extra: object
) -> CheckResult:
    return CheckResult(
        exercise_id=exercise.id,
        skill=exercise.skill,
        correct=correct,
        given=given,
        expected=expected,
        **extra,  # type: ignore[arg-type]
    )


def check_interval(exercise: Exercise, text: str) -> CheckResult:
    expected = exercise.expected[0]
    given = read_interval(text)
    words = interval_words(expected)
    if given is None:
        return _result(
            exercise,
            False,
            "",
            words,
            answered=False,
            feedback=["Name the interval with a quality and a number, e.g. 'minor sixth' or 'm6'."],
        )
    try:
        given_words = interval_words(given)
    except Exception:
        given_words = given
    if given == expected:
        return _result(exercise, True, given_words, words, feedback=[exercise.fact])
    feedback = [exercise.fact]
    tags = []
    expected_semis, given_semis = _interval_semitones(expected), _interval_semitones(given)
    if given_semis is not None:
        feedback.append(
            f"You answered {given_words}, which spans {given_semis} semitones; "
            f"this interval spans {expected_semis}."
        )
    if given[1:] == expected[1:]:
        tags.append(f"quality:{expected}->{given}")
    else:
        tags.append(f"number:{expected}->{given}")
    return _result(exercise, False, given_words, words, feedback=feedback, misconceptions=tags)


_KEY_NAME = re.compile(r"(?<![\w#])([A-G](?:#|b)?)\s+(major|minor)\b", re.IGNORECASE)


def check_notes(exercise: Exercise, text: str) -> CheckResult:
    """Notes answers: exact spelling and order-insensitive for chords, ordered for scales.
    A key's name given for a scale or chord ("is it F# minor?") answers another question:
    it is not read as a one-note attempt.

    >>> ex = Exercise(skill="scales", kind="scale_spell", prompt="Spell the D major scale.",
    ...               answer_kind="notes", expected=["D", "E", "F#", "G", "A", "B", "C#"])
    >>> check_notes(ex, "is it F# minor?").answered, check_notes(ex, "D E F# G A B C").answered
    (False, True)
    """
    expected = exercise.expected
    given = read_notes(text)
    shown = " ".join(expected)
    if not given:
        return _result(
            exercise,
            False,
            "",
            shown,
            answered=False,
            feedback=["Write the note names, e.g. 'E G# B'."],
        )
    key = _KEY_NAME.search(normalise_text(text))
    if key is not None and len(given) == 1 and len(expected) > 2:
        return _result(
            exercise,
            False,
            "",
            shown,
            answered=False,
            feedback=[
                f"{key[1]} {key[2]} names a key, but this exercise asks for "
                f"{len(expected)} note names: {exercise.prompt}"
            ],
        )
    ordered = exercise.kind == "scale_spell"
    same = given == expected if ordered else sorted(given) == sorted(expected)
    if ordered and not same and len(given) == len(expected) + 1 and given[-1] == given[0]:
        same = given[:-1] == expected  # a scale written up to the octave
    if same:
        return _result(exercise, True, " ".join(given), shown, feedback=[exercise.fact])
    feedback = [exercise.fact]
    tags: list[str] = []
    root = expected[0]
    by_letter = {note[0]: note for note in given}
    for note in expected:
        wrote = by_letter.get(note[0])
        if wrote == note:
            continue
        if wrote is None:
            enharmonic = [g for g in given if pc(g) == pc(note) and g not in expected]
            if enharmonic:
                feedback.append(
                    f"{enharmonic[0]} sounds right but is spelled wrong: "
                    f"write it as {note}, so every letter appears once."
                )
                tags.append(f"spelling:{note}->{enharmonic[0]}")
            else:
                feedback.append(f"{note} is missing.")
                tags.append(f"missing:{note}")
            continue
        tags.append(f"accidental:{note}->{wrote}")
        if note == root or exercise.kind in ("scale_spell", "key_signature"):
            feedback.append(f"{wrote} should be {note}.")
            continue
        try:
            wanted = interval_between(to_music21(root), to_music21(note)).data
            actual = interval_between(to_music21(root), to_music21(wrote)).data
        except (ValueError, KeyError):
            feedback.append(f"{wrote} should be {note}.")
            continue
        feedback.append(
            f"{wrote} should be {note}: from {root} up to {wrote} is "
            f"{with_article(actual['words'])} ({actual['semitones']} semitones), but the chord "
            f"needs {with_article(wanted['words'])} ({wanted['semitones']} semitones)."
        )
    extra = [g for g in given if g[0] not in {n[0] for n in expected}]
    for note in extra:
        if not any(pc(note) == pc(e) for e in expected):
            feedback.append(f"{note} is not in the answer.")
            tags.append(f"extra:{note}")
    return _result(exercise, False, " ".join(given), shown, feedback=feedback, misconceptions=tags)


def check_key_signature(exercise: Exercise, text: str) -> CheckResult:
    expected = exercise.expected
    kind = "flat" if expected and expected[0].endswith("b") else "sharp"
    shown = f"{len(expected)} {kind}{'s' if len(expected) != 1 else ''}" + (
        f" ({', '.join(expected)})" if expected else ""
    )
    if not expected:
        shown = "no sharps or flats"
    notes = [n for n in read_notes(text) if len(n) > 1]
    match = _SIGNATURE.search(text)
    if match:
        raw = match["count"].lower()
        count = int(raw) if raw.isdigit() else _COUNT_WORDS[raw]
        accidental = match["acc"].lower()
    elif notes:
        count, accidental = len(notes), "flat" if notes[0].endswith("b") else "sharp"
    elif re.search(r"\bno (?:sharps|flats|accidentals)\b|\bnone\b", text, re.IGNORECASE):
        count, accidental = 0, kind
    else:
        return _result(
            exercise,
            False,
            "",
            shown,
            answered=False,
            feedback=["Say how many sharps or flats, e.g. 'two sharps: F# and C#'."],
        )
    given = f"{count} {accidental}{'s' if count != 1 else ''}"
    right_count = count == len(expected) and (count == 0 or accidental == kind)
    right_notes = not notes or sorted(notes) == sorted(expected)
    if right_count and right_notes:
        return _result(exercise, True, given, shown, feedback=[exercise.fact])
    return _result(
        exercise,
        False,
        given,
        shown,
        feedback=[exercise.fact],
        misconceptions=[f"signature:{exercise.key}->{given}"],
    )


def check_key(exercise: Exercise, text: str) -> CheckResult:
    tonic, mode = exercise.expected
    shown = f"{tonic} {mode}"
    match = re.search(
        r"(?<![\w#])([A-G](?:#|b)?)\s*(major|minor|maj|min|m)?\b", normalise_text(text)
    )
    if not match:
        return _result(
            exercise, False, "", shown, answered=False, feedback=["Name a key, e.g. 'E minor'."]
        )
    given_mode = {"maj": "major", "min": "minor", "m": "minor"}.get(match[2] or "", match[2])
    given = f"{match[1]} {given_mode or mode}"
    if match[1] == tonic and (given_mode in (None, mode)):
        return _result(exercise, True, given, shown, feedback=[exercise.fact])
    asked_of = exercise.prompt.split(" of ")[-1].split()[0]
    tag = "relative_as_parallel" if match[1] == asked_of else f"key:{shown}->{given}"
    feedback = [exercise.fact]
    if exercise.kind == "relative_key" and tag != "relative_as_parallel":
        feedback.append(_whose_relative(given, exercise.prompt))
    return _result(exercise, False, given, shown, feedback=feedback, misconceptions=[tag])


def _whose_relative(given: str, prompt: str) -> str:
    """Why a wrong relative key is wrong without naming the right one: whose relative the
    learner's key is, and the key signature the asked key has (computed).

    >>> _whose_relative("F# minor", "What is the relative minor of G major?")
    'F# minor is the relative minor of A major, because both have 3 sharps; G major has 1 \
sharp, and its relative minor shares that signature.'
    """
    from etude.theory.calculator import answer
    from etude.theory.questions import KeySignatureQuery, RelatedKeyQuery

    tonic, mode = given.split()
    asked = re.search(r"of ([A-G](?:#|b)?) (major|minor)", prompt)
    if asked is None or mode not in ("major", "minor"):
        return ""
    theirs = answer(RelatedKeyQuery(tonic=to_music21(tonic), mode=mode, relation="relative"))  # type: ignore[arg-type]
    other = theirs.data["answer"]
    signature = answer(KeySignatureQuery(tonic=to_music21(asked[1]), mode=asked[2]))  # type: ignore[arg-type]
    count = signature.data.get("sharps", 0)
    sign = "sharp" if count > 0 else "flat"
    amount = f"{abs(count)} {sign}{'s' * (abs(count) != 1)}" if count else "no sharps or flats"
    shared = re.search(r"\(both have ([^)]*)\)", theirs.statement)
    both = f", because both have {shared[1]}" if shared else ""
    relation = "minor" if mode == "minor" else "major"
    return (
        f"{given} is the relative {relation} of {other}{both}; {asked[1]} {asked[2]} has "
        f"{amount}, and its relative {relation} shares that signature."
    )


_COUNT = re.compile(
    r"(?<![\w/])(\d{1,2})(?![\w/])|\b(one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve)\b",
    re.IGNORECASE,
)


def check_count(exercise: Exercise, text: str) -> CheckResult:
    """A number answer (beats in a bar, notes in a beat): the first number the learner wrote,
    in digits or words; a time signature they repeat ("6/8") is not their answer.

    >>> ex = Exercise(skill="rhythm", kind="meter_beats", prompt="How many beats are in one "
    ...               "bar of 6/8?", answer_kind="count", expected=["2"], fact="6/8 …")
    >>> check_count(ex, "two").correct, check_count(ex, "6 beats in 6/8?").correct
    (True, False)
    >>> check_count(ex, "dunno").answered
    False
    """
    expected = exercise.expected[0]
    found = _COUNT.search(text)
    if found is None:
        return _result(
            exercise, False, "", expected, answered=False, feedback=["Answer with a number."]
        )
    given = found[1] or str(NUMBER_WORDS[found[2].lower()])
    if given == expected:
        return _result(exercise, True, given, expected, feedback=[exercise.fact])
    return _result(
        exercise,
        False,
        given,
        expected,
        feedback=[exercise.fact],
        misconceptions=[f"count:{exercise.key}:{expected}->{given}"],
    )


def check_drill(exercise: Exercise, text: str) -> CheckResult:
    """Check a typed answer to a theory drill.

    >>> from etude.lessons.exercises import Exercise
    >>> ex = Exercise(skill="triads", kind="triad_spell", prompt="Spell the E major triad.",
    ...               answer_kind="notes", expected=["E", "G#", "B"], fact="E – G# – B.")
    >>> check_drill(ex, "E G# B").correct
    True
    >>> result = check_drill(ex, "my answer: E G B")
    >>> result.correct
    False
    >>> print(result.feedback[1])  # doctest: +NORMALIZE_WHITESPACE
    G should be G#: from E up to G is a minor third (3 semitones), but the chord needs a
    major third (4 semitones).
    """
    if exercise.answer_kind == "interval":
        return check_interval(exercise, text)
    if exercise.answer_kind == "key_signature":
        return check_key_signature(exercise, text)
    if exercise.answer_kind == "key":
        return check_key(exercise, text)
    if exercise.answer_kind == "count":
        return check_count(exercise, text)
    return check_notes(exercise, text)
