"""The composition critic: what a teacher notices in a learner's score, located by bar and beat.

:func:`analyze_file` / :func:`analyze_score` read a score (through ``etude.scores``), estimate
its key and metre, name its harmony beat by beat and its cadences, and run the rules
(``critic/rules/``: parallels, hidden fifths and octaves, crossing, overlap, spacing, ranges,
leaps, the leading tone, out-of-key notes, cadences, rhythmic and melodic monotony). The result
is an :class:`AnalysisReport`, whose JSON is the ``etude analyze --json`` contract.

It owns the analysis of scores only. It may import the theory engine, the score loaders and the
core types; it must not import tools, agents, the graph, lessons or anything above them.

The public names are imported lazily (music21 costs a second to import).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etude.lazy import lazy_exports

if TYPE_CHECKING:
    from etude.critic.analysis import analyze_file, analyze_score
    from etude.critic.report import RULE_IDS, AnalysisReport, Finding, overview

__all__ = ["RULE_IDS", "AnalysisReport", "Finding", "analyze_file", "analyze_score", "overview"]

_HOMES = {
    "analyze_file": "analysis",
    "analyze_score": "analysis",
    "RULE_IDS": "report",
    "AnalysisReport": "report",
    "Finding": "report",
    "overview": "report",
}


__getattr__ = lazy_exports(__name__, _HOMES)
