"""Checking a written score against every stated constraint, with music21, the exact theory
engine and the critic.

The generator aims at the constraints; this module is what makes them promises. It reads the
ABC back through music21 (so what is checked is what the learner gets), then checks meter,
bar count and fullness, key signature and final tonic, scale membership (theory engine),
range and instrument range, style traits and tempo, and asks the critic for its errors on the
line (large leaps, notes out of range). Out-of-key findings of the critic are not used: its
key finder only knows major and minor, and modal membership is checked exactly here instead.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from music21 import chord, key, meter, note, stream, tempo

from etude.scores.loading import LoadedScore
from etude.theory.scales import scale_notes
from etude_abc_composer.constraints import RANGES, STYLES, Constraints
from etude_abc_composer.generator import STYLE_DURATIONS, STYLE_LEAP

CRITIC_RULES = ("large_leap", "range")


def _notes(part: stream.Stream) -> list[note.Note]:
    return [n for n in part.recurse().notes if isinstance(n, note.Note)]


def _expected_sharps(c: Constraints) -> int:
    mode = "minor" if "minor" in c.mode else c.mode
    return key.Key(c.tonic, mode).sharps


def check_melody(score: stream.Score, c: Constraints, *, critic: bool = True) -> list[str]:
    """Violations of the constraints by the score's first part (empty: all satisfied)."""
    part = score.parts[0]
    notes = _notes(part)
    problems: list[str] = []
    if not notes:
        return ["no notes"]
    signatures = {ts.ratioString for ts in part.recurse().getElementsByClass(meter.TimeSignature)}
    if signatures != {c.meter}:
        problems.append(f"meter: found {sorted(signatures)}, want {c.meter}")
    measures = list(part.getElementsByClass(stream.Measure))
    if len(measures) != c.bars:
        problems.append(f"bars: found {len(measures)}, want {c.bars}")
    bar_length = meter.TimeSignature(c.meter).barDuration.quarterLength
    short = [i + 1 for i, m in enumerate(measures) if m.duration.quarterLength != bar_length]
    if short:
        problems.append(f"bars: bars {short} are not full")
    signature = next(iter(part.recurse().getElementsByClass(key.KeySignature)), None)
    if signature is None or signature.sharps != _expected_sharps(c):
        problems.append("key: wrong or missing key signature")
    tonic_pc = key.Key(c.tonic).tonic.pitchClass
    if notes[-1].pitch.pitchClass != tonic_pc:
        problems.append(f"key: ends on {notes[-1].pitch.name}, not the tonic")
    allowed = {note.Note(n).pitch.pitchClass for n in scale_notes(c.tonic, c.mode)}
    outside = sorted({n.pitch.name for n in notes if n.pitch.pitchClass not in allowed})
    if outside:
        problems.append(f"mode: {outside} are outside {c.key_label()}")
    low, high = c.bounds()
    if c.low is not None or c.high is not None:
        wild = [n.nameWithOctave for n in notes if not low <= n.pitch.midi <= high]
        if wild:
            problems.append(f"range: {wild[:3]} outside the stated range")
    if c.instrument:
        lo, hi = RANGES[c.instrument]
        wild = [n.nameWithOctave for n in notes if not lo <= n.pitch.midi <= hi]
        if wild:
            problems.append(f"instrument: {wild[:3]} outside the {c.instrument}'s range")
    problems.extend(_style(c, measures, notes))
    if c.tempo is not None:
        marks = [m.number for m in score.recurse().getElementsByClass(tempo.MetronomeMark)]
        if not marks or round(marks[0]) != c.tempo:
            problems.append(f"tempo: found {marks[:1]}, want {c.tempo}")
    if critic and not problems:
        problems.extend(critic_errors(score))
    return problems


def _style(c: Constraints, measures: list[stream.Measure], notes: list[note.Note]) -> list[str]:
    if not c.style:
        return []
    problems = []
    meters = STYLES.get(c.style, ())
    if meters and c.meter not in meters:
        problems.append(f"style: a {c.style} is in {' or '.join(meters)}, not {c.meter}")
    shortest, longest = STYLE_DURATIONS.get(c.style, (0.25, 4.0))
    body = [n for m in measures[:-1] for n in _notes(m)]
    values = {float(n.duration.quarterLength) for n in body}
    if values and (min(values) < shortest or max(values) > longest):
        problems.append(f"style: note values {sorted(values)} outside {shortest}-{longest}")
    leap = STYLE_LEAP.get(c.style, 12)
    leaps = [abs(b.pitch.midi - a.pitch.midi) for a, b in pairwise(notes)]
    if leaps and max(leaps) > leap:
        problems.append(f"style: a leap of {max(leaps)} semitones is too wide for a {c.style}")
    return problems


def critic_errors(score: stream.Score) -> list[str]:
    """The critic's errors on the line that a generated melody must not have."""
    from etude.critic.analysis import analyze_score

    loaded = LoadedScore(path=Path("generated.abc"), format="abc", score=score, size_bytes=0)
    report = analyze_score(loaded, level="advanced")
    return [
        f"critic: {f.rule} at bar {f.bar}, beat {f.beat:g}"
        for f in report.findings
        if f.severity == "error" and f.rule in CRITIC_RULES
    ]


def check_harmony(
    score: stream.Score, melody: list[tuple[int, float]], c: Constraints
) -> list[str]:
    """Violations of a harmonisation: the melody must be unchanged, each bar's chord must
    contain the melody's downbeat note, the chords must be diatonic triads, and the melody and
    the bass must not move in parallel fifths or octaves from downbeat to downbeat."""
    if len(score.parts) < 2:
        return ["harmony: no accompaniment voice"]
    top = [(n.pitch.midi, float(n.duration.quarterLength)) for n in _notes(score.parts[0])]
    problems = [] if top == melody else ["harmony: the melody was changed"]
    allowed = {note.Note(n).pitch.pitchClass for n in scale_notes(c.tonic, c.mode)}
    melody_bars = list(score.parts[0].getElementsByClass(stream.Measure))
    chord_bars = list(score.parts[1].getElementsByClass(stream.Measure))
    pairs: list[tuple[int, int]] = []
    for number, (mbar, cbar) in enumerate(zip(melody_bars, chord_bars, strict=False), start=1):
        chords = [ch for ch in cbar.recurse().notes if isinstance(ch, chord.Chord)]
        downbeat = next((n for n in _notes(mbar) if n.offset == 0), None)
        if not chords or downbeat is None:
            problems.append(f"harmony: bar {number} has no chord or no downbeat note")
            continue
        first = chords[0]
        pcs = {p.pitchClass for p in first.pitches}
        if downbeat.pitch.pitchClass not in pcs:
            problems.append(f"harmony: bar {number} chord lacks the melody note {downbeat.name}")
        if not pcs <= allowed or not first.isTriad():
            problems.append(f"harmony: bar {number} chord is not a diatonic triad")
        pairs.append((downbeat.pitch.midi, first.bass().midi))
    for (m1, b1), (m2, b2) in pairwise(pairs):
        i1, i2 = (m1 - b1) % 12, (m2 - b2) % 12
        if i1 == i2 and i1 in (0, 7) and m1 != m2 and (m2 - m1) * (b2 - b1) > 0:
            problems.append("harmony: parallel " + ("octaves" if i1 == 0 else "fifths"))
    return problems
