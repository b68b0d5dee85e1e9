"""Pre-train MusicBERT-small on music21's bundled corpus, then evaluate it.

One command does the three stages, so that a single GPU lease runs it end to end:

1. data: every corpus file (3,000+ files; ABC files hold many tunes) read into OctupleMIDI in
   parallel worker processes, within a time budget; pieces split by name into train (90%) and
   held-out (10%) sets.
2. train: random windows of up to ``--max-notes`` notes, transposed by -5..+6 semitones at
   random (drums excepted), bar-level masking as in the paper, AdamW with warm-up and linear
   decay, bf16 autocast on CUDA; a JSONL log.
3. evaluate: masked-token accuracy on held-out pieces (pre-trained vs randomly initialised),
   and linear probes predicting each held-out piece's corpus collection from frozen piece
   embeddings: pre-trained vs random init vs hand-made features.

Writes ``OUT/model.safetensors`` (fp16) + ``OUT/config.json``, ``OUT/train_log.jsonl`` and
``OUT/summary.json``. A checkpoint that ships goes to ``etude/encoders/checkpoints/NAME/``
(weights and config) and ``bench/runs/NAME/`` (log and summary). CPU smoke test:
``python scripts/pretrain_musicbert.py --tiny``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.encoders.corpus import CorpusPiece, encode_corpus, held_out
from etude.encoders.evaluation import (
    handcrafted_features,
    linear_probe,
    masked_token_accuracy,
    piece_embeddings,
)
from etude.encoders.musicbert import (
    MusicBert,
    MusicBertConfig,
    bar_level_mask,
    masked_loss,
    parameter_count,
)
from etude.encoders.octuple import BAR, PITCH


def windows(
    pieces: list[CorpusPiece], batch: int, max_notes: int, rng: np.random.Generator
) -> torch.Tensor:
    out = np.full((batch, max_notes, 8), -1, dtype=np.int64)
    for row in range(batch):
        tokens = pieces[int(rng.integers(len(pieces)))].tokens.astype(np.int64)
        if len(tokens) > max_notes:
            start = int(rng.integers(len(tokens) - max_notes + 1))
            tokens = tokens[start : start + max_notes].copy()
            tokens[:, BAR] -= tokens[0, BAR]
        else:
            tokens = tokens.copy()
        shift = int(rng.integers(-5, 7))
        pitched = tokens[:, PITCH] < 128
        tokens[pitched, PITCH] = np.clip(tokens[pitched, PITCH] + shift, 0, 127)
        out[row, : len(tokens)] = tokens
    return torch.as_tensor(out)


def train(
    model: MusicBert,
    train_set: list[CorpusPiece],
    args: argparse.Namespace,
    device: torch.device,
    log: Path,
) -> dict[str, float]:
    model.to(device).train()
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=args.lr, weight_decay=0.01, betas=(0.9, 0.98)
    )
    warmup = max(1, int(args.steps * 0.05))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: min((s + 1) / warmup, max(0.0, (args.steps - s) / (args.steps - warmup))),
    )
    rng = np.random.default_rng(args.seed)
    generator = torch.Generator(device=device).manual_seed(args.seed)
    started = time.perf_counter()
    notes_seen = 0
    step = 0
    losses: list[float] = []
    with log.open("w") as handle:
        for step in range(1, args.steps + 1):
            tokens = windows(train_set, args.batch, args.max_notes, rng).to(device)
            batch = bar_level_mask(model, tokens, rate=0.15, generator=generator)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                loss = masked_loss(model(batch.ids), batch.targets)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            notes_seen += int((tokens[..., 0] >= 0).sum())
            losses.append(loss.item())
            if step % args.log_every == 0 or step == args.steps:
                elapsed = time.perf_counter() - started
                record = {
                    "step": step,
                    "loss": float(np.mean(losses[-args.log_every :])),
                    "lr": schedule.get_last_lr()[0],
                    "elapsed_s": round(elapsed, 1),
                    "notes_per_s": round(notes_seen / elapsed),
                }
                handle.write(json.dumps(record) + "\n")
                handle.flush()
                print(f"train: {record}", flush=True)
            if time.perf_counter() - started > args.train_budget:
                print(f"train: time budget reached at step {step}", flush=True)
                break
    elapsed = time.perf_counter() - started
    return {
        "steps": step,
        "train_s": round(elapsed, 1),
        "notes_per_s": round(notes_seen / elapsed),
        "first_loss": float(np.mean(losses[: args.log_every])),
        "final_loss": float(np.mean(losses[-args.log_every :])),
    }


def evaluate(
    model: MusicBert, held: list[CorpusPiece], device: torch.device, seed: int
) -> dict[str, object]:
    counts = Counter(p.collection for p in held)
    kept = {name for name, count in counts.items() if count >= 20}
    rng = random.Random(seed)
    per_class: dict[str, list[CorpusPiece]] = {}
    for piece in held:
        if piece.collection in kept:
            per_class.setdefault(piece.collection, []).append(piece)
    probe_set: list[CorpusPiece] = []
    for name in sorted(per_class):
        items = per_class[name]
        rng.shuffle(items)
        probe_set.extend(items[:150])
    labels = {name: i for i, name in enumerate(sorted(per_class))}
    y = np.array([labels[p.collection] for p in probe_set])
    order = list(range(len(probe_set)))
    rng.shuffle(order)
    cut = int(len(order) * 0.7)
    train_idx, test_idx = np.array(order[:cut]), np.array(order[cut:])
    random_model = MusicBert(model.config).to(device).eval()
    model.eval()
    tokens = [p.tokens for p in probe_set]
    features = {
        "pretrained": piece_embeddings(model, tokens),
        "random_init": piece_embeddings(random_model, tokens),
        "handcrafted": np.stack([handcrafted_features(t.astype(np.int64)) for t in tokens]),
    }
    probes = {
        name: linear_probe(x[train_idx], y[train_idx], x[test_idx], y[test_idx])
        for name, x in features.items()
    }
    majority = Counter(y[test_idx].tolist()).most_common(1)[0][1] / len(test_idx)
    masked_pieces = [p.tokens for p in held[:300]]
    return {
        "probe_task": "corpus collection of held-out pieces",
        "probe_classes": {name: len(per_class[name][:150]) for name in sorted(per_class)},
        "probe_train": len(train_idx),
        "probe_test": len(test_idx),
        "probe_accuracy": probes,
        "majority_baseline": majority,
        "masked_accuracy_pretrained": masked_token_accuracy(model, masked_pieces, seed=seed),
        "masked_accuracy_random_init": masked_token_accuracy(
            random_model, masked_pieces, seed=seed
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("models/musicbert-small"))
    parser.add_argument("--max-files", type=int, default=None)
    parser.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    parser.add_argument("--data-budget", type=float, default=200.0, help="seconds")
    parser.add_argument("--train-budget", type=float, default=240.0, help="seconds")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--max-notes", type=int, default=512)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--log-every", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny", action="store_true", help="CPU smoke test: a few files/steps")
    args = parser.parse_args()
    if args.tiny:
        args.max_files, args.steps, args.batch, args.max_notes, args.log_every = 40, 5, 4, 64, 1
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    started = time.perf_counter()
    pieces = encode_corpus(args.workers, max_files=args.max_files, budget_s=args.data_budget)
    data_s = time.perf_counter() - started
    held = [p for p in pieces if held_out(p.name)]
    train_set = [p for p in pieces if not held_out(p.name)]
    print(
        f"data: {len(pieces)} pieces ({len(train_set)} train, {len(held)} held out), "
        f"{sum(len(p.tokens) for p in pieces)} notes, {data_s:.0f} s",
        flush=True,
    )
    config = MusicBertConfig.small()
    if args.tiny:
        config = MusicBertConfig(hidden=32, layers=1, heads=2, ffn=64, max_notes=64, name="tiny")
    config = MusicBertConfig(**{**config.__dict__, "max_notes": args.max_notes})
    model = MusicBert(config)
    args.out.mkdir(parents=True, exist_ok=True)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    stats = train(model, train_set, args, device, args.out / "train_log.jsonl")
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else None
    model.save(args.out)
    evaluation = evaluate(model, held, device, args.seed) if len(held) >= 40 else {}
    summary = {
        "model": config.name,
        "parameters": parameter_count(model),
        "device": torch.cuda.get_device_name() if device.type == "cuda" else platform.processor(),
        "torch": torch.__version__,
        "data": {
            "files_budget_s": args.data_budget,
            "pieces": len(pieces),
            "train_pieces": len(train_set),
            "held_out_pieces": len(held),
            "notes": int(sum(len(p.tokens) for p in pieces)),
            "data_s": round(data_s, 1),
            "collections": dict(Counter(p.collection for p in pieces).most_common()),
        },
        "train": {
            **stats,
            "batch": args.batch,
            "max_notes": args.max_notes,
            "lr": args.lr,
            "peak_gpu_mib": round(peak, 1) if peak else None,
        },
        "evaluation": evaluation,
        "perplexity_final": math.exp(min(stats["final_loss"], 50)),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2), flush=True)


if __name__ == "__main__":
    main()
