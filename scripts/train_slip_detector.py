"""Train the wrong-note detector (``etude.encoders.slip_detector``) on a GPU.

Reads a parsed corpus (``scripts/pretrain_musicbert.py --save-corpus``, or any npz in that
form) and the shipped MusicBERT checkpoint. Pieces the pre-training held out stay unseen: they
are the wrong-note benchmark's. The rest are split into ``--folds`` folds by a hash of their
name; one head is trained per fold on the *other* folds' pieces, so the wrong-note ranker can
read every one of its training pieces through heads that never saw it.

Each step draws random windows (up to 512 notes, transposed by -5..+6 semitones), moves one
note by ±1–2 semitones in ``1 - --clean`` of them (re-sorted as a re-encoded score would be),
and trains the head — a copy of MusicBERT's top ``--layers`` layers, a score per note and one
for "no note was moved" — with cross-entropy over the window's notes and that option. The
layers below stay frozen. Then every head and their mean are evaluated on planted held-out
pieces: how often the moved note scores highest (top-1) and is among the five highest.

    python scripts/train_slip_detector.py --parse corpus.npz     # on a machine with music21
    python scripts/train_slip_detector.py --corpus corpus.npz --out OUT [--steps 3000]
``--parse`` reads the corpus files of the collections the wrong-note benchmark tests (Bach's
chorales in ``.mxl``, the Essen folk-song ABC files; about 3 minutes on 2 cores) into the npz
that ``--corpus`` reads, so the GPU machine needs neither music21 nor the corpus.
CPU smoke test: ``--steps 5 --batch 4 --eval 10``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pretrain_musicbert import load_corpus, pad, window_of

from etude.encoders.corpus import CorpusPiece, held_out
from etude.encoders.musicbert import MusicBert
from etude.encoders.slip_detector import (
    DETECTOR_CONFIG,
    DETECTOR_FILE,
    SlipDetector,
    detector_head,
    fold_of,
    plant_tokens,
)

SHIPPED = "etude/encoders/checkpoints/musicbert-small"


def example(
    piece: CorpusPiece, model: MusicBert, rng: np.random.Generator, clean: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """A window, its voice slots, and the moved row (-1: none moved)."""
    tokens, slots = window_of(piece, model.config.max_notes, rng, model.config.voices)
    if rng.random() < clean:
        return tokens, slots, -1
    planted = plant_tokens(tokens, rng)
    if planted is None:
        return tokens, slots, -1
    moved, order, row = planted
    return moved, slots[order], row


def training_pieces(pieces: list[CorpusPiece], head: int, folds: int) -> list[CorpusPiece]:
    """What head ``head`` trains on: every fold but its own, so that it can read its own
    fold's pieces as unseen (``SlipDetector.log_odds(..., fold=head)``)."""
    return [p for p in pieces if fold_of(p.name, folds) != head]


def train_head(
    model: MusicBert,
    pieces: list[CorpusPiece],
    weights: np.ndarray,
    args: argparse.Namespace,
    device: torch.device,
    seed: int,
) -> tuple[torch.nn.Module, list[dict[str, float]]]:
    head = detector_head(model.config, args.layers)
    if args.resume is not None:  # a head trained before, on the same fold's pieces
        from safetensors.torch import load_file

        prefix = f"fold{seed - args.seed}."
        saved = load_file(str(args.resume / DETECTOR_FILE))
        head.load_state_dict(
            {k[len(prefix) :]: v.float() for k, v in saved.items() if k.startswith(prefix)}
        )
    else:
        head.load_state_dict(
            {
                f"layers.{i}.{k}": v
                for i, layer in enumerate(model.layers[-args.layers :])
                for k, v in layer.state_dict().items()
            },
            strict=False,
        )
    head.to(device).train()
    optimiser = torch.optim.AdamW(head.parameters(), lr=args.lr, weight_decay=0.01)
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    log: list[dict[str, float]] = []
    losses: list[float] = []
    hits: list[float] = []
    for step in range(1, args.steps + 1):
        progress = max(step / args.steps, (time.perf_counter() - started) / args.budget)
        lr = args.lr * max(0.0, min(step / 100, 1.0 - progress))
        for group in optimiser.param_groups:
            group["lr"] = lr
        drawn = rng.choice(len(pieces), size=args.batch, p=weights)
        rows = [example(pieces[int(i)], model, rng, args.clean) for i in drawn]
        tokens = pad([t for t, _, _ in rows]).to(device)
        slots = pad([s for _, s, _ in rows], 0).to(device)
        width = tokens.shape[1]
        target = torch.tensor([r if r >= 0 else width for _, _, r in rows], device=device)
        with torch.no_grad(), torch.autocast(device.type, torch.bfloat16, device.type == "cuda"):
            depth = model.config.layers - args.layers
            states, padding = model.layer_states(model.joint_ids(tokens), slots, depth=depth)
            below = states[-1].float()
        with torch.autocast(device.type, torch.bfloat16, device.type == "cuda"):
            notes, none = head(below, padding)
        logits = torch.cat([notes.float(), none.float()[:, None]], dim=1)
        loss = torch.nn.functional.cross_entropy(logits, target)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(head.parameters(), 1.0)
        optimiser.step()
        losses.append(loss.item())
        hits.append(float((logits.argmax(1) == target).float().mean()))
        if step % args.log_every == 0:
            record = {
                "step": step,
                "loss": float(np.mean(losses[-args.log_every :])),
                "train_top1": float(np.mean(hits[-args.log_every :])),
                "elapsed_s": round(time.perf_counter() - started, 1),
            }
            log.append(record)
            print(f"train: {record}", flush=True)
        if time.perf_counter() - started > args.budget:
            print(f"train: budget reached at step {step}", flush=True)
            break
    return head.eval(), log


def evaluate(
    detector: SlipDetector, pieces: list[CorpusPiece], count: int, seed: int
) -> dict[str, dict[str, float]]:
    """Top-1 and top-5 of the moved note on planted held-out pieces (whole pieces), by
    collection, for each fold's head and for their mean."""
    rng = np.random.default_rng(seed)
    results: dict[str, dict[str, list[float]]] = {}
    for piece in pieces[:count]:
        tokens = piece.tokens.astype(np.int64)
        planted = plant_tokens(tokens, rng)
        if planted is None:
            continue
        moved, order, row = planted
        parts = None if piece.parts is None else piece.parts.astype(np.int64)[order]
        readers = {f"head{f}": f for f in range(len(detector.heads))} | {"mean": None}
        for label, fold in readers.items():
            scores = detector.log_odds(moved, parts, fold)
            rank = int((scores > scores[row]).sum())
            got = results.setdefault(f"{piece.collection}/{label}", {"top1": [], "top5": []})
            got["top1"].append(float(rank == 0))
            got["top5"].append(float(rank < 5))
    return {
        k: {"n": len(v["top1"]), **{m: float(np.mean(v[m])) for m in ("top1", "top5")}}
        for k, v in sorted(results.items())
    }


def _parsed(path: Path) -> list[CorpusPiece]:
    from etude.encoders.corpus import encode_corpus_file

    try:
        return encode_corpus_file(path)
    except Exception as error:  # one unreadable file must not end the parse
        print(f"skipped {path.name}: {error}", file=sys.stderr)
        return []


def parse(path: Path, workers: int) -> None:
    """The benchmark's collections parsed into a ``save_corpus`` npz at ``path``."""
    from multiprocessing import Pool

    from pretrain_musicbert import save_corpus

    from etude.encoders.corpus import collection_of, corpus_paths

    paths = [
        p
        for p in corpus_paths()
        if (collection_of(p) == "bach" and p.suffix == ".mxl")
        or (collection_of(p) == "essenFolksong" and "test" not in p.name)
    ]
    pieces: list[CorpusPiece] = []
    with Pool(workers) as pool:
        for done, found in enumerate(pool.imap_unordered(_parsed, paths), 1):
            pieces.extend(found)
            if done % 100 == 0 or done == len(paths):
                print(f"parse: {done}/{len(paths)} files, {len(pieces)} pieces", flush=True)
    pieces.sort(key=lambda p: p.name)
    save_corpus(pieces, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parse", type=Path, default=None, help="write the parsed corpus here")
    parser.add_argument("--workers", type=int, default=2, help="processes for --parse")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument(
        "--checkpoint", type=Path, default=Path(__file__).resolve().parents[1] / SHIPPED
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument(
        "--resume", type=Path, default=None, help="go on training the heads saved in this folder"
    )
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--budget", type=float, default=180.0, help="seconds per head")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--clean", type=float, default=0.2)
    parser.add_argument("--bach-weight", type=float, default=5.0)
    parser.add_argument("--eval", type=int, default=400, help="held-out pieces to evaluate")
    parser.add_argument("--log-every", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.parse is not None:
        parse(args.parse, args.workers)
        return
    if args.corpus is None or args.out is None:
        parser.error("--corpus and --out (or --parse)")
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    folder = args.checkpoint
    model = MusicBert.load(folder).to(device).eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    pieces = load_corpus(args.corpus)
    train = [p for p in pieces if not held_out(p.name)]
    test = [p for p in pieces if held_out(p.name)]
    np.random.default_rng(args.seed).shuffle(test)  # type: ignore[arg-type]
    print(f"data: {len(train)} training pieces, {len(test)} held out", flush=True)
    heads, logs = [], {}
    for fold in range(args.folds):
        mine = training_pieces(train, fold, args.folds)
        raw = np.array([args.bach_weight if p.collection == "bach" else 1.0 for p in mine])
        print(f"fold {fold}: training on {len(mine)} pieces", flush=True)
        head, log = train_head(model, mine, raw / raw.sum(), args, device, args.seed + fold)
        heads.append(head.cpu())
        logs[f"fold{fold}"] = log
    detector = SlipDetector(model.cpu(), heads, args.layers)
    evaluation = evaluate(detector, test, args.eval, args.seed + 100)
    for label, row in evaluation.items():
        print(f"eval {label}: {row}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import save_file

    tensors = {
        f"fold{f}.{k}": v.detach().to(torch.float16).contiguous()
        for f, head in enumerate(heads)
        for k, v in head.state_dict().items()
    }
    save_file(tensors, str(args.out / DETECTOR_FILE))
    (args.out / DETECTOR_CONFIG).write_text(
        json.dumps({"folds": args.folds, "layers": args.layers}, indent=1) + "\n"
    )
    summary = {
        "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
        "args": {k: str(v) for k, v in vars(args).items()},
        "train": logs,
        "eval": evaluation,
    }
    (args.out / "slip_detector_summary.json").write_text(json.dumps(summary, indent=1) + "\n")


if __name__ == "__main__":
    main()
