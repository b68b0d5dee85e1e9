"""Pieces like yours (issue #22): does the corpus index find pieces of the same composer/collection?

Pieces: a seeded sample of music21's corpus, per collection (the corpus folder: ``bach``,
``palestrina``, ``monteverdi``, ``trecento`` are composers or a repertory; ``essenFolksong``,
``oneills1850``, ``ryansMammoth``, ``airdsAirs`` tune collections — the reference set's eight):
up to ``--queries`` pieces that pre-training held out (``etude.encoders.corpus.held_out``) and up
to ``--database`` that it trained on (it never saw their labels). A file of many tunes gives at
most ``--per-file`` training tunes, so that a collection's pieces come from several files.

Each method builds an index of every sampled piece with the same code the shipped index uses
(``etude.encoders.similar.build_index``); each held-out piece is a query, its five nearest
pieces by cosine are retrieved among all the others except those of its own file (a tune's
neighbours in its own ABC file would be same-collection for free), and precision@5 is the share
of them of the query's collection. Macro: the mean of the per-collection means. 95% intervals:
percentile bootstrap over queries (2,000 resamples); "Δ" rows bootstrap the paired difference.
The same figures with every sampled piece as a query ("all pieces", leave-one-out, most of them
pieces the encoder trained on) follow, then the nearest *bars*: each window of a held-out piece
retrieves its five nearest windows of other files' pieces, scored the same way (per query, the
mean over its windows).

Methods:
- ``musicbert-small``: the shipped checkpoint (or ``ETUDE_MUSICBERT``): the piece vector of
  :meth:`MusicBert.embed` (mean of bar means), as ``etude corpus index`` stores it;
- ``random init``: the same architecture randomly initialised (one per ``--random-seeds``);
- ``hand-made``: ``etude.encoders.evaluation.handcrafted_features`` (pitch-class, interval,
  register, duration, onset-position, velocity and instrument histograms), the probes' baseline.

Run: ``python bench/similar_pieces.py [--queries 20] [--database 100] [--per-file 40] [--seed 0]
[--random-seeds 0,1,2]``
(``--cache FILE`` keeps the parsed sample for a second run).
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.encoders.corpus import held_out
from etude.encoders.embedding import checkpoint_dir, load_model
from etude.encoders.evaluation import handcrafted_features
from etude.encoders.musicbert import MusicBert
from etude.encoders.octuple import BAR
from etude.encoders.similar import (
    WINDOW_BARS,
    CorpusIndex,
    IndexedPiece,
    Vectorise,
    build_index,
    checkpoint_hash,
    corpus_files,
    nearest_pieces,
    read_corpus_file,
)

COLLECTIONS = (
    "bach",
    "palestrina",
    "monteverdi",
    "trecento",
    "essenFolksong",
    "oneills1850",
    "ryansMammoth",
    "airdsAirs",
)
Sample = list[tuple[IndexedPiece, np.ndarray]]


def sample(queries: int, database: int, per_file: int, seed: int) -> Sample:
    """Per collection, held-out and training pieces up to the quotas, files in seeded order."""
    chosen: Sample = []
    for collection in COLLECTIONS:
        paths = corpus_files([collection])
        random.Random(seed).shuffle(paths)
        # a one-piece file's split is known from its name before it is parsed (slowly)
        paths.sort(key=lambda p: not held_out(p.name))
        held, trained, started = 0, 0, time.perf_counter()
        for path in paths:
            if held >= queries and trained >= database:
                break
            if path.suffix.lower() != ".abc" and (
                held >= queries if held_out(path.name) else trained >= database
            ):
                continue  # one piece per file, and its quota is full: not worth parsing
            try:
                found = read_corpus_file(path)
            except Exception as error:  # an unreadable corpus file is skipped, as in the index
                print(f"  skipped {path.name}: {error}", file=sys.stderr)
                continue
            if len(found) == 1 and (
                (held_out(found[0][0].split_name) and held >= queries)
                or (not held_out(found[0][0].split_name) and trained >= database)
            ):
                continue
            rng = random.Random(f"{seed}:{path.name}")
            rng.shuffle(found)
            from_file = 0
            for piece, tokens in found:
                if held_out(piece.split_name):
                    if held < queries:
                        chosen.append((piece, tokens))
                        held += 1
                elif trained < database and from_file < per_file:
                    chosen.append((piece, tokens))
                    trained += 1
                    from_file += 1
        print(
            f"  {collection}: {held} held-out + {trained} training pieces "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return chosen


def handmade(tokens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bar histograms and the piece's: the probes' hand-made features in the index's shape."""
    bars = [handcrafted_features(tokens[tokens[:, BAR] == b]) for b in np.unique(tokens[:, BAR])]
    return np.stack(bars), handcrafted_features(tokens)


def precision_at(index: CorpusIndex, rows: list[int], k: int) -> np.ndarray:
    """Per query row: the share of its ``k`` nearest pieces (other files) of its collection."""
    by_file: dict[str, list[int]] = defaultdict(list)
    for row, piece in enumerate(index.pieces):
        by_file[piece.corpus_path].append(row)
    scores = []
    for row in rows:
        query = index.pieces[row]
        found = nearest_pieces(
            index, index.piece_vectors[row], k=k, exclude=by_file[query.corpus_path]
        )
        scores.append(np.mean([index.pieces[i].collection == query.collection for i, _ in found]))
    return np.array(scores)


def window_precision_at(index: CorpusIndex, rows: list[int], k: int) -> np.ndarray:
    """Per query row: over its windows, the share of each window's ``k`` nearest windows (of
    other files) that belong to pieces of its collection — "the nearest bars" judged alike."""
    files = np.array([p.corpus_path for p in index.pieces])
    collections = np.array([p.collection for p in index.pieces])
    window_file, window_collection = files[index.window_piece], collections[index.window_piece]
    scores = []
    for row in rows:
        own = np.flatnonzero(index.window_piece == row)
        similarity = index.window_vectors[own] @ index.window_vectors.T
        similarity[:, window_file == files[row]] = -np.inf
        nearest = np.argsort(-similarity, axis=1)[:, :k]
        scores.append(float((window_collection[nearest] == collections[row]).mean()))
    return np.array(scores)


def interval(values: np.ndarray, rng: np.random.Generator, n: int = 2000) -> tuple[float, float]:
    means = values[rng.integers(0, len(values), size=(n, len(values)))].mean(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def report(title: str, indexes: dict[str, CorpusIndex], rows: list[int], k: int, seed: int) -> None:
    pieces = next(iter(indexes.values())).pieces
    labels = np.array([pieces[r].collection for r in rows])
    measure = window_precision_at if "windows" in title else precision_at
    results = {name: measure(index, rows, k) for name, index in indexes.items()}
    print(f"\n### {title}: {len(rows)} queries, precision@{k}\n")
    print("| method | micro [95% CI] | macro | " + " | ".join(COLLECTIONS) + " |")
    print("|---|---|---|" + "---|" * len(COLLECTIONS))
    for name, scores in results.items():
        low, high = interval(scores, np.random.default_rng(seed))
        per = [
            scores[labels == c].mean() if (labels == c).any() else float("nan") for c in COLLECTIONS
        ]
        print(
            f"| {name} | {scores.mean():.3f} [{low:.3f}, {high:.3f}] | {np.nanmean(per):.3f} | "
            + " | ".join(f"{p:.2f}" for p in per)
            + " |"
        )
    first, *others = results
    for other in others:
        difference = results[first] - results[other]
        low, high = interval(difference, np.random.default_rng(seed))
        print(
            f"| Δ {first} − {other} | {difference.mean():+.3f} [{low:+.3f}, {high:+.3f}] | | "
            + " | ".join("" for _ in COLLECTIONS)
            + " |"
        )
    print(
        "\nqueries per collection: " + ", ".join(f"{c} {(labels == c).sum()}" for c in COLLECTIONS)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=20, help="held-out pieces per collection")
    parser.add_argument("--database", type=int, default=100, help="training pieces per collection")
    parser.add_argument("--per-file", type=int, default=40, help="training tunes per ABC file")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--random-seeds", default="0", help="random-init encoders, one per seed (e.g. 0,1,2)"
    )
    parser.add_argument("--cache", type=Path, help="pickle of the parsed sample, reused if present")
    args = parser.parse_args()
    torch.set_num_threads(2)
    started = time.perf_counter()
    if args.cache and args.cache.exists():
        pieces: Sample = pickle.loads(args.cache.read_bytes())
        print(f"sample: {len(pieces)} pieces from {args.cache}")
    else:
        print("sample (parsing music21's corpus):", flush=True)
        pieces = sample(args.queries, args.database, args.per_file, args.seed)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(pieces))
    parsed = time.perf_counter() - started

    pretrained = load_model()
    methods: dict[str, Vectorise] = {f"{pretrained.config.name}": pretrained.embed}
    seeds = [int(seed) for seed in args.random_seeds.split(",")]
    for seed in seeds:
        torch.manual_seed(seed)
        name = "random init" if len(seeds) == 1 else f"random init (seed {seed})"
        methods[name] = MusicBert(pretrained.config).eval().embed
    methods["hand-made"] = handmade
    indexes, timings = {}, {}
    digest = checkpoint_hash(checkpoint_dir())
    for name, vectorise in methods.items():
        begun = time.perf_counter()
        indexes[name] = build_index(pieces, vectorise, model=name, checkpoint=digest)
        timings[name] = time.perf_counter() - begun
    index = indexes[pretrained.config.name]
    held = [r for r, p in enumerate(index.pieces) if held_out(p.split_name)]
    report("Held-out queries (pre-training never saw them)", indexes, held, args.k, args.seed)
    report("All pieces (leave-one-out)", indexes, list(range(len(index.pieces))), args.k, args.seed)
    report(
        f"Held-out queries, {WINDOW_BARS}-bar windows (nearest bars)",
        indexes,
        held,
        args.k,
        args.seed,
    )

    begun = time.perf_counter()
    for row in held:
        nearest_pieces(index, index.piece_vectors[row], k=args.k)
    search_ms = (time.perf_counter() - begun) / max(1, len(held)) * 1000
    windows = len(index.window_piece)
    print(
        f"\n{len(index.pieces)} pieces, {windows} windows; parsing {parsed:.0f} s; index build "
        + ", ".join(
            f"{n} {t:.0f} s ({t / len(pieces) * 1000:.0f} ms/piece)" for n, t in timings.items()
        )
        + f"; search {search_ms:.2f} ms/query; checkpoint sha256 {digest[:12]}"
    )


if __name__ == "__main__":
    main()
