"""Local keys, phrase by phrase: where the music modulates away from its main key.

A chorale that cadences in the relative major halfway through is not full of wrong notes;
its middle phrases are in another key. Each phrase's notes (weighted by duration) are
correlated with music21's Aarden–Essen key profiles, the same method as the global key, and
a phrase is called modulating only when another key fits clearly better than the main one.
"""

from __future__ import annotations

from itertools import pairwise
from statistics import correlation

from music21 import key as m21key
from music21.analysis.discrete import AardenEssen
from pydantic import BaseModel, ConfigDict

from etude.critic.texture import Piece

MIN_CONFIDENCE = 0.75
"""A local key must correlate at least this well with its profile to be believed."""
MIN_MARGIN = 0.1
"""...and this much better than the main key does over the same phrase."""

_PROFILES = {mode: AardenEssen().getWeights(mode) for mode in ("major", "minor")}
_NAMES = ("C", "C#", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")


class KeyRegion(BaseModel):
    """A stretch of music in a key other than the main key."""

    model_config = ConfigDict(frozen=True)

    bar: int
    beat: float
    offset_ql: float
    end_bar: int
    end_offset_ql: float
    measure: int | None = None
    """``bar`` and ``end_bar`` as the score numbers them (a pickup is 0): what a learner reads."""
    end_measure: int | None = None
    tonic: str
    mode: str
    confidence: float


def key_fit(weights: list[float], tonic: int, mode: str) -> float:
    """Correlation of a pitch-class distribution with a key's profile (-1..1).

    >>> c_major_scale = [1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]
    >>> key_fit(c_major_scale, 0, "major") > key_fit(c_major_scale, 7, "major")
    True
    """
    profile = _PROFILES[mode]
    rotated = [profile[(pc - tonic) % 12] for pc in range(12)]
    if len(set(weights)) < 2:
        return 0.0
    return correlation(weights, rotated)


def find_modulations(piece: Piece, ends: list[float], main: m21key.Key) -> list[KeyRegion]:
    """Phrases (or four-bar spans when phrases are long) whose key clearly differs from ``main``.

    Only a major or minor main key is compared: the profiles know no modes, so every phrase
    of a D dorian piece would fit C major or D minor better than "D dorian" and read as a
    modulation, when it is the mode itself.
    """
    regions: list[KeyRegion] = []
    if main.mode not in _PROFILES:
        return regions
    for start, end in _spans(piece, ends):
        weights = [0.0] * 12
        for group in piece.chords:
            for item in group:
                overlap = min(item.end, end) - max(item.start, start)
                if overlap > 0:
                    weights[item.midi % 12] += overlap
        if sum(weights) <= 0:
            continue
        fits = [(key_fit(weights, t, m), t, m) for t in range(12) for m in ("major", "minor")]
        best, tonic, mode = max(fits)
        main_fit = key_fit(weights, main.tonic.pitchClass, main.mode)
        same = tonic == main.tonic.pitchClass and mode == main.mode
        if same or best < MIN_CONFIDENCE or best - main_fit < MIN_MARGIN:
            continue
        bar, beat = piece.meter.locate(start)
        end_bar, _ = piece.meter.locate(max(end - 1e-6, start))
        name = m21key.Key(_NAMES[tonic], mode).tonic.name
        regions.append(
            KeyRegion(
                bar=bar,
                beat=beat,
                offset_ql=round(start, 4),
                end_bar=end_bar,
                end_offset_ql=round(end, 4),
                measure=piece.meter.measure(bar),
                end_measure=piece.meter.measure(end_bar),
                tonic=name.replace("-", "b"),
                mode=mode,
                confidence=round(best, 4),
            )
        )
    return regions


def region_at(regions: list[KeyRegion], offset: float) -> KeyRegion | None:
    """The modulating region containing ``offset``, if any."""
    for region in regions:
        if region.offset_ql <= offset + 1e-9 < region.end_offset_ql:
            return region
    return None


def _spans(piece: Piece, ends: list[float]) -> list[tuple[float, float]]:
    """Phrase spans from one phrase end to the next; long phrases cut into four-bar pieces."""
    starts = piece.meter.bar_starts
    bar_length = (starts[1] - starts[0]) if len(starts) > 1 else piece.length_ql
    limit = 8 * max(bar_length, 1.0)
    # A phrase end is the onset of its last note: the phrase runs through that note.
    last_notes = {n.start: n.end for n in piece.top.notes}
    cuts = sorted({0.0, *(last_notes.get(e, e) for e in ends), piece.length_ql})
    spans: list[tuple[float, float]] = []
    for begin, finish in pairwise(cuts):
        while finish - begin > limit:
            spans.append((begin, begin + limit / 2))
            begin += limit / 2
        if finish > begin:
            spans.append((begin, finish))
    return spans
