"""The first node of a turn: who is speaking, what they know, at which level to teach, what a
follow-up refers to, and which score the turn is about.

A learner uploads a piece once and then talks about it ("is there a bar that doesn't work?",
"how would you rewrite that bit?"): a message with no attachment that refers to the piece gets
the thread's last upload, so the critic hears it again instead of a theory tool guessing.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore

from etude.agents.followup import Subject, asks_about_the_piece, resolve
from etude.config import Settings
from etude.learner import LearnerProfile, update_profile
from etude.state import Node, TurnContext, TurnState
from etude.store_layout import PROFILE_KEY, profile_namespace


def load_profile(store: BaseStore | None, learner: str) -> LearnerProfile:
    if store is None:
        return LearnerProfile()
    item = store.get(profile_namespace(learner), PROFILE_KEY)
    return LearnerProfile.model_validate(item.value) if item else LearnerProfile()


_ABOUT_THE_PIECE = re.compile(
    r"\b(?:bars?|measures?|my (?:piece|score|tune|song|melody|chorale|harmony|homework|music)|"
    r"the (?:piece|score|tune|melody|chorale|bass line|top line)|this (?:piece|tune|one|bit)|"
    r"that (?:bit|part|passage|bar|note|chord)|in it|parallels?|voice leading|"
    r"(?:any|the) (?:problems?|mistakes?|errors?|faults?)|(?:fix|rewrite|improve|sing)\b|"
    r"hard to (?:sing|play)|key (?:is|of) (?:it|this)|isn'?t it|alto|tenor|soprano)",
    re.IGNORECASE,
)


def refers_to_piece(message: str) -> bool:
    """Whether a message talks about the learner's score rather than about music in general.

    >>> refers_to_piece("ok. is there any bar that doesn't work?")
    True
    >>> refers_to_piece("what is a deceptive cadence?")
    False
    """
    return _ABOUT_THE_PIECE.search(message) is not None


def make_intake(settings: Settings) -> Node:
    def intake(state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        learner = runtime.context.learner if runtime.context else settings.learner
        profile = update_profile(load_profile(runtime.store, learner), state["question"])
        level = state.get("requested_level") or profile.level or settings.level
        update: dict[str, Any] = {"profile": profile, "level": level}
        stored = state.get("subject")
        subject = Subject.model_validate(stored) if stored else None
        if subject is not None:
            resolved = resolve(state["question"], subject)
            if resolved != state["question"]:
                update["question"] = resolved
        attachment = state.get("attachment")
        if attachment is not None:
            update["piece"] = attachment
        elif state.get("piece") and (
            refers_to_piece(state["question"]) or asks_about_the_piece(state["question"], subject)
        ):
            update["attachment"] = state["piece"]
        return update

    return intake
