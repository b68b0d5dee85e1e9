"""Retrieval quality and speed of the knowledge base, on hand-labelled questions.

Each line of ``bench/data/retrieval_questions_*.jsonl`` is a learner-style question and the
article that answers it. The questions were written by us without looking at the chunk text, so
wording overlap with the article is not guaranteed. The benchmark builds (or reuses) a real Chroma
index, runs the same ``KnowledgeBase.search`` the theory tool uses, and reports per-article
recall@k (the expected article among the first k *distinct articles* retrieved, which is what the
tool hands the tutor), MRR over that ranking (a miss scores 0), and query latency percentiles
(embedding + Chroma query, one at a time, warm).

A question may also name the ``section`` that should answer it; for those questions the benchmark
also reports section recall: the expected section is the first passage retrieved (section@1) or
the passage its article contributes among the first k (section@k). ``--questions FILE`` (repeatable)
measures one question set instead of all of them.

    python bench/retrieval_quality.py [--kb-dir DIR] [--k 5] [--questions FILE] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from etude.knowledge.articles import load_articles
from etude.knowledge.index import KnowledgeBase

DATA = Path(__file__).parent / "data"


def load_questions(paths: list[Path] | None = None) -> list[dict[str, str]]:
    rows = []
    for path in paths or sorted(DATA.glob("retrieval_questions_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def ranked_passages(
    kb: KnowledgeBase, question: str, k: int, as_tool: bool = False
) -> list[tuple[str, str]]:
    """(article, section) of the best passage of each distinct article, best first: by the
    index's similarity alone, or with ``as_tool`` exactly as the theory tool ranks them
    (``etude.knowledge.retrieval.ranked``: ``4k`` passages, then the question's type and the
    words it shares with a section's heading)."""
    if as_tool:
        from etude.knowledge.retrieval import ranked

        found = ranked(kb.search(question, k=k * 4), question, k)
        return [(p.citation.article, p.citation.section) for p in found]
    return [
        (p.citation.article, p.citation.section) for p in kb.search(question, k=k, distinct=True)
    ]


def ranked_articles(kb: KnowledgeBase, question: str, k: int) -> list[str]:
    """Distinct articles, best first, exactly as the theory tool retrieves them."""
    return [article for article, _ in ranked_passages(kb, question, k)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb-dir", type=Path, default=None, help="index dir (default: a temp dir)")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--as-tool",
        action="store_true",
        help="rank as the theory tool does (question type, heading words), not by similarity",
    )
    parser.add_argument(
        "--questions",
        type=Path,
        action="append",
        default=None,
        help="a question file (JSONL), repeatable; default: every bench/data/retrieval_questions_*",
    )
    args = parser.parse_args()

    questions = load_questions(args.questions)
    known = {a.id for a in load_articles()}
    unknown = sorted({q["article"] for q in questions} - known)
    if unknown:
        print(f"error: labels name articles that do not exist: {unknown}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase(args.kb_dir or Path(tmp) / "kb")
        started = time.perf_counter()
        report = kb.build()
        build_s = time.perf_counter() - started
        ranked_articles(kb, "warm-up question about cadences", args.k)

        hits_at_k = 0
        hits_at_1 = 0
        reciprocal = 0.0
        latencies: list[float] = []
        per_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        misses: list[tuple[str, str, list[str]]] = []
        sectioned = 0
        section_at_1 = 0
        section_at_k = 0
        section_misses: list[tuple[str, str, str]] = []
        for row in questions:
            t0 = time.perf_counter()
            passages = ranked_passages(kb, row["question"], args.k, args.as_tool)
            latencies.append((time.perf_counter() - t0) * 1000)
            ranking = [article for article, _ in passages]
            if row.get("section"):
                sectioned += 1
                wanted = (row["article"], row["section"])
                section_at_1 += bool(passages) and passages[0] == wanted
                section_at_k += wanted in passages[: args.k]
                if not passages or passages[0] != wanted:
                    first = " / ".join(passages[0]) if passages else "nothing"
                    section_misses.append((row["question"], " / ".join(wanted), first))
            topic = row["article"].split("/", 1)[0]
            per_topic[topic][1] += 1
            if row["article"] in ranking:
                rank = ranking.index(row["article"]) + 1
                reciprocal += 1 / rank
                hits_at_1 += rank == 1
                if rank <= args.k:
                    hits_at_k += 1
                    per_topic[topic][0] += 1
                    continue
            misses.append((row["question"], row["article"], ranking[: args.k]))

    n = len(questions)
    latencies.sort()
    result = {
        "questions": n,
        "articles": report.articles,
        "chunks": report.chunks,
        "k": args.k,
        "recall_at_k": round(hits_at_k / n, 4),
        "recall_at_1": round(hits_at_1 / n, 4),
        "mrr": round(reciprocal / n, 4),
        "latency_ms_p50": round(statistics.median(latencies), 1),
        "latency_ms_p95": round(latencies[int(0.95 * (n - 1))], 1),
        "build_s": round(build_s, 1),
    }
    if sectioned:
        result["section_questions"] = sectioned
        result["section_recall_at_1"] = round(section_at_1 / sectioned, 4)
        result["section_recall_at_k"] = round(section_at_k / sectioned, 4)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"| questions | articles | chunks | recall@1 | recall@{args.k} | MRR | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {n} | {report.articles} | {report.chunks} | {result['recall_at_1']:.3f} | "
        f"{result['recall_at_k']:.3f} | {result['mrr']:.3f} | {result['latency_ms_p50']} | "
        f"{result['latency_ms_p95']} |"
    )
    print("\n| topic | recall@k |\n|---|---|")
    for topic, (hit, total) in sorted(per_topic.items()):
        print(f"| {topic} | {hit}/{total} |")
    if misses:
        print(f"\nmisses ({len(misses)}):")
        for question, expected, got in misses:
            print(f"- {question!r}: expected {expected}, got {got}")
    if sectioned:
        print(
            f"\nsection recall over {sectioned} questions: @1 {result['section_recall_at_1']:.3f}, "
            f"@{args.k} {result['section_recall_at_k']:.3f}"
        )
        if section_misses:
            print(f"\nfirst passage not the expected section ({len(section_misses)}):")
            for question, expected_section, got_section in section_misses:
                print(f"- {question!r}: expected {expected_section}, got {got_section}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
