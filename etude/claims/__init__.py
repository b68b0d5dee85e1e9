"""Checking what a reply claims against what the engine computes.

:func:`check_sentence` reads the musical claims of a sentence and verifies each with the theory
engine; :func:`read_premise` finds the claim inside a confirmation question ("… right?");
:class:`SentenceGuard` streams a model's reply through the checker; :class:`Grounding` is the
older notes-and-keys check, kept for comparison.

It builds on the theory engine (``etude.theory``) and the evidence type only; it must not import
tools, agents, the graph or anything above them.
"""

from etude.claims.check import Claim, ClaimContext, Verdict, check_sentence
from etude.claims.grounding import Grounding
from etude.claims.guard import SentenceGuard
from etude.claims.premise import Premise, read_premise

__all__ = [
    "Claim",
    "ClaimContext",
    "Grounding",
    "Premise",
    "SentenceGuard",
    "Verdict",
    "check_sentence",
    "read_premise",
]
