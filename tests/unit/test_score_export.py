"""Scores written out to take home (``etude.scores.export``): ABC that music21 reads back to the
same notes on real chorales, and a refusal, saying where, when ABC as written cannot carry a
score."""

from __future__ import annotations

from pathlib import Path

import pytest
from music21 import corpus, note, stream

from etude.scores.export import export_score, first_difference, score_to_abc
from etude.scores.loading import ScoreError, load_score


@pytest.mark.parametrize("work", ["bach/bwv66.6", "bach/bwv7.7", "bach/bwv84.5"])
@pytest.mark.parametrize("suffix", [".mid", ".musicxml"])
def test_chorales_come_back_from_abc_note_for_note(work: str, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"chorale{suffix}"
    corpus.parse(work).write("midi" if suffix == ".mid" else "musicxml", fp=str(path))
    loaded = load_score(path)
    abc = export_score(loaded, "abc").decode("utf-8")  # raises if any note would change
    assert abc.startswith("X:1\nT:chorale\n") and abc.count("\nV:") == len(loaded.score.parts)


def test_two_voices_in_one_staff_are_refused_with_where(tmp_path: Path) -> None:
    measure = stream.Measure(number=1)
    upper, lower = stream.Voice(), stream.Voice()
    upper.append([note.Note("E5", quarterLength=2), note.Note("D5", quarterLength=2)])
    lower.append([note.Note("C5", quarterLength=4)])
    measure.insert(0, upper)
    measure.insert(0, lower)
    path = tmp_path / "duet.musicxml"
    stream.Score([stream.Part([measure])]).write("musicxml", fp=str(path))
    loaded = load_score(path)
    with pytest.raises(ScoreError, match=r"ABC cannot carry duet.musicxml note for note \(part 1"):
        export_score(loaded, "abc")
    assert export_score(loaded, "midi")[:4] == b"MThd"  # the other formats still can


def test_a_difference_is_found_where_it_is() -> None:
    melody = corpus.parse("bach/bwv66.6").parts[0]
    score = stream.Score([melody])
    changed = stream.Score([melody.transpose(1)])
    assert first_difference(score, changed).startswith("part 1 differs at quarter 0")
    assert "V:" not in score_to_abc(score)  # one part: no voice lines
