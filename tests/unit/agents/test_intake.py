"""Intake: who is speaking (the profile in the store, grown by what they say) and the level."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.runtime import Runtime
from langgraph.store.memory import InMemoryStore

from etude.agents.intake import load_profile, make_intake
from etude.config import Level, Settings
from etude.learner import LearnerProfile
from etude.state import TurnContext, TurnState
from etude.store_layout import PROFILE_KEY, profile_namespace


def _settings(tmp_path: Path, level: Level = "intermediate") -> Settings:
    return Settings(data_dir=tmp_path, level=level, learner="local")


def _store(learner: str, profile: LearnerProfile) -> InMemoryStore:
    store = InMemoryStore()
    store.put(profile_namespace(learner), PROFILE_KEY, profile.model_dump(mode="json"))
    return store


def _intake(
    settings: Settings,
    question: str,
    *,
    store: InMemoryStore | None,
    learner: str | None = "ana",
    requested: Level | None = None,
) -> dict:
    state: TurnState = {"question": question, "requested_level": requested}
    context = TurnContext(learner=learner) if learner else None
    return make_intake(settings)(state, runtime=Runtime(context=context, store=store))


def test_the_profile_comes_from_the_store(tmp_path: Path) -> None:
    stored = LearnerProfile(name="Ana", instruments=["cello"], level="advanced")
    update = _intake(_settings(tmp_path), "What is a cadence?", store=_store("ana", stored))
    assert update["profile"] == stored
    assert update["level"] == "advanced"


def test_what_the_learner_says_grows_the_profile_but_intake_does_not_write_it(
    tmp_path: Path,
) -> None:
    store = _store("ana", LearnerProfile(name="Ana", instruments=["cello"]))
    update = _intake(_settings(tmp_path), "I play the oboe too.", store=store)
    assert update["profile"].name == "Ana"
    assert update["profile"].instruments == ["cello", "oboe"]
    item = store.get(profile_namespace("ana"), PROFILE_KEY)
    assert item is not None and item.value["instruments"] == ["cello"]  # remember() writes


def test_each_learner_has_their_own_profile(tmp_path: Path) -> None:
    store = _store("ana", LearnerProfile(name="Ana"))
    assert _intake(_settings(tmp_path), "Hi", store=store, learner="sam")["profile"].name is None
    # no context (a graph invoked without one): the settings' learner
    assert _intake(_settings(tmp_path), "Hi", store=store, learner=None)["profile"].name is None
    local = _store("local", LearnerProfile(name="Lou"))
    assert _intake(_settings(tmp_path), "Hi", store=local, learner=None)["profile"].name == "Lou"


@pytest.mark.parametrize(
    ("requested", "profile_level", "said", "default", "expected"),
    [
        ("advanced", "beginner", "", "intermediate", "advanced"),  # asked for: wins
        ("advanced", None, " I'm a beginner.", "intermediate", "advanced"),
        (None, "beginner", "", "advanced", "beginner"),  # known about the learner
        (None, None, " I'm a beginner.", "advanced", "beginner"),  # ... said just now
        (None, "advanced", " I'm a beginner.", "intermediate", "beginner"),  # said overrides
        (None, None, "", "advanced", "advanced"),  # nothing known: the settings' default
    ],
)
def test_level_precedence_requested_then_profile_then_settings(
    tmp_path: Path,
    requested: Level | None,
    profile_level: Level | None,
    said: str,
    default: Level,
    expected: Level,
) -> None:
    store = _store("ana", LearnerProfile(level=profile_level))
    update = _intake(
        _settings(tmp_path, default), "What is a cadence?" + said, store=store, requested=requested
    )
    assert update["level"] == expected


def test_without_a_store_a_new_learner_gets_the_default_level(tmp_path: Path) -> None:
    assert load_profile(None, "ana") == LearnerProfile()
    update = _intake(_settings(tmp_path, "beginner"), "Hello", store=None)
    assert update == {"profile": LearnerProfile(), "level": "beginner"}


def test_the_last_upload_stays_the_subject_of_the_lesson(tmp_path: Path) -> None:
    piece = {"path": str(tmp_path / "chorale.musicxml"), "format": "musicxml"}
    intake = make_intake(_settings(tmp_path))
    runtime = Runtime(context=TurnContext(learner="ana"), store=InMemoryStore())
    first = intake({"question": "what key is this in?", "attachment": piece}, runtime=runtime)
    assert first["piece"] == piece
    later: TurnState = {"question": "is there any bar that doesn't work?", "piece": piece}
    assert intake(later, runtime=runtime)["attachment"] == piece
    general: TurnState = {"question": "what is a deceptive cadence?", "piece": piece}
    assert "attachment" not in intake(general, runtime=runtime)
