"""Reply blocks built from computed steps: where a chord goes, what a clean score is told."""

from __future__ import annotations


def test_where_a_chord_goes_is_answered_from_its_own_steps() -> None:
    from etude.agents.reply import _where_it_goes
    from etude.theory.calculator import compute_facts

    [fact] = compute_facts("the french sixth in E minor")
    answer = _where_it_goes("and where does that go next?", fact.steps)
    assert "B" in answer and "leads to V" in answer
    assert _where_it_goes("how is it spelled?", fact.steps) == ""


def test_a_score_without_faults_gets_a_next_step_in_its_key() -> None:
    from etude.agents.reply import _answer_phrase, _no_fault

    report = {"bars": 12, "key": {"tonic": "D", "mode": "minor"}}
    assert "12 bars in D minor" in _answer_phrase(report) and "ends on D" in _answer_phrase(report)
    assert "not yet that it is interesting" in _no_fault(report)
