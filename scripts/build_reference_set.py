"""Embed a balanced sample of music21's corpus with our MusicBERT: the reference set the encoder
tool compares a learner's piece with (nearest passages, closest collection).

    .venv/bin/python scripts/build_reference_set.py [--per-collection 40]

Writes ``reference.npz`` into the folder of the checkpoint in use (``ETUDE_MUSICBERT``, else the
shipped one): the style estimate only compares vectors of one model.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.cli.console import progress_bar
from etude.encoders.corpus import collection_of, corpus_paths, encode_corpus_file
from etude.encoders.embedding import checkpoint_dir, load_model

COLLECTIONS = ("bach", "palestrina", "monteverdi", "trecento", "essenFolksong", "oneills1850",
               "airdsAirs", "ryansMammoth")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-collection", type=int, default=40)
    parser.add_argument("--out", type=Path, default=checkpoint_dir() / "reference.npz")
    args = parser.parse_args()
    model = load_model()
    rng = random.Random(0)
    names, collections, vectors = [], [], []
    wanted = args.per_collection * len(COLLECTIONS)
    with progress_bar("Embedding reference pieces", total=wanted) as update:
        for collection in COLLECTIONS:
            paths = [p for p in corpus_paths() if collection_of(p) == collection]
            rng.shuffle(paths)
            taken = 0
            for path in paths:
                for piece in encode_corpus_file(path):
                    if taken >= args.per_collection:
                        break
                    vectors.append(model.embed(piece.tokens.astype(np.int64))[1])
                    names.append(piece.name)
                    collections.append(collection)
                    taken += 1
                    update(len(names), wanted)
                if taken >= args.per_collection:
                    break
            print(f"{collection}: {taken}", flush=True)
    np.savez_compressed(args.out, vectors=np.stack(vectors).astype(np.float16),
                        names=np.array(names), collections=np.array(collections))
    print(f"wrote {len(names)} pieces to {args.out}")


if __name__ == "__main__":
    main()
