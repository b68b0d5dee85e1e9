"""Score claim checkers on the labelled claim set (``bench/data/claims/sentences.jsonl``).

Each sentence answers a learner question and is labelled ``true``, ``false`` or ``none`` (no
checkable claim) by music21 (``bench/claims/generate.py``). A checker reads the sentence, with
the question as context, and says whether it refutes it. Per claim type and overall:

- false recall: share of false sentences the checker refutes;
- refuted precision: share of refuted sentences that are really false;
- true verified: share of true sentences passed as verified (the old guard never verifies,
  so for it this is the share it lets through);
- true refuted: share of true sentences refuted by mistake;
- true reach (new checker): share of true sentences that would reach a learner of the
  embedded model, which drops unverifiable sentences too (verified or no_claim);
- false reach: share of false sentences that would still reach a learner of the embedded
  model (new checker: verified or no_claim; old guard: not refuted) — the number that says
  how often a falsehood gets through;
- none passed: share of claim-free sentences passed as having no claim (old guard: not
  refuted).

Two checkers side by side: the old grounding guard (``etude.claims.guard``, grounded on the
facts the theory engine computes from the question) and the new claim checker
(``etude.claims.check_sentence``). If the new one cannot be imported, the old guard's table is
printed alone.

    python bench/claim_checker.py [--type T] [--source template|model] [--show-errors N]
                                  [--json OUT] [--data PATH]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "claims" / "sentences.jsonl"
STATUSES = ("verified", "refuted", "unverifiable", "no_claim")

Checker = Callable[[str, str], str]
"""(sentence, question) → one of STATUSES."""


# -- the two checkers ------------------------------------------------------------------------


@cache
def _grounding(question: str) -> Any:
    from etude.claims.grounding import Grounding
    from etude.theory import compute_facts
    from etude.tools.theory import fact_evidence

    return Grounding.of([fact_evidence(f) for f in compute_facts(question)])


def old_guard(sentence: str, question: str) -> str:
    """The grounding guard: it only ever flags (refuted) or lets through; it never verifies,
    so a sentence it lets through is reported as ``unverifiable``."""
    return "refuted" if _grounding(question).contradicted_by(sentence) else "unverifiable"


CRASHES: list[str] = []


def log_error(sentence: str, exc: Exception) -> None:
    CRASHES.append(f"{type(exc).__name__}: {exc} <- {sentence!r}")


def load_new_checker() -> Checker | None:
    """The new claim checker, or None while ``etude.claims.check_sentence`` does not exist.
    Keep the call here: adapting to a changed interface should touch this function only."""
    try:
        from etude.claims import check_sentence  # type: ignore[attr-defined]
    except ImportError:
        return None

    def run(sentence: str, question: str) -> str:
        try:
            status = str(check_sentence(sentence, question=question).status)
        except Exception as exc:  # a crash on one sentence is a result, not the end of the run
            log_error(sentence, exc)
            return "error"
        if status not in STATUSES:
            raise ValueError(f"unknown verdict status {status!r}")
        return status

    return run


# -- scoring ---------------------------------------------------------------------------------


def _share(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def metrics(rows: list[tuple[dict, str]], verifies: bool) -> dict[str, Any]:
    """Scores of one checker on (item, status) pairs."""
    false = [s for it, s in rows if it["label"] == "false"]
    true = [s for it, s in rows if it["label"] == "true"]
    none = [s for it, s in rows if it["label"] == "none"]
    refuted = [it for it, s in rows if s == "refuted"]
    out: dict[str, Any] = {
        "n_false": len(false),
        "n_true": len(true),
        "n_none": len(none),
        "false_recall": _share(sum(s == "refuted" for s in false), len(false)),
        "refuted_precision": _share(sum(it["label"] == "false" for it in refuted), len(refuted)),
        "true_refuted": _share(sum(s == "refuted" for s in true), len(true)),
    }
    if verifies:
        out["true_verified"] = _share(sum(s == "verified" for s in true), len(true))
        out["true_reach"] = _share(sum(s in ("verified", "no_claim") for s in true), len(true))
        out["false_reach"] = _share(sum(s in ("verified", "no_claim") for s in false), len(false))
        out["none_passed"] = _share(sum(s == "no_claim" for s in none), len(none))
    else:
        out["true_verified"] = _share(sum(s != "refuted" for s in true), len(true))
        out["true_reach"] = out["true_verified"]
        out["false_reach"] = _share(sum(s != "refuted" for s in false), len(false))
        out["none_passed"] = _share(sum(s != "refuted" for s in none), len(none))
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


COLUMNS = [
    ("false_recall", "F recall"),
    ("refuted_precision", "refuted prec"),
    ("true_verified", "T verified"),
    ("true_refuted", "T refuted"),
    ("true_reach", "T reach"),
    ("false_reach", "F reach"),
    ("none_passed", "none passed"),
]


def table(results: dict[str, dict[str, dict[str, Any]]], names: list[str]) -> str:
    """Markdown table: one row per type (and overall), each checker's columns side by side."""
    head = ["type", "n F/T/none"]
    for name in names:
        for key, title in COLUMNS:
            if name == "old guard" and key == "true_reach":
                continue
            head.append(f"{name}: {title}")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    types = [*sorted(t for t in next(iter(results.values())) if t != "overall"), "overall"]
    for t in types:
        first = results[names[0]][t]
        cells = [
            t if t != "overall" else "**overall**",
            f"{first['n_false']}/{first['n_true']}/{first['n_none']}",
        ]
        for name in names:
            for key, _ in COLUMNS:
                if name == "old guard" and key == "true_reach":
                    continue
                cells.append(_pct(results[name][t][key]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def errors(rows: list[tuple[dict, str]], limit: int, verifies: bool) -> list[str]:
    """Misclassified sentences: false ones not refuted, true or claim-free ones refuted,
    and (for a verifying checker) true ones not verified."""
    kinds = {
        "missed false": lambda it, s: it["label"] == "false" and s != "refuted",
        "refuted true": lambda it, s: it["label"] == "true" and s == "refuted",
        "refuted none": lambda it, s: it["label"] == "none" and s == "refuted",
        "unverified true": lambda it, s: it["label"] == "true" and s == "unverifiable",
        "none read as claim": lambda it, s: it["label"] == "none" and s == "verified",
        "crashed": lambda it, s: s == "error",
    }
    if not verifies:  # the old guard never verifies: its unflagged sentences are not errors
        del kinds["unverified true"], kinds["none read as claim"]
    out = []
    for title, test in kinds.items():
        hits = [(it, s) for it, s in rows if test(it, s)]
        if not hits:
            continue
        out.append(f"  {title} ({len(hits)}):")
        for it, s in hits[:limit]:
            truth = f"  [truth: {it['truth']}]" if it.get("truth") else ""
            out.append(
                f"    {it['id']} {it['type']} -> {s}: Q: {it['question']!r} "
                f"S: {it['sentence']!r}{truth}"
            )
    return out


def score(
    items: list[dict], checkers: dict[str, tuple[Checker, bool]], show_errors: int = 0
) -> tuple[dict[str, dict[str, dict[str, Any]]], list[str]]:
    results: dict[str, dict[str, dict[str, Any]]] = {}
    report: list[str] = []
    for name, (check, verifies) in checkers.items():
        start = time.perf_counter()
        rows = [(it, check(it["sentence"], it["question"])) for it in items]
        took = time.perf_counter() - start
        by_type: dict[str, dict[str, Any]] = {}
        for t in sorted({it["type"] for it in items}):
            by_type[t] = metrics([r for r in rows if r[0]["type"] == t], verifies)
        by_type["overall"] = metrics(rows, verifies)
        by_type["overall"]["seconds"] = round(took, 2)
        by_type["overall"]["errors"] = sum(s == "error" for _, s in rows)
        results[name] = by_type
        if show_errors:
            report.append(f"{name}:")
            report.extend(errors(rows, show_errors, verifies))
    return results, report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--json", type=Path, help="write the scores here")
    ap.add_argument("--type", help="only this claim type (e.g. degree, none)")
    ap.add_argument("--source", choices=["template", "model"], help="only this source")
    ap.add_argument(
        "--show-errors",
        type=int,
        default=0,
        metavar="N",
        help="print up to N misclassified sentences per kind of error",
    )
    args = ap.parse_args(argv)

    items = [json.loads(line) for line in args.data.read_text().splitlines() if line.strip()]
    if args.type:
        items = [it for it in items if it["type"] == args.type]
    if args.source:
        items = [it for it in items if it["source"] == args.source]
    if not items:
        print("no items match")
        return 1

    checkers: dict[str, tuple[Checker, bool]] = {"old guard": (old_guard, False)}
    new = load_new_checker()
    if new is None:
        print("claim checker: etude.claims.check_sentence is missing; old guard only.\n")
    else:
        checkers["claim checker"] = (new, True)
    results, report = score(items, checkers, args.show_errors)
    print(
        f"{len(items)} sentences from {args.data}"
        + (f" (type {args.type})" if args.type else "")
        + (f" (source {args.source})" if args.source else "")
    )
    print(table(results, list(checkers)))
    for name in checkers:
        overall = results[name]["overall"]
        crashed = f", crashed on {overall['errors']} sentences" if overall["errors"] else ""
        print(f"{name}: {overall['seconds']} s{crashed}")
    for line in CRASHES[:5]:
        print("  " + line)
    if report:
        print("\n".join(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "n_items": len(items),
                    "filters": {"type": args.type, "source": args.source},
                    "results": results,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
