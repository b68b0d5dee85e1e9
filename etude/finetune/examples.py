"""One supervised example: the tutor's real prompt and the reply we want it to learn.

Examples are stored as chat turns rather than rendered text so that one dataset trains any
model: the Llama-2 ``[INST]`` format or a tokenizer's own chat template is applied only when
the examples are tokenised (``etude.finetune.formatting``). The system turn is built by the
same function the live tutor uses, so the model learns to read exactly the prompt it will see.
"""

from __future__ import annotations

import hashlib
import random
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from etude.agents.prompts import tutor_system_prompt
from etude.claims import ClaimContext, Grounding, check_sentence
from etude.config import Level
from etude.evidence import Evidence

Source = Literal["theory", "knowledge", "critic", "dialogue"]
Split = Literal["train", "validation", "test"]
SOURCES: tuple[Source, ...] = ("theory", "knowledge", "critic", "dialogue")
SPLITS: tuple[Split, ...] = ("train", "validation", "test")

LEARNER_PROFILES: tuple[str, ...] = (
    "",
    "",
    "plays the piano; level: beginner",
    "plays the piano; level: intermediate; goals: passing a grade 5 theory exam",
    "plays the guitar; goals: writing my own songs",
    "plays the violin and the piano; level: advanced",
    "sings; level: beginner; goals: reading music",
    "plays the cello; goals: writing my first string quartet",
)
"""Profile lines as ``LearnerProfile.describe()`` writes them: the tutor prompt carries one."""

PROMPT_SENTENCES: tuple[int, ...] = (3, 3, 3, 4, 5)
"""The sentence cap the tutor states in its prompt: 3 is the shipped default, others occur."""


class Turn(BaseModel):
    """One chat message."""

    model_config = ConfigDict(frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str


class Example(BaseModel):
    """A training conversation; the loss is taken on the final assistant turn only.

    ``group`` names the source item (a theory subject, an article section, a corpus piece): all
    paraphrases of one item share it and land in the same split, so no test answer is ever seen
    in training under different words.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    source: Source
    group: str = Field(description="The source item; the unit of the train/validation/test split.")
    kind: str = Field(description="Fact kind, article topic or critic rule.")
    level: Level
    messages: list[Turn]
    split: Split = "train"

    @property
    def reply(self) -> str:
        return self.messages[-1].content

    @property
    def question(self) -> str:
        return self.messages[-2].content


def sentences_of(text: str) -> list[str]:
    """The sentences of a reply, split the way the tutor's grounding guard splits them.

    >>> sentences_of("One idea. Another one! A third?")
    ['One idea.', 'Another one!', 'A third?']
    """
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


def reply_is_grounded(reply: str, evidence: list[Evidence]) -> bool:
    """Whether no sentence of ``reply`` makes a claim the live tutor's claim checker refutes,
    nor names a note outside the computed facts (a training reply must never teach the model a
    falsehood, so the data filter is the stricter of the two checks).

    >>> fact = Evidence(tool="theory", kind="fact", summary="G major triad: G – B – D.",
    ...                 authoritative=True, notes=["G", "B", "D"])
    >>> reply_is_grounded("It is G, B and D.", [fact]), reply_is_grounded("G, B, D#.", [fact])
    (True, False)
    >>> reply_is_grounded("The dominant of C major is F.", [])
    False
    """
    context = ClaimContext.of(None, evidence)
    grounding = Grounding.of(evidence)
    return not any(
        grounding.contradicted_by(sentence)
        or check_sentence(sentence, context=context).status == "refuted"
        for sentence in sentences_of(reply)
    )


def join_sentences(parts: list[str], limit: int) -> str:
    """Non-empty parts joined as prose, keeping the last part (the exercise) within ``limit``.

    >>> join_sentences(["A.", "B.", "C.", "Try it."], 3)
    'A. B. Try it.'
    """
    parts = [p.strip() for p in parts if p and p.strip()]
    if len(parts) > limit:
        parts = [*parts[: limit - 1], parts[-1]]
    return " ".join(parts)


def build_example(
    *,
    source: Source,
    group: str,
    kind: str,
    level: Level,
    evidence: list[Evidence],
    question: str,
    reply: str,
    rng: random.Random,
    history: list[Turn] | None = None,
    sentences: int | None = None,
) -> Example:
    """An example whose system turn is the live tutor's prompt for this evidence and level."""
    system = tutor_system_prompt(
        profile_description=rng.choice(LEARNER_PROFILES),
        level=level,
        evidence=evidence,
        sentences=sentences or rng.choice(PROMPT_SENTENCES),
    )
    messages = [
        Turn(role="system", content=system),
        *(history or []),
        Turn(role="user", content=question),
        Turn(role="assistant", content=reply),
    ]
    return Example(
        id=example_id(messages),
        source=source,
        group=group,
        kind=kind,
        level=level,
        messages=messages,
    )


def example_id(messages: list[Turn]) -> str:
    """A content hash: identical conversations get identical ids, which is how we deduplicate.

    >>> hi = [Turn(role="user", content="hi")]
    >>> example_id(hi) == example_id([Turn(role="user", content=" Hi ")])
    True
    """
    digest = hashlib.sha256()
    for turn in messages:
        digest.update(f"{turn.role}\x00{normalise(turn.content)}\x01".encode())
    return digest.hexdigest()[:16]


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form of a text, for duplicate detection.

    >>> normalise("  Spell  the G major\\ntriad ")
    'spell the g major triad'
    """
    return " ".join(text.lower().split())
