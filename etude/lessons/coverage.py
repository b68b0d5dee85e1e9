"""Coverage: a skill is mastered only once every family of its items has been answered right.

Bayesian knowledge tracing (``mastery.py``) counts right answers, not what they were about:
three right answers on major triads reach its 95% without a single minor triad asked, and a
learner who builds every minor triad with a major third is told "mastered" (the simulated
learner in ``bench/simulated_learner.py`` measured exactly that, for minor triads, V in minor
and the leading tone of sharp-key scales). So each exercise belongs to a *family*, a musically
distinct case of its skill ("minor triads", "V in minor keys", "major scales in sharp keys"),
named from the choices its template drew; the families a skill can produce are read off its
templates. Until each has been answered right once, the estimate used for decisions is held
just under the mastery threshold, and the next exercise is drawn from a family not yet covered.

Kinds without families (figured chords, compositions, whose constraints the critic checks
one by one) are not gated.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Protocol

from etude.lessons.curriculum import Curriculum, ExerciseTemplate, Skill, split_key
from etude.lessons.mastery import MASTERED
from etude.theory.meter import meter_reading

UNCOVERED_CAP = MASTERED - 0.01
"""The highest estimate a skill with a family never answered right can show: one step under
the threshold, so the path stays on the skill while the learner sees how close they are."""

_QUALITY = {"M": "major", "m": "minor", "P": "perfect", "A": "augmented", "d": "diminished"}


@lru_cache(maxsize=256)
def _side(tonic: str, mode: str) -> str:
    from music21 import key

    from etude.theory.spelling import to_music21

    sharps = key.Key(to_music21(tonic), mode).sharps
    return "sharps" if sharps > 0 else "flats" if sharps < 0 else "no sharps or flats"


def _meter_kind(signature: str) -> str:
    """'simple' or 'compound', as music21 counts the meter."""
    return meter_reading(signature).kind


def _degree(figure: str) -> str:
    """``V7`` → ``V``, ``IM7`` → ``I``, ``ii7`` → ``ii``: the chord's degree and quality case."""
    return figure.rstrip("0123456789").removesuffix("M")


FAMILIES: dict[str, tuple[tuple[str, ...], Callable[..., str]]] = {
    "interval_name": (("intervals",), lambda i: f"{_QUALITY[i[0]]} intervals"),
    "interval_build": (("intervals",), lambda i: f"{_QUALITY[i[0]]} intervals"),
    "scale_spell": (("tonics", "scales"), lambda t, s: f"{s} scales with {_side(t, s)}"),
    "key_signature": (("tonics", "modes"), lambda t, m: f"{m} keys with {_side(t, m)}"),
    "relative_key": (("modes",), lambda m: f"relatives of {m} keys"),
    "triad_spell": (("qualities",), lambda q: f"{q} triads"),
    "meter_beats": (("meters",), lambda m: f"{_meter_kind(m)} meters"),
    "roman_numeral": (
        ("figures", "keys"),
        lambda f, k: f"{_degree(f)} in {split_key(k)[1]} keys",
    ),
}
"""Exercise kind → (the template choices that decide the family, how they name it)."""


def family_of(kind: str, drawn: Mapping[str, str]) -> str:
    """The family of an exercise from the values its template drew ("" for ungated kinds).

    >>> family_of("roman_numeral", {"figures": "V7", "keys": "A minor"})
    'V in minor keys'
    >>> family_of("scale_spell", {"tonics": "Bb", "scales": "major"})
    'major scales with flats'
    >>> family_of("compose", {"keys": "G major"})
    ''
    """
    if kind not in FAMILIES:
        return ""
    names, name_family = FAMILIES[kind]
    return name_family(*(drawn[n] for n in names))


def template_families(template: ExerciseTemplate) -> frozenset[str]:
    """Every family a template can produce."""
    if template.kind not in FAMILIES:
        return frozenset()
    names, _ = FAMILIES[template.kind]
    values = [template.choices.get(n, []) for n in names]
    return frozenset(
        family_of(template.kind, dict(zip(names, combo, strict=True)))
        for combo in itertools.product(*values)
    )


def family_order(skill: Skill) -> list[str]:
    """A skill's families in the order its templates and their choices list them, which the
    curriculum writes easier first.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> family_order(load_curriculum().skill("triads"))
    ['major triads', 'minor triads', 'diminished triads']
    """
    order: list[str] = []
    for template in skill.exercises:
        if template.kind not in FAMILIES:
            continue
        names, _ = FAMILIES[template.kind]
        values = [template.choices.get(n, []) for n in names]
        for combo in itertools.product(*values):
            family = family_of(template.kind, dict(zip(names, combo, strict=True)))
            if family not in order:
                order.append(family)
    return order


def skill_families(skill: Skill) -> frozenset[str]:
    """Every family of a skill's items (the union over its templates).

    >>> from etude.lessons.curriculum import load_curriculum
    >>> sorted(skill_families(load_curriculum().skill("triads")))
    ['diminished triads', 'major triads', 'minor triads']
    """
    return frozenset().union(*(template_families(t) for t in skill.exercises))


def untested(skill: Skill, covered: Iterable[str] | None) -> list[str]:
    """The families not yet answered right; none for records kept before coverage was (None)."""
    if covered is None:
        return []
    return sorted(skill_families(skill) - set(covered))


def gated(p_known: float, missing: list[str]) -> float:
    """The estimate decisions use: BKT's, held under the threshold while families are missing.

    >>> gated(0.97, []), gated(0.97, ["minor triads"]), gated(0.5, ["minor triads"])
    (0.97, 0.94, 0.5)
    """
    return min(p_known, UNCOVERED_CAP) if missing else p_known


class _Estimate(Protocol):
    p_known: float
    covered: list[str] | None


def gated_mastery(curriculum: Curriculum, mastery: Mapping[str, _Estimate]) -> dict[str, float]:
    """Skill → the estimate the path and the progress report go by (:func:`gated`)."""
    gated_map = {}
    for skill_id, estimate in mastery.items():
        skill = curriculum.skills.get(skill_id)  # a skill a newer curriculum dropped: as stored
        missing = untested(skill, estimate.covered) if skill else []
        gated_map[skill_id] = gated(estimate.p_known, missing)
    return gated_map
