"""Experiment driver for issue #5 acceptance 2 (exploratory, 2026-11-30).

prep  : parse the whole music21 corpus (pool), save all pieces (npz) for later calls.
train : pre-train MusicBERT (from scratch or resumed), time-based LR schedule.
feats : frozen features of held-out pieces for several encoders (pre-trained / random init),
        original and neutralised tokens; per-piece and per-8-bar-excerpt vectors.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[3]  # the repository root
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench"))

from encoder_eval import load_pieces as read_cache  # bench/encoder_eval.py: the same cache,
from encoder_eval import neutralise, save_pieces  # split and cues
from pretrain_musicbert import windows

from etude.encoders.corpus import CorpusPiece, encode_corpus, held_out
from etude.encoders.evaluation import masked_token_accuracy
from etude.encoders.musicbert import (
    MusicBert,
    MusicBertConfig,
    bar_level_mask,
    masked_loss,
    parameter_count,
)
from etude.encoders.octuple import BAR

FOLK = {
    "essenFolksong",
    "oneills1850",
    "airdsAirs",
    "ryansMammoth",
    "miscFolk",
    "nottingham-dataset",
}


def load_pieces(path):
    """(name, collection, tokens) per piece, from the corpus cache bench/encoder_eval.py writes."""
    return [(p.name, p.collection, p.tokens) for p in read_cache(Path(path))]


def cmd_prep(a):
    t = time.perf_counter()
    pieces = encode_corpus(a.workers, max_files=a.max_files, budget_s=a.budget)
    print(f"prep: {len(pieces)} pieces in {time.perf_counter() - t:.0f} s", flush=True)
    save_pieces(pieces, a.out)
    held = [p for p in pieces if held_out(p.name)]
    save_pieces(held, a.held)
    print(
        "held-out by collection:",
        dict(Counter(p.collection for p in held).most_common()),
        flush=True,
    )


def cmd_train(a):
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data = load_pieces(a.data)
    train_set = [CorpusPiece(n, c, t) for n, c, t in data if not held_out(n)]
    held = [t for n, c, t in data if held_out(n)]
    if a.init_from:
        model = MusicBert.load(Path(a.init_from))
        config = model.config
    else:
        config = MusicBertConfig(
            hidden=a.hidden,
            layers=a.layers,
            heads=a.heads,
            ffn=a.ffn,
            max_notes=a.max_notes,
            name=a.name,
        )
        model = MusicBert(config)
    model.to(dev).train()
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01, betas=(0.9, 0.98))
    rng = np.random.default_rng(a.seed)
    gen = torch.Generator(device=dev).manual_seed(a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    notes = 0
    losses = []
    step = 0
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    with (out / "train_log.jsonl").open("w") as log:
        for step in range(1, a.steps + 1):
            el = time.perf_counter() - t0
            progress = max(step / a.steps, el / a.budget)
            f = min(step / a.warmup, max(0.0, 1 - progress) / (1 - min(0.99, a.warmup / a.steps)))
            f = min(f, 1.0)
            for g in opt.param_groups:
                g["lr"] = a.lr * f
            tokens = windows(train_set, a.batch, a.max_notes, rng).to(dev, non_blocking=True)
            batch = bar_level_mask(model, tokens, rate=0.15, generator=gen)
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda"):
                loss = masked_loss(model(batch.ids), batch.targets)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            notes += int((tokens[..., 0] >= 0).sum())
            losses.append(loss.item())
            if step % a.log_every == 0:
                el = time.perf_counter() - t0
                rec = {
                    "step": step,
                    "loss": float(np.mean(losses[-a.log_every :])),
                    "lr": a.lr * f,
                    "elapsed_s": round(el, 1),
                    "notes_per_s": round(notes / el),
                }
                log.write(json.dumps(rec) + "\n")
                log.flush()
                print(f"train[{a.name}]: {rec}", flush=True)
            if progress >= 1.0:
                break
    el = time.perf_counter() - t0
    peak = torch.cuda.max_memory_allocated() / 2**20 if dev.type == "cuda" else 0.0
    model.save(out)
    model.eval()
    rnd = MusicBert(config).to(dev).eval()
    mp = [t for t in held[:300]]
    summary = {
        "model": config.name,
        "parameters": parameter_count(model),
        "device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "init_from": a.init_from,
        "data": {
            "pieces": len(data),
            "train_pieces": len(train_set),
            "held_out_pieces": len(held),
            "notes": int(sum(len(t) for _, _, t in data)),
        },
        "train": {
            "steps": step,
            "train_s": round(el, 1),
            "notes_per_s": round(notes / el),
            "first_loss": float(np.mean(losses[: a.log_every])),
            "final_loss": float(np.mean(losses[-a.log_every :])),
            "batch": a.batch,
            "max_notes": a.max_notes,
            "lr": a.lr,
            "peak_gpu_mib": round(peak, 1),
            "schedule": "linear warm-up then linear decay to 0 over min(steps, time budget)",
            "budget_s": a.budget,
        },
        "evaluation": {
            "masked_accuracy_pretrained": masked_token_accuracy(model, mp, seed=a.seed),
            "masked_accuracy_random_init": masked_token_accuracy(rnd, mp, seed=a.seed),
        },
        "perplexity_final": math.exp(min(float(np.mean(losses[-a.log_every :])), 50)),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(
        json.dumps(summary["train"]),
        json.dumps(summary["evaluation"]["masked_accuracy_pretrained"]),
        flush=True,
    )


@torch.no_grad()
def piece_feats(model, tokens, mid):
    """layer-0 mean, mid-layer mean, last-layer mean, last-layer bar-mean (the tool's), last std;
    plus 8-bar excerpt vectors (mean of bar means) for last and mid layer."""
    dev = model.embed_tokens.weight.device
    L = model.config.layers
    states = {0: [], mid: [], L: []}
    for s in range(0, len(tokens), model.config.max_notes):
        w = torch.as_tensor(tokens[s : s + model.config.max_notes], dtype=torch.long, device=dev)[
            None
        ]
        st, _ = model.layer_states(model.joint_ids(w))
        for k in states:
            states[k].append(st[k][0].float())
    st = {k: torch.cat(v) for k, v in states.items()}
    bars = torch.as_tensor(tokens[:, BAR].astype(np.int64), device=dev)
    ub, inv = torch.unique(bars, return_inverse=True)

    def barmeans(x):
        sums = torch.zeros(len(ub), x.shape[1], device=dev).index_add_(0, inv, x)
        cnt = torch.zeros(len(ub), device=dev).index_add_(0, inv, torch.ones(len(x), device=dev))
        return sums / cnt[:, None]

    bl, bm = barmeans(st[L]), barmeans(st[mid])
    piece = torch.stack(
        [st[0].mean(0), st[mid].mean(0), st[L].mean(0), bl.mean(0), st[L].std(0, unbiased=False)]
    )
    chunk = torch.div(ub, 8, rounding_mode="floor")
    uc, cinv = torch.unique(chunk, return_inverse=True)

    def cm(x):
        sums = torch.zeros(len(uc), x.shape[1], device=dev).index_add_(0, cinv, x)
        cnt = torch.zeros(len(uc), device=dev).index_add_(0, cinv, torch.ones(len(x), device=dev))
        return sums / cnt[:, None]

    ex = torch.stack([cm(bl), cm(bm)], 1)  # (chunks, 2, H)
    return (
        piece.cpu().numpy().astype(np.float16),
        ex.cpu().numpy().astype(np.float16),
        uc.cpu().numpy(),
    )


def cmd_feats(a):
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    held = load_pieces(a.held)
    rng = np.random.default_rng(123)
    shifts = rng.integers(-6, 6, size=len(held))
    variants = {
        "orig": [t.astype(np.int64) for _, _, t in held],
        "neut": [neutralise(t, int(s)) for (_, _, t), s in zip(held, shifts)],
    }
    for spec in a.models:
        label, src = spec.split("=")
        if src.startswith("random:"):
            layers = int(src.split(":")[1])
            torch.manual_seed(int(src.split(":")[2]) if src.count(":") > 1 else 0)
            cfg = MusicBertConfig(
                hidden=256, layers=layers, heads=4, ffn=1024, max_notes=512, name=f"random{layers}"
            )
            model = MusicBert(cfg).eval()
        else:
            model = MusicBert.load(Path(src))
        model.to(dev).eval()
        mid = model.config.layers // 2
        t = time.perf_counter()
        res = {}
        for v, toks in variants.items():
            P, E, EP, EC = [], [], [], []
            for i, tk in enumerate(toks):
                p, e, c = piece_feats(model, tk, mid)
                P.append(p)
                if held[i][1] not in FOLK:
                    E.append(e)
                    EP.append(np.full(len(c), i))
                    EC.append(c)
            res[f"{v}_piece"] = np.stack(P)
            res[f"{v}_ex"] = np.concatenate(E)
            res[f"{v}_ex_piece"] = np.concatenate(EP)
            res[f"{v}_ex_chunk"] = np.concatenate(EC)
        np.savez(Path(a.outdir) / f"feats_{label}.npz", **res)
        print(
            f"feats {label}: {time.perf_counter() - t:.0f} s, piece {res['orig_piece'].shape}, ex {res['orig_ex'].shape}",
            flush=True,
        )
    np.save(Path(a.outdir) / "shifts.npy", shifts)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("prep")
    s.add_argument("--out")
    s.add_argument("--held")
    s.add_argument("--workers", type=int, default=15)
    s.add_argument("--budget", type=float, default=170)
    s.add_argument("--max-files", type=int, default=None)
    s = sub.add_parser("train")
    for k, v in dict(data=None, out=None, init_from=None, name="musicbert-small").items():
        s.add_argument("--" + k.replace("_", "-"), dest=k, default=v)
    for k, v in dict(
        hidden=256,
        layers=4,
        heads=4,
        ffn=1024,
        max_notes=512,
        steps=100000,
        warmup=300,
        batch=64,
        log_every=100,
        seed=0,
    ).items():
        s.add_argument("--" + k.replace("_", "-"), dest=k, type=int, default=v)
    s.add_argument("--lr", type=float, default=5e-4)
    s.add_argument("--budget", type=float, default=280)
    s = sub.add_parser("feats")
    s.add_argument("--held")
    s.add_argument("--outdir")
    s.add_argument("--models", nargs="+")
    a = p.parse_args()
    {"prep": cmd_prep, "train": cmd_train, "feats": cmd_feats}[a.cmd](a)


if __name__ == "__main__":
    main()
