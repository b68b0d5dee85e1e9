"""Does a critique name a planted wrong note, and how often does it name a note in a clean piece?

The critic hands the tutor the note MusicBERT expected least when it *stands out*: at least
``STANDS_OUT_NATS`` less expected than the runner-up (``etude.critic.least_expected``). This
plants one wrong note (±1–2 semitones, ``bench/wrong_note.py``'s rule and pieces) in held-out
chorales and Essen tunes and reports, per threshold: on how many planted pieces the line would
be shown, how many of those name the planted note, and on how many of the unplanted originals
the line would be shown (each of those names a note the composer wrote).

    PYTHONPATH=. .venv/bin/python bench/critique_mentions.py [--chorales 10] [--folk 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import wrong_note

from etude.critic.least_expected import STANDS_OUT_NATS, LeastExpected, least_expected


def gap(found: LeastExpected | None) -> float:
    """How much less expected the least expected note is than the runner-up (0 without one)."""
    if found is None or len(found.section.surprise) < 2:
        return 0.0
    return found.section.surprise[0].score - found.section.surprise[1].score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chorales", type=int, default=10)
    parser.add_argument("--folk", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    test, _ = wrong_note.load_pieces(chorales=args.chorales, folk=args.folk, train_chorales=0)
    rng = random.Random(args.seed)
    rows = []
    for piece in test:
        planted = wrong_note.plant(piece, rng)
        if planted is None:
            continue
        score, (part, onset, _), _ = planted
        found = least_expected(score)
        named = bool(
            found is not None
            and found.note.part == part
            and abs(found.note.offset_ql - onset) < 1e-3
        )
        rows.append((piece.collection, gap(found), named, gap(least_expected(piece.score))))
    print(f"shipped threshold: {STANDS_OUT_NATS} nats; seed {args.seed}")
    print(
        "| threshold (nats) | pieces | shown on planted | naming the planted note "
        "| shown on the clean original |"
    )
    print("|---|---|---:|---:|---:|")
    for threshold in (1.0, 1.5, 2.0, 2.5):
        for collection in ("bach", "essenFolksong"):
            mine = [row for row in rows if row[0] == collection]
            shown = sum(g >= threshold for _, g, _, _ in mine)
            named = sum(g >= threshold and hit for _, g, hit, _ in mine)
            clean = sum(c >= threshold for *_, c in mine)
            print(f"| {threshold} | {len(mine)} {collection} | {shown} | {named} | {clean} |")


if __name__ == "__main__":
    main()
