"""CPU inference time of MusicBERT-small on a three-minute piece (issue #5: ≤ 1 s).

Chorales from the corpus are joined end to end until the music lasts three minutes at their
tempo; we time OctupleMIDI encoding + MusicBERT embedding (model already loaded).

    .venv/bin/python bench/encoder_inference.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from etude.encoders.corpus import score_to_performance
from etude.encoders.embedding import load_model
from etude.encoders.octuple import Note, OctupleEncoder, Performance


def three_minutes(bpm: float = 96.0) -> Performance:
    from music21 import corpus

    beats_needed = 3 * bpm
    notes: list[Note] = []
    offset = 0.0
    works = ["bach/bwv66.6", "bach/bwv7.7", "bach/bwv10.7", "bach/bwv13.6", "bach/bwv26.6"]
    while offset < beats_needed:
        for work in works:
            piece = score_to_performance(corpus.parse(work))
            notes.extend(
                Note(n.start + offset, n.duration, n.pitch, n.velocity, n.instrument)
                for n in piece.notes
                if n.start + offset < beats_needed
            )
            offset += max(n.start + n.duration for n in piece.notes)
            if offset >= beats_needed:
                break
    return Performance(notes, tempi=[(0.0, bpm)])


def main() -> None:
    import torch

    torch.set_num_threads(2)
    model = load_model()
    performance = three_minutes()
    encoder = OctupleEncoder()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        tokens = encoder.encode(performance).tokens.astype(np.int64)
        bars, _ = model.embed(tokens)
        timings.append(time.perf_counter() - started)
    print(
        f"3-minute piece: {len(tokens)} notes, {len(bars)} bars, windows of "
        f"{model.config.max_notes} notes"
    )
    print(
        f"encode + embed on CPU: median {statistics.median(timings):.3f} s, "
        f"max {max(timings):.3f} s over 5 runs (model loaded)"
    )


if __name__ == "__main__":
    main()
