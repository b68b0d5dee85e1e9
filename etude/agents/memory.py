"""The last node of a turn: remember the learner and what the lesson covered."""

from __future__ import annotations

from typing import Any

from langgraph.runtime import Runtime

from etude.state import TurnContext, TurnState, learner_of, profile_of
from etude.store_layout import PROFILE_KEY, PROGRESS_KEY, profile_namespace


def remember(state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]:
    """Persist the profile and count the tools each learner's lessons have used.

    The thread itself (messages, evidence) is saved by the checkpointer after every node; the
    store holds what outlives a single lesson thread.
    """
    store = runtime.store
    if store is None:
        return {}
    namespace = profile_namespace(learner_of(runtime, "local"))
    if state.get("profile") is not None:
        store.put(namespace, PROFILE_KEY, profile_of(state).model_dump(mode="json"))
    item = store.get(namespace, PROGRESS_KEY)
    progress: dict[str, int] = dict(item.value) if item else {}
    for tool in state.get("route") or ["conversation"]:
        progress[tool] = progress.get(tool, 0) + 1
    store.put(namespace, PROGRESS_KEY, progress)
    return {}
