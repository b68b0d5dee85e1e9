"""The curriculum files hold together: known prerequisites, no cycles, real articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from etude.lessons.curriculum import (
    CURRICULUM_DIR,
    CurriculumError,
    build_curriculum,
    existing_articles,
    load_curriculum,
)


def test_shipped_curriculum_names_only_existing_articles() -> None:
    curriculum = build_curriculum(sorted(CURRICULUM_DIR.glob("*.yaml")), strict_articles=True)
    present = existing_articles()
    for skill_id, articles in curriculum.article_ids.items():
        assert set(articles) <= present, skill_id


def test_the_issue_chain_and_the_two_tracks_exist() -> None:
    curriculum = load_curriculum()
    core = curriculum.path("core")
    chain = [
        "intervals",
        "triads",
        "cadences",
        "melody-writing",
        "harmonising-a-melody",
        "four-part-writing",
        "modulation",
        "small-forms",
    ]
    assert [s for s in core if s in chain] == chain
    assert {"songwriting", "piano-harmony"} <= set(curriculum.tracks)
    for skill in curriculum.skills.values():
        assert skill.goals and skill.exercises


def _write(folder: Path, text: str) -> Path:
    path = folder / "t.yaml"
    path.write_text(text)
    return path


SKILL = """
  - id: {id}
    title: {id}
    level: beginner
    requires: {requires}
    goals: [g]
    articles: {articles}
    exercises:
      - kind: interval_name
        choices: {{roots: [C], intervals: [M3]}}
"""


def test_cycles_are_rejected(tmp_path: Path) -> None:
    text = (
        "track: t\ntitle: T\nskills:"
        + SKILL.format(id="a", requires="[b]", articles="[]")
        + SKILL.format(id="b", requires="[a]", articles="[]")
    )
    with pytest.raises(CurriculumError, match="cycle"):
        build_curriculum([_write(tmp_path, text)], set())


def test_unknown_prerequisites_and_missing_articles_are_rejected(tmp_path: Path) -> None:
    text = "track: t\ntitle: T\nskills:" + SKILL.format(id="a", requires="[zz]", articles="[]")
    with pytest.raises(CurriculumError, match="unknown skill 'zz'"):
        build_curriculum([_write(tmp_path, text)], set())
    text = "track: t\ntitle: T\nskills:" + SKILL.format(
        id="a", requires="[]", articles="[x/missing]"
    )
    with pytest.raises(CurriculumError, match="missing articles"):
        build_curriculum([_write(tmp_path, text)], {"x/present"})
    lenient = build_curriculum([_write(tmp_path, text)], {"x/present"}, strict_articles=False)
    assert lenient.article_ids["a"] == []
