"""The theory tool: exact computation and examples to hear (``etude.theory``) plus cited
passages (``etude.knowledge``), as evidence for the tutor.

Only the adapter lives here: the schema the router reads, and the call into the domain.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest, ToolSpec

__all__ = ["TOOL", "computed", "fact_evidence", "theory"]  # fact_evidence: fine-tuning data

if TYPE_CHECKING:
    from etude.claims import Premise
    from etude.theory import TheoryFact

UNPICKED = "I cannot compute the answer to this multiple-choice question, so I pick no option."


def computable(question: str) -> bool:
    """Whether the engine computes an answer (a fact, a picked option, a claim's verdict):
    the router's exact signal.

    >>> computable("What interval is F# to E#?"), computable("Hi, I play the oboe")
    (True, False)
    >>> computable("the dominant of C is G, right?")
    True
    >>> computable("Which is the dominant of F? A) C B) Bb C) G")
    True
    """
    return any(item.authoritative for item in computed(question))


def computed(question: str) -> list[Evidence]:
    """What the engine computes for a question, without retrieval: for a multiple-choice
    question the picked option (or why none is picked); for a tune in the message, the answer
    read off the tune; else the verdict on a claim to confirm, or every computable fact."""
    from etude.claims import read_premise
    from etude.critic.questions import answer_tune, solve_question
    from etude.scores.abc_text import split_abc
    from etude.theory import compute_facts
    from etude.theory.choices import answer_choices, read_choices

    if read_choices(question) is not None:
        fact = answer_choices(question, solve_question)
        unpicked = Evidence(tool="theory", kind="other", summary=UNPICKED, data={"type": "choice"})
        return [fact_evidence(fact) if fact else unpicked]
    tune = split_abc(question)
    if tune is not None:
        fact = answer_tune(question)
        return [fact_evidence(f) for f in ([fact] if fact else compute_facts(tune[1]))]
    premise = read_premise(question)
    if premise is not None:
        return [premise_evidence(premise)]
    return [fact_evidence(fact) for fact in compute_facts(question)]


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
    from etude.theory.calculator import notes_in, worked_verdict

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
            **worked_verdict(premise.truth, list(premise.steps)),  # steps, and the fact behind
        },
    )


def theory(request: ToolRequest, settings: Settings) -> list[Evidence]:
    """Chords asked for a mood, everything computed, an example to hear, articles to cite."""
    from etude.critic.questions import asked_in
    from etude.knowledge.moods import with_chords_for_a_mood
    from etude.knowledge.retrieval import retrieve
    from etude.theory.hearing import heard_evidence

    facts = with_chords_for_a_mood(request.question, computed(request.question))
    k = 2 if any(item.authoritative for item in facts) else settings.retrieval_k
    return [*facts, *heard_evidence(facts), *retrieve(asked_in(request.question), settings, k=k)]


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
    recognizes=lru_cache(maxsize=256)(computable),  # the router asks twice a turn
)
