"""Harmonising a melody with diatonic triads and a bass line (one chord per bar).

Choosing chords is a small search, so it is solved exactly: every bar's candidates are the
mode's triads that contain the melody's downbeat note, scored by how much of the bar's melody
they hold (weighted by metrical strength) with a preference for I, IV and V and a cadence to
the tonic; the bass (root or first inversion) is chosen jointly by dynamic programming so that
melody and bass never move in parallel fifths or octaves between downbeats.
"""

from __future__ import annotations

from music21 import chord, clef, key, meter, note, pitch, stream

from etude.theory.scales import scale_notes
from etude_abc_composer.constraints import Constraints
from etude_abc_composer.generator import final_rhythm

BASS_RANGE = (40, 57)
"""E2-A3: where a left hand or a bass voice sits under a treble melody."""

PRIMARY = {0: 1.0, 3: 0.6, 4: 0.8}
"""Preference for I, IV and V (scale degrees 0, 3, 4) in a beginner's harmony."""


def _bar_notes(measure: stream.Measure) -> list[note.Note]:
    return [n for n in measure.recurse().notes if isinstance(n, note.Note)]


def _triads(c: Constraints) -> list[list[str]]:
    names = scale_notes(c.tonic, c.mode)
    if len(names) != 7:
        raise ValueError("harmonisation needs a seven-note scale")
    return [[names[i], names[(i + 2) % 7], names[(i + 4) % 7]] for i in range(7)]


def _fit(triad: list[str], notes: list[note.Note]) -> float:
    pcs = {pitch.Pitch(n).pitchClass for n in triad}
    return sum(
        float(n.duration.quarterLength) * (0.5 + float(n.beatStrength))
        for n in notes
        if n.pitch.pitchClass in pcs
    )


def _bass_options(triad: list[str]) -> list[int]:
    options: list[int] = []
    for name in triad[:2]:  # root position or first inversion
        pc = pitch.Pitch(name).pitchClass
        options.extend(m for m in range(BASS_RANGE[0], BASS_RANGE[1] + 1) if m % 12 == pc)
    return options


def _parallel(m1: int, b1: int, m2: int, b2: int) -> bool:
    i1, i2 = (m1 - b1) % 12, (m2 - b2) % 12
    return i1 == i2 and i1 in (0, 7) and m1 != m2 and (m2 - m1) * (b2 - b1) > 0


def harmonise(melody: stream.Score, c: Constraints) -> stream.Score:
    """The melody with a second part of block chords, one per bar."""
    part = melody.parts[0]
    measures = list(part.getElementsByClass(stream.Measure))
    triads = _triads(c)
    tonic_pc = pitch.Pitch(c.tonic).pitchClass
    states: list[list[tuple[int, int, int, float]]] = []  # (degree, bass, melody, local score)
    for index, measure in enumerate(measures):
        notes = _bar_notes(measure)
        if not notes:
            raise ValueError(f"bar {index + 1} has no notes to harmonise")
        down = notes[0]
        options = []
        for degree, triad in enumerate(triads):
            if down.pitch.pitchClass not in {pitch.Pitch(n).pitchClass for n in triad}:
                continue
            score = _fit(triad, notes) + PRIMARY.get(degree, 0.0)
            if index == len(measures) - 1 and down.pitch.pitchClass == tonic_pc:
                score += 5.0 if degree == 0 else -5.0
            if index == len(measures) - 2 and degree == 4:
                score += 1.0
            if index == 0 and degree == 0:
                score += 1.0
            for bass in _bass_options(triad):
                root = pitch.Pitch(triad[0]).pitchClass == bass % 12
                options.append((degree, bass, down.pitch.midi, score + (0.3 if root else 0.0)))
        if not options:
            raise ValueError(f"no diatonic triad holds the note {down.name} in bar {index + 1}")
        states.append(options)
    path = _best_path(states)
    return _with_chords(melody, measures, triads, path, c)


def _best_path(states: list[list[tuple[int, int, int, float]]]) -> list[tuple[int, int]]:
    """Viterbi over (chord, bass) per bar: local fit minus voice-leading costs."""
    best: list[dict[int, tuple[float, int]]] = [
        {i: (option[3], -1) for i, option in enumerate(states[0])}
    ]
    for bar in range(1, len(states)):
        layer: dict[int, tuple[float, int]] = {}
        for i, (degree, bass, mel, local) in enumerate(states[bar]):
            candidates = []
            for j, (value, _) in best[-1].items():
                p_degree, p_bass, p_mel, _ = states[bar - 1][j]
                cost = 100.0 if _parallel(p_mel, p_bass, mel, bass) else 0.0
                cost += max(0, abs(bass - p_bass) - 7) * 0.3 + (0.4 if degree == p_degree else 0)
                candidates.append((value + local - cost, j))
            layer[i] = max(candidates)
        best.append(layer)
    index = max(best[-1], key=lambda i: best[-1][i][0])
    path = []
    for bar in range(len(states) - 1, -1, -1):
        degree, bass, _, _ = states[bar][index]
        path.append((degree, bass))
        index = best[bar][index][1]
    return path[::-1]


def _with_chords(
    melody: stream.Score,
    measures: list[stream.Measure],
    triads: list[list[str]],
    path: list[tuple[int, int]],
    c: Constraints,
) -> stream.Score:
    ts = next(iter(melody.recurse().getElementsByClass(meter.TimeSignature)))
    ks = next(iter(melody.recurse().getElementsByClass(key.KeySignature)), None)
    accompaniment = stream.Part()
    for number, (measure, (degree, bass)) in enumerate(zip(measures, path, strict=True), 1):
        bar = stream.Measure(number=number)
        if number == 1:
            bar.append(clef.BassClef())
            bar.append(meter.TimeSignature(ts.ratioString))
            if ks is not None:
                bar.append(key.KeySignature(ks.sharps))
        voiced = [bass]
        for name in triads[degree]:
            pc = pitch.Pitch(name).pitchClass
            if pc != bass % 12:
                voiced.append(next(m for m in range(bass + 1, bass + 13) if m % 12 == pc))
        spelled = {pitch.Pitch(n).pitchClass: n for n in triads[degree]}
        for value in final_rhythm(ts.ratioString, 4.0):
            pitches = []
            for midi in sorted(voiced):
                p = pitch.Pitch(spelled[midi % 12])
                p.octave = (midi // 12) - 1
                while p.midi < midi:
                    p.octave += 1
                while p.midi > midi:
                    p.octave -= 1
                pitches.append(p)
            block = chord.Chord(pitches)
            block.duration.quarterLength = value
            bar.append(block)
        accompaniment.append(bar)
        del measure
    result = stream.Score()
    result.insert(0, melody.parts[0])
    result.insert(0, accompaniment)
    return result
