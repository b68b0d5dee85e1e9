"""The tutor node: the reply, composed from verified blocks, with the model's words checked.

Every sentence a learner reads is computed, quoted from the knowledge base with its citation,
or verified by the claim checker. The reply plan (:mod:`etude.agents.reply`) streams first —
answer, steps, findings, reason — so the facts never wait for the model. Then the chat model
may add a short bridge, sentence by sentence through the :class:`~etude.claims.SentenceGuard`:
under the strict policy (the tiny embedded model) only what the checker verifies, or what says
nothing musical, passes; under the lenient policy (a strong model) unverifiable sentences pass
too, and refuted ones are sent back once with their corrections. The next step and the sources
close the reply.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from langgraph.runtime import Runtime

from etude.agents.followup import subject_of
from etude.agents.prompts import bridge_prompt, retry_prompt
from etude.agents.reply import Block, Intent, plan_reply
from etude.claims import ClaimContext, SentenceGuard
from etude.claims.guard import Policy
from etude.config import Settings
from etude.evidence import Evidence
from etude.learner import LearnerProfile, update_profile
from etude.limits import untrusted_text
from etude.state import Node, TurnContext, TurnState, evidence_of, profile_of

log = logging.getLogger(__name__)

ChatModel = Runnable[LanguageModelInput, BaseMessage]
"""A chat model, or one bound to a config (the graph binds it out of the ``messages`` stream)."""

MODEL_FAILED = (
    "(Sorry: the tutor model failed while writing this reply, so you only get the computed "
    "results above this time. Your lesson is saved; please ask again.)"
)
"""What the learner reads when the chat model raises: the evidence still stands, and the
turn is still checkpointed, so the lesson survives a model that times out or runs out of memory."""

NOTHING_TO_ADD = (
    "Tell me what you would like to work on next: a theory question, a score of yours to look "
    "at, or an exercise."
)
"""Said only when nothing else could be: no evidence, and none of the model's words passed."""

HISTORY_MESSAGES = 6
"""Earlier messages of the thread the model sees: enough to keep the thread of a lesson,
short enough for a small model's context and a fast first token."""

BRIDGE_SENTENCES = {"strict": 2, "lenient": 4}
"""The model's own sentences at most, per policy: a tiny model gets little room."""

BRIDGE_TOKENS = {"strict": 48, "lenient": 240}
"""Tokens the model may spend on its bridge. Under the strict policy most of a tiny model's
sentences are dropped, and every token costs ~60 ms on a 2-core CPU: a short budget keeps the
turn as fast as before the checker, for the one or two sentences that survive."""

NO_MODEL_INTENTS: tuple[Intent, ...] = ("offtopic", "greeting", "that_note")
"""Turns the plan answers whole: no model call, nothing to check, an instant reply ("what
should that note be?" is answered from the critique, or asked back)."""

COMPUTED_INTENTS: tuple[Intent, ...] = ("fact", "premise", "lesson", "conversation")
"""Turns whose reply is computed or composed in full. Under the strict policy the tiny model
could only add a verified sentence that does not repeat the reply, which it almost never
writes, so it is not asked: the turn is as fast as its tools."""

_SUBSTANCE = ("answer", "premise", "reason", "bridge", "finding", "redirect")
"""Blocks that say something; a reply with none of them gets ``NOTHING_TO_ADD``."""

DROPPED_LIMIT = {"strict": 2, "lenient": 4}
"""Dropped sentences after which the tutor stops reading the model: it is not helping."""


def prompt_messages(state: TurnState, blocks: list[Block], sentences: int) -> list[BaseMessage]:
    profile = profile_of(state)
    system = bridge_prompt(
        profile_description=profile.describe(),
        level=state["level"],
        evidence=evidence_of(state),
        sentences=sentences,
    )
    history = list(state.get("messages") or [])[:-1][-HISTORY_MESSAGES:]
    question = state["question"]
    attachment = state.get("attachment")
    if attachment:
        name = untrusted_text(attachment["path"].rsplit("/", 1)[-1]).replace('"', "'")
        question += f'\n(I attached my score, file name "{name}")'
    return [SystemMessage(system), *history, HumanMessage(question)]


def make_tutor(settings: Settings, chat_model: Callable[[], ChatModel]) -> Node:
    def tutor(state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        started = time.perf_counter()
        write = runtime.stream_writer
        evidence = evidence_of(state)
        question = state["question"]
        parts: list[str] = []
        shown: list[Block] = []
        first_text_ms: float | None = None

        def emit(text: str) -> None:
            nonlocal first_text_ms
            if not text:
                return
            if first_text_ms is None:
                first_text_ms = round((time.perf_counter() - started) * 1000, 1)
            parts.append(text)
            write({"event": "token", "text": text})

        def emit_block(block: Block) -> None:
            emit(("\n\n" if parts else "") + block.text)
            shown.append(block)

        intent, before, after = plan_reply(
            question,
            list(state.get("route") or []),
            evidence,
            state["level"],
            offtopic=bool(state.get("offtopic")),
            learned=update_profile(LearnerProfile(), question),
        )
        for block in before:
            emit_block(block)
        timings: dict[str, float] = {}
        if intent not in NO_MODEL_INTENTS and not (
            settings.strict_claims and intent in COMPUTED_INTENTS
        ):
            bridge = _bridge(state, evidence, before, settings, chat_model, started, timings)
            if bridge is not None:
                emit_block(bridge)
        if not any(block.role in _SUBSTANCE for block in shown):
            emit_block(Block("redirect", NOTHING_TO_ADD, "tool"))
        for block in after:
            emit_block(block)
        answer = "".join(parts).strip()
        timings["tutor"] = round((time.perf_counter() - started) * 1000, 1)
        if first_text_ms is not None:
            timings["tutor_first_text"] = first_text_ms
        blocks = [{"role": b.role, "source": b.source, "text": b.text} for b in shown]
        update: dict[str, Any] = {
            "answer": answer,
            "blocks": blocks,
            "messages": [AIMessage(answer)],
            "timings_ms": timings,
        }
        subject = subject_of(evidence, state.get("subject"))
        if subject is not None:
            update["subject"] = subject.model_dump(mode="json")
        return update

    return tutor


def _bridge(
    state: TurnState,
    evidence: list[Evidence],
    shown: list[Block],
    settings: Settings,
    chat_model: Callable[[], ChatModel],
    started: float,
    timings: dict[str, float],
) -> Block | None:
    """The model's own sentences, checked; None when none pass. ``timings`` receives the
    model's first token, counted from ``started`` (the tutor's start)."""
    policy: Policy = "strict" if settings.strict_claims else "lenient"
    limit = min(settings.max_sentences, BRIDGE_SENTENCES[policy])
    context = ClaimContext.of(state["question"], evidence)
    # a tiny model's claim-free sentences are stock filler ("Keep going!"), never teaching
    plain = policy == "lenient"
    guard = SentenceGuard(context, policy=policy, said=[block.text for block in shown], plain=plain)
    kept: list[str] = []
    messages = prompt_messages(state, shown, limit)
    try:
        for chunk in chat_model().stream(messages, max_tokens=BRIDGE_TOKENS[policy]):
            if "tutor_first_token" not in timings:
                timings["tutor_first_token"] = round((time.perf_counter() - started) * 1000, 1)
            kept.extend(guard.feed(str(chunk.content)))
            if (
                guard.looping
                or guard.passed >= limit
                or len(guard.dropped) >= DROPPED_LIMIT[policy]
            ):
                break
        kept.extend(guard.flush())
        # set even when the model wrote nothing: an empty bridge was still asked for
        timings["tutor_model"] = round((time.perf_counter() - started) * 1000, 1)
        corrections = guard.corrections()
        if policy == "lenient" and corrections and guard.passed < limit:
            retry = [
                *messages,
                AIMessage(" ".join(guard.dropped)),
                HumanMessage(retry_prompt(corrections)),
            ]
            said = [*(block.text for block in shown), *kept]
            again = SentenceGuard(context, policy=policy, said=said, plain=plain)
            kept.extend(again.feed(str(chat_model().invoke(retry).content)))
            kept.extend(again.flush())
    except Exception:  # a model that times out, runs out of memory or loses its server
        log.exception("the chat model failed; replying with the computed blocks only")
        return Block("bridge", MODEL_FAILED, "tool")
    text = "".join(kept).strip()
    if guard.dropped:
        log.info("claim checker dropped %d sentence(s): %s", len(guard.dropped), guard.dropped)
    return Block("bridge", text, "model") if text else None
