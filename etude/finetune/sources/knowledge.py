"""Questions whose answers are grounded in one section of a knowledge article.

The prompt carries the section as a retrieved passage, next to one or two other sections the way
the live retriever returns its top passages, so the model learns to pick the relevant passage,
restate it and cite it as ``[n]``. Articles are read with ``load_articles`` at build time; the
builder works with however many exist.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from etude.agents.prompts import clip
from etude.config import LEVELS
from etude.evidence import Citation, Evidence
from etude.finetune.examples import Example, build_example, join_sentences, reply_is_grounded
from etude.knowledge.articles import ARTICLES_DIR, Chunk, chunk_article, load_articles
from etude.theory.calculator import compute_facts
from etude.tools.theory import fact_evidence

QUESTION_TEMPLATES = (
    "Can you explain {phrase}?",
    "Explain {phrase}.",
    "I'm studying {title}. What should I know about {phrase}?",
    "What is important about {phrase}?",
    "Could you teach me about {phrase}?",
    "I don't understand {phrase}. Can you help?",
)

TOPIC_EXERCISES: dict[str, tuple[str, ...]] = {
    "cadences": (
        "Write a four-bar phrase that ends with this cadence, then play it and listen to how "
        "final it sounds.",
    ),
    "chords": ("Pick three chords from a piece you know and name the quality of each.",),
    "counterpoint": (
        "Write a short line of eight notes against a cantus firmus and check every interval "
        "against this rule.",
    ),
    "form": ("Take a piece you are learning and mark where each section begins and ends.",),
    "melody": ("Write an eight-bar melody that uses this idea, then sing it back.",),
    "voice-leading": (
        "Write a short four-part progression and check every pair of voices for this.",
    ),
    "orchestration": (
        "Write a short passage for one instrument and check every note against what you just read.",
    ),
}
GENERIC_EXERCISES = (
    "Find one example of this in a piece you are playing and describe it in a sentence.",
    "Write a short passage that uses this idea and play it to hear the effect.",
)

_CLAUSES = ("what ", "how ", "why ", "when ", "where ", "which ")
"""Headings that are clauses ("What a cadence does") only read well after "explain"."""
_WORD = re.compile(r"[a-z0-9']+")
_MARKUP = re.compile(r"[*_`#>]+")


def plain_sentences(text: str) -> list[str]:
    """Prose sentences of a Markdown passage, without tables, list markers or emphasis.

    >>> plain_sentences("- **Bold** idea here.\\n| a | b |\\nSecond one, longer.")
    ['Bold idea here.', 'Second one, longer.']
    """
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("|"):
            continue
        line = re.sub(r"^(?:[-*+]|\d+\.)\s+", "", line)
        lines.append(_MARKUP.sub("", line))
    prose = " ".join(lines)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", prose) if s.strip().endswith(".")]


def lexical_score(question: str, passage: str) -> float:
    """Cosine similarity of word counts, 0..1: a cheap, deterministic stand-in for the
    retriever's embedding score (the data builder must not need the embedding model).

    >>> round(lexical_score("plagal cadence", "The plagal cadence moves IV to I."), 2)
    0.53
    """
    a, b = Counter(_WORD.findall(question.lower())), Counter(_WORD.findall(passage.lower()))
    dot = sum(a[w] * b[w] for w in a)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def section_phrase(section: str) -> str:
    """A section heading as a phrase inside a sentence.

    >>> section_phrase("The plagal cadence"), section_phrase("SATB ranges")
    ('the plagal cadence', 'SATB ranges')
    """
    first, _, rest = section.partition(" ")
    if first.isupper() and len(first) > 1:
        return section
    return (first.lower() + (" " + rest if rest else "")).strip()


def passage_evidence(chunk: Chunk, question: str) -> Evidence:
    """A chunk as the live retriever hands it to the tutor."""
    summary = chunk.text.split("\n", 1)[-1].strip()
    return Evidence(
        tool="theory",
        kind="passage",
        summary=summary,
        citation=Citation(
            article=chunk.article,
            title=chunk.title,
            section=chunk.section,
            chunk_id=chunk.id,
            score=round(lexical_score(question, chunk.text), 3),
        ),
        data={"topic": chunk.topic, "level": chunk.level, "sources": chunk.sources},
    )


def knowledge_examples(
    rng: random.Random, per_chunk: int = 3, root: Path = ARTICLES_DIR
) -> Iterator[Example]:
    """``per_chunk`` questions for every titled section of every article under ``root``."""
    articles = load_articles(root)
    chunks = [chunk for art in articles for chunk in chunk_article(art)]
    by_topic: dict[str, list[Chunk]] = {}
    for chunk in chunks:
        by_topic.setdefault(chunk.topic, []).append(chunk)
    # A heading several articles share ("Practical tip for composers") names no subject: its
    # questions carry the article's title, so two articles never ask the same question (which
    # would leak between splits once their articles land in different ones).
    shared = Counter(c.section.lower() for c in chunks if c.section)
    for chunk in chunks:
        if not chunk.section:
            continue
        sentences = plain_sentences(clip(chunk.text.split("\n", 1)[-1]))
        if not sentences:
            continue
        phrase = section_phrase(chunk.section)
        if shared[chunk.section.lower()] > 1:
            phrase = f"{phrase} ({chunk.title})"
        others = [c for c in by_topic[chunk.topic] if c.id != chunk.id]
        usable = QUESTION_TEMPLATES[:2] if phrase.startswith(_CLAUSES) else QUESTION_TEMPLATES
        templates = rng.sample(usable, min(per_chunk, len(usable)))
        for template in templates:
            question = template.format(phrase=phrase, title=chunk.title.lower())
            distractors = rng.sample(others, min(len(others), rng.choice((0, 1, 2))))
            passages = sorted(
                [passage_evidence(c, question) for c in [chunk, *distractors]],
                key=lambda e: -(e.citation.score if e.citation else 0.0),
            )
            facts = [fact_evidence(f) for f in compute_facts(question)]
            evidence = [*facts, *passages]
            cited = 1 + next(
                i for i, e in enumerate(evidence) if e.citation and e.citation.chunk_id == chunk.id
            )
            level = rng.choice(LEVELS)
            limit = rng.choice((3, 3, 4, 5))
            body = sentences[: max(1, limit - 1)]
            body[0] = f"{body[0][:-1]} [{cited}]."
            if level == "beginner" and len(body) > 1:
                body = body[:1]
            exercise = rng.choice([*TOPIC_EXERCISES.get(chunk.topic, ()), *GENERIC_EXERCISES])
            reply = join_sentences([*body, exercise], limit)
            if not reply_is_grounded(reply, evidence):
                continue
            yield build_example(
                source="knowledge",
                group=f"knowledge:{chunk.article}",
                kind=chunk.topic,
                level=level,
                evidence=evidence,
                question=question,
                reply=reply,
                rng=rng,
                sentences=limit,
            )
