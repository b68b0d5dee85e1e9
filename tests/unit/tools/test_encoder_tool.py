"""The encoder tool's surprise evidence (issue #22): what the tutor can say about a note."""

from __future__ import annotations

from pathlib import Path

import pytest

from etude.agents.reply import plan_reply
from etude.config import Settings
from etude.tools.base import ToolRequest
from etude.tools.encoder import encode


def _surprise(question: str, score: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    request = ToolRequest(question=question, attachment=score)
    evidence = encode(request, Settings(data_dir=tmp_path))
    return evidence, [item for item in evidence if "surprise" in item.data]


def test_asked_about_odd_notes_the_reply_states_the_least_expected_one(
    chorale_midi: Path, tmp_path: Path
) -> None:
    question = "Which note of my chorale is the most unexpected?"
    evidence, found = _surprise(question, chorale_midi, tmp_path)
    assert len(found) == 1 and found[0].authoritative
    item = found[0]
    first = item.data["surprise"][0]
    assert item.summary.startswith(f"Bar {first['bar']}, ")
    assert f"this {first['pitch']} is the least expected note" in item.summary
    assert f"{first['expected'][0]} is" in item.summary and "not a rule" in item.summary
    assert any(voice in item.summary for voice in ("soprano", "alto", "tenor", "bass"))
    assert item.notes[0] == first["pitch"]
    _, before, _ = plan_reply(question, ["encoder"], evidence, "intermediate")
    assert any(block.text == item.summary for block in before)


@pytest.mark.parametrize(
    "question",
    ["Does any note in my chorale sound wrong?", "I think I made a mistake somewhere, which note?"],
)
def test_asked_which_note_is_wrong_the_reply_names_the_rankers_best_candidate(
    chorale_midi: Path, tmp_path: Path, question: str
) -> None:
    """The learner believes a note is wrong: the ranker's likeliest slip answers, said as
    surely as the ranker is (the critique names it unasked only above its threshold)."""
    evidence, found = _surprise(question, chorale_midi, tmp_path)
    assert len(found) == 1 and found[0].authoritative
    item = found[0]
    slip = item.data["slip"]
    assert item.summary.startswith(f"Bar {slip['bar']}, ") and slip["pitch"] in item.summary
    assert "may be a slip" in item.summary or "is the likeliest one, though" in item.summary
    assert "keep the note if you meant it" in item.summary
    _, before, _ = plan_reply(question, ["encoder"], evidence, "intermediate")
    assert any(block.text == item.summary for block in before)


def test_otherwise_it_is_context_not_the_answer(chorale_midi: Path, tmp_path: Path) -> None:
    evidence, found = _surprise("What style is my piece closest to?", chorale_midi, tmp_path)
    assert len(found) == 1 and not found[0].authoritative
    _, before, _ = plan_reply(
        "What style is my piece closest to?", ["encoder"], evidence, "advanced"
    )
    assert all(block.text != found[0].summary for block in before)


@pytest.mark.parametrize("voice", ["alto", "tenor"])
def test_the_candidate_is_sought_in_the_voice_the_learner_names(
    chorale_midi: Path, tmp_path: Path, voice: str
) -> None:
    """ "The tenor feels weird": the best candidate *in the tenor*, said to be sought there, and
    no surer than it is among all the piece's notes."""
    question = f"The {voice} line sounds wrong to me. Which note?"
    _, (item,) = _surprise(question, chorale_midi, tmp_path)
    slip = item.data["slip"]
    assert item.summary.startswith(f"Bar {slip['bar']}, {voice} (beat ")
    _, (anywhere,) = _surprise("Which note sounds wrong?", chorale_midi, tmp_path)
    if anywhere.data["slip"] != slip:
        assert f"if a note of the {voice} is wrong, this {slip['pitch']}" in item.summary


def test_the_candidate_is_sought_in_the_bar_the_learner_names(
    chorale_midi: Path, tmp_path: Path
) -> None:
    _, (anywhere,) = _surprise("Which note sounds wrong?", chorale_midi, tmp_path)
    other = 2 if anywhere.data["slip"]["bar"] != 2 else 3
    _, (item,) = _surprise(f"bar {other} sounds off. Which note?", chorale_midi, tmp_path)
    assert item.data["slip"]["bar"] == other
    assert item.summary.startswith(f"Bar {other}, ")
