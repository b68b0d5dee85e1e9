"""The lesson graph, assembled from the tool registry.

    START → intake → router ─┬─ theory ──┐
                             ├─ critic ──┤
                             ├─ encoder ─┼→ tutor → remember → END
                             ├─ plug-ins ┤
                             └───────────┘ (no tool: straight to the tutor)

The router may pick several tools; they run in the same step and the tutor waits for all of
them. This file only wires: each node is built by its own module.

The chat model reaches the nodes tagged ``nostream``: LangGraph's ``messages`` stream mode
would otherwise send its raw tokens to the client before the claim checker has read them. A
client sees only the tutor's reply, as the AI message the tutor writes (and its guarded text
on the ``custom`` stream).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable
from langgraph.constants import TAG_NOSTREAM
from langgraph.graph import END, START, StateGraph

from etude.agents.intake import make_intake
from etude.agents.memory import remember
from etude.agents.router import Router, make_router_node
from etude.agents.tutor import make_tutor
from etude.config import Settings
from etude.state import TurnContext, TurnState
from etude.tools.node import make_tool_node
from etude.tools.registry import ToolRegistry

CORE_NODES = ("intake", "router", "tutor", "remember")


def next_steps(state: TurnState) -> list[str]:
    """The tools the router chose, or straight to the tutor."""
    return list(state.get("route") or []) or ["tutor"]


def build_graph(
    *,
    settings: Settings,
    registry: ToolRegistry,
    router: Callable[[], Router],
    chat_model: Callable[[], BaseChatModel],
    checkpointer: Any = None,
    store: Any = None,
    trust_paths: bool = True,
) -> Any:
    """Compile the graph; ``router`` and ``chat_model`` are providers so loading is lazy.
    ``trust_paths=False`` for callers who may not name files on this machine (LangGraph
    Server's clients): a score must then come inside the message."""
    reserved = set(CORE_NODES) | set(TurnState.__annotations__)
    for name in registry.names():
        if name in reserved:
            raise ValueError(f"tool name {name!r} is reserved by the graph")

    def unstreamed_model() -> Runnable[LanguageModelInput, BaseMessage]:
        return chat_model().with_config(tags=[TAG_NOSTREAM])

    def ask_llm(prompt: str) -> str:
        return str(unstreamed_model().invoke(prompt).content)

    graph = StateGraph(TurnState, context_schema=TurnContext)
    graph.add_node("intake", make_intake(settings, trust_paths=trust_paths))
    graph.add_node("router", make_router_node(router, settings, ask_llm))
    for spec in registry:
        graph.add_node(spec.name, make_tool_node(spec, settings))
    graph.add_node("tutor", make_tutor(settings, unstreamed_model))
    graph.add_node("remember", remember)

    graph.add_edge(START, "intake")
    graph.add_edge("intake", "router")
    graph.add_conditional_edges("router", next_steps, [*registry.names(), "tutor"])
    for name in registry.names():
        graph.add_edge(name, "tutor")
    graph.add_edge("tutor", "remember")
    graph.add_edge("remember", END)
    return graph.compile(checkpointer=checkpointer, store=store)
