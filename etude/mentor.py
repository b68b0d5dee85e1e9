"""The mentor as the CLI and the server use it: one object, one method per learner turn.

It owns the expensive parts (graph, chat model, embedder, persistence) and loads each lazily,
so ``etude analyze`` never loads a language model and a theory question never loads MusicBERT.
The server runs turns on several threads while it warms up, so each part is loaded once even
when two threads ask for it at the same moment (:meth:`Mentor._once`).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from functools import cached_property
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.types import StateSnapshot
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
        self._loaded: dict[str, Any] = {}
        self._loading: dict[str, threading.Lock] = {}
        self._loading_guard = threading.Lock()

    def _once(self, name: str, build: Callable[[], Any]) -> Any:
        """``build()`` on the first call for ``name``; a thread that asks meanwhile waits for
        that one instead of loading a second copy (a part's own lock, so the router is not
        kept waiting while the chat model loads)."""
        with self._loading_guard:
            lock = self._loading.setdefault(name, threading.Lock())
        with lock:
            if name not in self._loaded:
                self._loaded[name] = build()
            return self._loaded[name]

    @cached_property
    def persistence(self) -> Persistence:
        return self._once(
            "persistence", lambda: self._persistence or open_persistence(self.settings)
        )

    @cached_property
    def router(self) -> Router:
        def load() -> Router:
            self._status("Loading the router…")
            return Router(self.registry, shared_embedder(), self.settings.cache_dir)

        return self._once("router", load)

    @cached_property
    def chat_model(self) -> BaseChatModel:
        """The model ``settings`` names, unless one was handed in (a caller's own backend)."""
        if self._chat_model is not None:
            return self._chat_model
        return self._once("chat_model", lambda: load_chat_model(self.settings, self._status))

    @cached_property
    def graph(self) -> Any:
        return self._once("graph", self._build_graph)

    def _build_graph(self) -> Any:
        from etude.graph import build_graph

        return build_graph(
            settings=self.settings,
            registry=self.registry,
            router=lambda: self.router,
            chat_model=lambda: self.chat_model,
            checkpointer=self.persistence.checkpointer,
            store=self.persistence.store,
        )

    def warm_up(self, *, model: bool = True) -> None:
        """Load everything a turn needs now, so the first answer is not the slow one.

        ``model=False`` leaves the chat model to the first turn that writes prose: a one-off
        question answered by computed facts (``etude ask``) then never loads it."""
        _ = self.router, self.graph
        if model:
            _ = self.chat_model

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
        context = TurnContext(learner=learner or self.settings.learner)
        started = time.perf_counter()
        final: dict[str, Any] = {}
        # One turn of a lesson at a time, across processes: the turn reads the latest checkpoint
        # and writes its own on top, and a second writer in between would orphan one of them.
        with self.persistence.turn_lock(session):
            for mode, payload in self.graph.stream(
                turn_input(message, attachment=attachment, level=level),
                self._after_last_whole_turn(session),
                context=context,
                stream_mode=["custom", "values"],
                # Each checkpoint is committed before the graph moves on, so when the "done"
                # event acknowledges a turn its checkpoint is already on disk (a SIGKILL loses
                # nothing).
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
        """The lesson's messages up to its last whole turn: a turn still running, or one whose
        process died mid-way, shows neither its question nor any part of its reply."""
        state = self._last_whole_turn(session)
        messages = (state.values or {}).get("messages", []) if state else []
        return [{"role": m.type, "content": str(m.content)} for m in messages]

    def _last_whole_turn(self, session: str) -> StateSnapshot | None:
        """The lesson's latest checkpoint that ends a turn, or None.

        The graph commits a checkpoint after every step (``durability="sync"``), the first one
        holding the new question, so a process killed mid-turn leaves checkpoints with steps
        still to run. The history lists checkpoints newest first, each as it was saved
        (``get_state`` would count a step whose output was saved as done, and so call a turn
        whole that stopped right after one of its steps).
        """
        history = self.graph.get_state_history({"configurable": {"thread_id": session}})
        return next((snapshot for snapshot in history if not snapshot.next), None)

    def _after_last_whole_turn(self, session: str) -> dict[str, Any]:
        """Where a new turn starts: after the last whole turn, so half a turn left by a killed
        process is never part of the lesson (the new turn branches off before it, and the
        tutor is not shown a question that was never answered)."""
        config: dict[str, Any] = {"configurable": {"thread_id": session}}
        head = next(iter(self.graph.get_state_history(config, limit=1)), None)
        if head is None or not head.next:
            return config
        whole = self._last_whole_turn(session)
        if whole is None:  # the lesson's first turn never finished: nothing to keep
            self.persistence.checkpointer.delete_thread(session)
            return config
        return dict(whole.config)

    def close(self) -> None:
        if "persistence" in self.__dict__:
            self.persistence.close()
