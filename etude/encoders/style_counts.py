"""How often a style sounds a chord shape or turns a line one way, counted in training pieces.

Why: a wrong note moved by a semitone or two in a four-part chorale usually still sounds
plausible to the encoder one note at a time, but it leaves a trace in two places a count can
see: the notes sounding with it make a chord shape the composer rarely wrote (where a step away
would have made a common one), and its own line turns in a way the style rarely turns (a leap
in and a leap out where a step would have been ordinary). The wrong-note ranker
(``etude.encoders.wrong_notes``) reads how much likelier a step away would be under these
counts beside the encoder's surprise; they come from the same training pieces as its weights,
never from a benchmark's held-out piece (``scripts/train_wrong_note_ranker.py``).

A chord shape is the set of pitch classes above the lowest sounding note ("0,4,7": a root-position
major triad; "0,3,8": its first inversion), so it is the same in every key. A turn is the pair
of intervals in semitones into and out of a note of one line ("2,-1": up a tone, down a
semitone), clipped at an octave.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

SHAPES = 2048
"""Possible chord shapes: any set of pitch classes that holds the bass's (2 ** 11)."""

TURNS = 25 * 25
"""Possible turns: intervals in and out, each clipped to an octave either way."""

SMOOTHING = 0.5
"""Added to every count: a shape or turn the training pieces never had is rare, not impossible."""

STEPS = (-2, -1, 1, 2)
"""The moves a slip makes (and so the ones a correction undoes): a semitone or a tone."""


def shape(pitches: Iterable[int]) -> str:
    """The chord shape of some sounding MIDI pitches: pitch classes above the lowest.

    >>> shape([48, 64, 67, 72]), shape([52, 60, 67]), shape([60, 61])
    ('0,4,7', '0,3,8', '0,1')
    """
    pitches = list(pitches)
    bass = min(pitches)
    return ",".join(str(k) for k in sorted({(p - bass) % 12 for p in pitches}))


def turn(before: int, pitch: int, after: int) -> str:
    """How a line turns at ``pitch``: the intervals in and out, clipped at an octave.

    >>> turn(60, 62, 61), turn(60, 79, 60)
    ('2,-1', '12,-12')
    """
    return f"{max(-12, min(12, pitch - before))},{max(-12, min(12, after - pitch))}"


@dataclass(frozen=True)
class StyleCounts:
    """Chord shapes and line turns with how often the training pieces have each.

    >>> counts = StyleCounts(Counter({"0,4,7": 9, "0,3,8": 1}), Counter({"2,2": 4}))
    >>> counts.shape_logp([48, 64, 67]) > counts.shape_logp([48, 64, 68])
    True
    >>> counts.without(counts).shapes_total
    0
    """

    shapes: Mapping[str, int] = field(default_factory=Counter)
    turns: Mapping[str, int] = field(default_factory=Counter)

    @cached_property
    def shapes_total(self) -> int:
        # summed once: the ranker asks for it for every candidate step of every note
        return sum(self.shapes.values())

    @cached_property
    def turns_total(self) -> int:
        return sum(self.turns.values())

    def shape_logp(self, pitches: Sequence[int]) -> float:
        """The log-probability of the chord these pitches sound, smoothed."""
        count = self.shapes.get(shape(pitches), 0)
        return math.log((count + SMOOTHING) / (self.shapes_total + SMOOTHING * SHAPES))

    def turn_logp(self, before: int, pitch: int, after: int) -> float:
        """The log-probability of a line turning this way at ``pitch``, smoothed."""
        count = self.turns.get(turn(before, pitch, after), 0)
        return math.log((count + SMOOTHING) / (self.turns_total + SMOOTHING * TURNS))

    def __add__(self, other: StyleCounts) -> StyleCounts:
        return StyleCounts(
            Counter(self.shapes) + Counter(other.shapes), Counter(self.turns) + Counter(other.turns)
        )

    def without(self, other: StyleCounts) -> StyleCounts:
        """These counts less ``other``'s: the training script scores a piece against counts that
        leave its own notes out, as a learner's piece is scored against counts it is not in."""
        return StyleCounts(
            Counter(self.shapes) - Counter(other.shapes), Counter(self.turns) - Counter(other.turns)
        )

    def to_json(self) -> dict[str, dict[str, int]]:
        return {
            "shapes": dict(sorted(self.shapes.items())),
            "turns": dict(sorted(self.turns.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Mapping[str, int]]) -> StyleCounts:
        return cls(Counter(data.get("shapes", {})), Counter(data.get("turns", {})))

    def dumps(self) -> str:
        return json.dumps(self.to_json())


def count(sounding: Iterable[Sequence[int]], lines: Iterable[Sequence[int]]) -> StyleCounts:
    """The counts of one piece: the pitches sounding at each onset (two or more make a chord
    shape) and each line's pitches in order.

    >>> c = count([[48, 64, 67], [60]], [[60, 62, 64, 62]])
    >>> dict(c.shapes), dict(c.turns)
    ({'0,4,7': 1}, {'2,2': 1, '2,-2': 1})
    """
    shapes = Counter(shape(p) for p in sounding if len(p) >= 2)
    turns: Counter[str] = Counter()
    for line in lines:
        turns.update(turn(a, b, c) for a, b, c in zip(line, line[1:], line[2:], strict=False))
    return StyleCounts(shapes, turns)
