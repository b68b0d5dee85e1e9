"""Cold start of ``etude analyze`` (issue #23: a chorale in ≤ 2 s as a whole process): an old
tree against this one, on the same file, in the same run.

Each counted round runs ``python -m etude analyze FILE --json`` (and the same with
``--no-encoder``) once in the old tree (A) and once in this tree (B), A B A B …, each as a
fresh process started in its tree's root with ``PYTHONPATH`` set to it (so each imports its
own ``etude``), the disk cache warm (one uncounted warm-up run each first, which also makes
this tree's ONNX export of the checkpoint if the cache has none). Per process: wall time,
CPU time (user + sys, the parse worker it forks included) and peak resident memory, from
``wait4``. The ratio column is the median of the per-round ratios B/A.

Then the JSON of both trees is compared: every field equal, except that the surprise scores
and the style similarities may differ by ``--tolerance`` (the old tree runs MusicBERT in
torch, this one through ONNX Runtime; both float32).

With ``--export-cost`` it also times, once, this tree's first run on an empty cache (the
one-time export: import torch, export, check against torch).

Run (the file defaults to BWV 66.6 written as MIDI by music21)::

    python bench/analyze_cold_start.py --baseline-root /path/to/old/checkout --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    output: str


def run_once(tree: Path, command: list[str], env: dict[str, str]) -> Run:
    """One whole process in ``tree``; ``wait4`` gives its own CPU and memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=tree, env={**env, "PYTHONPATH": str(tree)}, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{command} in {tree} failed: {err.read().decode()[-500:]}")
        return Run(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            rss_mb=usage.ru_maxrss / 1024,
            output=out.read().decode(),
        )


def differences(old: dict[str, object], new: dict[str, object], tolerance: float) -> list[str]:
    """Where two ``etude analyze --json`` objects differ beyond float tolerance in the
    encoder's numbers (every other field must be equal)."""
    found: list[str] = []

    def walk(a: object, b: object, where: str) -> None:
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                if key not in a or key not in b:
                    found.append(f"{where}.{key}: only in {'new' if key in b else 'old'}")
                else:
                    walk(a[key], b[key], f"{where}.{key}")
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                found.append(f"{where}: {len(a)} vs {len(b)} items")
            for i, (x, y) in enumerate(zip(a, b, strict=False)):
                walk(x, y, f"{where}[{i}]")
        elif (
            isinstance(a, float)
            and isinstance(b, float)
            and where.startswith(("$.encoder", "$.style", "$.similar"))
        ):
            if abs(a - b) > tolerance:
                found.append(f"{where}: {a} vs {b}")
        elif a != b:
            found.append(f"{where}: {a!r} vs {b!r}")

    walk(old, new, "$")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-root", type=Path, required=True, help="the old tree (A)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the new tree (B)")
    parser.add_argument("--file", type=Path, help="score to analyse (default: BWV 66.6 MIDI)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tolerance", type=float, default=1e-3)
    parser.add_argument("--export-cost", action="store_true")
    args = parser.parse_args()
    path = args.file
    if path is None:
        from music21 import corpus

        path = Path(tempfile.mkdtemp()) / "bwv66_6.mid"
        corpus.parse("bach/bwv66.6").write("midi", fp=str(path))
    trees = {"old": args.baseline_root.resolve(), "new": args.root.resolve()}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    variants = {"--json": [], "--json --no-encoder": ["--no-encoder"]}
    base = [sys.executable, "-m", "etude", "analyze", str(path), "--json"]

    if args.export_cost:
        with tempfile.TemporaryDirectory() as empty:
            first = run_once(trees["new"], base, {**env, "ETUDE_CACHE_DIR": empty})
        print(
            f"first run of the new tree on an empty cache (ONNX export included): "
            f"wall {first.wall:.2f} s, CPU {first.cpu:.2f} s, peak {first.rss_mb:.0f} MiB\n"
        )

    runs: dict[tuple[str, str], list[Run]] = {}
    for extra in variants.values():
        for tree in trees.values():
            run_once(tree, base + extra, env)  # warm-up (and export), not counted
    for _ in range(args.runs):
        for label, extra in variants.items():
            for name, tree in trees.items():
                runs.setdefault((label, name), []).append(run_once(tree, base + extra, env))

    print(f"`etude analyze {path.name} …`, {args.runs} runs each, A B A B; medians")
    print(f"A = {trees['old']}, B = {trees['new']}\n")
    print(
        "| command | A wall s | B wall s | B/A wall | A CPU s | B CPU s | B/A CPU "
        "| A peak MiB | B peak MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label in variants:
        a, b = runs[label, "old"], runs[label, "new"]

        def med(items: list[Run], field: str) -> float:
            return statistics.median(getattr(r, field) for r in items)

        wall_ratio = statistics.median(y.wall / x.wall for x, y in zip(a, b, strict=True))
        cpu_ratio = statistics.median(y.cpu / x.cpu for x, y in zip(a, b, strict=True))
        print(
            f"| `{label}` | {med(a, 'wall'):.2f} | {med(b, 'wall'):.2f} | {wall_ratio:.2f} "
            f"| {med(a, 'cpu'):.2f} | {med(b, 'cpu'):.2f} | {cpu_ratio:.2f} "
            f"| {med(a, 'rss_mb'):.0f} | {med(b, 'rss_mb'):.0f} |"
        )
    print("\nall runs (wall s / CPU s):")
    for (label, name), items in runs.items():
        print(f"  {name} {label}: " + "  ".join(f"{r.wall:.2f}/{r.cpu:.2f}" for r in items))

    print()
    for label in variants:
        old = json.loads(runs[label, "old"][-1].output)
        new = json.loads(runs[label, "new"][-1].output)
        found = differences(old, new, args.tolerance)
        surprise = (new.get("encoder") or {}).get("surprise") or []
        worst = max(
            (
                abs(x["score"] - y["score"])
                for x, y in zip(
                    (old.get("encoder") or {}).get("surprise") or [], surprise, strict=False
                )
            ),
            default=0.0,
        )
        verdict = "identical" if not found else f"{len(found)} differences"
        print(
            f"JSON `{label}`, old vs new: {verdict} (tolerance {args.tolerance:g} on the "
            f"encoder's floats; largest surprise-score difference {worst:.4f} over "
            f"{len(surprise)} notes)"
        )
        for line in found[:20]:
            print("   ", line)


if __name__ == "__main__":
    main()
