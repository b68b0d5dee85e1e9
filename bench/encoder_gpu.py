"""GPU throughput of MusicBERT-small: piece embeddings per second at several batch sizes.

Windows of 512 real notes (held-out corpus chorales and folk tunes, encoded to OctupleMIDI)
are embedded in batches with the shipped checkpoint, in fp32 and in bf16 autocast; the table
reports notes/s (after warm-up, CUDA-synchronised) and peak GPU memory. Runs on CPU too, for
comparison, with ``--device cpu``.

    python bench/encoder_gpu.py [--device cuda] [--batches 1,16,64,256] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.encoders.corpus import iter_corpus
from etude.encoders.musicbert import MusicBert

CHECKPOINT = Path(__file__).resolve().parents[1] / "etude/encoders/checkpoints/musicbert-small"
"""The shipped checkpoint (the path ``etude.encoders.embedding`` loads), named directly so the
script needs only torch, numpy, mido and music21 on a bare GPU machine."""


def windows(model: MusicBert, count: int) -> torch.Tensor:
    """``count`` windows of ``max_notes`` octuples cut from real corpus pieces."""
    size = model.config.max_notes
    stream: list[np.ndarray] = []
    notes = 0
    for piece in iter_corpus():
        stream.append(piece.tokens.astype(np.int64))
        notes += len(piece.tokens)
        if notes >= count * size:
            break
    tokens = np.concatenate(stream)
    reps = -(-count * size // len(tokens))
    tokens = np.concatenate([tokens] * reps)[: count * size]
    return torch.as_tensor(tokens.reshape(count, size, 8))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batches", default="1,16,64,256")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    device = torch.device(args.device)
    model = MusicBert.load(CHECKPOINT).to(device).eval()
    sizes = [int(b) for b in args.batches.split(",")]
    data = windows(model, max(sizes)).to(device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"device: {name}; torch {torch.__version__}; model {model.config.name}")
    print("| precision | batch (windows of 512 notes) | median ms | notes/s | peak MiB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for precision in ("fp32", "bf16"):
        for batch in sizes:
            ids = model.joint_ids(data[:batch])
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats(device)
            times = []
            with (
                torch.no_grad(),
                torch.autocast(device.type, dtype=torch.bfloat16, enabled=precision == "bf16"),
            ):
                for step in range(args.repeat + 3):
                    if device.type == "cuda":
                        torch.cuda.synchronize(device)
                    started = time.perf_counter()
                    hidden, _ = model.hidden_states(ids)
                    hidden.mean(1).float().cpu()
                    if step >= 3:
                        times.append(time.perf_counter() - started)
            median = statistics.median(times)
            peak = torch.cuda.max_memory_allocated(device) / 2**20 if device.type == "cuda" else 0
            notes_per_s = batch * model.config.max_notes / median
            print(
                f"| {precision} | {batch} | {1000 * median:.1f} | {notes_per_s:,.0f} | "
                f"{peak:,.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
