"""Knowledge-base retrieval for the theory tool, as cited evidence."""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path

from etude.config import Settings
from etude.evidence import Evidence
from etude.knowledge.asking import asks_what_defines, asks_why
from etude.knowledge.index import KnowledgeBase, Passage
from etude.knowledge.words import content_stems

MIN_SCORE = 0.3
"""Passages less similar than this to the question are noise for the tutor, not evidence."""


_OPENING = threading.Lock()


def knowledge_base(path: Path, url: str | None = None) -> KnowledgeBase:
    """One open index per process and directory (or Chroma server); builds it if it was never
    built. The first thread to ask opens (or builds) it, the others wait for that one: two
    builds of one index at once would each add every chunk. Once open, Chroma's client is
    shared by the server's turn threads (its queries are thread-safe; the embedder it calls
    takes its own lock)."""
    with _OPENING:
        return _knowledge_base(path, url)


@lru_cache(maxsize=4)
def _knowledge_base(path: Path, url: str | None = None) -> KnowledgeBase:
    kb = KnowledgeBase(path, url=url)
    if kb.count() == 0:
        kb.build()
    return kb


TYPE_BONUS = 0.08
"""Similarity added, for ranking only, to a section that answers the question's type: a
"why" question prefers a section headed "Why …", a "how" question one headed "How …", a
"what is" question one headed "What …". The
MiniLM scores of sections of the same article differ by a few hundredths: "why is a deceptive
cadence called deceptive?" scored the article's practical tip above its section "Why it is
called a deceptive cadence". The citation keeps the true score, so the tutor's quoting
threshold is unchanged."""

_ASKS_HOW = re.compile(
    r"^\s*(?:but\s+|and\s+|so\s+)?how\b(?!\s+(?:many|much|long|far|often|old))"
    r"|\bhow (?:do|can|should|would) (?:i|you|we)\b",
    re.I,
)


_ASKS_WHAT = re.compile(
    r"^\s*(?:what(?:'s| is| are)|(?:please\s+|can you\s+|could you\s+)?"
    r"(?:explain|define|describe)(?!\s+(?:how|why)\b)|tell me (?:about|what))\b",
    re.I,
)
"""A request to explain or define a thing asks what it is, as "what is …" does; "explain how
…" and "explain why …" do not."""


def question_types(question: str) -> set[str]:
    """Every kind of passage a question asks for: a question of two clauses asks two things,
    and "what's a tritone and why does it sound tense?" is first of all a request for the
    definition (its practical tip, ranked first by similarity alone, answered neither).

    >>> sorted(question_types("what's a tritone and why does it sound tense?"))
    ['what', 'why']
    >>> sorted(question_types("why is it called deceptive?"))
    ['why']
    >>> question_types("how many sharps in A?")
    set()
    >>> sorted(question_types("explain a half cadence like I'm a beginner"))
    ['what']
    >>> sorted(question_types("explain how to end a phrase")), question_types("how do I end it?")
    ([], {'how'})

    "What makes" asks what defines a kind, or why, by what follows it (``etude.knowledge.asking``):

    >>> question_types("what makes a cadence deceptive?"), question_types("what makes it weak?")
    ({'what'}, {'why'})
    """
    asks = (("how", _ASKS_HOW), ("what", _ASKS_WHAT))
    kinds = {kind for kind, pattern in asks if pattern.search(question)}
    if asks_why(question):
        kinds.add("why")
    if asks_what_defines(question):
        kinds.add("what")
    return kinds


def answers_type(section: str, kind: str | None) -> bool:
    """Whether a section's heading says it answers that type of question.

    >>> answers_type("Why it is called a deceptive cadence", "why")
    True
    >>> answers_type("Practical tip for composing with a deceptive cadence", "why")
    False
    """
    return kind is not None and section.lower().startswith(kind)


HEADING_BONUS = 0.02
"""Similarity added, for ranking only, per content word the question shares with a section's
heading (at most three): of two "why" sections of one article, the one headed with the
question's words ("Why it is called a deceptive cadence") answers it."""


def ranked(passages: list[Passage], question: str, k: int) -> list[Passage]:
    """The best chunk of each article, preferring sections that answer the question's type
    and name its words, the articles in that order, at most ``k``."""
    kinds = question_types(question)
    asked = content_stems(question)
    best: dict[str, tuple[float, Passage]] = {}
    for passage in passages:
        citation = passage.citation
        answers = any(answers_type(citation.section, kind) for kind in kinds)
        rank = citation.score + (TYPE_BONUS if answers else 0.0)
        rank += HEADING_BONUS * min(3, len(asked & content_stems(citation.section)))
        if citation.article not in best or rank > best[citation.article][0]:
            best[citation.article] = (rank, passage)
    ordered = sorted(best.values(), key=lambda pair: pair[0], reverse=True)
    return [passage for _, passage in ordered[:k]]


def retrieve(question: str, settings: Settings, k: int | None = None) -> list[Evidence]:
    """The best passages for a question, cited; for a comparison, also one for each side."""
    wanted = k or settings.retrieval_k
    found = knowledge_base(settings.kb_dir, settings.chroma_url).search(question, k=wanted * 4)
    passages = ranked(found, question, wanted)
    best = [
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
    return best + each_side(question, best, settings)


def each_side(question: str, found: list[Evidence], settings: Settings) -> list[Evidence]:
    """For a comparison, the best passage on each side looked up on its own, marked with its
    side: the whole question sits between two articles and may reach only one of them. (Each
    side's own lookup is not a comparison, so this goes no deeper.)"""
    from etude.knowledge.comparison import comparison_sides

    sides = comparison_sides(question)
    if sides is None:
        return []
    seen = {item.citation.chunk_id for item in found if item.citation}
    extra: list[Evidence] = []
    for side in sides:
        for item in retrieve(f"what is a {side}", settings, k=1):
            if item.citation and item.citation.chunk_id not in seen:
                seen.add(item.citation.chunk_id)
                extra.append(item.model_copy(update={"data": {**item.data, "side": side}}))
    return extra
