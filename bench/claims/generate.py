"""Build the labelled claim set: ``bench/data/claims/sentences.jsonl``.

Sentences that make (or do not make) a checkable music-theory claim, each labelled ``true``,
``false`` or ``none`` by music21 — never by ``etude.theory`` or ``etude.claims``, the code
the set is meant to test. Three parts:

- template sentences (``templates.py``): many phrasings per claim type, about half true, the
  false ones made the way models err; deterministic for a seed;
- sentences with no checkable claim (teaching filler, encouragement, practice advice, music
  words without a claim);
- model-written sentences (``modelgen.py``): the embedded chat model, base and tuned adapter,
  answering stems whose subject we know; labelled by reading the value it claims
  (``extract.py``) and comparing with music21. Their raw replies are cached in
  ``model_sentences.jsonl`` so the set rebuilds without the model.

    python bench/claims/generate.py                          # fill the model cache, then build
    python bench/claims/generate.py --reuse-model-sentences  # build from the cache alone
    python bench/claims/generate.py --check                  # re-verify every label a second way
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import extract  # noqa: E402
import templates  # noqa: E402

DATA = HERE.parent / "data" / "claims"
SENTENCES = DATA / "sentences.jsonl"
MODEL_CACHE = DATA / "model_sentences.jsonl"

SEED = 20240611
PER_TYPE = 170
N_NONE = 260
MODEL_PER_TYPE = 200
MODEL_BUDGET_S = 40 * 60


def template_items(seed: int = SEED, per_type: int = PER_TYPE, n_none: int = N_NONE) -> list[dict]:
    out = []
    for n, it in enumerate(templates.build(seed, per_type, n_none)):
        out.append({"id": f"t{n:05d}", **it, "source": "template"})
    return out


def model_items(cache: Path = MODEL_CACHE) -> tuple[list[dict], Counter]:
    """Labelled model sentences from the cache, and how many replies were dropped, by reason."""
    items: list[dict] = []
    dropped: Counter = Counter()
    seen: set[tuple[str, str]] = set()
    if not cache.exists():
        return items, dropped
    for line in cache.read_text().splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        sentence = rec["reply"].strip()
        lab = extract.label(rec["type"], rec["params"], sentence, rec.get("end", "sentence"))
        if lab is None:
            dropped["unreadable"] += 1
            continue
        key = (rec["question"], sentence)
        if key in seen:
            dropped["duplicate"] += 1
            continue
        seen.add(key)
        items.append(
            {
                "id": rec["stem_id"],
                "question": rec["question"],
                "sentence": sentence,
                "label": lab,
                "type": rec["type"],
                "source": "model",
                "truth": extract.truth_text(rec["type"], rec["params"]),
                "model": rec["model"],
                "style": rec["style"],
                "claim": {"params": rec["params"]},
            }
        )
    return items, dropped


def build(reuse: bool, budget_s: float = MODEL_BUDGET_S) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    if not reuse:
        import modelgen

        DATA.mkdir(parents=True, exist_ok=True)
        stats["generation"] = modelgen.generate(MODEL_CACHE, MODEL_PER_TYPE, budget_s)
    items = template_items()
    made, dropped = model_items()
    items += made
    SENTENCES.parent.mkdir(parents=True, exist_ok=True)
    with SENTENCES.open("w") as out:
        for it in items:
            out.write(json.dumps(it, ensure_ascii=False) + "\n")
    stats["written"] = len(items)
    stats["model_dropped"] = dict(dropped)
    return stats


def load(path: Path = SENTENCES) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def check(path: Path = SENTENCES) -> list[str]:
    """Every label recomputed: template labels with music21 again and with plain arithmetic,
    model labels by re-reading the sentence and comparing music21's answer for the stem with
    the arithmetic one. Returns the disagreements."""
    problems: list[str] = []
    for it in load(path):
        if it["label"] == "none":
            continue
        if it["label"] == "false" and not it.get("truth"):
            problems.append(f"{it['id']}: false item without a truth")
        claim = it["claim"]
        if it["source"] == "template":
            value = claim["value"]
            value = (
                tuple(value)
                if isinstance(value, list)
                and it["type"]
                in ("relative_key", "parallel_key", "key_signature", "roman_numeral", "cadence")
                and not (it["type"] == "key_signature" and claim["params"].get("form") == "list")
                else value
            )
            if it["type"] == "cadence" and claim["params"].get("form") == "key":
                value = tuple(tuple(c) for c in value)
            again = templates.verdict(it["type"], claim["params"], value, templates.Music21)
            second = templates.verdict(it["type"], claim["params"], value, templates.Arithmetic)
            if ("true" if again else "false") != it["label"]:
                problems.append(f"{it['id']}: music21 now says {again}: {it['sentence']}")
            if again != second:
                problems.append(f"{it['id']}: arithmetic says {second}: {it['sentence']}")
        else:
            params = claim["params"]
            lab = extract.label(it["type"], params, it["sentence"])
            # a false label survives a truncated reply; recompute as the builder did
            if lab is None and it["label"] == "false":
                lab = extract.label(it["type"], params, it["sentence"], "sentence")
            if lab != it["label"]:
                problems.append(f"{it['id']}: re-read as {lab}: {it['sentence']}")
            right = extract.truth_of(it["type"], params)
            second = extract.arithmetic_truth(it["type"], params)
            if second is not None:
                same = (
                    sorted(right) == sorted(second)
                    if isinstance(right, list)
                    else (
                        tuple(right) == tuple(second)
                        if isinstance(right, tuple)
                        else right == second
                    )
                )
                if not same:
                    problems.append(f"{it['id']}: music21 {right} vs arithmetic {second}")
    return problems


def summary(items: list[dict]) -> str:
    rows = Counter((it["type"], it["source"], it["label"]) for it in items)
    types = sorted({t for t, _, _ in rows})
    lines = [
        "| type | template true | template false | model true | model false | none |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for t in types:
        lines.append(
            f"| {t} | {rows[(t, 'template', 'true')]} | {rows[(t, 'template', 'false')]} | "
            f"{rows[(t, 'model', 'true')]} | {rows[(t, 'model', 'false')]} | "
            f"{rows[(t, 'template', 'none')]} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument(
        "--reuse-model-sentences",
        action="store_true",
        help="build from the cached model replies; never load the model",
    )
    ap.add_argument(
        "--budget-minutes",
        type=float,
        default=MODEL_BUDGET_S / 60,
        help="cap on model generation time (default 40)",
    )
    ap.add_argument(
        "--check",
        action="store_true",
        help="re-verify every label of the written set a second way; exit 1 on any disagreement",
    )
    args = ap.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(p)
        print(f"{len(problems)} disagreement(s) in {SENTENCES}")
        return 1 if problems else 0
    stats = build(args.reuse_model_sentences, args.budget_minutes * 60)
    items = load()
    print(json.dumps(stats))
    print(summary(items))
    print(Counter(it["source"] for it in items), Counter(it["label"] for it in items))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
