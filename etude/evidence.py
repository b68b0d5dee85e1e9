"""The typed evidence that tools hand to the tutor and that the CLI/API return as JSON.

Evidence is data, not prose: the tutor renders it into the prompt, the grounding guard checks
the reply against its ``notes``, and ``etude ask --json`` prints it unchanged. One class serves
every tool (plug-ins included) so the checkpointer can store it and the JSON shape stays stable;
a tool's own typed result travels in ``data`` as its JSON dump.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EvidenceKind = Literal[
    "fact", "passage", "analysis", "encoding", "profile", "error", "example", "other"
]
"""``example``: a short example to hear a fact by (issue #20), its ``data`` carrying ``text``,
``abc``, ``musicxml`` and ``events``, checked with music21 before it is given."""


class Citation(BaseModel):
    """Where a retrieved passage comes from, precise enough to open the article at the section."""

    model_config = ConfigDict(frozen=True)

    article: str = Field(description="Article id: '<topic>/<slug>'.")
    title: str
    section: str
    chunk_id: str
    score: float = Field(description="Similarity of the passage to the question, 0..1.")

    def label(self) -> str:
        """Human-readable reference, e.g. ``Cadences § Half cadence``."""
        return f"{self.title} § {self.section}" if self.section else self.title


class Evidence(BaseModel):
    """One grounded item a tool contributes to a turn."""

    model_config = ConfigDict(frozen=True)

    tool: str = Field(description="Name of the tool that produced it.")
    kind: EvidenceKind
    summary: str = Field(description="Exact text the tutor is given (and may quote).")
    authoritative: bool = Field(
        default=False,
        description="Computed or recorded fact: the reply must state it and never contradict it.",
    )
    notes: list[str] = Field(
        default_factory=list, description="Pitch names the fact is about, in order, e.g. G B D."
    )
    citation: Citation | None = None
    data: dict[str, Any] = Field(
        default_factory=dict, description="The tool's typed result, dumped as JSON."
    )
