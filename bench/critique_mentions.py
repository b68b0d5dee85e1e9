"""Does a critique name a planted wrong note, and how often does it name a note in a clean piece?

The critic hands the tutor the note its wrong-note ranker finds likeliest a slip when the
ranker's probability reaches its threshold (``etude.critic.least_expected.likely_slip``, where
the checkpoint ships a ranker), else the note MusicBERT expected least when it *stands out*: at
least ``STANDS_OUT_NATS`` less expected than the runner-up. Both rules are measured here. This
plants one wrong note (±1–2 semitones, ``bench/wrong_note.py``'s rule and pieces) in held-out
chorales and Essen tunes and reports, per threshold: on how many planted pieces the line would
be shown, how many of those name the planted note, and on how many of the unplanted originals
the line would be shown (each of those names a note the composer wrote). Under the ranker's
mention threshold but above its check threshold, a critique names the note as the likeliest
slip *if* one is wrong, said as unsure; the replies' count of clean originals keeps those
apart.

    PYTHONPATH=. .venv/bin/python bench/critique_mentions.py [--chorales 10] [--folk 60] [--seed 1]

With ``--replies``, each planted piece is also written to MusicXML and uploaded to the whole
mentor (``from etude import Mentor``: the graph, the critic and encoder tools, the reply the
learner reads) with "Can you check my piece?", once per ``--levels``; the reply *names the
planted note* when one sentence of it gives the note's bar ("bar 6") and a pitch with octave
that sounds as the planted note (any spelling). That counts the critic's findings (a note out
of the key, a parallel it makes) as well as the encoder's line, and shows what each level hides.
``--question`` asks something else with each upload: a learner who suspects a wrong note
("Something in my piece sounds wrong. Which note is it?") gets the ranker's best candidate,
sure or not, so there a reply on a clean original always points at a note (it was asked to).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import wrong_note

from etude.critic.least_expected import (
    STANDS_OUT_NATS,
    LeastExpected,
    LikelySlip,
    least_expected,
    likely_slip,
)


def slip_of(score: object) -> LikelySlip | None:
    """The likeliest slip as the critic tool finds it: with every finding of the critic."""
    from etude.critic.analysis import analyze_score
    from etude.scores.loading import LoadedScore

    loaded = LoadedScore(Path("piece.musicxml"), "musicxml", score, 0)
    report = analyze_score(loaded, level="advanced", suggest=False)
    return likely_slip(score, report.every_finding)  # type: ignore[arg-type]


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
    parser.add_argument("--replies", action="store_true", help="also ask the mentor")
    parser.add_argument("--levels", default="beginner,intermediate")
    parser.add_argument(
        "--question",
        default="Can you check my piece?",
        help="what the learner asks with each upload (a learner who suspects a wrong note asks "
        "differently)",
    )
    args = parser.parse_args()

    test, _ = wrong_note.load_pieces(chorales=args.chorales, folk=args.folk, train_chorales=0)
    rng = random.Random(args.seed)
    rows = []
    slips: list[tuple[str, LikelySlip | None, int, float, LikelySlip | None]] = []
    asked: list[tuple[str, object, int, float, int, object]] = []
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
        slips.append((piece.collection, slip_of(score), part, onset, slip_of(piece.score)))
        if args.replies:
            asked.append((piece.collection, score, part, onset, planted[1][2], piece.score))
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
    print_slips(slips)
    if asked:
        print_replies(asked, args.levels.split(","), args.question)


def print_slips(slips: list[tuple[str, LikelySlip | None, int, float, LikelySlip | None]]) -> None:
    """The ranker's rule: mentioned when its probability reaches the shipped threshold."""
    if all(planted is None for _, planted, *_ in slips):
        print("\n(no wrong-note ranker beside this checkpoint)")
        return
    shipped = {(c, p.threshold) for c, p, *_ in slips if p is not None}
    checks = {(c, p.check) for c, p, *_ in slips if p is not None and p.check is not None}
    print(f"\nwrong-note ranker, shipped thresholds {sorted(shipped)}, check {sorted(checks)}")
    print(
        "| threshold | pieces | its top note is the planted one | mentioned on planted "
        "| naming the planted note | mentioned on the clean original |"
    )
    print("|---|---|---:|---:|---:|---:|")
    every = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7} | {t for _, t in shipped | checks if t is not None}
    for t in sorted(every):
        for collection in ("bach", "essenFolksong"):
            mine = [row for row in slips if row[0] == collection]
            top = shown = named = clean = 0
            for _, slip, part, onset, original in mine:
                hit = bool(
                    slip is not None
                    and slip.note.part == part
                    and abs(slip.note.offset_ql - onset) < 1e-3
                )
                top += hit
                shown += slip is not None and slip.probability >= t
                named += hit and slip is not None and slip.probability >= t
                clean += original is not None and original.probability >= t
            print(f"| {t} | {len(mine)} {collection} | {top} | {shown} | {named} | {clean} |")


SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
PITCH = re.compile(r"\b([A-G])(##|#|♯|bb|b|♭|-)?(-?\d)\b")


def names_the_note(reply: str, bar: int, midi: int) -> bool:
    """Whether one sentence of ``reply`` gives ``bar`` and a pitch sounding as ``midi``.

    >>> names_the_note("Bar 6, alto (beat 2): this F#4 is odd. Bar 7 is fine.", 6, 66)
    True
    >>> names_the_note("Bar 6 is fine. This F#4 is odd.", 6, 66)
    False
    """
    from music21 import pitch

    for sentence in SENTENCE.split(reply):
        if not re.search(rf"\b[Bb]ars? {bar}\b", sentence):
            continue
        for step, sign, octave in PITCH.findall(sentence):
            accidental = {"♯": "#", "♭": "-", "b": "-", "bb": "--"}.get(sign, sign)
            if pitch.Pitch(f"{step}{accidental}{octave}").midi == midi:
                return True
    return False


def print_replies(
    asked: list[tuple[str, object, int, float, int, object]],
    levels: list[str],
    question: str = "Can you check my piece?",
) -> None:
    """Upload every planted piece to the mentor at each level; count replies naming it. Upload
    the clean original too (at the first level) and count replies that point at a note of it
    as a likely slip or as standing out."""
    import tempfile

    from etude import Mentor
    from etude.critic.texture import build_piece

    mentor = Mentor()
    named: dict[tuple[str, str], list[bool]] = {}
    by_encoder: dict[tuple[str, str], int] = {}
    on_clean: dict[str, int] = {}
    unsure_on_clean: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        for number, (collection, score, _part, onset, midi, original) in enumerate(asked):
            path = Path(folder) / f"piece{number}.musicxml"
            score.write("musicxml", fp=str(path))  # type: ignore[attr-defined]
            meter = build_piece(score).meter  # type: ignore[arg-type]
            bar = meter.measure(meter.locate(onset)[0])  # the number a reply names
            for level in levels:
                reply = mentor.ask(question, attach=path, level=level).answer
                hit = names_the_note(reply, bar, midi)
                named.setdefault((collection, level), []).append(hit)
                encoder = hit and any(
                    ("MusicBERT" in s or "may be a slip" in s or "is the likeliest one" in s)
                    and names_the_note(s, bar, midi)
                    for s in SENTENCE.split(reply)
                )
                by_encoder[(collection, level)] = by_encoder.get((collection, level), 0) + encoder
            path = Path(folder) / f"original{number}.musicxml"
            original.write("musicxml", fp=str(path))  # type: ignore[attr-defined]
            reply = mentor.ask(question, attach=path, level=levels[0]).answer
            pointed = any(phrase in reply for phrase in ("may be a slip", "least expected note"))
            on_clean[collection] = on_clean.get(collection, 0) + pointed
            unsure = not pointed and "is the likeliest one" in reply
            unsure_on_clean[collection] = unsure_on_clean.get(collection, 0) + unsure
            print(f"[{number + 1}/{len(asked)}] replies read", file=sys.stderr, flush=True)
    print(f'\nAsked: "{question}"')
    print(
        "\n| pieces | level | the reply names the planted note | of which in the encoder's line |"
        "\n|---|---|---:|---:|"
    )
    for (collection, level), hits in sorted(named.items()):
        share = f"{sum(hits)} ({100 * sum(hits) / len(hits):.0f}%)"
        encoder = by_encoder[(collection, level)]
        print(f"| {len(hits)} {collection} | {level} | {share} | {encoder} |")
    print(
        f"\nReplies ({levels[0]}) on the clean originals that point at a note as a likely slip "
        "or as the least expected one (and, apart, that name one as the likeliest if any is "
        "wrong, said as unsure):"
    )
    for collection, count in sorted(on_clean.items()):
        total = sum(1 for row in asked if row[0] == collection)
        print(f"- {collection}: {count} of {total} (unsure: {unsure_on_clean[collection]})")


if __name__ == "__main__":
    main()
