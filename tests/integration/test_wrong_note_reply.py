"""A learner's reply on a chorale with a wrong note names it (issue #22), through the real
mentor: the graph, the critic tool with the shipped encoder and its wrong-note ranker, the
composed reply. The chorale is one that pre-training and the ranker's training held out."""

from __future__ import annotations

from pathlib import Path

import pytest
from music21 import corpus

from etude.attachments import prepare_attachment
from etude.encoders.corpus import held_out
from etude.mentor import Mentor

pytestmark = pytest.mark.integration

CHORALE = "bwv310"


def _chorale(tmp_path: Path, *, slip: bool) -> Path:
    """BWV 310 as Bach wrote it, or with the alto's third note (bar 1, beat 3: E4 under the
    tonic chord) a semitone too high, the slip of a hand on the keyboard."""
    score = corpus.parse(f"bach/{CHORALE}")
    if slip:
        alto = list(score.parts[1].flatten().notes)
        assert alto[2].nameWithOctave == "E4"
        alto[2].pitch.midi += 1
    path = tmp_path / ("slipped.musicxml" if slip else "clean.musicxml")
    score.write("musicxml", fp=str(path))
    return path


def _critique(mentor: Mentor, path: Path) -> str:
    attachment = prepare_attachment(path)
    return mentor.ask("Can you check my piece?", attachment=attachment, level="intermediate").answer


def test_the_chorale_is_held_out() -> None:
    assert held_out(f"{CHORALE}.mxl")


def test_the_critique_names_the_slip_and_the_note_the_style_expects(
    mentor: Mentor, tmp_path: Path
) -> None:
    path = _chorale(tmp_path, slip=True)
    reply = _critique(mentor, path)
    assert "Bar 1, alto (beat 3): this F4 may be a slip." in reply, reply
    assert "finds G4 far likelier here" in reply and "keep the note if you meant it" in reply


def test_the_same_chorale_as_bach_wrote_it_gets_no_such_line(
    mentor: Mentor, tmp_path: Path
) -> None:
    reply = _critique(mentor, _chorale(tmp_path, slip=False))
    assert "may be a slip" not in reply and "least expected note" not in reply, reply
