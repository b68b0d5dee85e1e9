"""The lesson graph for ``langgraph dev`` / LangGraph Server (see ``langgraph.json``).

The same graph ``etude serve`` runs, built from the same registry and settings, but compiled
without our SQLite checkpointer and store: LangGraph Server brings its own persistence. The
chat model and router still load lazily, on the first turn, and once per process.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from etude.config import Settings
from etude.mentor import Mentor


@lru_cache(maxsize=1)
def _mentor() -> Mentor:
    return Mentor(Settings.from_env())


def make_graph(config: Any = None) -> Any:
    """Graph factory named in ``langgraph.json``; ``config`` is the server's run config,
    unused because Etude reads its settings from ``ETUDE_*`` variables.

    >>> graph = make_graph()
    >>> [name for name in ("intake", "router", "tutor", "remember") if name in graph.nodes]
    ['intake', 'router', 'tutor', 'remember']
    """
    from etude.graph import build_graph

    mentor = _mentor()
    return build_graph(
        settings=mentor.settings,
        registry=mentor.registry,
        router=lambda: mentor.router,
        chat_model=lambda: mentor.chat_model,
    )
