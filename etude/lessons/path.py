"""The learning path: which track suits a learner, where they start, and what comes next.

The next step is chosen from data, not generated: a fact due for review comes first (spaced
review is cheap and prevents forgetting), then the first skill on the track that is not yet
mastered and whose prerequisites are. Placement asks one or two drills from the track's early
skills, chosen by the level the learner states; a right placement answer tests the learner out
of that skill and everything it requires, a wrong one only means starting there.
"""

from __future__ import annotations

import random
import re

from pydantic import BaseModel

from etude.config import Level
from etude.learner import LearnerProfile
from etude.lessons.coverage import template_families
from etude.lessons.curriculum import Curriculum, ExerciseTemplate
from etude.lessons.exercises import Exercise, make_exercise
from etude.lessons.mastery import DRILL, MASTERED, BKTParameters

DEFAULT_TRACK = "core"


class SkillState(BaseModel):
    """A skill on the learner's path as ``etude progress`` and the tutor show it."""

    skill: str
    title: str
    p_known: float
    state: str  # "mastered", "current", "ready" or "locked"


def choose_track(curriculum: Curriculum, text: str, profile: LearnerProfile) -> str:
    """The track whose goal words the learner's goals mention most; instruments break ties.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> c = load_curriculum()
    >>> choose_track(c, "I'm a beginner pianist and want to write my first song", LearnerProfile())
    'songwriting'
    >>> choose_track(c, "I want to accompany singers", LearnerProfile(instruments=["piano"]))
    'piano-harmony'
    >>> choose_track(c, "Teach me counterpoint", LearnerProfile())
    'core'
    """
    goals = " ".join([text, *profile.goals]).lower()
    words = set(re.findall(r"[a-z]+", goals))
    best, best_score = DEFAULT_TRACK, 0.0
    for name, track in curriculum.tracks.items():
        score = float(sum(w in words for w in track.goal_words))
        score += 0.5 * sum(i in track.goal_words for i in profile.instruments)
        if score > best_score:
            best, best_score = name, score
    return best


def _prerequisites(curriculum: Curriculum, skill_id: str) -> list[str]:
    found: list[str] = []
    for needed in curriculum.skill(skill_id).requires:
        for item in [*_prerequisites(curriculum, needed), needed]:
            if item not in found:
                found.append(item)
    return found


def next_skill(curriculum: Curriculum, track: str, mastery: dict[str, float]) -> str | None:
    """The first unmastered skill of the track whose prerequisites are all mastered.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> c = load_curriculum()
    >>> next_skill(c, "core", {})
    'intervals'
    >>> next_skill(c, "core", {"intervals": 0.97, "scales-and-keys": 0.5})
    'scales-and-keys'
    >>> next_skill(c, "core", {s: 0.99 for s in c.path("core")}) is None
    True
    """
    for skill_id in curriculum.path(track):
        if mastery.get(skill_id, 0.0) >= MASTERED:
            continue
        if all(mastery.get(r, 0.0) >= MASTERED for r in curriculum.skill(skill_id).requires):
            return skill_id
    return None


def path_states(curriculum: Curriculum, track: str, mastery: dict[str, float]) -> list[SkillState]:
    """Every skill of the track with its mastery and whether it is open yet."""
    current = next_skill(curriculum, track, mastery)
    states = []
    for skill_id in curriculum.path(track):
        skill = curriculum.skill(skill_id)
        p = mastery.get(skill_id, 0.0)
        if p >= MASTERED:
            state = "mastered"
        elif skill_id == current:
            state = "current"
        elif all(mastery.get(r, 0.0) >= MASTERED for r in skill.requires):
            state = "ready"
        else:
            state = "locked"
        states.append(
            SkillState(skill=skill_id, title=skill.title, p_known=round(p, 3), state=state)
        )
    return states


def exercise_for(
    curriculum: Curriculum,
    skill_id: str,
    rng: random.Random,
    *,
    avoid: set[str] | None = None,
    practised: dict[str, int] | None = None,
    covered: set[str] | None = None,
    narrowed: list[ExerciseTemplate] | None = None,
) -> Exercise:
    """A fresh exercise for a skill: from a family not yet answered right while there is one
    (``coverage.py``), of the kind the learner has practised least (so three right answers
    cannot "master" scales and keys without one key signature asked), avoiding recently asked
    items (``item_key``) when there is a choice. ``narrowed`` narrows the draw to the kinds
    the learner asked for.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> c = load_curriculum()
    >>> done = {"scale_spell": 2, "key_signature": 1}
    >>> exercise_for(c, "scales-and-keys", random.Random(0), practised=done).kind
    'relative_key'
    >>> seen = {"major triads", "diminished triads"}
    >>> exercise_for(c, "triads", random.Random(0), covered=seen).family
    'minor triads'
    """
    skill = curriculum.skill(skill_id)
    done = covered or set()
    offered = narrowed or skill.exercises
    open_families = [t for t in offered if template_families(t) - done]
    candidates = open_families or offered
    counts = practised or {}
    fewest = min(counts.get(t.kind, 0) for t in candidates)
    templates = [t for t in candidates if counts.get(t.kind, 0) == fewest]

    def score(made: Exercise) -> int:
        """2 for a family still open, 1 for an item not asked recently: coverage comes first."""
        new = not open_families or made.family not in done
        return 2 * new + (not avoid or made.item_key() not in avoid)

    best = make_exercise(skill, rng.choice(templates), rng)
    for _ in range(24):  # a template's choices are few: a fitting draw comes quickly
        if score(best) == 3:
            break
        made = make_exercise(skill, rng.choice(templates), rng)
        if score(made) > score(best):
            best = made
    return best


def placement_skills(curriculum: Curriculum, track: str, level: Level) -> list[str]:
    """Two drill skills to probe, earlier ones for beginners, later ones for the advanced.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> placement_skills(load_curriculum(), "songwriting", "beginner")
    ['intervals', 'triads']
    """
    drills = [s for s in curriculum.path(track) if not curriculum.skill(s).is_composition]
    if len(drills) < 2:
        return drills
    if level == "beginner":
        picks = [drills[0], drills[1]]
    elif level == "intermediate":
        picks = [drills[min(2, len(drills) - 1)], drills[-1]]
    else:
        picks = [drills[-2], drills[-1]]
    return list(dict.fromkeys(picks))


def placement_exercises(
    curriculum: Curriculum, track: str, level: Level, rng: random.Random
) -> list[Exercise]:
    return [
        exercise_for(curriculum, skill_id, rng).model_copy(update={"placement": True})
        for skill_id in placement_skills(curriculum, track, level)
    ]


def placed_mastery(
    curriculum: Curriculum,
    skill_id: str,
    correct: bool,
    p_known: float,
    params: BKTParameters = DRILL,
) -> dict[str, float]:
    """New estimates after a placement answer: a right answer tests out of the skill and all
    it requires; a wrong one is an ordinary BKT observation of that skill.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> sorted(placed_mastery(load_curriculum(), "triads", True, 0.2))
    ['intervals', 'triads']
    """
    from etude.lessons.mastery import update

    if not correct:
        return {skill_id: update(p_known, False, params)}
    return {s: MASTERED for s in [*_prerequisites(curriculum, skill_id), skill_id]}
