"""Score loading speed: what the upload limits (etude.limits) cost an ordinary score.

Every upload is parsed in a limited worker process; this measures the CPU that costs for a
4-part Bach chorale written as MIDI, MusicXML and compressed MusicXML, and how soon an
oversized upload is refused. CPU time counts the parent and its reaped parse workers, so the
numbers hold on a busy machine where wall time would not. The first load of each format pays
for imports and is reported apart; then the median of ``--repeat`` loads.

Run: ``python bench/score_load.py [--repeat 7]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from music21 import corpus

from etude.scores import ScoreError, load_score


def _cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _timed_load(path: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one load."""
    cpu, wall = _cpu_seconds(), time.perf_counter()
    load_score(path)
    return _cpu_seconds() - cpu, time.perf_counter() - wall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="loads per format after the first")
    args = parser.parse_args(argv)
    chorale = corpus.parse("bach/bwv66.6")
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'case':<34}{'first CPU s':>12}{'median CPU s':>14}{'median wall s':>15}")
        for suffix, fmt in ((".mid", "midi"), (".musicxml", "musicxml"), (".mxl", "mxl")):
            path = Path(folder) / f"chorale{suffix}"
            chorale.write(fmt, fp=path)
            first, _ = _timed_load(path)
            runs = [_timed_load(path) for _ in range(args.repeat)]
            cpu = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            print(f"{'bwv66.6 chorale ' + suffix:<34}{first:>12.3f}{cpu:>14.3f}{wall:>15.3f}")
        huge = Path(folder) / "huge.mid"
        with huge.open("wb") as handle:
            handle.truncate(1 << 30)
        began = time.perf_counter()
        try:
            load_score(huge)
        except ScoreError:
            pass
        else:
            print("a 1 GB upload was not refused", file=sys.stderr)
            return 1
        print(f"{'1 GB upload refused':<34}{'':>12}{'':>14}{time.perf_counter() - began:>15.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
