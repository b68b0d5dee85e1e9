"""The lesson graph, assembled from the tool registry.

    START → intake → router ─┬─ theory ──┐
                             ├─ critic ──┤
                             ├─ encoder ─┼→ tutor → remember → END
                             ├─ plug-ins ┤
                             └───────────┘ (no tool: straight to the tutor)

The router may pick several tools; they run in the same step and the tutor waits for all of
them. This file only wires: each node is built by its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
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
) -> Any:
    """Compile the graph; ``router`` and ``chat_model`` are providers so loading is lazy."""
    reserved = set(CORE_NODES) | set(TurnState.__annotations__)
    for name in registry.names():
        if name in reserved:
            raise ValueError(f"tool name {name!r} is reserved by the graph")

    def ask_llm(prompt: str) -> str:
        return str(chat_model().invoke(prompt).content)

    graph = StateGraph(TurnState, context_schema=TurnContext)
    graph.add_node("intake", make_intake(settings))
    graph.add_node("router", make_router_node(router, settings, ask_llm))
    for spec in registry:
        graph.add_node(spec.name, make_tool_node(spec, settings))
    graph.add_node("tutor", make_tutor(settings, chat_model))
    graph.add_node("remember", remember)

    graph.add_edge(START, "intake")
    graph.add_edge("intake", "router")
    graph.add_conditional_edges("router", next_steps, [*registry.names(), "tutor"])
    for name in registry.names():
        graph.add_edge(name, "tutor")
    graph.add_edge("tutor", "remember")
    graph.add_edge("remember", END)
    return graph.compile(checkpointer=checkpointer, store=store)
