"""The theory tool: exact computation (``etude.theory``) plus cited passages
(``etude.knowledge``), as evidence for the tutor.

Only the adapter lives here: the schema the router reads, and the call into the domain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest, ToolSpec

__all__ = ["TOOL", "fact_evidence", "theory"]
"""What other modules may import: the fine-tuning data builder renders facts with
``fact_evidence``, so the model trains on exactly what the tutor is handed."""

if TYPE_CHECKING:
    from etude.claims import Premise
    from etude.theory import TheoryFact


def computable(question: str) -> bool:
    """Whether the engine's grammar finds something to compute (or a claim to check): the
    router's exact signal.

    >>> computable("What interval is F# to E#?"), computable("Hi, I play the oboe")
    (True, False)
    >>> computable("the dominant of C is G, right?")
    True
    """
    from etude.claims import read_premise
    from etude.theory import compute_facts

    return bool(compute_facts(question)) or read_premise(question) is not None


def fact_evidence(fact: TheoryFact) -> Evidence:
    """A computed fact as the tutor receives it: authoritative, with its notes to ground on.

    The fine-tuning data builder uses this too, so the model trains on exactly what it sees.
    Its data carries the computed steps and a computed next step for the reply.
    """
    from etude.theory.practice import next_step

    return Evidence(
        tool="theory",
        kind="fact",
        summary=fact.statement,
        authoritative=True,
        notes=list(fact.notes),
        data={**fact.model_dump(mode="json"), "next_step": next_step(fact)},
    )


def premise_evidence(premise: Premise) -> Evidence:
    """The verdict on a claim the learner asked us to confirm: it opens the reply."""
    from etude.theory.spelling import notes_in

    return Evidence(
        tool="theory",
        kind="fact",
        summary=premise.reply,
        authoritative=True,
        notes=notes_in(premise.truth),
        data={
            "type": "premise",
            "holds": premise.holds,
            "claim": premise.claim,
            "steps": list(premise.steps),
        },
    )


def theory(request: ToolRequest, settings: Settings) -> list[Evidence]:
    """The verdict on a claim the learner asks to confirm, else everything computable in the
    question, as authoritative facts; plus articles to cite."""
    from etude.claims import read_premise
    from etude.knowledge.retrieval import retrieve
    from etude.theory import compute_facts

    premise = read_premise(request.question)
    if premise is not None:
        facts = [premise_evidence(premise)]
    else:
        facts = [fact_evidence(fact) for fact in compute_facts(request.question)]
    k = 2 if facts else settings.retrieval_k
    return [*facts, *retrieve(request.question, settings, k=k)]


TOOL = ToolSpec(
    name="theory",
    description=(
        "Music theory questions: spelling chords and scales, intervals, keys and key signatures, "
        "roman numerals, cadences, harmony, counterpoint and voice-leading rules, form, "
        "orchestration, instrument ranges, piano fingering and composition technique. "
        "Answers from exact computation and cited knowledge articles."
    ),
    examples=(
        "Which notes make up a G major triad?",
        "Spell a D minor seventh chord",
        "What notes are in the E flat major scale?",
        "What is the interval between C and A flat?",
        "How many sharps does A major have?",
        "What is the relative minor of F major?",
        "What is V7 in B flat major?",
        "Transpose C E G up a whole step",
        "What chord is C E G B flat?",
        "What is the fingering for the B major scale on piano?",
        "Explain what a Neapolitan sixth chord is",
        "Why do composers avoid parallel fifths?",
        "What is a deceptive cadence?",
        "How does sonata form work?",
        "What's the difference between harmonic and melodic minor?",
        "What is the range of the viola?",
        "What is the lowest note a clarinet can play?",
        "Which register of the flute sounds strongest?",
        "How do I write a good melody?",
        "What is a suspension in counterpoint?",
        "What does a dominant seventh chord resolve to?",
        "How do I modulate to the dominant key?",
        "Can you explain the dorian mode?",
        "What is a ii-V-I progression?",
        "How should I voice a chord for string quartet?",
        "What is syncopation?",
    ),
    run=theory,
    recognizes=computable,
)
