"""The detector alone on planted held-out pieces, two detectors on the same plants.

    PYTHONPATH=. python bench/runs/slip-detector/detector_alone.py DETECTOR_DIR [--folk 150]

``DETECTOR_DIR`` holds ``slip_detector.safetensors``/``.json`` (the checkpoint's own folder,
or a training run's output); the corpus is ``train_slip_detector.py --parse``'s (default
``.det/corpus.npz``). Three plants per held-out chorale (or per tune with ``--folk N``: the
first N held-out tunes), seed 5, so two detectors are compared on the same plants.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, "scripts")
from pretrain_musicbert import load_corpus

from etude.encoders.corpus import held_out
from etude.encoders.musicbert import MusicBert
from etude.encoders.slip_detector import SlipDetector, plant_tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("detector", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path(".det/corpus.npz"))
    parser.add_argument("--folk", type=int, default=0, help="tunes instead of chorales")
    args = parser.parse_args()
    torch.set_num_threads(2)
    base = MusicBert.load(Path("etude/encoders/checkpoints/musicbert-small"))
    detector = SlipDetector.load(args.detector, base)
    assert detector is not None, f"no detector in {args.detector}"
    pieces = [p for p in load_corpus(args.corpus) if held_out(p.name)]
    if args.folk:
        pieces = [p for p in pieces if p.collection != "bach"][: args.folk]
    else:
        pieces = [p for p in pieces if p.collection == "bach"]
    rng = np.random.default_rng(5)
    ranks = []
    for piece in pieces:
        for _ in range(3):
            moved, order, row = plant_tokens(piece.tokens.astype(np.int64), rng)
            scores = detector.log_odds(moved, piece.parts.astype(np.int64)[order])
            ranks.append(int((scores > scores[row]).sum()))
    found = np.array(ranks)
    print(
        f"{len(pieces)} pieces, {len(found)} plants: top-1 {(found == 0).mean():.3f}, "
        f"top-5 {(found < 5).mean():.3f}"
    )


if __name__ == "__main__":
    main()
