"""Latency of learner turns on the embedded default model (CPU).

Runs 10 varied turns through the real graph (theory facts, knowledge questions, a session
that remembers, a score attachment) after one warm-up turn, and prints, per turn, the time to
the first text the learner sees, the time to the model's first token, and the full reply time.

    .venv/bin/python bench/turn_latency.py [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

TURNS: list[tuple[str, str | None, bool]] = [
    ("Which notes make up a G major triad?", None, False),
    ("Spell an E flat major seventh chord.", None, False),
    ("What is a minor sixth above E?", None, False),
    ("Why do composers avoid parallel fifths?", None, False),
    ("How does sonata form work?", None, False),
    ("I play the cello and I'm writing my first string quartet.", "bench-s1", False),
    ("Which instrument did I say I play?", "bench-s1", False),
    ("What is the range of the viola?", None, False),
    ("Hello! Can we start today's lesson?", None, False),
    ("What key is my piece in?", None, True),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print rows as JSON lines")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="etude-bench-"))
    os.environ["ETUDE_DATA_DIR"] = str(data)
    from music21 import corpus

    from etude.attachments import prepare_attachment
    from etude.config import Settings
    from etude.mentor import Mentor

    chorale = data / "bwv66_6.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(chorale))
    started = time.perf_counter()
    mentor = Mentor(Settings.from_env())
    mentor.warm_up()
    load_s = time.perf_counter() - started
    mentor.ask("Warm-up: what is a cadence?")

    rows = []
    for question, session, attach in TURNS:
        attachment = prepare_attachment(chorale) if attach else None
        t0 = time.perf_counter()
        first_text = None
        result = None
        for event in mentor.stream_turn(question, session=session, attachment=attachment):
            if event["event"] == "token" and first_text is None:
                first_text = time.perf_counter() - t0
            if event["event"] == "done":
                result = event["result"]
        total = time.perf_counter() - t0
        assert result is not None
        timings = result.timings_ms
        before_tutor = (total * 1000 - timings.get("tutor", 0)) / 1000
        model_first = before_tutor + timings.get("tutor_first_token", 0) / 1000
        rows.append(
            {
                "question": question,
                "route": ",".join(result.route) or "-",
                "first_text_s": round(first_text or total, 2),
                "model_first_token_s": round(model_first, 2),
                "full_reply_s": round(total, 2),
                "reply_chars": len(result.answer),
            }
        )
    mentor.close()
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}")
    print(f"model + router + graph load: {load_s:.1f} s (converted-model cache warm)")
    header = f"{'question':58} {'route':14} {'first text':>10} {'1st token':>9} {'full':>6}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['question'][:58]:58} {row['route'][:14]:14} {row['first_text_s']:>9.2f}s"
            f" {row['model_first_token_s']:>8.2f}s {row['full_reply_s']:>5.2f}s"
        )
    for key in ("first_text_s", "model_first_token_s", "full_reply_s"):
        values = [row[key] for row in rows]
        print(f"{key}: median {statistics.median(values):.2f} s, max {max(values):.2f} s")


if __name__ == "__main__":
    main()
