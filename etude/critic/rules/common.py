"""What every rule shares: the tonal context, finding construction and voice-pair motion.

A rule is a function ``(context) -> list[Finding]``; keeping the plumbing here keeps each
rule module about music only.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from music21 import key as m21key
from music21 import pitch as m21pitch

from etude.critic.modulation import KeyRegion, region_at
from etude.critic.report import Finding, HarmonySlice, Severity
from etude.critic.texture import Line, LineNote, Piece, spelled

PERFECT_FIFTH = 7
OCTAVE = 12
IMPERFECT_CONSONANCES = (3, 4, 8, 9)


@dataclass(frozen=True)
class Tonality:
    """The main key as pitch classes, with the spelling the key prefers for each of them."""

    key: m21key.Key
    tonic: int
    mode: str
    scale: frozenset[int]
    allowed: frozenset[int]
    leading_tone: int
    spelling: dict[int, str]

    @classmethod
    def of(cls, key: m21key.Key) -> Tonality:
        """The tonality of a music21 key (cached: building scales in music21 is slow)."""
        return _tonality(key.tonic.name, key.mode)

    @classmethod
    def build(cls, key: m21key.Key) -> Tonality:
        """Build from a music21 key; minor allows the raised sixth and seventh too.

        A church mode (a declared 'D dorian') allows exactly its own collection: its sixth
        and seventh are what make it that mode, so they are not raised. music21's scale of a
        mode is its relative major's (C major for D dorian), the same notes, so the pitch
        classes come out right; the tonic is the key's.

        >>> from music21 import key
        >>> t = Tonality.build(key.Key("a"))
        >>> sorted(t.allowed), t.leading_tone, t.spelling[8]
        ([0, 2, 4, 5, 6, 7, 8, 9, 11], 8, 'G#')
        >>> d = Tonality.build(key.Key("D", "dorian"))
        >>> sorted(d.allowed), d.tonic, d.minor_third, d.spelling[6]
        ([0, 2, 4, 5, 7, 9, 11], 2, True, 'F#')
        """
        tonic = key.tonic.pitchClass
        scale = frozenset(p.pitchClass for p in key.getScale().getPitches())
        spelling = {p.pitchClass: p.name for p in key.getScale().getPitches()}
        allowed = scale
        if key.mode == "minor":
            raised_six, raised_seven = (tonic + 9) % 12, (tonic + 11) % 12
            allowed = scale | {raised_six, raised_seven}
        if key.mode != "major":  # chromatic notes (a Picardy third) spelled as in major
            parallel = m21key.Key(key.tonic.name, "major").getScale().getPitches()
            for p in parallel:
                spelling.setdefault(p.pitchClass, p.name)
        return cls(
            key=key,
            tonic=tonic,
            mode=key.mode,
            scale=scale,
            allowed=allowed,
            leading_tone=(tonic + 11) % 12,
            spelling=spelling,
        )

    @property
    def minor_third(self) -> bool:
        """Whether the tonic chord is minor (minor, dorian, phrygian, aeolian, locrian)."""
        return (self.tonic + 3) % 12 in self.scale

    def name(self, midi: int) -> str:
        """A pitch name with octave, spelled as the key prefers when the note is diatonic."""
        preferred = self.spelling.get(midi % 12)
        if preferred is None:
            return spelled(m21pitch.Pitch(midi=midi))
        candidate = m21pitch.Pitch(preferred)
        candidate.octave = 4
        candidate.octave += (midi - candidate.midi) // 12
        return spelled(candidate)


@lru_cache(maxsize=64)
def _tonality(tonic: str, mode: str) -> Tonality:
    return Tonality.build(m21key.Key(tonic, mode))


@dataclass(frozen=True)
class RuleContext:
    """The inputs of one critic run, shared by every rule."""

    piece: Piece
    tonality: Tonality
    harmony: list[HarmonySlice] = field(default_factory=list)
    """Chord per beat (empty for a single melody); rules use it to explain chromatic notes."""
    modulations: list[KeyRegion] = field(default_factory=list)
    """Stretches in another key, where that key decides what is chromatic."""

    def tonality_at(self, offset: float) -> Tonality:
        """The local key at ``offset``: a modulation's key inside one, else the main key."""
        region = region_at(self.modulations, offset)
        if region is None:
            return self.tonality
        return _tonality(region.tonic[0] + region.tonic[1:].replace("b", "-"), region.mode)

    def chord_at(self, offset: float) -> int | None:
        """Index in ``harmony`` of the beat containing ``offset``."""
        index = bisect.bisect_right(self._harmony_offsets, offset + 1e-9) - 1
        return index if index >= 0 else None

    @cached_property
    def _harmony_offsets(self) -> list[float]:
        return [h.offset_ql for h in self.harmony]

    def finding(
        self, rule: str, offset: float, parts: list[int], severity: Severity, message: str
    ) -> Finding:
        bar, beat = self.piece.meter.locate(offset)
        return Finding(
            rule=rule,
            bar=bar,
            measure=self.piece.meter.measure(bar),
            beat=beat,
            offset_ql=round(offset, 4),
            parts=sorted(parts),
            severity=severity,
            message=message,
        )

    def where(self, offset: float) -> str:
        bar, beat = self.piece.meter.locate(offset)
        return f"bar {self.piece.meter.measure(bar)}, beat {beat:g}"


@dataclass(frozen=True)
class Motion:
    """Two voices moving from one moment to the next: upper a0→a1 over lower b0→b1."""

    before: float
    after: float
    a0: LineNote
    a1: LineNote
    b0: LineNote
    b1: LineNote

    @property
    def both_move(self) -> bool:
        return self.a0.midi != self.a1.midi and self.b0.midi != self.b1.midi

    @property
    def similar(self) -> bool:
        """Both voices move in the same direction."""
        up_a, up_b = self.a1.midi - self.a0.midi, self.b1.midi - self.b0.midi
        return up_a * up_b > 0

    def interval(self, which: int) -> int:
        """Semitones between the voices before (0) or after (1), upper minus lower."""
        return self.a0.midi - self.b0.midi if which == 0 else self.a1.midi - self.b1.midi


def motions(upper: Line, lower: Line) -> Iterator[Motion]:
    """Each step from one attack to the next in either voice while both voices sound.

    >>> up = Line(0, "s", [LineNote(0, 1, 67, "G4"), LineNote(1, 2, 69, "A4")])
    >>> low = Line(1, "b", [LineNote(0, 2, 60, "C4")])
    >>> [(m.a0.name, m.a1.name, m.b1.name) for m in motions(up, low)]
    [('G4', 'A4', 'C4')]
    """
    times = sorted(set(upper.starts) | set(lower.starts))
    previous: tuple[float, LineNote, LineNote] | None = None
    for time in times:
        a, b = upper.at(time), lower.at(time)
        if a is None or b is None:
            previous = None
            continue
        if previous is not None:
            before, a0, b0 = previous
            if a0 is not a or b0 is not b:
                yield Motion(before, time, a0, a, b0, b)
        previous = (time, a, b)


def interval_class(semitones: int) -> int:
    """Semitones reduced to within an octave, ignoring direction (a twelfth is a fifth)."""
    return abs(semitones) % OCTAVE
