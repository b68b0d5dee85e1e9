"""Deciding which tools a turn needs.

A nearest-neighbour classifier over sentence embeddings: each tool's description and example
requests (from the registry) are embedded once, and a message goes to the tools whose examples it
resembles most. It is fast (one MiniLM embedding, ~10 ms) and needs no training data beyond the
examples a tool ships with, which is what lets a plug-in be routed to without touching this file.
Only when the classifier is unsure is the chat model asked, with a structured (JSON) answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langgraph.config import get_config
from langgraph.runtime import Runtime
from pydantic import BaseModel, ValidationError

from etude.config import Settings
from etude.knowledge.embeddings import Embedder
from etude.state import Node, TurnContext, TurnState, learner_of
from etude.tools.base import TurnFacts
from etude.tools.registry import ToolRegistry

log = logging.getLogger(__name__)

CONVERSATION = "conversation"
"""Pseudo-route for turns no tool can help with: greetings, the learner talking about
themselves, thanks. The tutor answers these from the conversation alone."""

CONVERSATION_EXAMPLES: tuple[str, ...] = (
    "Hi!",
    "Hello, nice to meet you",
    "Thanks, that helps a lot",
    "I play the cello and I'm writing my first string quartet.",
    "My name is Ana and I'm a beginner",
    "I'm a jazz guitarist who wants to compose",
    "I want to get better at writing songs",
    "Good morning! Ready for today's lesson",
    "That's all for today, bye",
    "I'm feeling stuck and a bit discouraged",
    "Can we continue where we left off?",
    "Okay, got it",
    "I'm Lena and I sing in a choir",
    "My name is Sam and I play the oboe",
    "Hi, I'm Tom. I play bass in a rock band",
    "I've been playing violin in an orchestra for ten years",
    "I teach piano to kids and want to compose for them",
)

_SMALL_TALK = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening|night)|thanks?|thank you|"
    r"cheers|ok(?:ay)?|sure|yes|yeah|no|nope|bye|goodbye|see you|great|cool|nice|awesome|"
    r"got it|i see|sorry|please|can we (?:start|continue|go on)|let'?s (?:start|continue|go))\b",
    re.IGNORECASE,
)
_ABOUT_THE_LEARNER = re.compile(
    r"\b(?:my name|about me|know about me|remember (?:me|my|what i)|did i (?:say|tell|mention)|"
    r"(?:what|which) (?:do|did) i (?:play|say|tell)|my (?:goals?|level|instruments?)|who am i|"
    r"i(?:'?m| am| feel) (?:\w+ )?(?:stuck|lost|confused|discouraged|frustrated|overwhelmed))\b",
    re.IGNORECASE,
)
"""Messages without music that are still the lesson's business: small talk, and questions
about what the learner told us."""
_ABOUT_THE_LESSON = re.compile(
    r"\b(?:too (?:easy|simple|hard|difficult)|more (?:challenging|difficult)|"
    r"(?:harder|easier|simpler|tougher|another|next|new) (?:one|exercise|"
    r"question|task|level)|one more|again|exercises?|practi[cs]e|quiz|lessons?|plan|skip|"
    r"(?:teach|show) me)\b",
    re.IGNORECASE,
)
"""Messages about the lesson itself ("that was too easy, give me a harder one"): the lesson's
business even without a music word."""

KNOWLEDGE = "theory"
"""The tool that answers from the knowledge base (and computes what it can)."""

TOP = 2
"""A label's score is the mean of its ``TOP`` best example similarities: robust to one odd
example, yet a single close paraphrase still counts."""

MARGIN = 0.05
"""Tools within this distance of the best one are routed to as well (fan-out)."""


class RouteDecision(BaseModel):
    """What the chat model must answer when asked to route."""

    tools: list[str]


@dataclass(frozen=True)
class Route:
    tools: list[str]
    scores: dict[str, float]
    decided_by: str  # "classifier", "llm", "claimed" (a tool awaited this reply) or "offtopic"


class Router:
    def __init__(
        self, registry: ToolRegistry, embedder: Embedder, cache_dir: Path | None = None
    ) -> None:
        self.registry = registry
        self.embedder = embedder
        self._labels: list[str] = []
        texts: list[str] = []
        for spec in registry:
            for text in (spec.description, *spec.examples):
                self._labels.append(spec.name)
                texts.append(text)
        for text in CONVERSATION_EXAMPLES:
            self._labels.append(CONVERSATION)
            texts.append(text)
        self._matrix = _cached_embeddings(embedder, texts, cache_dir)
        self._label_array = np.array(self._labels)

    def scores(self, message: str, *, has_attachment: bool) -> dict[str, float]:
        """Similarity of ``message`` to each eligible label, highest first."""
        vector = self.embedder.embed([message])[0]
        sims = self._matrix @ vector
        result: dict[str, float] = {}
        for label in dict.fromkeys(self._labels):
            if (
                label != CONVERSATION
                and self.registry.get(label).needs_attachment
                and not has_attachment
            ):
                continue
            best = np.sort(sims[self._label_array == label])[::-1][:TOP]
            result[label] = round(float(best.mean()), 4)
        return dict(sorted(result.items(), key=lambda item: item[1], reverse=True))

    def recognised(self, message: str, *, has_attachment: bool) -> list[str]:
        """Tools whose own parser understands ``message`` (see ``ToolSpec.recognizes``)."""
        return [
            spec.name
            for spec in self.registry
            if spec.recognizes is not None
            and (has_attachment or not spec.needs_attachment)
            and spec.recognizes(message)
        ]

    def classify(self, message: str, *, has_attachment: bool) -> tuple[list[str], dict[str, float]]:
        scores = self.scores(message, has_attachment=has_attachment)
        claimed = self.recognised(message, has_attachment=has_attachment)
        best_label, best = next(iter(scores.items()))
        if best_label == CONVERSATION:
            return claimed, scores
        chosen = [
            label
            for label, score in scores.items()
            if label != CONVERSATION and score >= best - MARGIN
        ]
        return [*chosen, *(name for name in claimed if name not in chosen)], scores

    def off_topic(
        self,
        message: str,
        scores: dict[str, float],
        recognised: list[str],
        *,
        has_attachment: bool,
    ) -> bool:
        """A message with nothing musical in it, that no tool's grammar reads and that is not
        small talk or a question about the learner: a pizza question gets a friendly redirect,
        never an unrequested tune (similarity alone sends it to the nearest tool)."""
        from etude.claims.vocabulary import is_about_music
        from etude.knowledge.lexicon import mentions_music
        from etude.learner import LearnerProfile, update_profile

        if has_attachment or recognised or is_about_music(message) or mentions_music(message):
            return False
        if any(
            pattern.search(message)
            for pattern in (_SMALL_TALK, _ABOUT_THE_LEARNER, _ABOUT_THE_LESSON)
        ):
            return False
        # a learner telling us about themselves ("I'm Ana, I sing in a choir") is not off-topic
        return update_profile(LearnerProfile(), message) == LearnerProfile()

    def claimed(self, facts: TurnFacts) -> list[str]:
        """Tools that claim this turn as the reply they wait for (``ToolSpec.claims_turn``);
        a hook that raises is logged and ignored, so one tool cannot break routing."""
        names = []
        for spec in self.registry:
            if spec.claims_turn is None or (spec.needs_attachment and not facts.has_attachment):
                continue
            try:
                if spec.claims_turn(facts):
                    names.append(spec.name)
            except Exception:
                log.exception("claims_turn of tool %s failed", spec.name)
        return names

    def route(
        self,
        message: str,
        *,
        has_attachment: bool,
        threshold: float,
        ask_llm: Callable[[str], str] | None = None,
    ) -> Route:
        tools, scores = self.classify(message, has_attachment=has_attachment)
        recognised = self.recognised(message, has_attachment=has_attachment)
        if self.off_topic(message, scores, recognised, has_attachment=has_attachment):
            return Route([], scores, "offtopic")
        if ask_llm is not None and not recognised and max(scores.values()) < threshold:
            eligible = [name for name in scores if name != CONVERSATION]
            decided = self._ask(message, eligible, ask_llm)
            if decided is not None:
                decided = self._questions_are_not_orders(message, decided, recognised)
                return Route(
                    self._with_score(decided, recognised, has_attachment, message), scores, "llm"
                )
        tools = self._questions_are_not_orders(message, tools, recognised)
        tools = self._knowledge_for_music(message, tools, recognised)
        return Route(
            self._with_score(tools, recognised, has_attachment, message), scores, "classifier"
        )

    def _questions_are_not_orders(
        self, message: str, tools: list[str], recognised: list[str]
    ) -> list[str]:
        """A question about how to do something ("how do I end a melody so it sounds
        finished?", "what's the best way to end a tune?") is answered from the knowledge base.
        Similarity fans it out to the tools that *do* the thing it names (the composer for "end
        a melody", the lyric tool for "write a chorus"), and what they make answers nothing: a
        reply opened with an unrequested tune. So a tool with its own grammar gets such a turn
        only when that grammar read it ("teach me how to …" is a lesson request); tools without
        a grammar (the score readers, memory) keep theirs.

        A tool that only makes things to order (``ToolSpec.makes_to_order``) gets no question
        of any kind that its grammar did not read as an order: "is a perfect fifth 8
        semitones?" is not a request for a tune.

        A request for help choosing ("help me pick chords for a sad verse in E minor", "which
        chords should I use?") is advice, treated as a how-to: it has no question mark and
        opens like an order, and similarity sent it to the composer, whose unrequested 8-bar
        tune opened the reply."""
        from etude.knowledge.asking import asks_for_advice, asks_how_to

        if KNOWLEDGE not in self.registry:
            return tools
        how_to = asks_how_to(message) or asks_for_advice(message)
        question = how_to or _is_question(message)

        def keeps(name: str) -> bool:
            spec = self.registry.get(name)
            if name == KNOWLEDGE or name in recognised:
                return True
            if spec.makes_to_order:
                return not question
            return not how_to or spec.recognizes is None

        kept = [name for name in tools if keeps(name)]
        return kept if kept or not tools else [KNOWLEDGE]

    def _knowledge_for_music(
        self, message: str, tools: list[str], recognised: list[str]
    ) -> list[str]:
        """A question about music that only chat (or a lesson tool that did not recognise it)
        would get is also sent to the knowledge base: with the embedded model, chat alone has
        nothing a learner may read ("is it OK if my chorus doesn't rhyme?" got a stock line)."""
        from etude.claims.vocabulary import is_about_music

        names = {spec.name for spec in self.registry}
        if KNOWLEDGE not in names or KNOWLEDGE in tools:
            return tools
        if any(name in recognised or name not in ("lesson",) for name in tools):
            return tools
        # the musical vocabulary, not every word an article uses ("helps" is one)
        if _SMALL_TALK.search(message) or not is_about_music(message):
            return tools
        return [*tools, KNOWLEDGE]

    def _with_score(
        self, tools: list[str], recognised: list[str], has_attachment: bool, message: str = ""
    ) -> list[str]:
        """A sent score is read: the tools that read every score run first, whatever the words.

        A tool that waits for answers (``claims_turn``) and did not claim this turn gets the
        score only when its own grammar read the message: a score is a lesson submission when
        an exercise is open, not because "check my exercise" resembles a lesson request.

        A *question* about the sent score ("does the lower voice work with the upper one?") is
        the readers' business: a tool with its own grammar that did not read the message (the
        ABC composer, the lyric tool) is left out, or a newly composed tune was put before the
        answer about the learner's own. The knowledge base stays: it explains.
        """
        if not has_attachment:
            return tools
        readers = [spec.name for spec in self.registry if spec.reads_every_score]
        asks = _is_question(message)
        kept = [
            name
            for name in tools
            if name not in readers
            and (name in recognised or self.registry.get(name).claims_turn is None)
            and not (
                asks
                and name != KNOWLEDGE
                and name not in recognised
                and self.registry.get(name).recognizes is not None
            )
        ]
        return [*readers, *kept]

    def _ask(
        self, message: str, eligible: list[str], ask_llm: Callable[[str], str]
    ) -> list[str] | None:
        menu = "\n".join(f"- {name}: {self.registry.get(name).description}" for name in eligible)
        prompt = (
            "Choose the tools needed to answer the learner's message. Tools:\n"
            f"{menu}\n\nMessage: {message}\n\n"
            'Answer only with JSON like {"tools": ["name"]}; use [] if no tool is needed.'
        )
        try:
            answer = ask_llm(prompt)
        except Exception:  # a model that is down or out of memory must not cost the turn
            log.exception("the chat model failed to route; keeping the classifier's choice")
            return None
        return parse_decision(answer, eligible)


_QUESTION_WORDS = re.compile(
    r"^\s*(?:what|which|why|how|where|when|who|is|are|am|does|do|did|can|could|should|would|"
    r"will|has|have)\b",
    re.IGNORECASE,
)


def _is_question(message: str) -> bool:
    """A question (not an order such as "harmonise this tune"): a question mark, or a
    sentence that opens like one.

    >>> _is_question("does the lower voice work with the upper one?")
    True
    >>> _is_question("Harmonise this tune with chords"), _is_question("Convert to MIDI")
    (False, False)
    """
    return "?" in message or any(
        _QUESTION_WORDS.match(part) for part in re.split(r"[.!;,]\s*", message)
    )


def _cached_embeddings(embedder: Embedder, texts: list[str], cache_dir: Path | None) -> np.ndarray:
    """Example embeddings, cached on disk by content: they only change when a tool's examples
    (or the embedding model) do, and embedding them costs most of a second at every start."""
    if cache_dir is None:
        return embedder.embed(texts)
    digest = hashlib.sha256("\x00".join([embedder.path, *texts]).encode()).hexdigest()[:20]
    path = cache_dir / f"router-{digest}.npy"
    try:
        cached = np.load(path)
        if cached.shape == (len(texts), embedder.dim):
            return cached
    except (OSError, ValueError):
        pass
    matrix = embedder.embed(texts)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(temporary, matrix)
        temporary.replace(path)
    except OSError:
        pass  # a read-only cache only costs speed
    return matrix


def parse_decision(text: str, eligible: list[str]) -> list[str] | None:
    """The tools named in a model's JSON answer, or None if it gave no usable answer.

    >>> parse_decision('Sure: {"tools": ["theory", "nope"]}', ["theory", "critic"])
    ['theory']
    >>> parse_decision("I think theory", ["theory"]) is None
    True
    """
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        return None
    try:
        decision = RouteDecision.model_validate(json.loads(match.group(0)))
    except (json.JSONDecodeError, ValidationError):
        return None
    return [name for name in dict.fromkeys(decision.tools) if name in eligible]


def make_router_node(
    router_provider: Callable[[], Router],
    settings: Settings,
    ask_llm: Callable[[str], str] | None,
) -> Node:
    """The graph node: decide the route and announce it on the event stream."""

    def route(state: TurnState, *, runtime: Runtime[TurnContext]) -> dict[str, Any]:
        started = time.perf_counter()
        router = router_provider()
        has_attachment = state.get("attachment") is not None
        learner = learner_of(runtime, settings.learner)
        session = get_config().get("configurable", {}).get("thread_id")
        facts = TurnFacts(state["question"], has_attachment, learner, runtime.store, session)
        if claimed := router.claimed(facts):
            scores = router.scores(state["question"], has_attachment=has_attachment)
            decision = Route(claimed, scores, "claimed")
        else:
            decision = router.route(
                state["question"],
                has_attachment=has_attachment,
                threshold=settings.router_threshold,
                ask_llm=ask_llm if settings.router_llm_fallback else None,
            )
        runtime.stream_writer(
            {"event": "route", "tools": decision.tools, "decided_by": decision.decided_by}
        )
        return {
            "route": decision.tools,
            "offtopic": decision.decided_by == "offtopic",
            "route_scores": decision.scores,
            "timings_ms": {"route": round((time.perf_counter() - started) * 1000, 1)},
        }

    return route
