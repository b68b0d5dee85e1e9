"""Harmonic analysis: the chord on each beat as a Roman numeral, phrase ends and cadences.

Each beat's notes are weighted by how long they sound within the beat, so a quick passing
note counts less than the chord tones around it; the chord is the triad or seventh chord
template that explains most of that weight, preferring a root in the bass and chords of the
key. music21's ``roman.romanNumeralFromChord`` then names it in the main key; results are
cached because real music repeats its chords.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise
from statistics import median

from music21 import pitch

from etude.critic.report import Cadence, CadenceKind, HarmonySlice
from etude.critic.rules.common import Tonality
from etude.critic.texture import LineNote, Piece

TEMPLATES: dict[str, tuple[int, ...]] = {
    "major": (0, 4, 7),
    "minor": (0, 3, 7),
    "diminished": (0, 3, 6),
    "augmented": (0, 4, 8),
    "dominant seventh": (0, 4, 7, 10),
    "minor seventh": (0, 3, 7, 10),
    "half-diminished seventh": (0, 3, 6, 10),
    "diminished seventh": (0, 3, 6, 9),
    "major seventh": (0, 4, 7, 11),
}
"""Chord qualities by their intervals above the root, in semitones."""

TRIAD_OF: dict[str, str] = {
    "major": "major",
    "minor": "minor",
    "diminished": "diminished",
    "augmented": "augmented",
    "dominant seventh": "major",
    "minor seventh": "minor",
    "half-diminished seventh": "diminished",
    "diminished seventh": "diminished",
    "major seventh": "major",
}
"""The triad inside each quality, for comparing with analyses that differ only in sevenths."""


def identify_chord(
    weights: dict[int, float], bass: int, tonality: Tonality
) -> tuple[int, str] | None:
    """Root pitch class and quality best explaining weighted pitch classes.

    >>> from music21 import key
    >>> identify_chord({7: 1.0, 11: 1.0, 2: 1.0, 5: 0.5}, 7, Tonality.of(key.Key("C")))
    (7, 'dominant seventh')
    >>> identify_chord({9: 1.0, 0: 1.0, 4: 1.0}, 0, Tonality.of(key.Key("C")))
    (9, 'minor')
    """
    total = sum(weights.values())
    if total <= 0:
        return None
    best: tuple[float, int, str] | None = None
    for root in range(12):
        for quality, intervals in TEMPLATES.items():
            members = {(root + i) % 12 for i in intervals}
            covered = sum(w for pc, w in weights.items() if pc in members)
            score = covered - (total - covered)
            score -= 0.25 * total * sum(1 for pc in members if weights.get(pc, 0.0) <= 0)
            if len(intervals) == 4 and weights.get((root + intervals[3]) % 12, 0.0) <= 0:
                continue
            if bass % 12 == root:
                score += 0.15 * total
            if members <= tonality.allowed:
                score += 0.1 * total
            if quality == "augmented":
                score -= 0.2 * total
            if best is None or score > best[0] + 1e-9:
                best = (score, root, quality)
    assert best is not None
    return best[1], best[2]


def analyze_harmony(piece: Piece, tonality: Tonality) -> list[HarmonySlice]:
    """One chord per beat that has notes, named as a Roman numeral in the main key."""
    everything = sorted((n for group in piece.chords for n in group), key=lambda n: n.start)
    slices: list[HarmonySlice] = []
    active: list[LineNote] = []
    cursor = 0
    # A held chord gives every beat it spans the same weights: naming it once per distinct
    # sonority keeps a file with one note thousands of bars long (found by fuzzing, a minute
    # of analysis) as cheap as a real piece.
    named: dict[tuple[tuple[tuple[int, float], ...], int], tuple[int, str] | None] = {}
    for start, length in beat_grid(piece):
        end = start + length
        while cursor < len(everything) and everything[cursor].start < end - 1e-9:
            active.append(everything[cursor])
            cursor += 1
        active = [n for n in active if n.end > start + 1e-9]
        sounding = [n for n in active if n.start < end - 1e-9]
        if not sounding:
            continue
        weights: dict[int, float] = {}
        for item in sounding:
            overlap = min(item.end, end) - max(item.start, start)
            emphasis = 1.5 if item.start <= start + 1e-9 else 1.0
            weights[item.midi % 12] = weights.get(item.midi % 12, 0.0) + overlap * emphasis
        at_beat = [n for n in sounding if n.start <= start + 1e-9]
        bass = min(at_beat or sounding, key=lambda n: n.midi).midi
        sonority = (tuple(sorted(weights.items())), bass % 12)
        if sonority not in named:
            named[sonority] = identify_chord(weights, bass, tonality)
        found = named[sonority]
        if found is None:
            continue
        root, quality = found
        bar, beat = piece.meter.locate(start)
        slices.append(
            HarmonySlice(
                bar=bar,
                measure=piece.meter.measure(bar),
                beat=beat,
                offset_ql=round(start, 4),
                root=_spell(tonality, root).replace("-", "b"),
                quality=quality,
                figure=roman_figure(
                    (root - tonality.tonic) % 12, quality, (bass - root) % 12, tonality.mode
                ),
            )
        )
    return slices


def beat_grid(piece: Piece) -> list[tuple[float, float]]:
    """(start, length) of every beat from the first bar to the end of the piece."""
    meter = piece.meter
    beats: list[tuple[float, float]] = []
    for index, bar_start in enumerate(meter.bar_starts):
        bar_end = (
            meter.bar_starts[index + 1]
            if index + 1 < meter.bars
            else max(piece.length_ql, bar_start)
        )
        length = meter.beat_lengths[index]
        shift = meter.pickups[index] % length
        time = bar_start + ((length - shift) % length)
        if time > bar_start + 1e-9:
            beats.append((bar_start, time - bar_start))
        while time < bar_end - 1e-9:
            beats.append((time, min(length, bar_end - time)))
            time += length
    return beats


_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII")
MODE_INTERVALS: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}
"""Each mode's scale in semitones above its tonic: numerals are counted in the piece's mode."""
_SCALE_STEPS = {mode: {iv: i for i, iv in enumerate(ivs)} for mode, ivs in MODE_INTERVALS.items()}
# Minor uses the harmonic form for V and viio (raised 7) and the natural form otherwise.
_SCALE_STEPS["minor"][11] = 6
_LOWER_CASE = {
    "minor",
    "diminished",
    "minor seventh",
    "half-diminished seventh",
    "diminished seventh",
}
_SUFFIX = {
    "diminished": "o",
    "diminished seventh": "o",
    "half-diminished seventh": "/o",
    "augmented": "+",
}
_INVERSIONS = {3: ("", "6", "64"), 4: ("7", "65", "43", "42")}


@lru_cache(maxsize=1024)
def roman_figure(degree: int, quality: str, bass: int, mode: str) -> str:
    """The Roman numeral with inversion figures, in RomanText's spelling ('viio6', 'ii/o7').

    ``degree`` is the root's distance above the tonic and ``bass`` the bass note's above the
    root, in semitones. A root outside the scale gets a flat or sharp ('bVII', '#iv').

    >>> roman_figure(7, "dominant seventh", 4, "major"), roman_figure(11, "diminished", 3, "minor")
    ('V65', 'viio6')
    >>> roman_figure(0, "minor", 0, "minor"), roman_figure(3, "major", 7, "minor")
    ('i', 'III64')
    >>> roman_figure(10, "major", 0, "major"), roman_figure(6, "minor", 0, "major")
    ('bVII', '#iv')
    >>> roman_figure(2, "half-diminished seventh", 0, "minor")
    'ii/o7'
    >>> roman_figure(10, "major", 0, "dorian"), roman_figure(11, "diminished", 0, "mixolydian")
    ('VII', '#viio')
    """
    steps = _SCALE_STEPS[mode]
    if degree in steps:
        prefix, step = "", steps[degree]
    else:
        # A chromatic root takes the letter it has in major (bII, bIII, #iv, bVI, bVII) and
        # is sharp or flat against the mode's own degree of that letter: in minor A is #vi
        # of C, in dorian C# is #vii of D, in lydian F is bIV of C.
        major = MODE_INTERVALS["major"]
        if degree in major:
            step = major.index(degree)
        elif degree == 6:
            step = 3
        else:
            step = major.index((degree + 1) % 12)
        prefix = "#" if (degree - MODE_INTERVALS[mode][step]) % 12 < 6 else "b"
    numeral = _NUMERALS[step].lower() if quality in _LOWER_CASE else _NUMERALS[step]
    intervals = TEMPLATES[quality]
    position = intervals.index(bass) if bass in intervals else 0
    return prefix + numeral + _SUFFIX.get(quality, "") + _INVERSIONS[len(intervals)][position]


def phrase_ends(piece: Piece) -> list[float]:
    """Offsets where phrases end: fermatas if the score has them, else long notes and rests."""
    if piece.fermatas:
        ends = set(piece.fermatas)
    else:
        notes = piece.top.notes
        if not notes:
            return []
        typical = median(n.end - n.start for n in notes)
        ends = set()
        for current, following in pairwise(notes):
            long_note = current.end - current.start >= max(2 * typical, 2.0)
            rest_after = following.start - current.end >= 1.0
            if long_note or rest_after:
                ends.add(current.start)
    if piece.top.notes:
        ends.add(piece.top.notes[-1].start)
    return _one_per_beat(piece, sorted(ends))


def _one_per_beat(piece: Piece, ends: list[float]) -> list[float]:
    """The earliest of several phrase ends in one beat: a melody's last note a quaver after
    the final fermata chord is that chord's phrase end, not another phrase of half a beat."""
    kept: list[float] = []
    last_beat: tuple[int, int] | None = None
    for end in ends:
        bar, beat = piece.meter.locate(end)
        here = (bar, int(beat + 1e-9))
        if here != last_beat:
            kept.append(end)
        last_beat = here
    return kept


def find_cadences(
    harmony: list[HarmonySlice], ends: list[float], tonality: Tonality
) -> list[Cadence]:
    """Classify the chord progression arriving at each phrase end.

    A cadence is its arrival chord, so two phrase ends that reach the same chord are one
    cadence: a fermata chord whose voices start at different onsets (the soprano's quaver
    under the fermata after the lower voices' crotchet, as in BWV 161.6) is several phrase
    ends inside one beat, and listing it twice told the learner of two cadences in one bar.
    """
    cadences = []
    tonic_name = tonality.key.tonic.name
    arrivals: set[int] = set()
    for end in ends:
        arrival_index = _slice_at(harmony, end)
        if arrival_index is None or arrival_index in arrivals:
            continue
        arrivals.add(arrival_index)
        arrival = harmony[arrival_index]
        before = next(
            (
                h
                for h in reversed(harmony[:arrival_index])
                if (h.root, h.quality) != (arrival.root, arrival.quality)
            ),
            None,
        )
        if before is None:
            continue
        kind = cadence_kind(
            _degree(before.root, tonic_name), before.quality, _degree(arrival.root, tonic_name)
        )
        cadences.append(
            Cadence(
                kind=kind,
                bar=arrival.bar,
                measure=arrival.measure,
                beat=arrival.beat,
                offset_ql=arrival.offset_ql,
                figures=[before.figure, arrival.figure],
            )
        )
    return cadences


def cadence_kind(before: int, before_quality: str, arrival: int) -> CadenceKind:
    """Name a cadence from scale degrees in semitones above the tonic.

    >>> cadence_kind(7, "dominant seventh", 0), cadence_kind(5, "major", 0)
    ('authentic', 'plagal')
    >>> cadence_kind(0, "major", 7)
    'half'
    """
    if arrival == 0 and (before == 7 or (before == 11 and "diminished" in before_quality)):
        return "authentic"
    if arrival == 0 and before == 5:
        return "plagal"
    if arrival == 7:
        return "half"
    if before == 7 and arrival in (8, 9):
        return "deceptive"
    return "other"


def _slice_at(harmony: list[HarmonySlice], offset: float) -> int | None:
    found = None
    for index, item in enumerate(harmony):
        if item.offset_ql <= offset + 1e-9:
            found = index
        else:
            break
    return found


def _degree(name: str, tonic: str) -> int:
    """Semitones from the tonic up to a root given as a readable name ('Bb', 'F#')."""
    return (_pitch_class(name) - _pitch_class(tonic)) % 12


def _pitch_class(name: str) -> int:
    return pitch.Pitch(name[0] + name[1:].replace("b", "-")).pitchClass


def _spell(tonality: Tonality, pc: int) -> str:
    return tonality.spelling.get(pc) or _pc_name(pc)


def _pc_name(pc: int) -> str:
    return ("C", "C#", "D", "E-", "E", "F", "F#", "G", "A-", "A", "B-", "B")[pc]
