"""Acceptance 2 of issue #8: 50 generated requests to the ABC composer plug-in.

Each request is drawn (seeded) from varied phrasings of melodies, harmonisations and exercises
with keys, modes, meters, lengths, ranges, instruments, styles and tempi. The request's
*intended* constraints are kept aside, the request goes through the plug-in's tool function as
the graph would call it, and the returned ABC is checked here, independently of the plug-in's
own verifier: parsed with music21 and checked with music21's scale classes, key signatures,
time signatures and measures, and this file's own instrument table. A request counts as
satisfied only when every stated constraint holds.

    .venv/bin/python bench/abc_composer.py [--n 50] [--seed 2026] [--json]

with the plug-in installed (``.venv/bin/pip install -e plugins/etude-abc-composer``) or its
source on the path (``PYTHONPATH=plugins/etude-abc-composer/src``).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from dataclasses import dataclass, field

from etude_abc_composer import abc_composer
from music21 import chord, converter, key, meter, note, pitch, scale, stream, tempo

from etude.config import Settings
from etude.tools.base import ToolRequest

SCALES = {
    "major": scale.MajorScale, "minor": scale.MinorScale, "dorian": scale.DorianScale,
    "phrygian": scale.PhrygianScale, "lydian": scale.LydianScale,
    "mixolydian": scale.MixolydianScale, "harmonic minor": scale.HarmonicMinorScale,
}  # fmt: skip
INSTRUMENTS = {  # sounding ranges from standard orchestration tables (MIDI)
    "flute": (60, 96), "violin": (55, 100), "clarinet": (50, 91), "cello": (36, 76),
    "trumpet": (54, 82), "oboe": (58, 91), "viola": (48, 88), "recorder": (72, 98),
}  # fmt: skip
STYLE_METERS = {"waltz": {"3/4"}, "jig": {"6/8", "9/8", "12/8"}, "march": {"2/4", "4/4", "6/8"},
                "lullaby": {"6/8", "3/4", "4/4"}, "hymn": {"4/4", "3/4", "2/2"}}  # fmt: skip
TONICS = ["C", "G", "D", "A", "E", "F", "Bb", "Eb", "F#", "B", "Ab"]
METERS = ["2/4", "3/4", "4/4", "6/8", "9/8", "12/8", "5/4", "7/8", "2/2"]
NUMBER_WORDS = {4: "four", 8: "eight", 12: "twelve", 16: "sixteen"}


@dataclass
class Intent:
    text: str
    task: str
    tonic: str
    mode: str
    meter: str | None = None
    bars: int | None = None
    instrument: str | None = None
    style: str | None = None
    low: str | None = None
    high: str | None = None
    tempo: int | None = None
    failures: list[str] = field(default_factory=list)


def _a(word: str) -> str:
    """The indefinite article a learner would write before ``word``."""
    return "an" if word[0] in "aeiou8" or word.startswith(("11", "18")) else "a"


def make_request(rng: random.Random, index: int) -> Intent:
    """One varied request with its intended constraints."""
    task = "melody" if index % 5 < 3 else "harmonisation" if index % 5 == 3 else "exercise"
    tonic = rng.choice(TONICS)
    mode = rng.choice(list(SCALES)) if task != "harmonisation" else rng.choice(
        ["major", "minor", "dorian", "mixolydian"])  # fmt: skip
    style = rng.choice([None, None, *STYLE_METERS]) if task == "melody" else None
    meter_text = rng.choice(sorted(STYLE_METERS[style])) if style else rng.choice(METERS)
    bars = rng.choice([4, 8, 12, 16])
    instrument = rng.choice([None, *INSTRUMENTS])
    low = high = None
    if instrument is None and rng.random() < 0.5:
        low, high = rng.choice([("C4", "C5"), ("D4", "F5"), ("G3", "D5"), ("E4", "A5")])
    bpm = rng.choice([None, None, 72, 96, 120])
    key_words = f"{tonic.replace('b', ' flat').replace('#', ' sharp')} {mode}"
    bar_words = rng.choice([f"{bars}-bar", f"{NUMBER_WORDS[bars]}-bar", f"{bars} bar"])
    exercise = rng.choice(["scale", "arpeggio", "thirds"])
    parts = {
        "melody": rng.choice([
            f"Write {_a(bar_words)} {bar_words} {style or 'melody'} in {key_words} in {meter_text}",
            f"Could you compose {_a(bar_words)} {bar_words} {style or 'tune'} in {key_words}, "
            f"time signature {meter_text}",
            f"Give me {_a(style or 'melody')} {style or 'melody'} in {key_words} in {meter_text}, "
            f"{bars} bars long",
        ]),
        "harmonisation": f"Write and harmonise {_a(bar_words)} {bar_words} melody in {key_words} "
        f"in {meter_text}",
        "exercise": f"Write {_a(exercise)} {exercise} exercise in {key_words} in {meter_text}, "
        f"{bars} bars",
    }  # fmt: skip
    text = parts[task]
    if instrument:
        text += f" for {instrument}"
    if low:
        text += f" between {low} and {high}"
    if bpm:
        text += f" at {bpm} bpm"
    return Intent(text, task, tonic, mode, meter_text, bars, instrument, style, low, high, bpm)


def _notes(part: stream.Stream) -> list[note.Note]:
    return [n for n in part.recurse().notes if isinstance(n, note.Note)]


def check(intent: Intent, abc: str) -> list[str]:
    """Every stated constraint, checked with music21 on the returned ABC."""
    score = converter.parse(abc, format="abc")
    assert isinstance(score, stream.Score), "the ABC is one tune"
    part = score.parts[0]
    notes = _notes(part)
    fails = []
    m21_tonic = intent.tonic.replace("b", "-")
    pcs = {p.pitchClass for p in SCALES[intent.mode](m21_tonic).getPitches()}
    if any(n.pitch.pitchClass not in pcs for n in notes):
        fails.append("mode")
    if notes[-1].pitch.pitchClass != pitch.Pitch(m21_tonic).pitchClass:
        fails.append("tonic")
    base_mode = "minor" if "minor" in intent.mode else intent.mode
    sigs = list(part.recurse().getElementsByClass(key.KeySignature))
    if not sigs or sigs[0].sharps != key.Key(m21_tonic, base_mode).sharps:
        fails.append("key signature")
    tss = {ts.ratioString for ts in part.recurse().getElementsByClass(meter.TimeSignature)}
    if tss != {intent.meter}:
        fails.append("meter")
    measures = list(part.getElementsByClass(stream.Measure))
    full = meter.TimeSignature(intent.meter or "4/4").barDuration.quarterLength
    if len(measures) != intent.bars or any(m.duration.quarterLength != full for m in measures):
        fails.append("bars")
    midis = [n.pitch.midi for n in notes]
    if intent.instrument:
        lo, hi = INSTRUMENTS[intent.instrument]
        if min(midis) < lo or max(midis) > hi:
            fails.append("instrument")
    if (
        intent.low
        and intent.high
        and (
            min(midis) < pitch.Pitch(intent.low).midi or max(midis) > pitch.Pitch(intent.high).midi
        )
    ):
        fails.append("range")
    if intent.style and intent.meter not in STYLE_METERS[intent.style]:
        fails.append("style")
    if intent.tempo:
        marks = list(score.recurse().getElementsByClass(tempo.MetronomeMark))
        if not marks or round(marks[0].number) != intent.tempo:
            fails.append("tempo")
    if intent.task == "harmonisation":
        fails.extend(_check_chords(score))
    return fails


def _check_chords(score: stream.Score) -> list[str]:
    if len(score.parts) < 2:
        return ["no accompaniment"]
    melody_bars = list(score.parts[0].getElementsByClass(stream.Measure))
    chord_bars = list(score.parts[1].getElementsByClass(stream.Measure))
    for mbar, cbar in zip(melody_bars, chord_bars, strict=False):
        chords = [c for c in cbar.recurse().notes if isinstance(c, chord.Chord)]
        down = next((n for n in _notes(mbar) if n.offset == 0), None)
        if (
            not chords
            or down is None
            or down.pitch.pitchClass not in {p.pitchClass for p in chords[0].pitches}
        ):
            return ["chord misses the melody note"]
    return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    settings = Settings.from_env()
    parsed = satisfied = 0
    attempts: list[int] = []
    failures: list[dict[str, object]] = []
    started = time.perf_counter()
    for index in range(args.n):
        intent = make_request(rng, index)
        evidence = abc_composer(ToolRequest(question=intent.text), settings)
        abc = str(evidence[0].data.get("abc", "")) if evidence else ""
        attempts.append(int(str(evidence[0].data.get("attempts", 0))) if evidence else 0)
        try:
            if not re.search(r"^K:", abc, re.M):
                raise ValueError("no ABC returned")
            problems = check(intent, abc)
            parsed += 1
        except Exception as exc:  # unparseable or missing ABC
            problems = [f"parse: {type(exc).__name__}: {exc}"]
        if problems:
            failures.append({"request": intent.text, "failed": problems})
        else:
            satisfied += 1
    elapsed = time.perf_counter() - started
    summary = {
        "requests": args.n,
        "parsed": parsed,
        "parse_rate": round(parsed / args.n, 4),
        "all_constraints_satisfied": satisfied,
        "satisfaction_rate": round(satisfied / args.n, 4),
        "seconds": round(elapsed, 1),
        "first_draft_passed": attempts.count(1),
        "most_attempts": max(attempts, default=0),
        "failures": failures,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{args.n} requests in {elapsed:.1f} s")
        print(f"ABC parsed by music21: {parsed}/{args.n} ({parsed / args.n:.0%})")
        print(f"every stated constraint satisfied: {satisfied}/{args.n} ({satisfied / args.n:.0%})")
        print(
            f"passed the plug-in's own checks on the first draft: {attempts.count(1)}/{args.n}"
            f" (most attempts: {max(attempts, default=0)})"
        )
        for failure in failures:
            print("  failed:", failure)


if __name__ == "__main__":
    main()
