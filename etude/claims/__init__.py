"""Checking what a reply claims against what the tools computed.

:class:`~etude.claims.guard.Grounding` is assembled from a turn's evidence once, and every
consumer — the tutor's streaming :class:`~etude.claims.guard.SentenceGuard`, the fine-tuning data
filter, the evaluation and the benchmarks — asks it whether a sentence holds.

It builds on the theory engine (``etude.theory``) and the evidence type only; it must not import
tools, agents, the graph or anything above them.
"""

from etude.claims.guard import Grounding, SentenceGuard

__all__ = ["Grounding", "SentenceGuard"]
