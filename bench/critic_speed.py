"""Critic speed (issue #4): a 4-part chorale ≤ 0.5 s, a 5-minute piano MIDI ≤ 3 s.

The piano file is built from music21-corpus chorales played as a keyboard piece: one type-0
track for both hands, inner voices re-struck in eighths, the bass doubled an octave below,
every onset and release shifted by a random ±30 ms and velocities varied, as if performed, so
loading has to quantise it. Times are for ``analyze_file`` (load + analysis) after a warm-up
run on another chorale (imports, music21's caches): the first run of each file, then the
median of ``--repeat`` more.

Run: ``python bench/critic_speed.py [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from music21 import corpus

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.critic.analysis import analyze_file
from tests.smf_writer import smf, track

DIVISION = 480
BPM = 100.0


def performed_piano_midi(path: Path, seconds: float = 300.0, seed: int = 0) -> int:
    """Write the five-minute performed piano file; returns its number of notes."""
    rng = random.Random(seed)
    quarters = seconds * BPM / 60.0
    played: list[tuple[float, float, int]] = []
    cursor = 0.0
    chorales = [p for p in sorted(corpus.getComposer("bach")) if str(p).endswith(".mxl")]
    for source in chorales:
        score = corpus.parse(source)
        if len(score.parts) != 4:
            continue
        for voice, part in enumerate(score.parts):
            for item in part.stripTies().flatten().notes:
                start, length = cursor + float(item.offset), float(item.quarterLength)
                for pitch in item.pitches:
                    if voice in (1, 2) and length >= 1.0:
                        steps = int(length / 0.5)
                        played += [(start + 0.5 * k, 0.5, pitch.midi) for k in range(steps)]
                    else:
                        played.append((start, length, pitch.midi))
                    if voice == 3:
                        played.append((start, length, pitch.midi - 12))
        cursor += float(score.highestTime)
        if cursor >= quarters:
            break
    beat_seconds = 60.0 / BPM
    events: list[tuple[int, bytes]] = []
    count = 0
    for start, length, pitch in played:
        if start >= quarters:
            continue
        jitter_on = rng.uniform(-0.03, 0.03) / beat_seconds
        jitter_off = rng.uniform(-0.03, 0.03) / beat_seconds
        on = max(0, round((start + jitter_on) * DIVISION))
        off = max(on + 20, round((start + length * 0.92 + jitter_off) * DIVISION))
        events.append((on, bytes([0x90, pitch, rng.randint(45, 100)])))
        events.append((off, bytes([0x80, pitch, 0])))
        count += 1
    events.append((0, b"\xff\x51\x03" + int(60_000_000 / BPM).to_bytes(3, "big")))
    events.append((0, b"\xff\x58\x04\x04\x02\x18\x08"))
    # Metas first, then releases before attacks at one tick; ``track`` keeps that order.
    events.sort(key=lambda e: (e[0], e[1][0] != 0xFF, e[1][0] == 0x90))
    path.write_bytes(smf([track(events)], file_type=0, division=DIVISION))
    return count


def measure(path: Path, repeat: int) -> tuple[float, float, str]:
    """(first run, median of the next runs) in seconds, and a one-line description."""
    started = time.perf_counter()
    report = analyze_file(path)
    first = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        analyze_file(path)
        times.append(time.perf_counter() - started)
    text = f"{report.parts} parts, {report.bars} bars, {report.notes} notes"
    return first, statistics.median(times), text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        chorale = corpus.parse("bach/bwv66.6")
        cases = []
        for name, fmt in (("bwv66.6.musicxml", "musicxml"), ("bwv66.6.mid", "midi")):
            chorale.write(fmt, fp=work / name)
            cases.append((f"chorale {name}", work / name, 0.5))
        piano = work / "piano_5min.mid"
        notes = performed_piano_midi(piano)
        cases.append((f"piano 5 min ({notes} notes played)", piano, 3.0))
        # Warm-up on another chorale: imports and music21's own caches, not this file's.
        corpus.parse("bach/bwv269").write("musicxml", fp=work / "warmup.musicxml")
        analyze_file(work / "warmup.musicxml")
        print(f"{'case':<40}{'first s':>9}{'median s':>10}{'limit s':>9}  content")
        ok = True
        for label, path, limit in cases:
            first, median, text = measure(path, args.repeat)
            ok &= median <= limit
            print(f"{label:<40}{first:>9.3f}{median:>10.3f}{limit:>9.1f}  {text}")
    print("all within limits" if ok else "SLOWER THAN THE LIMIT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
