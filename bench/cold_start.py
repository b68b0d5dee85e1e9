"""Cold start: ``etude`` commands as whole processes, an old tree against this one, side by side.

A learner who types ``etude ask`` waits for a whole Python process: imports, loading the
embedder and the model, the turn, and shutting down. This times exactly that, with warm caches
(the converted models and the knowledge index already built, the files in the OS cache after
one warm-up run of each), for each command in turn on the old tree and on this one, A B A B …,
so a drift in the shared machine's speed falls on both alike. Per command: the median wall and
CPU seconds of each tree, and the median of the pairwise ratios new / old.

    PYTHONPATH=. .venv/bin/python bench/cold_start.py --old-root /path/to/old/checkout \\
        --data DIR_WITH_KB [--runs 5]

``--data`` is copied for each tree, so the old and the new write their sessions apart. Each
command's output is checked to be the same kind of answer in both trees (the chord's notes; a
non-empty reply), so a fast failure cannot pass for a fast start.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Command:
    label: str
    args: tuple[str, ...]
    must_contain: str
    """A piece of the answer both trees must print, so a failure cannot pass for speed."""


COMMANDS = (
    Command(
        "ask: a chord (computed facts, no model)",
        ("ask", "Which notes are in a D7 chord?"),
        "F#",
    ),
    Command(
        "ask: a why-question (quoted passage, the model's bridge)",
        ("ask", "Why do composers avoid parallel fifths?"),
        "fifth",
    ),
)


@dataclass
class Run:
    wall_s: float
    cpu_s: float


def run_once(root: Path, data: Path, command: Command, python: str) -> Run:
    env = {**os.environ, "PYTHONPATH": str(root), "ETUDE_DATA_DIR": str(data)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-m", "etude", *command.args], env=env, capture_output=True, text=True, cwd=root
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or command.must_contain not in done.stdout:
        sys.exit(
            f"{root}: {' '.join(command.args)!r} failed (exit {done.returncode}): "
            f"{(done.stderr or done.stdout).strip().splitlines()[-1:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-root", type=Path, required=True, help="checkout of the old tree")
    parser.add_argument("--data", type=Path, required=True, help="data dir with a built index")
    parser.add_argument("--runs", type=int, default=5, help="counted runs per tree and command")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="etude-cold-"))
    trees = {"old": args.old_root.resolve(), "new": ROOT}
    data = {}
    for name in trees:
        data[name] = scratch / name
        shutil.copytree(args.data, data[name])
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · {platform.node()} · "
        f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f} · old {trees['old']} · "
        f"{args.runs} runs each after 1 warm-up"
    )
    print("| command | old wall s | new wall s | new/old wall | old CPU s | new CPU s |")
    print("|---|---:|---:|---:|---:|---:|")
    for command in COMMANDS:
        runs: dict[str, list[Run]] = {"old": [], "new": []}
        for name, root in trees.items():
            run_once(root, data[name], command, args.python)  # warm-up: OS cache, conversions
        for _ in range(args.runs):
            for name, root in trees.items():
                runs[name].append(run_once(root, data[name], command, args.python))
        ratios = [n.wall_s / o.wall_s for o, n in zip(runs["old"], runs["new"], strict=True)]
        old_wall = statistics.median(r.wall_s for r in runs["old"])
        new_wall = statistics.median(r.wall_s for r in runs["new"])
        print(
            f"| {command.label} | {old_wall:.2f} | {new_wall:.2f} | "
            f"{statistics.median(ratios):.2f} | "
            f"{statistics.median(r.cpu_s for r in runs['old']):.2f} | "
            f"{statistics.median(r.cpu_s for r in runs['new']):.2f} |",
            flush=True,
        )
    print(f"# load at the end {os.getloadavg()[0]:.1f}")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
