"""Pre-train MusicBERT-small on music21's bundled corpus, then evaluate it.

One command does the three stages, so that a single GPU lease runs it end to end:

1. data: every corpus file (3,000+ files; ABC files hold many tunes) read into OctupleMIDI in
   parallel worker processes, within a time budget; pieces split by name into train (90%) and
   held-out (10%) sets.
2. train: random windows of up to ``--max-notes`` notes, transposed by -5..+6 semitones at
   random (drums excepted); each window masked either bar-level as in the paper or, with
   probability ``--pitch-share``, by hiding single notes' pitches (what the surprise score
   asks at inference); windows of similar length batched together and trimmed to the longest
   (``--bucket``: most folk tunes are far shorter than 512 notes, and padding costs as much as
   notes); AdamW with warm-up and linear decay to 0 at ``--steps`` or the time budget,
   whichever comes first; bf16 autocast on CUDA; a JSONL log. ``--init-from`` resumes a
   checkpoint.
3. evaluate: masked-token accuracy on held-out pieces (pre-trained vs randomly initialised, and
   vs the ``--init-from`` checkpoint), single-note pitch accuracy and loss, and linear probes
   predicting each held-out piece's corpus collection from frozen piece embeddings:
   pre-trained vs random init vs hand-made features (``--no-probe`` skips them).

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
from etude.encoders.model_config import voice_slots
from etude.encoders.musicbert import (
    MusicBert,
    MusicBertConfig,
    masked_loss,
    mixed_mask,
    note_pitch_mask,
    parameter_count,
)
from etude.encoders.octuple import BAR, PITCH


def window_of(
    piece: CorpusPiece,
    max_notes: int,
    rng: np.random.Generator,
    voices: int = 0,
    voice_drop: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """A random window of at most ``max_notes`` notes, bars renumbered from 0, transposed by
    -5..+6 semitones (drum rows keep their kit pieces), with its notes' voice slots (all 0,
    "not known", for a model without slots, a piece without recorded parts, or — with
    probability ``voice_drop`` — at random, so the model still reads a score whose parts it
    is not told)."""
    tokens = piece.tokens.astype(np.int64)
    parts = (
        np.full(len(tokens), -1, dtype=np.int64)
        if piece.parts is None
        else piece.parts.astype(np.int64)
    )
    if len(tokens) > max_notes:
        start = int(rng.integers(len(tokens) - max_notes + 1))
        tokens = tokens[start : start + max_notes].copy()
        parts = parts[start : start + max_notes]
        tokens[:, BAR] -= tokens[0, BAR]
    else:
        tokens = tokens.copy()
    shift = int(rng.integers(-5, 7))
    pitched = tokens[:, PITCH] < 128
    tokens[pitched, PITCH] = np.clip(tokens[pitched, PITCH] + shift, 0, 127)
    if not voices or rng.random() < voice_drop:
        return tokens, np.zeros(len(tokens), dtype=np.int64)
    return tokens, voice_slots(parts, voices)


def pad(rows: list[np.ndarray], fill: int = -1) -> torch.Tensor:
    """Windows as one (B, longest, …) tensor, ``fill`` (padding) after each window's notes."""
    out = np.full((len(rows), max(len(r) for r in rows), *rows[0].shape[1:]), fill, np.int64)
    for i, row in enumerate(rows):
        out[i, : len(row)] = row
    return torch.as_tensor(out)


def batches(
    pieces: list[CorpusPiece],
    batch: int,
    max_notes: int,
    bucket: int,
    rng: np.random.Generator,
    *,
    weights: np.ndarray | None = None,
    voices: int = 0,
    voice_drop: float = 0.0,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``bucket`` batches (tokens, voice slots) from ``bucket * batch`` random windows, grouped
    by length so that each batch is padded only to its own longest window. Pieces are drawn
    uniformly, or in proportion to ``weights``; only which windows share a batch changes with
    bucketing."""
    drawn = (
        rng.integers(len(pieces), size=batch * bucket)
        if weights is None
        else rng.choice(len(pieces), size=batch * bucket, p=weights)
    )
    rows = [window_of(pieces[int(i)], max_notes, rng, voices, voice_drop) for i in drawn]
    rows.sort(key=lambda r: len(r[0]))
    groups = [
        (pad([t for t, _ in rows[i : i + batch]]), pad([v for _, v in rows[i : i + batch]], 0))
        for i in range(0, len(rows), batch)
    ]
    order = rng.permutation(len(groups))
    return [groups[i] for i in order]


def sampling_weights(pieces: list[CorpusPiece], weights: dict[str, float]) -> np.ndarray | None:
    """Each piece's chance to be drawn when collections are weighted (``--weight bach=8``:
    a chorale is drawn 8 times as often as a piece of an unweighted collection).

    >>> p = [CorpusPiece("a", "bach", np.zeros((1, 8))), CorpusPiece("b", "x", np.zeros((1, 8)))]
    >>> sampling_weights(p, {"bach": 3.0}).tolist()
    [0.75, 0.25]
    """
    if not weights:
        return None
    raw = np.array([weights.get(p.collection, 1.0) for p in pieces], dtype=np.float64)
    return raw / raw.sum()


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
    warmup = max(1, args.warmup if args.warmup is not None else int(args.steps * 0.05))
    rng = np.random.default_rng(args.seed)
    generator = torch.Generator(device=device).manual_seed(args.seed)
    started = time.perf_counter()
    notes_seen = 0
    step = 0
    losses: list[float] = []
    queue: list[tuple[torch.Tensor, torch.Tensor]] = []
    weights = sampling_weights(train_set, args.weights)
    lr = 0.0
    with log.open("w") as handle:
        for step in range(1, args.steps + 1):
            # linear warm-up, then linear decay to 0 at the step count or the time budget,
            # whichever is nearer, so a run cut by its budget still ends at a low rate
            progress = max(step / args.steps, (time.perf_counter() - started) / args.train_budget)
            lr = args.lr * max(0.0, min(step / warmup, 1.0 - progress))
            for group in optimiser.param_groups:
                group["lr"] = lr
            if not queue:
                queue = batches(
                    train_set,
                    args.batch,
                    args.max_notes,
                    args.bucket,
                    rng,
                    weights=weights,
                    voices=model.config.voices,
                    voice_drop=args.voice_drop,
                )
            tokens, slots = (t.to(device, non_blocking=True) for t in queue.pop())
            batch = mixed_mask(
                model,
                tokens,
                pitch_share=args.pitch_share,
                pitch_rate=args.pitch_rate,
                generator=generator,
            )
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                loss = masked_loss(model(batch.ids, slots), batch.targets)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            notes_seen += int((tokens[..., 0] >= 0).sum())
            losses.append(loss.item())
            if step % args.log_every == 0 or step == args.steps:
                elapsed = time.perf_counter() - started
                record = {
                    "step": step,
                    "loss": float(np.mean(losses[-args.log_every :])),
                    "lr": lr,
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
        "notes_seen": notes_seen,
        "first_loss": float(np.mean(losses[: args.log_every])),
        "final_loss": float(np.mean(losses[-args.log_every :])),
    }


def slots_of(model: MusicBert, piece: CorpusPiece) -> np.ndarray:
    """The voice slots ``model`` reads for ``piece`` (all 0 without slots or parts)."""
    if not model.config.voices or piece.parts is None:
        return np.zeros(len(piece.tokens), dtype=np.int64)
    return voice_slots(piece.parts, model.config.voices)


@torch.no_grad()
def pitch_accuracy(
    model: MusicBert, pieces: list[CorpusPiece], device: torch.device, seed: int
) -> dict[str, float]:
    """Single-note pitch masking on held-out pieces (an eighth of the notes, all <mask>): the
    share predicted exactly and the mean loss in nats, the question the surprise score asks."""
    model.eval()
    generator = torch.Generator(device=device).manual_seed(seed)
    right = total = 0
    nll = 0.0
    size = model.config.max_notes
    for piece in pieces:
        tokens = torch.as_tensor(piece.tokens[:size].astype(np.int64), device=device)[None]
        slots = torch.as_tensor(slots_of(model, piece)[:size], device=device)[None]
        batch = note_pitch_mask(model, tokens, rate=0.125, generator=generator)
        chosen = batch.targets[..., PITCH] != -100
        if not chosen.any():
            continue
        ids = batch.ids.clone()
        ids[..., PITCH] = torch.where(
            chosen, model.config.mask_id, model.joint_ids(tokens)[..., PITCH]
        )
        hidden, _ = model.hidden_states(ids, slots)
        logits = model.field_logits_at(hidden[chosen], PITCH).float()
        target = batch.targets[..., PITCH][chosen]
        right += int((logits.argmax(-1) == target).sum())
        nll += float(torch.nn.functional.cross_entropy(logits, target, reduction="sum"))
        total += int(chosen.sum())
    return {"accuracy": right / max(total, 1), "nll": nll / max(total, 1), "notes": total}


def evaluate(
    model: MusicBert,
    held: list[CorpusPiece],
    device: torch.device,
    seed: int,
    *,
    initial: MusicBert | None = None,
    probes: bool = True,
) -> dict[str, object]:
    masked_pieces = [p.tokens for p in held[:300]]
    chorales = [p for p in held if p.collection == "bach"]
    random_model = MusicBert(model.config).to(device).eval()
    model.eval()
    result: dict[str, object] = {
        "masked_accuracy_pretrained": masked_token_accuracy(model, masked_pieces, seed=seed),
        "masked_accuracy_random_init": masked_token_accuracy(
            random_model, masked_pieces, seed=seed
        ),
        "pitch_accuracy_pretrained": pitch_accuracy(model, held[:300], device, seed),
        "pitch_accuracy_random_init": pitch_accuracy(random_model, held[:300], device, seed),
        # The held-out chorales apart: four voices of one instrument, where voice slots
        # should tell (and the first 300 held-out pieces hold few of them).
        "pitch_accuracy_chorales": pitch_accuracy(model, chorales, device, seed),
    }
    if initial is not None:
        initial.to(device).eval()
        result["masked_accuracy_init_from"] = masked_token_accuracy(
            initial, masked_pieces, seed=seed
        )
        result["pitch_accuracy_init_from"] = pitch_accuracy(initial, held[:300], device, seed)
        result["pitch_accuracy_chorales_init_from"] = pitch_accuracy(
            initial, chorales, device, seed
        )
    if not probes:
        return result
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
    return {
        **result,
        "probe_task": "corpus collection of held-out pieces",
        "probe_classes": {name: len(per_class[name][:150]) for name in sorted(per_class)},
        "probe_train": len(train_idx),
        "probe_test": len(test_idx),
        "probe_accuracy": probes,
        "majority_baseline": majority,
    }


def save_corpus(pieces: list[CorpusPiece], path: Path) -> None:
    """The parsed corpus in one compressed npz (tokens concatenated, with each piece's name,
    collection and row offset), so a later run can skip the parse."""
    offsets = np.cumsum([0] + [len(p.tokens) for p in pieces])
    parts = (
        {"parts": np.concatenate([p.parts for p in pieces]).astype(np.int16)}
        if all(p.parts is not None for p in pieces)
        else {}
    )
    np.savez_compressed(
        path,
        tokens=np.concatenate([p.tokens for p in pieces]).astype(np.int16),
        offsets=offsets,
        names=np.array([p.name for p in pieces]),
        collections=np.array([p.collection for p in pieces]),
        **parts,
    )


def load_corpus(path: Path) -> list[CorpusPiece]:
    """Pieces from a ``save_corpus`` file. Each array is read once: indexing the npz per piece
    would decompress the whole token array again for every one of 15,000 pieces."""
    data = np.load(path)
    tokens, offsets = data["tokens"], data["offsets"]
    names, collections = data["names"], data["collections"]
    parts = data["parts"] if "parts" in data.files else None
    return [
        CorpusPiece(
            str(names[i]),
            str(collections[i]),
            tokens[offsets[i] : offsets[i + 1]],
            None if parts is None else parts[offsets[i] : offsets[i + 1]],
        )
        for i in range(len(names))
    ]


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
    parser.add_argument("--warmup", type=int, default=None, help="steps (default 5%% of --steps)")
    parser.add_argument(
        "--pitch-share",
        type=float,
        default=0.5,
        help="share of windows masked by single-note pitch masking instead of bar-level",
    )
    parser.add_argument(
        "--pitch-rate", type=float, default=0.125, help="notes whose pitch is hidden"
    )
    parser.add_argument("--bucket", type=int, default=8, help="batches grouped by window length")
    parser.add_argument("--init-from", type=Path, default=None, help="resume this checkpoint")
    parser.add_argument("--no-probe", action="store_true", help="skip the linear probes")
    parser.add_argument("--corpus", type=Path, default=None, help="read a --save-corpus npz")
    parser.add_argument(
        "--save-corpus", type=Path, default=None, help="also write the parsed corpus (npz)"
    )
    parser.add_argument(
        "--voices",
        type=int,
        default=None,
        help="voice slots (0: none); default: the --init-from checkpoint's, else 0",
    )
    parser.add_argument(
        "--voice-drop", type=float, default=0.1, help="share of windows trained as voices unknown"
    )
    parser.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="COLLECTION=W",
        help="draw this collection's pieces W times as often (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiny", action="store_true", help="CPU smoke test: a few files/steps")
    args = parser.parse_args()
    try:
        args.weights = {k: float(v) for k, v in (w.split("=", 1) for w in args.weight)}
    except ValueError:
        parser.error("--weight takes COLLECTION=W, W a number")
    if args.tiny:
        args.max_files, args.steps, args.batch, args.max_notes, args.log_every = 40, 5, 4, 64, 1
        args.bucket = 2
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    started = time.perf_counter()
    if args.corpus:
        pieces = load_corpus(args.corpus)
    else:
        pieces = encode_corpus(args.workers, max_files=args.max_files, budget_s=args.data_budget)
    data_s = time.perf_counter() - started
    held = [p for p in pieces if held_out(p.name)]
    train_set = [p for p in pieces if not held_out(p.name)]
    print(
        f"data: {len(pieces)} pieces ({len(train_set)} train, {len(held)} held out), "
        f"{sum(len(p.tokens) for p in pieces)} notes, {data_s:.0f} s",
        flush=True,
    )
    if args.save_corpus:
        save_corpus(pieces, args.save_corpus)
    initial = None
    if args.init_from:
        initial = MusicBert.load(args.init_from)
        config = initial.config
        if args.voices is not None and args.voices != config.voices:
            # New voice slots start at zero (MusicBert.__init__), so the resumed model answers
            # as the checkpoint did until training teaches the slots apart.
            config = MusicBertConfig(**{**config.__dict__, "voices": args.voices})
            model = MusicBert(config)
            missing, unexpected = model.load_state_dict(initial.state_dict(), strict=False)
            if unexpected or any(not k.startswith("embed_voices") for k in missing):
                raise SystemExit(f"--init-from does not fit: {missing} {unexpected}")
        else:
            model = MusicBert.load(args.init_from)
        args.max_notes = min(args.max_notes, config.max_notes)
    else:
        config = MusicBertConfig.small()
        if args.tiny:
            config = MusicBertConfig(
                hidden=32, layers=1, heads=2, ffn=64, max_notes=64, name="tiny"
            )
        config = MusicBertConfig(
            **{**config.__dict__, "max_notes": args.max_notes, "voices": args.voices or 0}
        )
        model = MusicBert(config)
    args.out.mkdir(parents=True, exist_ok=True)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    stats = train(model, train_set, args, device, args.out / "train_log.jsonl")
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.type == "cuda" else None
    model.save(args.out)
    evaluation = (
        evaluate(model, held, device, args.seed, initial=initial, probes=not args.no_probe)
        if len(held) >= 40
        else {}
    )
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
            "warmup": args.warmup,
            "pitch_share": args.pitch_share,
            "pitch_rate": args.pitch_rate,
            "bucket": args.bucket,
            "voices": config.voices,
            "voice_drop": args.voice_drop,
            "weights": args.weights,
            "init_from": str(args.init_from) if args.init_from else None,
            "train_budget_s": args.train_budget,
            "peak_gpu_mib": round(peak, 1) if peak else None,
        },
        "evaluation": evaluation,
        "perplexity_final": math.exp(min(stats["final_loss"], 50)),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2), flush=True)


if __name__ == "__main__":
    main()
