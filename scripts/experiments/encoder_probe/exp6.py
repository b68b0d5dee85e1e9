"""Issue #5 acceptance 2, experiment 6: bar-level masked LM + piece-level contrastive (NT-Xent).

Resumes from a checkpoint. Each step: B distinct training pieces (never held-out ones), two views
each = a random crop (length uniform in [m/2, m], m = min(len, view_notes), random start, bars
re-based) independently transposed by -5..+6 semitones. Loss = masked LM on both views (the
paper's bar-level masking, exactly as exp.py) + w * NT-Xent(temperature) between the two views'
piece vectors, pooled as MusicBert.embed pools a piece (last layer, mean of bar means, over the
masked views' states) and passed through a small projection head that is discarded afterwards.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from exp import held_out, load_pieces  # noqa: E402  (also puts the repo root on sys.path)

from etude.encoders.evaluation import masked_token_accuracy  # noqa: E402
from etude.encoders.musicbert import (
    MusicBert,
    bar_level_mask,
    masked_loss,
    parameter_count,
)  # noqa: E402
from etude.encoders.octuple import BAR, PITCH  # noqa: E402


def crop_view(tokens: np.ndarray, view_notes: int, rng) -> np.ndarray:
    m = min(len(tokens), view_notes)
    n = int(rng.integers((m + 1) // 2, m + 1))
    s = int(rng.integers(len(tokens) - n + 1))
    t = tokens[s : s + n].astype(np.int64)  # copy
    t[:, BAR] -= t[0, BAR]
    shift = int(rng.integers(-5, 7))
    pitched = t[:, PITCH] < 128
    t[pitched, PITCH] = np.clip(t[pitched, PITCH] + shift, 0, 127)
    return t


def two_views(pieces, batch: int, view_notes: int, rng) -> torch.Tensor:
    """(2B, view_notes, 8): rows i and i+B are the two views of the same piece; -1 pads."""
    out = np.full((2 * batch, view_notes, 8), -1, dtype=np.int64)
    idx = rng.choice(len(pieces), size=batch, replace=False)
    for row, i in enumerate(idx):
        for v in range(2):
            t = crop_view(pieces[int(i)], view_notes, rng)
            out[row + v * batch, : len(t)] = t
    return torch.as_tensor(out)


def piece_vectors(hidden: torch.Tensor, tokens: torch.Tensor, n_bars: int) -> torch.Tensor:
    """Mean over bars of the mean hidden state of each bar's notes (MusicBert.embed's pooling)."""
    b, n, h = hidden.shape
    valid = tokens[..., 0] >= 0
    bars = tokens[..., BAR].clamp(0, n_bars - 1)
    index = (torch.arange(b, device=hidden.device)[:, None] * n_bars + bars)[valid]
    x = hidden.float()[valid]
    sums = torch.zeros(b * n_bars, h, device=hidden.device).index_add_(0, index, x)
    cnt = torch.zeros(b * n_bars, device=hidden.device).index_add_(
        0, index, torch.ones_like(index, dtype=torch.float)
    )
    present = (cnt > 0).float().view(b, n_bars)
    means = (sums / cnt.clamp(min=1)[:, None]).view(b, n_bars, h)
    return (means * present[..., None]).sum(1) / present.sum(1, keepdim=True)


def nt_xent(z: torch.Tensor, temperature: float) -> tuple[torch.Tensor, float]:
    z = F.normalize(z.float(), dim=-1)
    n2 = z.shape[0]
    b = n2 // 2
    sim = z @ z.T / temperature
    sim = sim.masked_fill(torch.eye(n2, dtype=torch.bool, device=z.device), float("-inf"))
    target = torch.cat([torch.arange(b, n2), torch.arange(0, b)]).to(z.device)
    loss = F.cross_entropy(sim, target)
    acc = float((sim.argmax(1) == target).float().mean())
    return loss, acc


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data")
    p.add_argument("--out")
    p.add_argument("--init-from")
    p.add_argument("--batch", type=int, default=256, help="pieces per step (2 views each)")
    p.add_argument("--view-notes", type=int, default=256)
    p.add_argument("--lr", type=float, default=4e-4)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--steps", type=int, default=100000)
    p.add_argument("--budget", type=float, default=240)
    p.add_argument("--temperature", type=float, default=0.1)
    p.add_argument("--weight", type=float, default=1.0)
    p.add_argument("--proj", type=int, default=128)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-pieces", type=int, default=300)
    a = p.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    data = load_pieces(a.data)
    train_set = [t for n, c, t in data if not held_out(n)]
    held = [t for n, c, t in data if held_out(n)]
    model = MusicBert.load(Path(a.init_from))
    config = model.config
    H = config.hidden
    n_bars = config.vocab_sizes[BAR]
    head = torch.nn.Sequential(torch.nn.Linear(H, H), torch.nn.ReLU(), torch.nn.Linear(H, a.proj))
    model.to(dev).train()
    head.to(dev).train()
    params = list(model.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.01, betas=(0.9, 0.98))
    rng = np.random.default_rng(a.seed)
    gen = torch.Generator(device=dev).manual_seed(a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    notes = 0
    hist = {"loss": [], "mlm": [], "nce": [], "nce_acc": []}
    step = 0
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    first = None
    with (out / "train_log.jsonl").open("w") as log:
        for step in range(1, a.steps + 1):
            el = time.perf_counter() - t0
            progress = max(step / a.steps, el / a.budget)
            f = min(
                1.0, step / a.warmup, max(0.0, 1 - progress) / (1 - min(0.99, a.warmup / a.steps))
            )
            for g in opt.param_groups:
                g["lr"] = a.lr * f
            tokens = two_views(train_set, a.batch, a.view_notes, rng).to(dev, non_blocking=True)
            batch = bar_level_mask(model, tokens, rate=0.15, generator=gen)
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cuda"):
                hidden, _ = model.hidden_states(batch.ids)
                mlm = masked_loss(model.field_logits(hidden), batch.targets)
                z = head(piece_vectors(hidden, tokens, n_bars))
            nce, nacc = nt_xent(z, a.temperature)
            loss = mlm + a.weight * nce
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            notes += int((tokens[..., 0] >= 0).sum())
            for k, v in (
                ("loss", loss.item()),
                ("mlm", mlm.item()),
                ("nce", nce.item()),
                ("nce_acc", nacc),
            ):
                hist[k].append(v)
            if step % a.log_every == 0 or progress >= 1.0:
                el = time.perf_counter() - t0
                rec = {
                    "step": step,
                    **{k: float(np.mean(v[-a.log_every :])) for k, v in hist.items()},
                    "lr": a.lr * f,
                    "elapsed_s": round(el, 1),
                    "notes_per_s": round(notes / el),
                }
                if first is None:
                    first = rec
                log.write(json.dumps(rec) + "\n")
                log.flush()
                print(f"train: {rec}", flush=True)
            if progress >= 1.0:
                break
    el = time.perf_counter() - t0
    peak = torch.cuda.max_memory_allocated() / 2**20 if dev.type == "cuda" else 0.0
    model.save(out)  # the encoder only (fp16 safetensors + config.json); the head is discarded
    model.eval()
    mp = held[: a.eval_pieces]
    with torch.no_grad():
        acc_new = masked_token_accuracy(model, mp, seed=a.seed)
        acc_init = masked_token_accuracy(
            MusicBert.load(Path(a.init_from)).to(dev).eval(), mp, seed=a.seed
        )
    summary = {
        "model": config.name,
        "parameters": parameter_count(model),
        "device": torch.cuda.get_device_name() if dev.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "init_from": a.init_from,
        "objective": {
            "masked_lm": "bar-level, rate 0.15, both views",
            "contrastive": "NT-Xent between the two views' piece vectors "
            "(last layer, mean of bar means, of the masked views) through a discarded head "
            f"Linear({H},{H})-ReLU-Linear({H},{a.proj})",
            "temperature": a.temperature,
            "weight": a.weight,
            "views": f"random crop, length U[m/2, m], m = min(len, {a.view_notes}); transposition -5..+6 each",
        },
        "data": {"pieces": len(data), "train_pieces": len(train_set), "held_out_pieces": len(held)},
        "train": {
            "steps": step,
            "train_s": round(el, 1),
            "notes_per_s": round(notes / el),
            "first_log": first,
            "final": {k: float(np.mean(v[-a.log_every :])) for k, v in hist.items()},
            "batch_pieces": a.batch,
            "view_notes": a.view_notes,
            "lr": a.lr,
            "warmup": a.warmup,
            "peak_gpu_mib": round(peak, 1),
            "budget_s": a.budget,
            "schedule": "linear warm-up then linear decay to 0 over min(steps, time budget)",
        },
        "evaluation": {
            "held_out_pieces": len(mp),
            "masked_accuracy_new": acc_new,
            "masked_accuracy_init_from": acc_init,
        },
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary["train"]), json.dumps(summary["evaluation"]), flush=True)


if __name__ == "__main__":
    main()
