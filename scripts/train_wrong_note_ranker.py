"""Train the wrong-note ranker (``etude.encoders.wrong_notes``) on planted training pieces.

Pieces: the corpus pieces pre-training did *not* hold out (Bach's four-part chorales and Essen
folk tunes, as ``bench/wrong_note.py`` reads them), so the held-out pieces of every benchmark
stay unseen. Each training piece gives its clean original (an example of "no wrong note")
and ``--plants`` copies with one note moved by ±1–2 semitones (``bench/wrong_note.py``'s
``plant``: the same rule the benchmarks use). The shipped encoder scores every note; the
wrong-note detector (``etude.encoders.slip_detector``) reads each piece through the heads that
did not train on it; the clean originals' chord shapes and line turns are counted
(``etude.encoders.style_counts``),
and each example reads them with its own piece's counts left out, as a learner's piece is read
against counts it is not in; the ranker is a conditional logit over each piece's notes plus a
"no wrong note" option, fitted by L-BFGS with an L2 penalty, and ships with the counts of all
training pieces. The mention threshold is the lowest probability at which at most
``--false-rate`` of the clean training originals, chorales and tunes each, would get a
mention (``--per-texture``: one for each, chosen on its own originals); the lower check
threshold the lowest at which at most ``--check-rate`` of them would get a line naming a note
as worth a second listen, said as unsure.

Run (CPU, about 10 minutes on 2 cores):
    PYTHONPATH=. python scripts/train_wrong_note_ranker.py [--train-chorales 300] [--save]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from wrong_note import load_pieces, plant

from etude.critic.analysis import analyze_score
from etude.critic.least_expected import flags_of
from etude.critic.texture import build_piece
from etude.encoders.corpus import score_notes
from etude.encoders.embedding import checkpoint_dir, load_model
from etude.encoders.slip_detector import SlipDetector, fold_of, score_log_odds
from etude.encoders.style_counts import StyleCounts
from etude.encoders.surprise import notes_distributions
from etude.encoders.wrong_notes import (
    FEATURES,
    RANKER_FILE,
    Ranker,
    contexts,
    note_features,
    style_counts_of,
    style_features,
)
from etude.scores.loading import LoadedScore

STYLE = slice(FEATURES.index("shape_gain"), FEATURES.index("turn_rarity") + 1)
"""The columns read from the counts (filled in once every piece is counted)."""


def examples(pieces, model, plants: int, rng: random.Random, detector: SlipDetector):
    """(features, index of the planted row or -1 for a clean original, texture, collection,
    piece number), and the counts of all clean originals."""
    out = []
    own: dict[int, StyleCounts] = {}
    later = []
    started = time.perf_counter()
    for count, piece in enumerate(pieces):
        versions = [(None, piece.score)]
        for _ in range(plants if piece.collection == "bach" else 1):
            planted = plant(piece, rng)
            if planted is not None:
                versions.append((planted[1], planted[0]))
        for where, score in versions:
            notes = score_notes(score)
            found = notes_distributions(score, notes, model)
            loaded = LoadedScore(Path(piece.name), "musicxml", score, 0)
            report = analyze_score(loaded, level="advanced", suggest=False)
            locate = build_piece(score).meter.locate
            around = contexts(notes)
            # read by the detector's head that did not train on this piece
            log_odds = score_log_odds(found, detector, fold_of(piece.name, len(detector.heads)))
            flags = flags_of(report.every_finding)
            chosen, x = note_features(found, locate, flags, around, detector=log_odds)
            if where is None:
                own[count] = style_counts_of(notes)
            if len(chosen) < 16:
                continue
            keys = [(notes[i].part, notes[i].note.start, notes[i].note.pitch) for i in chosen]
            target = -1 if where is None else keys.index(where) if where in keys else None
            if target is None:
                continue
            texture = len({notes[i].part for i in chosen}) > 1
            out.append((x, target, texture, piece.collection, count))
            later.append([(notes[i].note.pitch, around[i]) for i in chosen])
        if count % 50 == 0:
            print(
                f"  {count}/{len(pieces)} pieces, {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
    total = sum(own.values(), StyleCounts())
    for (x, *_, number), rows in zip(out, later, strict=True):
        counts = total.without(own[number]) if number in own else total
        for k, (midi, context) in enumerate(rows):
            x[k, STYLE] = style_features(midi, context, counts)
    return out, total


def save_cache(path: Path, data, counts: StyleCounts) -> None:
    np.savez_compressed(
        path,
        counts=np.array(counts.dumps()),
        x=np.concatenate([d[0] for d in data]),
        sizes=np.array([len(d[0]) for d in data]),
        target=np.array([d[1] for d in data]),
        texture=np.array([d[2] for d in data]),
        collection=np.array([d[3] for d in data]),
        piece=np.array([d[4] for d in data]),
    )


def load_cache(path: Path):
    saved = np.load(path)
    rows = np.split(saved["x"], np.cumsum(saved["sizes"])[:-1])
    counts = StyleCounts.from_json(json.loads(str(saved["counts"])))
    return counts, [
        (x, int(t), bool(k), str(c), int(n))
        for x, t, k, c, n in zip(
            rows,
            saved["target"],
            saved["texture"],
            saved["collection"],
            saved["piece"],
            strict=True,
        )
    ]


def fit(data, l2: float, shared: bool, counts: StyleCounts) -> Ranker:
    """The conditional logit fitted on ``data``: one weight vector per texture (a melody, several
    parts), or one for both with ``shared``; the threshold is set later."""
    import torch

    x = np.concatenate([d[0] for d in data])
    mean, scale = x.mean(0), np.maximum(x.std(0), 1e-3)  # a left-out column: all 0
    z = torch.tensor((x - mean) / scale, dtype=torch.float32)
    seg = torch.tensor(np.concatenate([np.full(len(d[0]), k) for k, d in enumerate(data)]))
    offsets = np.cumsum([0] + [len(d[0]) for d in data])[:-1]
    planted = torch.tensor([o + d[1] for o, d in zip(offsets, data, strict=True) if d[1] >= 0])
    clean = torch.tensor([d[1] < 0 for d in data])
    texture = torch.tensor([int(d[2]) for d in data])
    row_texture = texture[seg]
    w = torch.zeros(1 if shared else 2, len(FEATURES), requires_grad=True)
    null = torch.zeros(2, requires_grad=True)
    optimiser = torch.optim.LBFGS([w, null], max_iter=1000, line_search_fn="strong_wolfe")
    count = len(data)

    def closure():
        optimiser.zero_grad()
        s = (z * w[0 if shared else row_texture]).sum(1)
        nulls = null[texture]
        top = torch.full((count,), -1e9).scatter_reduce(0, seg, s, "amax")
        top = torch.maximum(top, nulls).detach()
        total = torch.zeros(count).index_add(0, seg, torch.exp(s - top[seg]))
        lse = top + torch.log(total + torch.exp(nulls - top))
        loss = -(s[planted].sum() - lse[~clean].sum() + (nulls - lse)[clean].sum()) / count
        loss = loss + l2 * (w**2).sum()
        loss.backward()
        return loss

    optimiser.step(closure)
    weights = w.detach().numpy()
    n = null.detach().numpy()

    def rounded(values: np.ndarray) -> tuple[float, ...]:
        return tuple(round(float(v), 5) for v in values)

    return Ranker(
        features=FEATURES,
        weights=rounded(weights[0]),
        texture_weights=rounded(weights[-1]),
        mean=rounded(mean),
        scale=rounded(scale),
        null_melody=round(float(n[0]), 5),
        null_texture=round(float(n[1]), 5),
        threshold=0.5,
        counts=counts,
    )


def thresholds(
    ranker: Ranker, data, false_rate: float, per_texture: bool, check_rate: float | None = None
) -> Ranker:
    """The ranker with the lowest mention threshold (in steps of 0.05, from 0.3) at which at
    most ``false_rate`` of the clean originals of each texture get a mention: one threshold
    for both, or with ``per_texture`` one for each, chosen on its own texture's originals;
    and with ``check_rate`` the lowest check threshold (from 0.05) at which at most that share
    of them get a line naming a note as worth a second listen."""

    # each clean original's highest probability, once per texture: every threshold tried
    # below reads the same numbers
    tops = {
        texture: np.array(
            [
                ranker.probabilities(d[0], texture=texture).max()
                for d in data
                if d[1] < 0 and d[2] == texture
            ]
        )
        for texture in (False, True)
    }

    def lowest(textures: tuple[bool, ...], rate: float, start: float = 0.3) -> float:
        for t in np.arange(start, 0.96, 0.05):
            worst = max(
                (float(np.mean(tops[texture] >= t)) if len(tops[texture]) else 0.0)
                for texture in textures
            )
            if worst <= rate:
                return round(float(t), 2)
        return 0.95

    check = None if check_rate is None else lowest((False, True), check_rate, 0.05)
    if not per_texture:
        threshold = lowest((False, True), false_rate)
        return Ranker(**{**ranker.__dict__, "threshold": threshold, "check_threshold": check})
    return Ranker(
        **{
            **ranker.__dict__,
            "threshold": lowest((False,), false_rate),
            "texture_threshold": lowest((True,), false_rate),
            "check_threshold": check,
        }
    )


def report(ranker: Ranker, data, label: str) -> None:
    for collection in ("bach", "essenFolksong"):
        chosen = [d for d in data if d[3] == collection]
        planted = [d for d in chosen if d[1] >= 0]
        clean = [d for d in chosen if d[1] < 0]
        top1 = named = checked = 0
        for x, target, texture, *_ in planted:
            p = ranker.probabilities(x, texture=texture)
            top1 += int(np.argmax(p) == target)
            named += int(np.argmax(p) == target and p.max() >= ranker.threshold_for(texture))
            checked += int(np.argmax(p) == target and p.max() >= ranker.check_for(texture))
        best = [ranker.probabilities(d[0], texture=d[2]).max() for d in clean]
        shown = sum(p >= ranker.threshold_for(d[2]) for p, d in zip(best, clean, strict=True))
        lines = sum(p >= ranker.check_for(d[2]) for p, d in zip(best, clean, strict=True))
        n = max(len(planted), 1)
        print(
            f"{label} {collection}: {len(planted)} planted, top-1 {top1 / n:.3f}, "
            f"named at the threshold {named / n:.3f}, at the check threshold {checked / n:.3f}; "
            f"mentioned on {shown}/{len(clean)} clean originals, a line on {lines}"
        )


def cross_validate(data, args, counts: StyleCounts) -> None:
    """Fit on all folds but one, report on it (pieces never split across folds). The held-out
    fold's pieces are read with their own counts left out, as in training, not with the whole
    fold's: a close, slightly hopeful estimate."""
    for k in range(args.folds):
        train = [d for d in data if d[4] % args.folds != k]
        test = [d for d in data if d[4] % args.folds == k]
        ranker = thresholds(
            fit(train, args.l2, args.shared, counts),
            train,
            args.false_rate,
            args.per_texture,
            args.check_rate,
        )
        report(ranker, test, f"fold {k}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-chorales", type=int, default=300)
    parser.add_argument("--train-folk", type=int, default=300)
    parser.add_argument("--plants", type=int, default=3, help="planted copies per chorale")
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--false-rate", type=float, default=0.05)
    parser.add_argument(
        "--check-rate",
        type=float,
        default=0.2,
        help="share of clean training pieces that may get a line naming a note as worth a "
        "second listen (said unsure); the lower check threshold is chosen for it",
    )
    parser.add_argument(
        "--per-texture",
        action="store_true",
        help="a mention threshold for melodies and one for several parts (default: one for "
        "both, set by the chorales: the tunes' own, 0.45, flagged a harmonic-minor leading "
        "tone in a learner's melody, a style the Essen tunes do not cover)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", action="store_true", help="write it beside the checkpoint")
    parser.add_argument("--shared", action="store_true", help="one weight vector for both textures")
    parser.add_argument("--folds", type=int, default=0, help="also cross-validate, N folds")
    parser.add_argument(
        "--drop",
        default="",
        help="features to leave out (comma-separated), to measure what they add; never --save'd",
    )
    parser.add_argument(
        "--cache", type=Path, default=None, help="keep the scored examples here (.npz), reuse them"
    )
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    model = load_model()
    if args.cache and args.cache.exists():
        counts, data = load_cache(args.cache)
    else:
        _, train = load_pieces(0, args.train_folk, args.train_chorales)
        chorales = [p for p in train if p.collection == "bach"]
        folk = [p for p in train if p.collection != "bach"][: args.train_folk]
        print(f"{len(chorales)} training chorales, {len(folk)} training tunes", file=sys.stderr)
        detector = SlipDetector.load(checkpoint_dir(), model)
        if detector is None:
            parser.error(f"no wrong-note detector beside {checkpoint_dir()}")
        rng = random.Random(args.seed)
        data, counts = examples(chorales + folk, model, args.plants, rng, detector)
        if args.cache:
            save_cache(args.cache, data, counts)
    dropped = [FEATURES.index(name) for name in args.drop.split(",") if name]
    if dropped:
        if args.save:
            parser.error("--drop is for measuring; a saved ranker reads every feature")
        for x, *_ in data:
            x[:, dropped] = 0.0
    if args.folds:
        cross_validate(data, args, counts)
    ranker = fit(data, args.l2, args.shared, counts)
    ranker = thresholds(ranker, data, args.false_rate, args.per_texture, args.check_rate)
    for label, weights in (("melody", ranker.weights), ("texture", ranker.texture_weights)):
        print(
            label + ": " + " ".join(f"{f}={v:+.2f}" for f, v in zip(FEATURES, weights, strict=True))
        )
    print(
        f"null: melody {ranker.null_melody:+.2f}, texture {ranker.null_texture:+.2f}; "
        f"threshold melody {ranker.threshold}, texture {ranker.texture_threshold}, "
        f"check {ranker.check_threshold}"
    )
    report(ranker, data, "training")
    if args.save:
        path = checkpoint_dir() / RANKER_FILE
        ranker.save(path)
        print(f"saved {path}")


if __name__ == "__main__":
    main()
