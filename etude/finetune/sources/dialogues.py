"""Multi-turn lessons: follow-up questions that build on an earlier answer in the same thread.

The live tutor shows the model the last few messages of the thread plus this turn's evidence,
so a follow-up example carries earlier question/answer turns as history and only the current
turn's facts in its system prompt. Dialogues are assembled *after* the split from examples of
one split, so a lesson never mixes training and test items.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from etude.finetune.examples import Example, Turn, build_example
from etude.finetune.sources.theory import reply_for
from etude.theory.calculator import compute_facts
from etude.tools.theory import fact_evidence

FOLLOW_UPS = ("Thanks! ", "Got it. ", "OK. ", "Great, and ", "Now: ", "One more: ", "")


def follow_up(question: str, opener: str) -> str:
    """A standalone question rephrased as the next message of a lesson.

    >>> follow_up("What is V in C major?", "Great, and ")
    'Great, and what is V in C major?'
    """
    if opener.endswith("and "):
        return opener + question[0].lower() + question[1:]
    return opener + question


def dialogue_examples(
    singles: list[Example], count: int, rng: random.Random, max_turns: int = 3
) -> Iterator[Example]:
    """Up to ``count`` lessons of 2..``max_turns`` learner turns built from theory ``singles``.

    Consecutive questions share a fact kind when possible, as a lesson stays on one topic.
    """
    theory = [e for e in singles if e.source == "theory"]
    if len(theory) < 2:
        return
    by_kind: dict[str, list[Example]] = {}
    for example in theory:
        by_kind.setdefault(example.kind, []).append(example)
    made = 0
    attempts = 0
    while made < count and attempts < count * 4:
        attempts += 1
        first = rng.choice(theory)
        turns = rng.randint(2, max_turns)
        others = [e for e in by_kind[first.kind] if e.group != first.group]
        if len(others) < turns - 1:  # the kind's other questions are too few (or one group)
            others = [e for e in theory if e.group != first.group]
        if len(others) < turns - 1:
            continue
        chain = [first, *rng.sample(others, turns - 1)]
        history: list[Turn] = []
        for earlier in chain[:-1]:
            history.extend(
                [
                    Turn(role="user", content=earlier.question),
                    Turn(role="assistant", content=earlier.reply),
                ]
            )
        last = chain[-1]
        question = follow_up(last.question, rng.choice(FOLLOW_UPS))
        facts = compute_facts(question)
        if facts != compute_facts(last.question) or len(facts) != 1:
            continue
        sentences = rng.choice((3, 3, 4, 5))
        reply = reply_for(facts[0], first.level, sentences, rng)
        if reply is None:
            continue
        made += 1
        yield build_example(
            source="dialogue",
            group="dialogue:" + "+".join(e.group for e in chain),
            kind=last.kind,
            level=first.level,
            evidence=[fact_evidence(facts[0])],
            question=question,
            reply=reply,
            rng=rng,
            history=history,
            sentences=sentences,
        )
