"""The first node of a turn: who is speaking, what they know, at which level to teach."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore

from etude.config import Settings
from etude.learner import LearnerProfile, update_profile
from etude.state import Node, TurnContext, TurnState
from etude.store_layout import PROFILE_KEY, profile_namespace


def load_profile(store: BaseStore | None, learner: str) -> LearnerProfile:
    if store is None:
        return LearnerProfile()
    item = store.get(profile_namespace(learner), PROFILE_KEY)
    return LearnerProfile.model_validate(item.value) if item else LearnerProfile()


def make_intake(settings: Settings) -> Node:
    def intake(state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        learner = runtime.context.learner if runtime.context else settings.learner
        profile = update_profile(load_profile(runtime.store, learner), state["question"])
        level = state.get("requested_level") or profile.level or settings.level
        return {"profile": profile, "level": level}

    return intake
