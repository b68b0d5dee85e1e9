"""Parallel fifths across a passing note are a warning; the strict kind stays an error; both
agree with music21's ``VoiceLeadingQuartet`` on real chorales (issue #20)."""

from __future__ import annotations

from itertools import combinations, pairwise
from pathlib import Path

import pytest
from music21 import corpus, note, stream, voiceLeading

from etude.critic.analysis import analyze_score, read_score
from etude.critic.texture import Line, LineNote
from etude.scores.loading import LoadedScore


def _spelled(item: LineNote) -> note.Note:
    return note.Note(item.name[0] + item.name[1:].replace("b", "-"))


def _music21_decorated_fifths(lines: list[Line], beat: float) -> set[tuple[tuple[int, int], float]]:
    """music21's parallel fifths between the notes two voices strike together on successive
    shared onsets (within two beats) with a decoration between them in one voice."""
    found = set()
    for upper, lower in combinations(lines, 2):
        shared = sorted(set(upper.starts) & set(lower.starts))
        for before, after in pairwise(shared):
            a0, a1, b0, b1 = upper.at(before), upper.at(after), lower.at(before), lower.at(after)
            if a0 is None or a1 is None or b0 is None or b1 is None:
                continue
            decorated = a0.end < after - 1e-9 or b0.end < after - 1e-9
            if not decorated or after - before > 2 * beat + 1e-9:
                continue
            quartet = voiceLeading.VoiceLeadingQuartet(*(_spelled(n) for n in (a0, a1, b0, b1)))
            if quartet.parallelFifth():
                found.add(((upper.part, lower.part), after))
    return found


@pytest.mark.parametrize("name", ["bach/bwv269", "bach/bwv281", "bach/bwv347", "bach/bwv40.8"])
def test_decorated_fifths_agree_with_music21(name: str) -> None:
    loaded = LoadedScore(Path("c.mxl"), "musicxml", corpus.parse(name), 0)
    context = read_score(loaded).context
    report = analyze_score(loaded, level="advanced", suggest=False)
    ours = {
        (tuple(f.parts), f.offset_ql)
        for f in report.findings
        if f.rule == "parallel_fifths" and f.severity == "warning"
    }
    beat = context.piece.meter.beat_lengths[0]
    assert ours == _music21_decorated_fifths(context.piece.lines, beat)


def test_a_passing_note_softens_but_does_not_hide_the_fifths() -> None:
    # Alto A4 → F4 over tenor D4–C4–Bb3: fifths on successive beats (issue #20's example).
    from music21 import converter

    score = stream.Score()
    for line in ("c'2 c'2", "a4 f4 a2", "d8 c8 B-4 c2", "D4 BB-4 C2"):
        score.insert(0, converter.parse(f"tinyNotation: 4/4 {line}"))
    report = analyze_score(
        LoadedScore(Path("p.xml"), "musicxml", score, 0), level="advanced", suggest=False
    )
    fifths = [f for f in report.findings if f.rule == "parallel_fifths" and f.parts == [1, 2]]
    assert [(f.severity, f.beat) for f in fifths] == [("warning", 2.0)]
    assert "passing note between them softens the fifths" in fifths[0].message
