"""The typed result of the theory engine: one computed fact the tutor must state as given.

A fact carries both a sentence a learner can read (``statement``) and the machine-checkable
parts (``notes``, ``data``), so the tutor can quote it and the grounding guard can verify that
the reply neither drops nor respells a computed note.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FactKind = Literal[
    "chord",
    "chord_identification",
    "scale",
    "interval",
    "key_signature",
    "related_keys",
    "roman_numeral",
    "transposition",
    "enharmonic",
    "circle_of_fifths",
    "diatonic_chords",
    "progression",
    "fingering",
    "derivation",
    "choice",
    "substitution",
    "meter",
]


class TheoryFact(BaseModel):
    """One exact, computed statement about music theory.

    >>> fact = TheoryFact(kind="chord", query="G major triad",
    ...                   statement="G major triad: G – B – D.", notes=["G", "B", "D"])
    >>> fact.notes
    ['G', 'B', 'D']
    """

    model_config = ConfigDict(frozen=True)

    kind: FactKind
    query: str = Field(description="Normalised subject, e.g. 'G major triad'.")
    statement: str = Field(description="One exact sentence the learner reads.")
    notes: list[str] = Field(
        default_factory=list,
        description="Computed pitch names in order, ASCII-spelled ('F#', 'Bb', 'Ebb').",
    )
    data: dict[str, Any] = Field(default_factory=dict, description="Structured details.")
    steps: list[str] = Field(
        default_factory=list,
        description="How the fact is found, one computed step per line, in order: what a "
        "learner can repeat by hand.",
    )
