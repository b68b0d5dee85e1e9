"""The bridge dataset (adapter v3): the tutor's own bridge prompts, and the bridge to learn.

Each question is put to the real graph (router, tools, reply planner, tutor) with a
:class:`~etude.llm.recording.RecordingChatModel` in the model's place. A turn whose
reply the planner composes in full never reaches the model (it is not asked under the strict
policy) and yields no example; every other turn yields the exact messages the tutor sent and,
as the target, :func:`~etude.finetune.sources.bridges.bridge_for` — verified sentences that
carry the turn's idea into another key, or nothing. Questions are the knowledge source's (one
article section each, in the phrasings of ``sources.knowledge``) and critique requests on
corpus scores; splits are drawn per article or per score, as in ``finetune.data``.
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from etude.config import LEVELS, Settings
from etude.finetune.data import assign_splits
from etude.finetune.examples import Example, Split, Turn, example_id
from etude.finetune.sources.bridges import IDEAS, bridge_for, ideas_in
from etude.knowledge.articles import ARTICLES_DIR
from etude.llm.recording import RecordingChatModel

log = logging.getLogger(__name__)


UPLOAD_SUFFIXES = (".mxl", ".xml", ".musicxml", ".mid", ".midi", ".abc")
"""Corpus files a learner could upload (the corpus also holds Humdrum, which Etude refuses)."""


@dataclass(frozen=True)
class Question:
    """One learner message to collect a bridge prompt for."""

    text: str
    group: str
    source: str
    attach: str | None = None


@dataclass
class BridgeConfig:
    seed: int = 42
    per_section: int = 2
    """Phrasings per article section (``sources.knowledge``)."""
    unnamed: int = 150
    """Knowledge questions that name no idea, kept for the turns with nothing to add (each
    question costs a graph turn; those naming an idea are all kept)."""
    per_idea: int = 6
    """Why/how questions per idea (``IDEA_QUESTIONS``)."""
    critic_pieces: int = 120
    """Corpus scores put to the graph as uploads with a critique request."""
    empty_ratio: float = 1.0
    """Turns with nothing to add kept per turn with a bridge: most turns name no idea, and a
    model trained mostly on empty bridges would learn to write none."""
    validation_fraction: float = 0.05
    test_fraction: float = 0.05


def knowledge_questions(rng: random.Random, per_section: int, unnamed: int) -> list[Question]:
    """The knowledge source's questions that name an idea, and ``unnamed`` others."""
    from etude.finetune.sources.knowledge import knowledge_examples

    questions = [
        Question(example.question, example.group, "knowledge")
        for example in knowledge_examples(rng, per_section, ARTICLES_DIR)
    ]
    named = [q for q in questions if ideas_in(q.text)]
    others = [q for q in questions if not ideas_in(q.text)]
    return [*named, *rng.sample(others, min(unnamed, len(others)))]


IDEA_QUESTIONS = (
    "Why does the {idea} matter?",
    "How do I use the {idea} in my own writing?",
    "What is the {idea} for?",
    "Can you explain the {idea}?",
    "I keep getting the {idea} wrong. How should I think about it?",
    "When would a composer use the {idea}?",
)
"""Why/how questions about each idea a bridge can carry (the knowledge source phrases article
headings, which name these ideas only now and then)."""


def idea_questions(rng: random.Random, per_idea: int) -> list[Question]:
    return [
        Question(template.format(idea=idea.name), f"idea:{idea.name}", "knowledge")
        for idea in IDEAS
        for template in rng.sample(IDEA_QUESTIONS, per_idea)
    ]


def critique_questions(rng: random.Random, pieces: int) -> list[Question]:
    from etude.finetune.sources.critic import QUESTIONS, corpus_pieces

    readable = [p for p in corpus_pieces(3 * pieces, rng) if p.suffix in UPLOAD_SUFFIXES]
    return [
        Question(rng.choice(QUESTIONS), f"critic:{path.name}", "critic", str(path))
        for path in readable[:pieces]
    ]


def _turn(message: BaseMessage) -> Turn:
    role = {SystemMessage: "system", HumanMessage: "user", AIMessage: "assistant"}
    for kind, name in role.items():
        if isinstance(message, kind):
            return Turn(role=name, content=str(message.content))
    raise ValueError(f"unexpected message type {type(message).__name__}")


def collect(
    questions: list[Question],
    settings: Settings,
    rng: random.Random,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> tuple[list[Example], Counter[str]]:
    """Put every question to the graph; an example for each turn that asked the model."""
    from etude.attachments import prepare_attachment
    from etude.mentor import Mentor

    recorder = RecordingChatModel()
    mentor = Mentor(settings, chat_model=recorder)
    examples: list[Example] = []
    outcome: Counter[str] = Counter()
    try:
        for done, question in enumerate(questions, start=1):
            level = rng.choice(LEVELS)
            before = len(recorder.calls)
            try:
                attachment = prepare_attachment(question.attach) if question.attach else None
                result = mentor.ask(question.text, level=level, attachment=attachment)
            except Exception:  # a corpus score the critic refuses: skip it, say so
                log.exception("skipped %s", question)
                outcome["failed"] += 1
                continue
            finally:
                progress(done, len(questions))
            if len(recorder.calls) == before:
                outcome["composed in full"] += 1
                continue
            said = [block["text"] for block in result.blocks]
            target = bridge_for(question.text, result.evidence, said)
            ideas = ideas_in(question.text + " " + target) if target else []
            outcome["bridge" if target else "empty"] += 1
            messages = [*map(_turn, recorder.calls[-1]), Turn(role="assistant", content=target)]
            examples.append(
                Example(
                    id=example_id(messages),
                    source=question.source,  # type: ignore[arg-type]
                    group=question.group,
                    kind=f"bridge:{ideas[0].name if ideas else 'none'}",
                    level=level,
                    messages=messages,
                )
            )
    finally:
        mentor.close()
    return examples, outcome


def build(
    config: BridgeConfig,
    settings: Settings,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> tuple[dict[Split, list[Example]], dict[str, Any]]:
    """The bridge examples split by source item, and their card."""
    rng = random.Random(config.seed)
    questions = [
        *knowledge_questions(random.Random(rng.random()), config.per_section, config.unnamed),
        *idea_questions(random.Random(rng.random()), config.per_idea),
        *critique_questions(random.Random(rng.random()), config.critic_pieces),
    ]
    examples, outcome = collect(questions, settings, random.Random(rng.random()), progress)
    examples = balance(examples, config.empty_ratio, random.Random(rng.random()))
    splits = assign_splits(
        examples,
        ("knowledge", "critic"),
        config.seed,
        config.validation_fraction,
        config.test_fraction,
    )
    card = {
        "seed": config.seed,
        "questions": len(questions),
        "outcome": dict(outcome),
        "counts": {split: len(items) for split, items in splits.items()},
        "with_bridge": {split: sum(1 for e in items if e.reply) for split, items in splits.items()},
        "kinds": dict(Counter(e.kind for e in examples).most_common()),
        "shared_groups": len(
            {e.group for e in splits["train"]}
            & {e.group for s in ("validation", "test") for e in splits[s]}
        ),
    }
    return splits, card


def balance(examples: list[Example], empty_ratio: float, rng: random.Random) -> list[Example]:
    """Every example with a bridge, and at most ``empty_ratio`` times as many empty ones."""
    bridges = [e for e in examples if e.reply]
    empty = [e for e in examples if not e.reply]
    keep = min(len(empty), round(empty_ratio * len(bridges)))
    return [*bridges, *rng.sample(empty, keep)]


def write(splits: dict[Split, list[Example]], card: dict[str, Any], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for split, items in splits.items():
        with (out_dir / f"{split}.jsonl").open("w", encoding="utf-8") as handle:
            for example in items:
                handle.write(example.model_dump_json() + "\n")
    (out_dir / "data_card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
