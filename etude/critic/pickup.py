"""An unmarked pickup in a MIDI file: the note that says its bar numbers may be off by one.

MIDI has no anacrusis. A piece that starts with an upbeat is written either with the upbeat at
time 0 (music21 and most notation programs export it so) or padded with silence to a full bar;
either way the file's first bar holds the upbeat, and every bar number the critic reports counts
from there, one more than (and, at time 0, a few beats across) the learner's printed score.
MusicXML and ABC mark the pickup, so this is asked of MIDI only.

The heuristic, kept simple enough to state in two lines:

* **late first note** — the first note starts in the second half of bar 1 (and inside it): the
  bar before it is silence padding an upbeat (a melody that rests on beat 1 of a full bar
  enters earlier than that);
* **shifted accents** — the notes longer than a beat (held notes, phrase ends: they start on
  strong beats) start on the barline shifted by ``k`` beats (``k >= 1``) at least
  :data:`ACCENT_RATIO` times as often as on the file's own barline, and at least
  :data:`MIN_LONG_NOTES` times. In 4/4 the middle of the bar is strong too, so only an odd
  number of beats can be seen.

Both need :data:`MIN_BARS` bars, so a short fragment says nothing. Measured with
``bench/unmarked_pickup.py`` (``bench/RESULTS.md``, 2026-12-06): on 40 corpus chorales and 100
Essen folk songs written as MIDI, no note for any of the 25 files without a pickup; 44 of 50
chorale upbeats and 105 of 154 folk-song upbeats noted. Precision was the aim: a wrong note
would make the learner distrust bar numbers that are right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, Field

from etude.critic.texture import Piece

ACCENT_RATIO = 2.0
"""How many times the file's own barline's long notes the shifted barline must collect."""
MIN_LONG_NOTES = 3
"""Fewer long notes than this on the shifted barline say nothing."""
MIN_BARS = 4
"""Below this many bars the accents are too few to weigh."""
EPSILON = 1e-6


class UnmarkedPickup(BaseModel):
    """The analysis's ``unmarked_pickup`` object (MIDI files only; null when none is seen)."""

    pickup_ql: float = Field(description="The suspected upbeat's length in quarter notes.")
    evidence: Literal["late_first_note", "shifted_accents"] = Field(
        description="Which half of the heuristic saw it (see etude.critic.pickup)."
    )
    message: str = Field(description="The note for the learner, in one or two sentences.")


def _on_grid(offset: float, shift: float, bar: float) -> bool:
    phase = (offset - shift) % bar
    return phase < EPSILON or bar - phase < EPSILON


def downbeat_shift(onsets: Iterable[tuple[float, float]], bar: float, beat: float) -> float | None:
    """The shift (in quarter notes, a whole number of beats) of the barline that the long
    notes fit clearly better than the file's own, or None.

    ``onsets`` are ``(start, duration)`` of every note; a *long* note lasts more than a beat.
    In a bar of four or more beats (4/4, 12/8) the middle of the bar is a strong beat too, so a
    shift and the same shift plus half a bar count as one (the shorter is returned): an upbeat
    of half a bar cannot be told from none this way.

    A 4/4 tune with a one-beat upbeat at time 0, its half notes on the real downbeats:

    >>> upbeat = [(0, 1), (1, 2), (3, 1), (4, 1), (5, 2), (7, 1), (8, 1), (9, 2), (11, 1),
    ...           (12, 1), (13, 3)]
    >>> downbeat_shift(upbeat, bar=4.0, beat=1.0)
    1.0

    The same tune starting on its downbeat (no upbeat) is left alone, and so is one whose
    accents do not point anywhere (even quarter notes):

    >>> downbeat_shift([(s - 1, d) for s, d in upbeat[1:]], bar=4.0, beat=1.0) is None
    True
    >>> downbeat_shift([(float(s), 1.0) for s in range(16)], bar=4.0, beat=1.0) is None
    True

    In 3/4, long notes on the second beat of every bar: a one-beat upbeat.

    >>> downbeat_shift([(0, 1), (1, 2), (3, 1), (4, 2), (6, 1), (7, 2)], bar=3.0, beat=1.0)
    1.0
    """
    beats = round(bar / beat) if beat > 0 else 0
    if beats < 2:
        return None
    period = bar / 2 if beats % 2 == 0 and beats >= 4 else bar
    counts: dict[float, int] = defaultdict(int)
    for start, duration in onsets:
        if duration > beat + EPSILON:
            phase = round(start % period, 6)
            counts[0.0 if period - phase < EPSILON else phase] += 1
    if sum(counts.values()) < MIN_LONG_NOTES:
        return None
    shifts = [k * beat for k in range(1, round(period / beat))]

    def landing(shift: float) -> int:
        return sum(n for phase, n in counts.items() if abs(phase - shift) < EPSILON)

    own = landing(0.0)
    best = max(shifts, key=landing, default=None)
    if best is None or landing(best) < MIN_LONG_NOTES or landing(best) < ACCENT_RATIO * own:
        return None
    return float(best)


def unmarked_pickup(piece: Piece) -> UnmarkedPickup | None:
    """The note for a MIDI file that seems to begin with an upbeat, or None (see the module's
    docstring for the two rules). Call it for MIDI only: other formats mark their pickups."""
    meter = piece.meter
    if meter.bars < MIN_BARS or len(meter.bar_starts) < 2:
        return None
    bar = meter.bar_starts[1] - meter.bar_starts[0]
    beat = meter.beat_lengths[0]
    onsets = [(n.start, n.end - n.start) for part in piece.chords for n in part]
    if not onsets:
        return None
    first = min(start for start, _ in onsets)
    if bar / 2 - EPSILON <= first < bar - EPSILON:
        where = meter.locate(first)[1]
        return UnmarkedPickup(
            pickup_ql=round(bar - first, 6),
            evidence="late_first_note",
            message=(
                f"The first note comes on beat {where:g} of bar 1, after silence: this MIDI "
                "file probably starts with an upbeat (pickup), which MIDI cannot mark. Bars "
                "here are counted from the file's start, so if your score numbers the upbeat "
                "0, each bar number here is one more than in your score."
            ),
        )
    shift = downbeat_shift(onsets, bar, beat)
    if shift is None:
        return None
    beats = shift / beat
    return UnmarkedPickup(
        pickup_ql=shift,
        evidence="shifted_accents",
        message=(
            f"Most long notes of this MIDI file start {beats:g} beat{'s' if beats != 1 else ''} "
            "after a barline: it probably starts with an upbeat (pickup) at its very start, "
            "which MIDI cannot mark. Bars and beats here are counted from the file's first "
            "note, so they may be one bar (and a few beats) off from your score's numbering."
        ),
    )
