"""Acceptance 3 of issue #8: the songwriting coach's lyrics analysis against hand labels.

Runs the analyser on the public-domain verses in ``plugins/etude-songwriting/tests/data/``
(hand-labelled rhyme schemes and syllable counts; ``README.md`` there says how they were
labelled and which set was scored blind) and prints, per set, rhyme-scheme accuracy (whole
scheme right) and syllable accuracy (per line), plus every miss.

    .venv/bin/python bench/lyrics_eval.py [--json]

with the plug-in installed (``.venv/bin/pip install -e plugins/etude-songwriting``) or its
source on the path (``PYTHONPATH=plugins/etude-songwriting/src``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from etude_songwriting.evaluation import evaluate, load_labelled

DATA = Path(__file__).resolve().parents[1] / "plugins" / "etude-songwriting" / "tests" / "data"
SETS = {
    "development": "verses_labelled.jsonl",
    "held-out (then used for development)": "verses_heldout.jsonl",
    "test (blind)": "verses_test.jsonl",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    summary: dict[str, dict[str, object]] = {}
    for label, name in SETS.items():
        started = time.perf_counter()
        result = evaluate(load_labelled(DATA / name))
        summary[label] = {
            "file": name,
            "verses": result.verses,
            "lines": result.lines,
            "rhyme_scheme_accuracy": round(result.scheme_accuracy, 4),
            "syllable_accuracy": round(result.syllable_accuracy, 4),
            "seconds": round(time.perf_counter() - started, 2),
            "misses": result.misses,
        }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    for label, row in summary.items():
        print(f"{label} ({row['file']}): {row['verses']} verses, {row['lines']} lines")
        print(f"  rhyme scheme accuracy: {row['rhyme_scheme_accuracy']:.1%}")
        print(f"  syllable accuracy:     {row['syllable_accuracy']:.1%}")
        for miss in row["misses"]:  # type: ignore[attr-defined]
            print("    miss:", miss)


if __name__ == "__main__":
    main()
