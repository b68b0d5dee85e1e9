"""The embedded model's two decoders side by side: transformers (bfloat16) vs CTranslate2 (int8).

Real tutor prompts are collected first: the questions below go through the real graph (router,
tools, retrieval, the tutor's prompt builder) with a recording chat model that writes nothing,
so every prompt the tutor (or the router's fallback) would send is kept with its token cap.
Then each prompt is decoded greedily by both backends in the same process, alternating which
goes first, and the table shows per prompt: time to the first text, the whole reply, tokens
written, tokens a second, and whether the two greedy texts are identical.

    ETUDE_DATA_DIR=/tmp/kbfinal .venv/bin/python bench/decoder_speed.py [--prompts 30] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from turn_latency import TURNS  # noqa: E402

BACKENDS = ("transformers", "ctranslate2")


def questions(count: int) -> list[str]:
    """The turn-latency bench's questions, then the retrieval bench's knowledge questions
    (shuffled, seed 2026): the turns on which the tutor asks the model to write."""
    asked = [question for question, _, attach in TURNS if not attach]
    lines = (HERE / "data" / "retrieval_questions_a.jsonl").read_text().splitlines()
    more = [json.loads(line)["question"] for line in lines if line.strip()]
    random.Random(2026).shuffle(more)
    return (asked + more)[:count]


def collect_prompts(count: int) -> list[tuple[list[BaseMessage], int | None]]:
    from etude.config import Settings
    from etude.llm.recording import RecordingChatModel
    from etude.mentor import Mentor

    recorder = RecordingChatModel()
    mentor = Mentor(Settings.from_env(), chat_model=recorder)
    for question in questions(count * 3):
        if len(recorder.calls) >= count:
            break
        mentor.ask(question)
    mentor.close()
    return list(zip(recorder.calls, recorder.budgets, strict=True))[:count]


def decode(model: BaseChatModel, messages: list[BaseMessage], cap: int | None) -> dict[str, Any]:
    from etude.llm import usage

    start = time.perf_counter()
    first: float | None = None
    parts: list[str] = []
    with usage.turn_usage() as count:
        for chunk in model.stream(messages, max_tokens=cap):
            if chunk.content and first is None:
                first = time.perf_counter() - start
            parts.append(str(chunk.content))
    total = time.perf_counter() - start
    tokens = count.completion
    return {
        "first_s": first if first is not None else total,
        "total_s": total,
        "tokens": tokens,
        "tok_s": tokens / total if total else 0.0,
        "text": "".join(parts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print rows as JSON lines")
    parser.add_argument("--out", type=Path, help="write every row (with texts) as JSON")
    args = parser.parse_args()

    from etude.config import Settings
    from etude.llm.loading import load_chat_model

    prompts = collect_prompts(args.prompts)
    settings = Settings.from_env()
    models: dict[str, BaseChatModel] = {}
    load_s: dict[str, float] = {}
    for name in BACKENDS:
        started = time.perf_counter()
        models[name] = load_chat_model(settings.with_overrides(decoder=name))
        load_s[name] = time.perf_counter() - started
    rows: list[dict[str, Any]] = []
    for index, (messages, cap) in enumerate(prompts):
        order = BACKENDS if index % 2 == 0 else BACKENDS[::-1]
        row: dict[str, Any] = {"prompt": str(messages[-1].content)[-60:], "cap": cap}
        for name in order:
            row[name] = decode(models[name], messages, cap)
        row["identical"] = row["transformers"]["text"] == row["ctranslate2"]["text"]
        rows.append(row)
        sys.stderr.write(f"\r{index + 1}/{len(prompts)} prompts decoded")
    sys.stderr.write("\n")
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")
    print(
        "load (warm caches): "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in load_s.items())
    )
    header = (
        f"{'#':>2} {'tf first':>8} {'ct2 first':>9} {'tf tok/s':>8} {'ct2 tok/s':>9}"
        f" {'tf tok':>6} {'ct2 tok':>7} {'same':>5}"
    )
    print(header)
    print("-" * len(header))
    for index, row in enumerate(rows, 1):
        tf, ct = row["transformers"], row["ctranslate2"]
        print(
            f"{index:>2} {tf['first_s']:>7.2f}s {ct['first_s']:>8.2f}s {tf['tok_s']:>8.1f}"
            f" {ct['tok_s']:>9.1f} {tf['tokens']:>6} {ct['tokens']:>7}"
            f" {'yes' if row['identical'] else 'no':>5}"
        )
    for name in BACKENDS:
        firsts = [row[name]["first_s"] for row in rows]
        tokens = sum(row[name]["tokens"] for row in rows)
        seconds = sum(row[name]["total_s"] for row in rows)
        print(
            f"{name}: first text median {statistics.median(firsts):.2f} s,"
            f" {tokens} tokens in {seconds:.1f} s = {tokens / seconds:.1f} tokens/s"
        )
    same = sum(row["identical"] for row in rows)
    print(f"identical greedy text: {same}/{len(rows)}")


if __name__ == "__main__":
    main()
