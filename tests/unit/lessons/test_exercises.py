"""Exercise makers: one per kind, and the same exercise for the same seed.

The pinned exercises were drawn before ``_make``'s if-chain became the ``MAKERS`` table; a
change that reorders a maker's draws (and so changes every learner's next exercise for the
same seed) fails here.
"""

from __future__ import annotations

import random
from typing import get_args

import pytest

from etude.lessons.curriculum import Constraint, ExerciseKind, ExerciseTemplate, Skill
from etude.lessons.exercises import MAKERS, make_exercise

SKILL = Skill(id="drill", title="Drill", level="beginner", goals=[], exercises=[])

CHOICES = {
    "interval_name": {"roots": ["C", "Eb", "A"], "intervals": ["M3", "m6", "P4"]},
    "interval_build": {"roots": ["D", "Bb"], "intervals": ["m3", "M6"]},
    "scale_spell": {"tonics": ["E", "Ab"], "scales": ["major", "minor"]},
    "key_signature": {"tonics": ["A", "Eb"], "modes": ["major", "minor"]},
    "relative_key": {"tonics": ["G", "C"], "modes": ["major", "minor"]},
    "triad_spell": {"roots": ["F#", "Bb"], "qualities": ["diminished", "minor"]},
    "chord_spell": {"symbols": ["G7", "Fmaj7", "Bdim"]},
    "roman_numeral": {"figures": ["V7", "ii", "iv"], "keys": ["A minor", "Eb major"]},
}

PINNED = {
    "interval_name": [
        (
            "Name the interval from Eb up to G (quality and number).",
            ["M3"],
            None,
            "major intervals",
        ),
        (
            "Name the interval from Eb up to Ab (quality and number).",
            ["P4"],
            None,
            "perfect intervals",
        ),
        ("Name the interval from C up to E (quality and number).", ["M3"], None, "major intervals"),
    ],
    "interval_build": [
        ("Which note is a minor third above Bb?", ["Db"], None, "minor intervals"),
        ("Which note is a minor third above Bb?", ["Db"], None, "minor intervals"),
        ("Which note is a minor third above D?", ["F"], None, "minor intervals"),
    ],
    "scale_spell": [
        (
            "Spell the Ab major scale, one note per letter.",
            ["Ab", "Bb", "C", "Db", "Eb", "F", "G"],
            "Ab major",
            "major scales with flats",
        ),
        (
            "Spell the Ab major scale, one note per letter.",
            ["Ab", "Bb", "C", "Db", "Eb", "F", "G"],
            "Ab major",
            "major scales with flats",
        ),
        (
            "Spell the E major scale, one note per letter.",
            ["E", "F#", "G#", "A", "B", "C#", "D#"],
            "E major",
            "major scales with sharps",
        ),
    ],
    "key_signature": [
        (
            "How many sharps or flats does Eb major have, and which?",
            ["Bb", "Eb", "Ab"],
            "Eb major",
            "major keys with flats",
        ),
        (
            "How many sharps or flats does Eb major have, and which?",
            ["Bb", "Eb", "Ab"],
            "Eb major",
            "major keys with flats",
        ),
        (
            "How many sharps or flats does A major have, and which?",
            ["F#", "C#", "G#"],
            "A major",
            "major keys with sharps",
        ),
    ],
    "relative_key": [
        ("What is the relative minor of C major?", ["A", "minor"], None, "relatives of major keys"),
        ("What is the relative minor of C major?", ["A", "minor"], None, "relatives of major keys"),
        ("What is the relative minor of G major?", ["E", "minor"], None, "relatives of major keys"),
    ],
    "triad_spell": [
        (
            "Spell the Bb diminished triad (root first).",
            ["Bb", "Db", "Fb"],
            None,
            "diminished triads",
        ),
        (
            "Spell the Bb diminished triad (root first).",
            ["Bb", "Db", "Fb"],
            None,
            "diminished triads",
        ),
        (
            "Spell the F# diminished triad (root first).",
            ["F#", "A", "C"],
            None,
            "diminished triads",
        ),
    ],
    "chord_spell": [
        ("Spell the chord Fmaj7 from the bass up.", ["F", "A", "C", "E"], None, ""),
        ("Spell the chord G7 from the bass up.", ["G", "B", "D", "F"], None, ""),
        ("Spell the chord Fmaj7 from the bass up.", ["F", "A", "C", "E"], None, ""),
    ],
    "roman_numeral": [
        ("Spell ii in A minor (root first).", ["B", "D", "F#"], "A minor", "ii in minor keys"),
        ("Spell ii in A minor (root first).", ["B", "D", "F#"], "A minor", "ii in minor keys"),
        ("Spell V7 in A minor (root first).", ["E", "G#", "B", "D"], "A minor", "V in minor keys"),
    ],
}
"""Kind → the first three exercises ``random.Random(7)`` draws: prompt, expected, key, family."""


def test_every_kind_has_one_maker() -> None:
    assert set(MAKERS) == set(get_args(ExerciseKind))


@pytest.mark.parametrize("kind", sorted(PINNED))
def test_the_same_seed_draws_the_same_exercises(kind: str) -> None:
    template = ExerciseTemplate.model_validate({"kind": kind, "choices": CHOICES[kind]})
    rng = random.Random(7)
    drawn = [make_exercise(SKILL, template, rng) for _ in PINNED[kind]]
    assert [(e.prompt, e.expected, e.key, e.family) for e in drawn] == PINNED[kind]
    assert {(e.skill, e.kind) for e in drawn} == {("drill", kind)}


def test_a_composition_task_carries_its_key_and_constraints() -> None:
    constraints = [Constraint(kind="key"), Constraint(kind="bars", value=4)]
    template = ExerciseTemplate(
        kind="compose",
        choices={"keys": ["G major", "D minor"]},
        prompt="Write 4 bars in {key}.",
        constraints=constraints,
    )
    task = make_exercise(SKILL, template, random.Random(7))
    assert task.prompt == (
        "Write 4 bars in D minor. Attach a MIDI, MusicXML or ABC file, or paste ABC in your "
        "message."
    )
    assert (task.answer_kind, task.key, task.constraints, task.family) == (
        "composition",
        "D minor",
        constraints,
        "",
    )


def test_a_template_without_the_choices_its_kind_draws_is_refused() -> None:
    template = ExerciseTemplate(kind="triad_spell", choices={"roots": ["C"]})
    with pytest.raises(ValueError, match=r"triad_spell template needs choices\.qualities"):
        make_exercise(SKILL, template, random.Random(0))
