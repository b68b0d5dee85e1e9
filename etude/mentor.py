"""The mentor as the CLI and the server use it: one object, one method per learner turn.

It owns the expensive parts (graph, chat model, embedder, persistence) and loads each lazily,
so ``etude analyze`` never loads a language model and a theory question never loads MusicBERT.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from etude.agents.router import Router
from etude.config import Level, Settings
from etude.evidence import Evidence
from etude.knowledge.embeddings import shared_embedder
from etude.llm import load_chat_model
from etude.sessions import Persistence, open_persistence
from etude.state import Attachment, TurnContext, turn_input
from etude.tools.registry import ToolRegistry, load_registry

Status = Callable[[str], None]


class TurnResult(BaseModel):
    """One answered turn: exactly the ``etude ask --json`` object."""

    session: str
    answer: str
    route: list[str]
    evidence: list[Evidence]
    timings_ms: dict[str, float] = Field(default_factory=dict)
    blocks: list[dict[str, str]] = Field(
        default_factory=list,
        description="The reply's parts in order: role (answer, steps, finding, reason, bridge, "
        "next, …), source (computed, critic, knowledge, model, …) and text.",
    )


def new_session_id() -> str:
    return uuid.uuid4().hex[:12]


class Mentor:
    def __init__(
        self,
        settings: Settings,
        *,
        registry: ToolRegistry | None = None,
        persistence: Persistence | None = None,
        chat_model: BaseChatModel | None = None,
        status: Status | None = None,
    ) -> None:
        self.settings = settings
        self.registry = (
            registry if registry is not None else load_registry(plugins=settings.plugins)
        )
        self._persistence = persistence
        self._chat_model = chat_model
        self._status = status or (lambda _msg: None)

    @cached_property
    def persistence(self) -> Persistence:
        return self._persistence or open_persistence(self.settings)

    @cached_property
    def router(self) -> Router:
        self._status("Loading the router…")
        return Router(self.registry, shared_embedder(), self.settings.cache_dir)

    @cached_property
    def chat_model(self) -> BaseChatModel:
        """The model ``settings`` names, unless one was handed in (a caller's own backend)."""
        if self._chat_model is not None:
            return self._chat_model
        return load_chat_model(self.settings, self._status)

    @cached_property
    def graph(self) -> Any:
        from etude.graph import build_graph

        return build_graph(
            settings=self.settings,
            registry=self.registry,
            router=lambda: self.router,
            chat_model=lambda: self.chat_model,
            checkpointer=self.persistence.checkpointer,
            store=self.persistence.store,
        )

    def warm_up(self) -> None:
        """Load everything a turn needs now, so the first answer is not the slow one."""
        _ = self.router, self.chat_model, self.graph

    def stream_turn(
        self,
        message: str,
        *,
        session: str | None = None,
        attachment: Attachment | None = None,
        level: Level | None = None,
        learner: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Run one turn, yielding stream events (route, evidence, token) and finally
        ``{"event": "done", "result": TurnResult}``."""
        session = session or new_session_id()
        config = {"configurable": {"thread_id": session}}
        context = TurnContext(learner=learner or self.settings.learner)
        started = time.perf_counter()
        final: dict[str, Any] = {}
        for mode, payload in self.graph.stream(
            turn_input(message, attachment=attachment, level=level),
            config,
            context=context,
            stream_mode=["custom", "values"],
            # Each checkpoint is committed before the graph moves on, so when the "done" event
            # acknowledges a turn its checkpoint is already on disk (a SIGKILL loses nothing).
            durability="sync",
        ):
            if mode == "custom":
                yield payload
            else:
                final = payload
        timings = dict(final.get("timings_ms") or {})
        timings["total"] = round((time.perf_counter() - started) * 1000, 1)
        result = TurnResult(
            session=session,
            answer=final.get("answer", ""),
            route=list(final.get("route") or []),
            evidence=list(final.get("evidence") or []),
            timings_ms=timings,
            blocks=list(final.get("blocks") or []),
        )
        yield {"event": "done", "result": result}

    def ask(self, message: str, **kwargs: Any) -> TurnResult:
        for event in self.stream_turn(message, **kwargs):
            if event.get("event") == "done":
                return event["result"]
        raise RuntimeError("the graph ended without an answer")

    def history(self, session: str) -> list[dict[str, str]]:
        state = self.graph.get_state({"configurable": {"thread_id": session}})
        messages = (state.values or {}).get("messages", []) if state else []
        return [{"role": m.type, "content": str(m.content)} for m in messages]

    def close(self) -> None:
        if "persistence" in self.__dict__:
            self.persistence.close()
