"""Add each note's part to a corpus saved by ``pretrain_musicbert.py --save-corpus``.

Why: a corpus saved before voice slots existed holds the octuples only, and training a model
with voice slots (``MusicBertConfig.voices``) needs to know which part each note came from.
Re-parsing every file takes minutes where training takes a GPU, so this runs on a CPU once and
writes a new npz that the GPU run reads with ``--corpus``. Every re-encoded piece must match the
saved octuples row for row; a piece that does not (or that the parse skips) keeps part -1,
"not known", and is counted in the report.

    python scripts/corpus_parts.py --corpus corpus.npz --out corpus-parts.npz --workers 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.encoders.corpus import encode_corpus
from scripts.pretrain_musicbert import load_corpus, save_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    saved = load_corpus(args.corpus)
    fresh = {p.name: p for p in encode_corpus(args.workers)}
    pieces, matched, missing = [], 0, 0
    for piece in saved:
        again = fresh.get(piece.name)
        if (
            again is not None
            and again.parts is not None
            and again.tokens.shape == piece.tokens.shape
            and bool((again.tokens == piece.tokens).all())
        ):
            pieces.append(again)
            matched += 1
        else:
            parts = np.full(len(piece.tokens), -1, dtype=np.int16)
            pieces.append(type(piece)(piece.name, piece.collection, piece.tokens, parts))
            missing += 1
    save_corpus(pieces, args.out)
    print(f"{matched} pieces with parts, {missing} without (part -1), written to {args.out}")


if __name__ == "__main__":
    main()
