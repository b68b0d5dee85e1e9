"""The generated MusicTheoryBench items through the engine alone: seconds per thousand rows.

``etude ask --batch`` runs every question through the whole graph (router, tools, the chat
model), about ten seconds a question on a laptop CPU. What decides most of the reasoning score
is the engine's part: finding the options, computing the stem, picking one. This script runs
exactly that part in-process — the theory tool without retrieval
(``etude.tools.theory.computed``) — and renders what the tutor would put before the model's
own words (``etude.agents.reply.plan_reply``: the authoritative facts verbatim, then "How to
work it out:" and the numbered steps), so its output lines have the fields
``bench/mtb_generated.py score`` reads from ``etude ask --batch --json``: ``id``, ``answer``,
``route``, ``evidence``.

    PY=.venv/bin/python
    $PY bench/mtb_generated.py generate --out /tmp/mtb.jsonl --seed 2026 --items 600
    $PY bench/mtb_generated.py to-batch --questions /tmp/mtb.jsonl --out /tmp/mtb_in.jsonl
    $PY bench/mtb_engine.py --batch /tmp/mtb_in.jsonl --out /tmp/mtb_engine.jsonl
    $PY bench/mtb_generated.py score --questions /tmp/mtb.jsonl --answers /tmp/mtb_engine.jsonl

The model can only add to this reply (the tutor writes after the computed blocks), so the
engine's score is what the full graph starts from; run the real thing on a sample to see
what the rest of the turn adds or breaks.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from etude.agents.reply import plan_reply
from etude.config import Level
from etude.tools.theory import computed


def reply_of(question: str, level: Level = "intermediate") -> dict[str, Any]:
    """What ``etude ask --json`` would hold for ``question``, up to the model's bridge."""
    evidence = computed(question)
    _, before, _ = plan_reply(question, ["theory"], evidence, level)
    answer = "\n\n".join(block.text for block in before)
    return {
        "answer": answer,
        "route": ["theory"],
        "evidence": [item.model_dump(mode="json") for item in evidence],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=Path, required=True, help="`etude ask --batch` input")
    parser.add_argument("--out", type=Path, required=True, help="JSON lines, as --json writes")
    parser.add_argument(
        "--level", default="intermediate", choices=("beginner", "intermediate", "advanced")
    )
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.batch.read_text("utf-8").splitlines() if line]
    started = time.perf_counter()
    with args.out.open("w", encoding="utf-8") as out:
        for row in rows:
            record = {"id": row.get("id"), **reply_of(row["question"], args.level)}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - started
    print(
        f"{len(rows)} questions in {seconds:.1f} s "
        f"({1000 * seconds / max(len(rows), 1):.1f} ms each) -> {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
