"""Coverage gating: families come from the curriculum, and old records keep their mastery."""

from __future__ import annotations

import random

from etude.lessons.coverage import UNCOVERED_CAP, gated_mastery, skill_families
from etude.lessons.curriculum import load_curriculum
from etude.lessons.exercises import make_exercise
from etude.lessons.records import SkillMastery


def test_every_drawn_exercise_belongs_to_a_family_of_its_skill() -> None:
    curriculum = load_curriculum()
    rng = random.Random(0)
    for skill in curriculum.skills.values():
        families = skill_families(skill)
        for template in skill.exercises:
            for _ in range(5):
                family = make_exercise(skill, template, rng).family
                assert (family in families) if families else family == ""


def test_gating_holds_back_only_skills_with_families_left() -> None:
    curriculum = load_curriculum()
    mastery = {
        "triads": SkillMastery(skill="triads", p_known=0.98, covered=["major triads"]),
        "intervals": SkillMastery(
            skill="intervals",
            p_known=0.98,
            covered=["major intervals", "minor intervals", "perfect intervals"],
        ),
        "melody-writing": SkillMastery(skill="melody-writing", p_known=0.97, covered=[]),
        # kept before coverage was tracked: its mastery stands
        "cadences": SkillMastery(skill="cadences", p_known=0.96),
    }
    assert gated_mastery(curriculum, mastery) == {
        "triads": UNCOVERED_CAP,
        "intervals": 0.98,
        "melody-writing": 0.97,
        "cadences": 0.96,
    }
