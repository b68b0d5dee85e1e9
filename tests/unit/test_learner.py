from __future__ import annotations

import pytest

from etude.learner import LearnerProfile, update_profile


@pytest.mark.parametrize(
    ("message", "instruments"),
    [
        ("I play the cello and I'm writing my first string quartet.", ["cello"]),
        ("I'm a jazz guitarist", ["guitar"]),
        ("I am a pianist.", ["piano"]),
        ("I play piano and guitar", ["piano", "guitar"]),
        ("I sing in a choir", ["voice"]),
        ("Which instrument did I say I play?", []),
        ("My teacher plays the violin", []),
    ],
)
def test_instruments(message: str, instruments: list[str]) -> None:
    assert update_profile(LearnerProfile(), message).instruments == instruments


def test_profile_accumulates_without_duplicates() -> None:
    profile = update_profile(LearnerProfile(), "I play the cello.")
    profile = update_profile(profile, "My name is ana and I'm an intermediate player.")
    profile = update_profile(profile, "I play the cello every day.")
    assert profile.name == "Ana"
    assert profile.level == "intermediate"
    assert profile.instruments == ["cello"]


def test_questions_do_not_change_the_profile() -> None:
    profile = LearnerProfile(instruments=["cello"])
    assert update_profile(profile, "What instrument do I play?") == profile


def test_recap_speaks_to_the_learner() -> None:
    profile = update_profile(LearnerProfile(), "I'm a beginner and I want to write my own songs")
    assert profile.recap() == (
        "You told me that you are at a beginner level, and that you want to write your own songs."
    )
    assert LearnerProfile().recap() == "You haven't told me about yourself yet."
