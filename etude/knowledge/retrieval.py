"""Knowledge-base retrieval for the theory tool, as cited evidence."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from etude.config import Settings
from etude.evidence import Evidence
from etude.knowledge.index import KnowledgeBase

MIN_SCORE = 0.3
"""Passages less similar than this to the question are noise for the tutor, not evidence."""


@lru_cache(maxsize=4)
def knowledge_base(path: Path, url: str | None = None) -> KnowledgeBase:
    """One open index per process and directory (or Chroma server); builds it if it was never
    built."""
    kb = KnowledgeBase(path, url=url)
    if kb.count() == 0:
        kb.build()
    return kb


def retrieve(question: str, settings: Settings, k: int | None = None) -> list[Evidence]:
    passages = knowledge_base(settings.kb_dir, settings.chroma_url).search(
        question, k=k or settings.retrieval_k, distinct=True
    )
    return [
        Evidence(
            tool="theory",
            kind="passage",
            summary=passage.text.split("\n", 1)[-1].strip(),
            citation=passage.citation,
            data={"topic": passage.topic, "level": passage.level, "sources": passage.sources},
        )
        for passage in passages
        if passage.citation.score >= MIN_SCORE
    ]
