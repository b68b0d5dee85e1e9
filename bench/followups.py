"""Follow-up benchmark: does the last reply of an exchange answer what the learner referred to?

The exchanges (``bench/data/followups/exchanges.jsonl``, 64 of them, written before any reply
was read — see that folder's README) go through the real mentor: the real graph, router, tools,
knowledge base, the embedded chat model and the claim checker, one session (and one learner)
per exchange, the turns in order. Only the text of the **final** reply is scored:

- **resolved**: every fact the exchange expects is stated (``teaching.mentions``) and no sign of
  the wrong subject (``must_not``) is;
- **facts**: the share of expected facts stated;
- **false claims**: sentences of the final reply that the claim checker refutes, with the last
  turn's question and evidence as context (as ``bench/teaching.py`` does).

Two phases, so an older checkout can be run and scored by today's scorer:

    PYTHONPATH=<tree> .venv/bin/python bench/followups.py run --out /tmp/follow.jsonl
    .venv/bin/python bench/followups.py score /tmp/follow.jsonl \\
        [--transcripts bench/transcripts/followups-after.md --sample 12 --seed 3]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "followups"
sys.path.insert(0, str(ROOT / "bench"))

from teaching import ask_all, mentions  # noqa: E402  (a sibling script, not a package)


def load_items() -> list[dict[str, Any]]:
    lines = (DATA / "exchanges.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def run(out: Path, only: list[str] | None, limit: int | None) -> None:
    """Answer every exchange with whichever ``etude`` is importable (``PYTHONPATH``)."""
    items = load_items()
    if only:
        items = [item for item in items if item["id"] in only]
    if limit:
        items = items[:limit]
    ask_all(items, out, data=DATA, prefix="follow")


def score(
    path: Path,
    as_json: Path | None,
    transcripts: Path | None,
    sample: int,
    seed: int,
    pick: list[str] | None = None,
) -> None:
    from teaching import _sentences

    from etude.claims import ClaimContext, check_sentence
    from etude.evidence import Evidence

    items = {item["id"]: item for item in load_items()}
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    stats: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    records = []
    for row in rows:
        item = items[row["id"]]
        last = row["turns"][-1]
        answer: str = last["answer"]
        question = item["turns"][-1]["message"]
        evidence = [Evidence.model_validate(e) for e in last.get("evidence", [])]
        context = ClaimContext.of(question, evidence)
        refuted = [
            v.sentence
            for v in (check_sentence(s, context=context) for s in _sentences(answer))
            if v.status == "refuted"
        ]
        wanted = item["expect"]["must_mention"]
        found = [fact for fact in wanted if mentions(answer, fact)]
        wrong = [fact for fact in item["expect"]["must_not"] if mentions(answer, fact)]
        resolved = len(found) == len(wanted) and not wrong
        records.append(
            {
                "id": row["id"],
                "subject": item["subject"],
                "turns": [t["message"] for t in item["turns"]],
                "replies": [t["answer"] for t in row["turns"]],
                "resolved": resolved,
                "missing": [f for f in wanted if f not in found],
                "wrong": wrong,
                "refuted": refuted,
            }
        )
        for key in (item["subject"], "**all**"):
            s = stats[key]
            s["n"] += 1
            s["resolved"] += resolved
            s["wanted"] += len(wanted)
            s["found"] += len(found)
            s["wrong"] += bool(wrong)
            s["refuted"] += len(refuted)
            s["seconds"] += float(row.get("seconds") or 0.0)
    print("| subject | n | resolved | facts stated | wrong subject | false claims | s/exchange |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for key in sorted(stats, key=lambda k: (k == "**all**", k)):
        s = stats[key]
        print(
            f"| {key} | {s['n']:.0f} | {s['resolved']:.0f} ({s['resolved'] / s['n']:.0%}) "
            f"| {s['found']:.0f}/{s['wanted']:.0f} | {s['wrong']:.0f} | {s['refuted']:.0f} "
            f"| {s['seconds'] / s['n']:.1f} |"
        )
    if as_json:
        as_json.write_text(json.dumps({"items": records}, indent=1, ensure_ascii=False))
    if transcripts:
        write_transcripts(records, transcripts, sample, seed, path.stem, pick or [])


def write_transcripts(
    records: list[dict[str, Any]], path: Path, sample: int, seed: int, name: str, pick: list[str]
) -> None:
    chosen = random.Random(seed).sample(records, min(sample, len(records)))
    chosen += [r for r in records if r["id"] in pick and r not in chosen]
    picked = f", plus {', '.join(pick)} chosen by name" if pick else ""
    out = [
        f"# Follow-up benchmark transcripts ({name})\n",
        f"{sample} exchanges drawn at random (seed {seed}){picked}, from `bench/followups.py`: "
        "every turn and every reply as the learner reads them; only the last reply is scored.\n",
    ]
    for record in sorted(chosen, key=lambda r: r["id"]):
        verdict = "resolved" if record["resolved"] else "NOT resolved"
        out.append(f"## {record['id']} ({record['subject']}, {verdict})\n")
        for message, reply in zip(record["turns"], record["replies"], strict=True):
            out.append(f"> {message}\n")
            out.append("```text\n" + reply.strip() + "\n```\n")
        notes = []
        if record["missing"]:
            notes.append(f"missing: {', '.join(record['missing'])}")
        if record["wrong"]:
            notes.append(f"wrong subject: {', '.join(record['wrong'])}")
        if record["refuted"]:
            notes.append(f"claim checker refutes: {record['refuted']}")
        if notes:
            out.append("*" + "; ".join(notes) + "*\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    runner = sub.add_parser("run", help="answer every exchange with the real mentor")
    runner.add_argument("--out", type=Path, required=True)
    runner.add_argument("--only", nargs="*")
    runner.add_argument("--limit", type=int)
    scorer = sub.add_parser("score", help="score the final replies a run wrote")
    scorer.add_argument("replies", type=Path)
    scorer.add_argument("--json", type=Path)
    scorer.add_argument("--transcripts", type=Path)
    scorer.add_argument("--sample", type=int, default=12)
    scorer.add_argument("--seed", type=int, default=3)
    scorer.add_argument("--pick", nargs="*", help="exchanges to add to the transcripts by id")
    args = parser.parse_args()
    if args.command == "run":
        run(args.out, args.only, args.limit)
    else:
        score(args.replies, args.json, args.transcripts, args.sample, args.seed, args.pick)


if __name__ == "__main__":
    main()
