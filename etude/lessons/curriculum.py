"""The curriculum as data: skills, their prerequisites, goals, articles and exercise templates.

Teachers edit YAML under ``etude/knowledge/curriculum/`` (one file per track), not code. This
module reads those files into typed models and checks what can go wrong when people edit them:
an unknown prerequisite, a cycle, an exercise kind no generator knows, an article id that does
not exist. Articles are being written alongside the curriculum, so a skill may also name whole
topic folders; they resolve to whatever articles exist at load time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError

from etude.config import Level

CURRICULUM_DIR = Path(__file__).resolve().parents[1] / "knowledge" / "curriculum"
ARTICLES_DIR = Path(__file__).resolve().parents[1] / "knowledge" / "articles"

ExerciseKind = Literal[
    "interval_name",
    "interval_build",
    "scale_spell",
    "key_signature",
    "relative_key",
    "triad_spell",
    "chord_spell",
    "roman_numeral",
    "meter_beats",
    "compose",
]
ConstraintKind = Literal[
    "key",
    "bars",
    "parts",
    "max_range",
    "leap_recovered",
    "final_cadence",
    "ends_on_tonic",
    "avoid",
    "modulates_to",
    "phrases",
]


class CurriculumError(ValueError):
    """A curriculum file that does not hold together; the message names the file and skill."""


class Constraint(BaseModel):
    """One checkable requirement of a composition task, e.g. ``{kind: bars, value: 8}``."""

    kind: ConstraintKind
    value: int | str | list[str] | None = None


def split_key(name: str) -> tuple[str, str]:
    """``'Bb major'`` → ``('Bb', 'major')``.

    >>> split_key("F# minor")
    ('F#', 'minor')
    """
    tonic, _, mode = name.partition(" ")
    return tonic, (mode or "major")


class ExerciseTemplate(BaseModel):
    """A recipe for exercises: a kind plus the choices a generator draws from.

    ``choices`` holds lists such as ``roots`` or ``keys``; a composition template also has a
    ``prompt`` with ``{key}`` in it and the constraints its submissions are checked against.
    """

    kind: ExerciseKind
    choices: dict[str, list[str]] = Field(default_factory=dict)
    prompt: str | None = None
    constraints: list[Constraint] = Field(default_factory=list)


class Skill(BaseModel):
    """One thing a learner can master, with what it needs first."""

    id: str
    title: str
    level: Level
    track: str = ""
    requires: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    goals: list[str]
    articles: list[str] = Field(default_factory=list, description="'<topic>/<slug>' ids.")
    topics: list[str] = Field(default_factory=list, description="Article folders to include.")
    exercises: list[ExerciseTemplate]

    @property
    def is_composition(self) -> bool:
        return all(t.kind == "compose" for t in self.exercises)


class Track(BaseModel):
    """A learning path: its own skills plus the entry skills it borrows from other tracks."""

    track: str
    title: str
    description: str = ""
    goal_words: list[str] = Field(default_factory=list)
    entry: list[str] = Field(default_factory=list)
    skills: list[Skill]


class Curriculum(BaseModel):
    """Every track and skill, with prerequisites checked and articles resolved."""

    tracks: dict[str, Track]
    skills: dict[str, Skill]
    article_ids: dict[str, list[str]] = Field(
        default_factory=dict, description="Per skill: the existing articles that teach it."
    )

    def skill(self, skill_id: str) -> Skill:
        try:
            return self.skills[skill_id]
        except KeyError:
            raise KeyError(f"no skill {skill_id!r}") from None

    def path(self, track: str) -> list[str]:
        """The skills of a track in learning order: every prerequisite before its skill.

        >>> load_curriculum().path("core")[:3]
        ['intervals', 'scales-and-keys', 'triads']
        """
        chosen = self.tracks[track]
        wanted = [*chosen.entry, *(s.id for s in chosen.skills)]
        order: list[str] = []

        def visit(skill_id: str) -> None:
            if skill_id in order:
                return
            for needed in self.skills[skill_id].requires:
                visit(needed)
            order.append(skill_id)

        for skill_id in wanted:
            visit(skill_id)
        return order


def existing_articles(root: Path = ARTICLES_DIR) -> set[str]:
    """Ids of the article files present now, e.g. ``chords/triads-and-their-qualities``."""
    return {p.relative_to(root).with_suffix("").as_posix() for p in root.glob("*/*.md")}


def _read_track(path: Path) -> Track:
    try:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        track = Track.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise CurriculumError(f"{path.name}: {exc}") from exc
    for skill in track.skills:
        skill.track = track.track
    return track


def _check_acyclic(skills: dict[str, Skill]) -> None:
    state: dict[str, str] = {}

    def visit(skill_id: str, trail: list[str]) -> None:
        if state.get(skill_id) == "done":
            return
        if state.get(skill_id) == "open":
            raise CurriculumError("prerequisite cycle: " + " -> ".join([*trail, skill_id]))
        state[skill_id] = "open"
        for needed in skills[skill_id].requires:
            visit(needed, [*trail, skill_id])
        state[skill_id] = "done"

    for skill_id in skills:
        visit(skill_id, [])


def build_curriculum(
    paths: list[Path], articles: set[str] | None = None, *, strict_articles: bool = True
) -> Curriculum:
    """Read track files and check them as a whole.

    ``strict_articles`` makes a named article that does not exist an error (the test suite
    runs this way); topic folders never are, since they resolve to what exists.
    """
    present = existing_articles() if articles is None else articles
    tracks: dict[str, Track] = {}
    skills: dict[str, Skill] = {}
    for path in sorted(paths):
        track = _read_track(path)
        if track.track in tracks:
            raise CurriculumError(f"{path.name}: track {track.track!r} defined twice")
        tracks[track.track] = track
        for skill in track.skills:
            if skill.id in skills:
                raise CurriculumError(f"{path.name}: skill {skill.id!r} defined twice")
            if not skill.exercises:
                raise CurriculumError(f"{path.name}: skill {skill.id!r} has no exercises")
            skills[skill.id] = skill
    for track in tracks.values():
        for skill_id in track.entry:
            if skill_id not in skills:
                raise CurriculumError(f"track {track.track!r}: unknown entry skill {skill_id!r}")
    article_ids: dict[str, list[str]] = {}
    for skill in skills.values():
        for needed in skill.requires:
            if needed not in skills:
                raise CurriculumError(f"skill {skill.id!r} requires unknown skill {needed!r}")
        missing = [a for a in skill.articles if a not in present]
        if missing and strict_articles:
            raise CurriculumError(f"skill {skill.id!r} names missing articles: {missing}")
        named = [a for a in skill.articles if a in present]
        by_topic = sorted(a for a in present if a.split("/")[0] in skill.topics)
        article_ids[skill.id] = list(dict.fromkeys([*named, *by_topic]))
        for template in skill.exercises:
            if template.kind == "compose" and not (template.prompt and template.constraints):
                raise CurriculumError(
                    f"skill {skill.id!r}: a compose template needs a prompt and constraints"
                )
    _check_acyclic(skills)
    return Curriculum(tracks=tracks, skills=skills, article_ids=article_ids)


@lru_cache(maxsize=1)
def load_curriculum() -> Curriculum:
    """The shipped curriculum. Articles named but not yet written are skipped, not fatal,
    so a learner's lesson never breaks on an article that is still being drafted.

    >>> curriculum = load_curriculum()
    >>> curriculum.skill("cadences").requires
    ['triads', 'scales-and-keys']
    """
    return build_curriculum(sorted(CURRICULUM_DIR.glob("*.yaml")), strict_articles=False)
