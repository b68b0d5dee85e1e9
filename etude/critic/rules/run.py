"""Every rule at once: :data:`RULES` needs only the piece and its key; :func:`run_rules` runs
them all. The analysis runs them once and the fix search (``critic/fixes.py``) once per edit it
considers, so the list lives here, below both.
"""

from __future__ import annotations

from collections.abc import Callable

from etude.critic.report import Finding
from etude.critic.rules.common import RuleContext
from etude.critic.rules.melody import check_leaps, check_monotony
from etude.critic.rules.parallels import check_hidden, check_parallels
from etude.critic.rules.ranges import check_ranges
from etude.critic.rules.rhythm import check_rhythm
from etude.critic.rules.tonality import check_leading_tone, check_out_of_key
from etude.critic.rules.voices import check_crossing, check_overlap, check_spacing

RULES: tuple[Callable[[RuleContext], list[Finding]], ...] = (
    check_parallels,
    check_hidden,
    check_crossing,
    check_overlap,
    check_spacing,
    check_ranges,
    check_leaps,
    check_monotony,
    check_out_of_key,
    check_leading_tone,
    check_rhythm,
)
"""Rules that need only the piece and key; the cadence rule also needs the harmony."""


def run_rules(context: RuleContext) -> list[Finding]:
    """Every finding of every rule in :data:`RULES`, rule by rule, in file order."""
    return [finding for rule in RULES for finding in rule(context)]
