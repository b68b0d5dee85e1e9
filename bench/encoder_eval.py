"""Does pre-training help? Linear probes and masked-token accuracy on held-out corpus pieces.

Uses only pieces that MusicBERT-small never saw in pre-training (the same name-hash split as
``scripts/pretrain_musicbert.py``). For each probe task, piece embeddings from our pre-trained
checkpoint, from the same architecture randomly initialised, and hand-made features each feed a
logistic regression; accuracy is averaged over ``--splits`` random 70/30 splits.

    .venv/bin/python bench/encoder_eval.py [--per-collection 60] [--splits 5]
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.encoders.corpus import CorpusPiece, collection_of, corpus_paths, encode_corpus_file
from etude.encoders.embedding import load_model
from etude.encoders.evaluation import (
    handcrafted_features,
    layerwise_piece_embeddings,
    linear_probe,
    masked_token_accuracy,
    piece_embeddings,
)
from etude.encoders.musicbert import MusicBert
from etude.encoders.octuple import DRUMS, INSTRUMENT, PITCH, TEMPO, VELOCITY

TASKS = {
    "folk collections (4 monophonic ABC collections)": (
        "essenFolksong",
        "oneills1850",
        "airdsAirs",
        "ryansMammoth",
    ),
    "folk collections and Bach (5)": (
        "bach",
        "essenFolksong",
        "oneills1850",
        "airdsAirs",
        "ryansMammoth",
    ),
}
MAX_FILES_PER_COLLECTION = 250
"""Held-out pieces are a tenth of each collection; reading more files than this (music21
parses slowly) buys little."""


def held_out(name: str) -> bool:
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10 == 0


def collect(collections: set[str], per_collection: int) -> list[CorpusPiece]:
    rng = random.Random(0)
    pieces: list[CorpusPiece] = []
    for collection in sorted(collections):
        paths = [p for p in corpus_paths() if collection_of(p) == collection]
        rng.shuffle(paths)
        taken = 0
        for path in paths[:MAX_FILES_PER_COLLECTION]:
            for piece in encode_corpus_file(path):
                if held_out(piece.name) and taken < per_collection:
                    pieces.append(piece)
                    taken += 1
            if taken >= per_collection:
                break
    return pieces


def neutralise(tokens: np.ndarray, shift: int) -> np.ndarray:
    """The piece transposed by ``shift`` semitones, at one tempo and one velocity."""
    out = tokens.astype(np.int64).copy()
    pitched = out[:, INSTRUMENT] != DRUMS
    out[pitched, PITCH] = np.clip(out[pitched, PITCH] + shift, 0, 127)
    out[:, TEMPO] = 24
    out[:, VELOCITY] = 20
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-collection", type=int, default=60)
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument(
        "--neutralise",
        action="store_true",
        help="transpose each piece by a random interval and flatten tempo and velocity, so "
        "that key and performance markings cannot give the collection away",
    )
    parser.add_argument(
        "--layers",
        action="store_true",
        help="also probe each layer's mean-pooled states (embedding layer and every block)",
    )
    args = parser.parse_args()
    torch.manual_seed(0)
    started = time.perf_counter()
    wanted = {c for task in TASKS.values() for c in task}
    pieces = collect(wanted, args.per_collection)
    trained = load_model()
    untrained = MusicBert(trained.config).eval()
    tokens = [p.tokens for p in pieces]
    if args.neutralise:
        rng = np.random.default_rng(123)
        tokens = [neutralise(t, int(rng.integers(-6, 6))) for t in tokens]
    features = {
        "pre-trained MusicBERT-small": piece_embeddings(trained, tokens),
        "same architecture, random init": piece_embeddings(untrained, tokens),
        "hand-made features": np.stack([handcrafted_features(t.astype(np.int64)) for t in tokens]),
    }
    print(f"{len(pieces)} held-out pieces, embedded in {time.perf_counter() - started:.0f} s")
    layered = (
        {
            "pre-trained": layerwise_piece_embeddings(trained, tokens),
            "random init": layerwise_piece_embeddings(untrained, tokens),
        }
        if args.layers
        else {}
    )
    for task, collections in TASKS.items():
        index = [i for i, p in enumerate(pieces) if p.collection in collections]
        labels = {c: k for k, c in enumerate(sorted(collections))}
        y = np.array([labels[pieces[i].collection] for i in index])

        def probe(x: np.ndarray, index: list[int] = index, y: np.ndarray = y) -> str:
            scores = []
            for split in range(args.splits):
                order = np.random.default_rng(split).permutation(len(index))
                cut = int(len(order) * 0.7)
                tr, te = order[:cut], order[cut:]
                scores.append(linear_probe(x[index][tr], y[tr], x[index][te], y[te], seed=split))
            return f"{statistics.mean(scores):.1%} ± {statistics.stdev(scores):.1%}"

        print(f"\n{task}: {len(index)} pieces, chance {1 / len(collections):.1%}")
        print(f"{'features':34} {'accuracy (mean ± sd over splits)':>34}")
        for name, x in features.items():
            print(f"{name:34} {probe(x):>34}")
        for name, stack in layered.items():
            depths = [probe(stack[:, depth]) for depth in range(stack.shape[1])]
            print(f"{name:34} by layer (0 = embeddings): " + ", ".join(depths))
    masked = {
        name: masked_token_accuracy(model, tokens[:200])["all"]
        for name, model in (("pre-trained", trained), ("random init", untrained))
    }
    print(
        "\nmasked-token accuracy (bar-level masking, all fields, 200 held-out pieces): "
        + ", ".join(f"{k} {v:.1%}" for k, v in masked.items())
    )


if __name__ == "__main__":
    main()
