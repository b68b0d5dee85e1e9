"""``etude eval mtb --graph``: each question through the mentor, the letter read off the reply's
first line. The mentor here is the engine and the reply planner without a chat model (what
the tutor writes before the model speaks), so the protocol is tested without loading one."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import pytest

from etude.config import Settings
from etude.finetune import musictheorybench as mtb

SAMPLE = Path(__file__).parents[2] / "data" / "mtb_sample.jsonl"


class EngineMentor:
    """Stands in for ``etude.mentor.Mentor``: the computed blocks of the reply only."""

    asked: ClassVar[list[str]] = []

    def __init__(self, settings: Settings, **_: Any) -> None:
        self.settings = settings

    def ask(self, message: str, **_: Any) -> SimpleNamespace:
        from etude.agents.reply import plan_reply
        from etude.tools.theory import computed

        EngineMentor.asked.append(message)
        _, before, _ = plan_reply(message, ["theory"], computed(message), "intermediate")
        return SimpleNamespace(answer="\n\n".join(block.text for block in before))

    def close(self) -> None:
        pass


@pytest.fixture
def engine_mentor(monkeypatch: pytest.MonkeyPatch) -> type[EngineMentor]:
    import etude.mentor

    EngineMentor.asked = []
    monkeypatch.setattr(etude.mentor, "Mentor", EngineMentor)
    return EngineMentor


def test_graph_mode_reads_the_letter_off_each_reply(engine_mentor: type[EngineMentor]) -> None:
    result = mtb.evaluate_mtb_graph(SAMPLE, Settings())
    assert result["questions"] == 5 and result["protocol"].startswith("zero-shot, whole graph")
    assert engine_mentor.asked[0].splitlines()[-4:] == [
        "A) C, Eb, G",
        "B) C, E, G#",
        "C) C, E, G",
        "D) C, F, G",
    ]
    graph = result["models"]["graph"]
    assert graph["knowledge"]["total"] == 3 and graph["reasoning"]["total"] == 2
    picks = [choice["graph"] for choice in result["choices"]]
    right = sum(p == c["answer"] for p, c in zip(picks, result["choices"], strict=True))
    assert graph["overall"]["correct"] == right
    assert result["no_option_named"] == picks.count(None)
    assert picks[:2] == ["C", "A"]  # the C major triad and the relative minor of F, computed


def test_the_cli_runs_the_graph_mode(
    engine_mentor: type[EngineMentor], capsys: pytest.CaptureFixture[str]
) -> None:
    from etude.cli.finetune import run_eval_mtb

    run_eval_mtb(SAMPLE, adapter=None, model=None, limit=2, as_json=True, graph=Settings())
    payload = json.loads(capsys.readouterr().out)
    assert payload["questions"] == 2 and "graph" in payload["models"]


def test_a_reply_naming_no_single_option_is_wrong() -> None:
    questions = [{"subject": "reasoning", "answer": "A"}, {"subject": "reasoning", "answer": "B"}]
    picks = [mtb.letter_of("Answer: A) x"), mtb.letter_of("B) or C)?")]
    assert mtb.score(questions, picks)["reasoning"]["correct"] == 1
