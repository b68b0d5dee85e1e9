"""The tutor node: the chat model writes the lesson from the turn's evidence.

The reply has three parts, streamed in order: the authoritative evidence (computed facts, the
analysis of the learner's score, what the learner told us) stated exactly as the tools computed
it; the model's explanation and exercise, sentence by sentence through the grounding guard; and
the sources of any knowledge passages it was given.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from etude.agents.prompts import sources_line, tutor_system_prompt
from etude.claims import Grounding, SentenceGuard
from etude.config import Settings
from etude.learner import LearnerProfile
from etude.limits import untrusted_text
from etude.state import Node, TurnContext, TurnState

log = logging.getLogger(__name__)

MODEL_FAILED = (
    "(Sorry: the tutor model failed while writing this reply, so you only get the computed "
    "results above this time. Your lesson is saved; please ask again.)"
)
"""What the learner reads when the chat model raises: the evidence still stands, and the
turn is still checkpointed, so the lesson survives a model that times out or runs out of memory."""

HISTORY_MESSAGES = 6
"""Earlier messages of the thread the model sees: enough to keep the thread of a lesson,
short enough for a small model's context and a fast first token."""


def prompt_messages(state: TurnState, sentences: int = 3) -> list[BaseMessage]:
    profile = state.get("profile") or LearnerProfile()
    system = tutor_system_prompt(
        profile_description=profile.describe(),
        level=state["level"],
        evidence=state.get("evidence") or [],
        sentences=sentences,
    )
    history = list(state.get("messages") or [])[:-1][-HISTORY_MESSAGES:]
    question = state["question"]
    attachment = state.get("attachment")
    if attachment:
        name = untrusted_text(attachment["path"].rsplit("/", 1)[-1]).replace('"', "'")
        question += f'\n(I attached my score, file name "{name}")'
    return [SystemMessage(system), *history, HumanMessage(question)]


def make_tutor(settings: Settings, chat_model: Callable[[], BaseChatModel]) -> Node:
    def tutor(state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        started = time.perf_counter()
        write = runtime.stream_writer
        evidence = state.get("evidence") or []
        parts: list[str] = []
        first_text_ms: float | None = None

        def emit(text: str) -> None:
            nonlocal first_text_ms
            if not text:
                return
            if first_text_ms is None:
                first_text_ms = round((time.perf_counter() - started) * 1000, 1)
            parts.append(text)
            write({"event": "token", "text": text})

        for item in evidence:
            if item.authoritative:
                emit(item.summary + "\n")
        if parts:
            emit("\n")
        guard = SentenceGuard(Grounding.of(evidence))
        first_token_ms: float | None = None
        messages = prompt_messages(state, settings.max_sentences)
        try:
            for chunk in chat_model().stream(messages):
                if first_token_ms is None:
                    first_token_ms = round((time.perf_counter() - started) * 1000, 1)
                for safe in guard.feed(str(chunk.content)):
                    emit(safe)
                if guard.looping or guard.passed >= settings.max_sentences:
                    break
            for safe in guard.flush():
                emit(safe)
        except Exception:  # a model that times out, runs out of memory or loses its server
            log.exception("the chat model failed; replying with the evidence only")
            emit(("\n" if parts else "") + MODEL_FAILED)
        footer = sources_line(evidence)
        if footer:
            emit("\n\n" + footer)
        answer = "".join(parts).strip()
        timings = {"tutor": round((time.perf_counter() - started) * 1000, 1)}
        if first_token_ms is not None:
            timings["tutor_first_token"] = first_token_ms
        if first_text_ms is not None:
            timings["tutor_first_text"] = first_text_ms
        return {"answer": answer, "messages": [AIMessage(answer)], "timings_ms": timings}

    return tutor
