"""Drill answers checked by the theory engine; compositions checked against their task."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from etude.lessons.composition import check_composition, load_submission
from etude.lessons.curriculum import load_curriculum
from etude.lessons.drills import check_drill, read_interval
from etude.lessons.exercises import Exercise, make_exercise


def _drill(kind: str, **choices: list[str]) -> Exercise:
    skill = next(
        s for s in load_curriculum().skills.values() if any(t.kind == kind for t in s.exercises)
    )
    template = next(t for t in skill.exercises if t.kind == kind)
    template = template.model_copy(update={"choices": choices})
    return make_exercise(skill, template, random.Random(0))


def test_every_template_of_the_curriculum_generates_and_accepts_its_own_answer() -> None:
    rng = random.Random(1)
    for skill in load_curriculum().skills.values():
        for template in skill.exercises:
            exercise = make_exercise(skill, template, rng)
            if exercise.answer_kind == "notes":
                assert check_drill(exercise, " ".join(exercise.expected)).correct
            elif exercise.answer_kind == "interval":
                assert check_drill(exercise, exercise.expected[0]).correct


def test_major_third_as_three_semitones_is_diagnosed() -> None:
    exercise = _drill("interval_name", roots=["C"], intervals=["M3"])
    assert exercise.expected == ["M3"]
    result = check_drill(exercise, "My answer: a minor third")
    assert not result.correct
    assert "spans 3 semitones; this interval spans 4" in " ".join(result.feedback)
    assert result.misconceptions == ["quality:M3->m3"]


def test_triad_spelled_without_its_sharp_gets_located_feedback() -> None:
    exercise = _drill("triad_spell", roots=["E"], qualities=["major"])
    result = check_drill(exercise, "E G B")
    assert not result.correct and result.expected == "E G# B"
    assert any("G should be G#" in line and "3 semitones" in line for line in result.feedback)


def test_enharmonic_spelling_is_wrong_but_named_as_such() -> None:
    exercise = _drill("triad_spell", roots=["E"], qualities=["major"])
    result = check_drill(exercise, "E Ab B")
    assert not result.correct
    assert any("sounds right but is spelled wrong" in line for line in result.feedback)


def test_scale_order_matters_and_the_octave_may_be_repeated() -> None:
    exercise = _drill("scale_spell", tonics=["D"], scales=["major"])
    assert check_drill(exercise, "D E F# G A B C# D").correct
    assert not check_drill(exercise, "D E F G A B C D").correct


def test_key_signature_and_relative_key_answers() -> None:
    exercise = _drill("key_signature", tonics=["D"], modes=["major"])
    assert check_drill(exercise, "two sharps: F# and C#").correct
    assert check_drill(exercise, "2 sharps").correct
    assert not check_drill(exercise, "one sharp").correct
    relative = _drill("relative_key", tonics=["C"], modes=["major"])
    assert check_drill(relative, "A minor").correct
    wrong = check_drill(relative, "C minor")
    assert not wrong.correct and wrong.misconceptions == ["relative_as_parallel"]


def test_unreadable_answers_are_not_judged() -> None:
    exercise = _drill("triad_spell", roots=["E"], qualities=["major"])
    assert check_drill(exercise, "hmm, not sure what you mean").answered is False
    assert read_interval("perfect 5th") == "P5"


GOOD = """X:1
M:4/4
L:1/4
K:G
G A B c | d2 B G | c B A G | A4 | B c d g | f e d c | B A G B | A F G2 |]
"""
FLAWED = """X:1
M:4/4
L:1/4
K:G
G A B c | d2 B G | c B A G | A4 | B c d g | a b a g | B A G B | A G c2 |]
"""


@pytest.fixture()
def melody_task() -> Exercise:
    skill = load_curriculum().skill("melody-writing")
    template = skill.exercises[0].model_copy(update={"choices": {"keys": ["G major"]}})
    return make_exercise(skill, template, random.Random(0))


def test_a_correct_melody_passes_every_constraint(melody_task: Exercise, tmp_path: Path) -> None:
    loaded = load_submission("here is my melody\n" + GOOD, None, tmp_path)
    result = check_composition(melody_task, loaded)
    assert result.correct, result.constraints
    assert [c.name for c in result.constraints] == [
        "key",
        "bars",
        "final_cadence",
        "max_range",
        "leap_recovered",
    ]


def test_a_flawed_melody_fails_with_located_feedback(melody_task: Exercise, tmp_path: Path) -> None:
    loaded = load_submission(FLAWED, None, tmp_path)
    result = check_composition(melody_task, loaded)
    failed = {c.name: c for c in result.constraints if not c.passed}
    assert set(failed) == {"final_cadence"}
    cadence = failed["final_cadence"]
    assert cadence.bar == 8 and "C5" in cadence.detail and "4th degree" in cadence.detail


def test_too_wide_and_unrecovered_leaps_are_located(melody_task: Exercise, tmp_path: Path) -> None:
    wide = GOOD.replace("B c d g | f e d c", "B c d g' | f e d c")
    result = check_composition(melody_task, load_submission(wide, None, tmp_path))
    failed = {c.name: c for c in result.constraints if not c.passed}
    assert "max_range" in failed and failed["max_range"].bar == 5
    assert "leap_recovered" not in failed or failed["leap_recovered"].bar == 5


def test_parallel_fifths_fail_an_avoid_constraint(tmp_path: Path) -> None:
    skill = load_curriculum().skill("harmonising-a-melody")
    template = skill.exercises[0].model_copy(update={"choices": {"keys": ["C major"]}})
    task = make_exercise(skill, template, random.Random(0))
    two_parts = """X:1
M:4/4
L:1/2
K:C
V:1
e d | c d | e f | g2 | a g | f e | d d | c2 |]
V:2 clef=bass
A, G, | F, G, | C, D, | C,2 | F, C, | D, A,, | G,, G,, | C,2 |]
"""
    result = check_composition(task, load_submission(two_parts, None, tmp_path))
    avoid = next(c for c in result.constraints if c.name == "avoid")
    assert not avoid.passed and avoid.bar is not None
    assert "fifth" in avoid.detail.lower()
