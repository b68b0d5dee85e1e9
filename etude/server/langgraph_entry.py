"""The lesson graph for ``langgraph dev`` / LangGraph Server (see ``langgraph.json``).

The same graph ``etude serve`` runs, built from the same registry and settings, but compiled
without our SQLite checkpointer and store: LangGraph Server brings its own persistence. The
chat model and router still load lazily, on the first turn, and once per process.

The graph is built when the server imports this module, not in the factory: the server calls
the factory on its event loop for every run and every state read, where blocking work (the
imports of music21 and the tools, reading the plug-in registry) is refused by ``langgraph
dev``'s blocking-call detector and would stall every other request. Its clients can only send
a score inside their message (``trust_paths=False``, see ``etude.agents.chat_input``).
"""

from __future__ import annotations

from typing import Any

from etude.config import Settings
from etude.graph import build_graph
from etude.mentor import Mentor


def _build() -> Any:
    mentor = Mentor(Settings.from_env())
    return build_graph(
        settings=mentor.settings,
        registry=mentor.registry,
        router=lambda: mentor.router,
        chat_model=lambda: mentor.chat_model,
        trust_paths=False,
    )


_GRAPH = _build()


def make_graph(config: Any = None) -> Any:
    """Graph factory named in ``langgraph.json``; ``config`` is the server's run config,
    unused because Etude reads its settings from ``ETUDE_*`` variables.

    >>> graph = make_graph()
    >>> [name for name in ("intake", "router", "tutor", "remember") if name in graph.nodes]
    ['intake', 'router', 'tutor', 'remember']
    """
    return _GRAPH
