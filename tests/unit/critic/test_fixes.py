"""The critic's verified fixes: a suggestion removes its fault, adds none, and the score edit
that applies it is exact (issue #20)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from music21 import converter, corpus, stream

from etude.critic.analysis import analyze_score, read_score
from etude.critic.fixes import (
    FAULT_SEVERITIES,
    Edit,
    _around,
    apply_changes,
    edited,
    harmony_cost,
    key_of,
)
from etude.critic.report import Change
from etude.critic.rules.run import run_rules
from etude.scores.loading import LoadedScore

# Soprano and bass in parallel fifths from beat 1 to beat 2 (G4/C3 → A4/D3), clean else.
PARALLEL_FIFTHS = ("g4 a4 b4 c'4", "e4 f4 g4 g4", "c2 d4 e4", "C4 D4 GG4 C4")


def chorale(voices: tuple[str, ...]) -> stream.Score:
    """Four parts from tinyNotation lines (soprano first), in 4/4."""
    score = stream.Score()
    for line in voices:
        score.insert(0, converter.parse(f"tinyNotation: 4/4 {line}"))
    return score


def _loaded(score: stream.Score, name: str = "piece.xml") -> LoadedScore:
    return LoadedScore(Path(name), "musicxml", score, 0)


def _faults(report_findings: list) -> set:
    return {key_of(f) for f in report_findings if f.severity in FAULT_SEVERITIES}


def test_a_parallel_fifth_gets_a_fix_that_reanalyses_clean() -> None:
    score = chorale(PARALLEL_FIFTHS)
    report = analyze_score(_loaded(score), level="advanced")
    fault = next(f for f in report.findings if f.rule == "parallel_fifths")
    assert fault.suggestion is not None
    change = fault.suggestion.changes[0]
    assert change.from_ != change.to and change.part in fault.parts
    assert "parallel fifths" in fault.suggestion.why
    fixed = analyze_score(_loaded(apply_changes(score, fault.suggestion.changes)), level="advanced")
    assert not any(f.rule == "parallel_fifths" for f in fixed.findings)
    assert _faults(fixed.findings) <= _faults(report.findings)


def test_suggestion_json_is_the_contract() -> None:
    score = chorale(PARALLEL_FIFTHS)
    dumped = analyze_score(_loaded(score), level="advanced").model_dump(mode="json")
    suggestion = next(f["suggestion"] for f in dumped["findings"] if f.get("suggestion"))
    assert set(suggestion) == {"changes", "why"}
    assert {"part", "bar", "beat", "offset_ql", "from", "to"} <= set(suggestion["changes"][0])


def test_no_suggestion_when_asked_not_to() -> None:
    score = chorale(PARALLEL_FIFTHS)
    report = analyze_score(_loaded(score), level="advanced", suggest=False)
    assert all(f.suggestion is None for f in report.findings)


@pytest.mark.parametrize("name", ["bach/bwv66.6", "bach/bwv269", "bach/bwv281"])
def test_screening_near_the_edit_sees_every_fault_the_whole_piece_sees(name: str) -> None:
    """The search re-checks only the music around an edit; every fault an edit adds or
    removes anywhere must lie there (random one-note edits of real chorales)."""
    context = read_score(_loaded(corpus.parse(name))).context
    before = _faults(run_rules(context))
    rng = random.Random(name)
    for _ in range(40):
        line = rng.randrange(len(context.piece.lines))
        index = rng.randrange(len(context.piece.lines[line].notes))
        shift = rng.choice([-7, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 7, 12, -12])
        edit = Edit(line, index, context.piece.lines[line].notes[index].midi + shift)
        whole = _faults(run_rules(replace(context, piece=edited(context.piece, [edit]))))
        local, first = _around(context, [(line, index)])
        moved = Edit(line, index - first[line], edit.midi)
        near_before = _faults(run_rules(local))
        near_after = _faults(run_rules(replace(local, piece=edited(local.piece, [moved]))))
        assert whole - before == near_after - near_before
        assert before - whole == near_before - near_after


def test_an_edit_that_empties_the_chord_of_its_third_is_no_fix() -> None:
    # C major: soprano E4 is the only third; moving it to G4 leaves C and G alone.
    score = chorale(("e'1", "c'1", "g1", "C1"))
    context = read_score(_loaded(score)).context
    soprano = context.piece.lines[0].notes[0]
    assert harmony_cost(context, Edit(0, 0, soprano.midi + 3)) is None  # E4 → G4: no third
    assert harmony_cost(context, Edit(0, 0, soprano.midi + 12)) == 0  # an octave keeps it


def test_apply_changes_follows_ties_and_refuses_a_note_that_is_not_there() -> None:
    score = converter.parse("tinyNotation: 4/4 c2~ c2 d1")
    fixed = apply_changes(
        score, [Change(part=0, bar=1, beat=1.0, offset_ql=0.0, from_="C4", to="E4")]
    )
    assert [n.nameWithOctave for n in fixed.flatten().notes] == ["E4", "E4", "D4"]
    assert [n.nameWithOctave for n in score.flatten().notes] == ["C4", "C4", "D4"]  # a copy
    with pytest.raises(ValueError, match="no F4"):
        apply_changes(score, [Change(part=0, bar=1, beat=1.0, offset_ql=0.0, from_="F4", to="G4")])
