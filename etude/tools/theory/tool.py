"""The theory tool's function: computed facts first, then cited passages."""

from __future__ import annotations

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest


def computable(question: str) -> bool:
    """Whether the engine's grammar finds something to compute: the router's exact signal.

    >>> computable("What interval is F# to E#?"), computable("Hi, I play the oboe")
    (True, False)
    """
    from etude.tools.theory.engine.calculator import compute_facts

    return bool(compute_facts(question))


def theory(request: ToolRequest, settings: Settings) -> list[Evidence]:
    """Everything computable in the question as authoritative facts, plus articles to cite."""
    from etude.tools.theory.engine.calculator import compute_facts
    from etude.tools.theory.retrieval import retrieve

    facts = [
        Evidence(
            tool="theory",
            kind="fact",
            summary=fact.statement,
            authoritative=True,
            notes=list(fact.notes),
            data=fact.model_dump(mode="json"),
        )
        for fact in compute_facts(request.question)
    ]
    k = 2 if facts else settings.retrieval_k
    return [*facts, *retrieve(request.question, settings, k=k)]
