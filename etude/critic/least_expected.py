"""The note MusicBERT expected least in a learner's score, named by voice, for the tools.

The encoder scores every note by how unexpected its pitch is in context
(:mod:`etude.encoders.surprise`); this reads that for a whole score the way the critic reads it
(its bars and beats, its voice names), so the encoder tool can answer "which note sounds
wrong?" and the critic can mention a note that *stands out*: one far less expected than any
other note of the piece. That is how a planted wrong note looks to the encoder (issue #22's
wrong-note bench), while in a clean chorale the least expected notes come in a close cluster.
It is never a finding: the sentence says it is the model's sense of the style, not a rule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from music21 import stream

from etude.encoders.surprise import EncoderSection, SurpriseNote, least_expected_sentence

log = logging.getLogger(__name__)

STANDS_OUT_NATS = 2.0
"""How much less expected than the runner-up (in nats: e² ≈ 7.4 times less likely) the least
expected note must be for a critique to mention it unasked. Chosen on 70 planted pieces
(bench/RESULTS.md, issue #22, "A critique mentions a note that stands out"): at 2.0 the line
named the planted note in 34 of 60 folk tunes and never another note, and appeared on 6 of
the 60 unplanted originals; at 1.0 it appeared on a third of the originals. On chorales,
where the encoder confuses the voices, it stays silent (1 of 10)."""


@dataclass(frozen=True)
class LeastExpected:
    note: SurpriseNote
    voice: str
    section: EncoderSection

    @property
    def sentence(self) -> str:
        return least_expected_sentence(self.note, self.voice)

    @property
    def stands_out(self) -> bool:
        return stands_out(self.section)


def stands_out(section: EncoderSection) -> bool:
    """Whether the least expected note is far less expected than every other one.

    >>> def note(score):
    ...     return SurpriseNote(part=0, bar=1, beat=1.0, offset_ql=0.0, pitch="C4", score=score,
    ...                         expected=[], probability=0.01, expected_probabilities=[])
    >>> stands_out(EncoderSection(model="m", surprise=[note(8.4), note(6.3)]))
    True
    >>> stands_out(EncoderSection(model="m", surprise=[note(7.8), note(6.3)]))
    False
    >>> stands_out(EncoderSection(model="m", surprise=[note(6.07), note(6.05)]))
    False
    """
    if not section.surprise:
        return False
    if len(section.surprise) == 1:
        return True
    return section.surprise[0].score - section.surprise[1].score >= STANDS_OUT_NATS


def least_expected(score: stream.Score) -> LeastExpected | None:
    """The least expected note of ``score`` with its voice's name, or None without a
    checkpoint or when the encoder cannot read the piece."""
    from etude.critic.texture import build_piece
    from etude.encoders.embedding import inference_model
    from etude.encoders.surprise import encoder_section

    try:
        piece = build_piece(score)
        section = encoder_section(score, inference_model(), top=3, locate=piece.meter.locate)
    except (OSError, ValueError, IndexError, KeyError) as error:
        log.warning("no surprise estimate: %s", error)
        return None
    if not section.surprise:
        return None
    first = section.surprise[0]
    labels = {line.part: line.label for line in piece.lines}
    return LeastExpected(first, labels.get(first.part, f"part {first.part + 1}"), section)
