"""The first node of a turn: what the learner sent, who is speaking, what they know, at which
level to teach, what a follow-up refers to, and which score the turn is about.

The turn is read from the thread's last human message (:mod:`etude.agents.chat_input`), so any
LangGraph chat client drives the graph with ``{"messages": [...]}`` alone. Intake also starts
the turn afresh: the previous turn's evidence, route, timings and reply are reset here, inside
the graph, rather than by the input, because a chat client sends nothing but its message (and
a reset marker in the input must survive JSON to work over LangGraph Server).

A learner uploads a piece once and then talks about it ("is there a bar that doesn't work?",
"how would you rewrite that bit?"): a message with no attachment that refers to the piece gets
the thread's last upload, so the critic hears it again instead of a theory tool guessing.
"""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from langgraph.types import Overwrite

from etude.agents.chat_input import learner_uploads, read_turn
from etude.agents.followup import Subject, asks_about_the_piece, resolve
from etude.config import Settings
from etude.learner import LearnerProfile, update_profile
from etude.state import Node, TurnContext, TurnState, learner_of
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


def fresh_turn() -> dict[str, Any]:
    """The per-turn keys as a turn starts: nothing of the previous turn's evidence, route,
    timings or reply. ``Overwrite`` bypasses the evidence and timing reducers, which would
    otherwise add this turn's items to the last turn's.

    >>> fresh_turn()["evidence"]
    Overwrite(value=[], type='__overwrite__')
    """
    return {
        "evidence": Overwrite([]),
        "timings_ms": Overwrite({}),
        "route": [],
        "route_scores": {},
        "offtopic": False,
        "answer": "",
        "blocks": [],
    }


def make_intake(settings: Settings, *, trust_paths: bool = True) -> Node:
    """``trust_paths=False`` (LangGraph Server) honours a score named by path only inside the
    learner's own upload folder; the CLI and ``etude serve`` validate their files first."""

    def intake(state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        learner = learner_of(runtime, settings.learner)
        turn = read_turn(
            state,
            uploads=learner_uploads(settings.data_dir / "uploads", learner),
            limit=settings.max_upload_bytes,
            trust_paths=trust_paths,
        )
        question = turn.question
        profile = update_profile(load_profile(runtime.store, learner), question)
        level = turn.level or profile.level or settings.level
        update: dict[str, Any] = {
            **fresh_turn(),
            "question": question,
            "requested_level": turn.level,
            "attachment": turn.attachment,
            "profile": profile.model_dump(mode="json"),
            "level": level,
        }
        if turn.message is not None:
            update["messages"] = [turn.message]
        stored = state.get("subject")
        subject = Subject.model_validate(stored) if stored else None
        if subject is not None:
            resolved = resolve(question, subject)
            if resolved != question:
                update["question"] = resolved
        if turn.attachment is not None:
            update["piece"] = turn.attachment
        elif state.get("piece") and (
            refers_to_piece(question) or asks_about_the_piece(question, subject)
        ):
            update["attachment"] = state["piece"]
        return update

    return intake
