"""Where in a piece a learner points: "the tenor", "bars 3-4", "near the end", read against
the piece's own parts and bars (``etude.knowledge.asking.where_the_learner_points`` reads the
words; this finds the notes), so an answer about one voice looks there first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from etude.critic.texture import Meter
from etude.encoders.corpus import ScoreNote
from etude.knowledge.asking import Place


@dataclass(frozen=True)
class Sought:
    """A learner's :class:`Place` read against a piece: which parts and file bars it holds,
    and how a sentence says it."""

    parts: frozenset[int] | None
    bars: tuple[int, int] | None
    """File bars (``Meter.locate``), both included."""
    meter: Meter
    words: str

    def holds(self, note: ScoreNote) -> bool:
        if self.parts is not None and note.part not in self.parts:
            return False
        if self.bars is None:
            return True
        bar, _ = self.meter.locate(note.note.start)
        return self.bars[0] <= bar <= self.bars[1]


def sought(place: Place, labels: dict[int, str], meter: Meter) -> Sought | None:
    """Where to seek the slip in a piece with these parts (their labels by index) and bars.

    >>> from etude.knowledge.asking import where_the_learner_points as at
    >>> meter = Meter([0.0, 1.0, 5.0, 9.0], [1.0] * 4, [3.0, 0.0, 0.0, 0.0], [0, 1, 2, 3], "4/4")
    >>> voices = {0: "soprano", 1: "alto", 2: "tenor", 3: "bass"}
    >>> found = sought(at("the tenor feels weird in bar 2"), voices, meter)
    >>> sorted(found.parts), found.bars, found.words
    ([2], (3, 3), 'of the tenor in bar 2')
    >>> found = sought(at("the inner voices near the start"), voices, meter)
    >>> sorted(found.parts), found.bars, found.words
    ([1, 2], (1, 2), 'of the alto or tenor near the start')
    >>> sought(at("the alto line"), {0: "melody"}, meter) is None
    True
    """
    count = len(labels)
    parts: set[int] = set()
    for role in place.voices:
        named = {p for p, label in labels.items() if role in label.lower().split()}
        parts |= named or _by_position(role, count)
    bars: tuple[int, int] | None = None
    said: list[str] = []
    if parts:
        said.append("of the " + " or ".join(labels[p] for p in sorted(parts)))
    if place.bars is not None:
        first, last = place.bars
        files = [b for b in range(1, meter.bars + 1) if first <= meter.measure(b) <= last]
        if files:
            bars = (files[0], files[-1])
            said.append(f"in bar {first}" if first == last else f"in bars {first}–{last}")
    elif place.part_of_piece is not None:
        bars = _part_of_piece(place.part_of_piece, meter.bars)
        middle = place.part_of_piece == "middle"
        said.append("in the middle of the piece" if middle else f"near the {place.part_of_piece}")
    if not said:
        return None
    return Sought(frozenset(parts) if parts else None, bars, meter, " ".join(said))


def _part_of_piece(part: str, bars: int) -> tuple[int, int]:
    """The bars "near the start" (the first quarter, at least two), "in the middle" (the
    middle half) and "near the end" (the last quarter) of a piece of ``bars`` bars.

    >>> _part_of_piece("start", 16), _part_of_piece("middle", 16), _part_of_piece("end", 16)
    ((1, 4), (5, 12), (13, 16))
    >>> _part_of_piece("middle", 3), _part_of_piece("end", 3)
    ((1, 3), (2, 3))
    """
    quarter = max(2, math.ceil(bars / 4))
    if part == "start":
        return 1, min(quarter, bars)
    if part == "end":
        return max(1, bars - quarter + 1), bars
    edge = bars // 4
    return edge + 1, max(edge + 1, bars - edge)


def _by_position(role: str, count: int) -> set[int]:
    """The parts a role names by where they lie in a texture of ``count`` parts that does not
    name them (a string quartet's second violin is its "alto").

    >>> _by_position("tenor", 4), _by_position("bass", 3), _by_position("alto", 1)
    ({2}, {2}, set())
    """
    if count < 2:
        return set()
    positions = {
        "top": {0},
        "bass": {count - 1},
        "inner": set(range(1, count - 1)),
        "alto": {1} if count >= 3 else set(),
        "tenor": {count - 2} if count >= 4 else set(),
    }
    return positions.get(role, set())
