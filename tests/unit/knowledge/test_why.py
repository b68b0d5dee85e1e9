"""Every critic rule has a knowledge-base section that says why it matters."""

from __future__ import annotations

import pytest

from etude.knowledge.why import RULE_SECTIONS, why_passage

CRITIC_RULES = [
    "parallel_fifths",
    "parallel_octaves",
    "hidden_fifths",
    "hidden_octaves",
    "voice_crossing",
    "voice_overlap",
    "spacing",
    "range",
    "large_leap",
    "unresolved_leading_tone",
    "out_of_key",
    "weak_cadence",
    "rhythmic_monotony",
    "melodic_monotony",
]


@pytest.mark.parametrize("rule", CRITIC_RULES)
def test_each_rule_has_a_why_section(rule: str) -> None:
    found = why_passage(rule)
    assert found is not None, rule
    text, citation = found
    assert citation.section.startswith("Why") and len(text.split()) >= 40


def test_the_stable_rule_ids_are_all_mapped() -> None:
    assert set(CRITIC_RULES) <= set(RULE_SECTIONS)


def test_a_critique_reply_quotes_why_its_first_finding_matters() -> None:
    from etude.agents.reply import plan_reply
    from etude.evidence import Evidence

    finding = Evidence(
        tool="critic",
        kind="analysis",
        summary="…",
        data={
            "rule": "spacing",
            "bar": 3,
            "beat": 1.0,
            "parts": [1, 2],
            "severity": "error",
            "message": "More than an octave between alto and tenor.",
        },
    )
    _, before, _ = plan_reply("is my spacing ok?", ["critic"], [finding], "beginner")
    reasons = [b.text for b in before if b.role == "reason"]
    assert reasons and reasons[0].startswith("Why it matters (spacing):")
    assert "Spacing between voices in four-part harmony § Why" in reasons[0]
