"""QLoRA at the production scale: a RANDOMLY INITIALISED Llama-2-7B-shaped model on the lent GPU.

No 7B weights can be downloaded onto the device machine, so this builds the Llama-2-7b
architecture from its config values with random weights (normal, std 0.02, transformers' own
init), saves it as a plain Hugging Face folder, and trains it through the project's real
fine-tuning code (``etude.finetune.train.train`` with a ``FinetuneConfig`` whose ``model`` is that
folder's path: the same ``load_base`` / ``attach_lora`` / ``Trainer`` path as ``etude finetune
train --model /models/llama-2-7b-chat-hf``). What it measures is the *cost* of QLoRA at this
shape (weight memory, peak GPU memory, tokens/s) and that the loss falls; the loss values of a
random model say nothing about a pretrained one.

Tokenizer: the embedded SmolLM2 tokenizer (49,152 tokens, with its chat template), because no
Llama-2 tokenizer is available offline. The model's ``vocab_size`` is set to 49,152 rather than
Llama-2's 32,000 (remapping ids into 32,000 would merge unrelated tokens); that adds
2 × 17,152 × hidden parameters to the embedding and the output layer (140.5 M at 7B, 175.6 M at
13B), both of which stay in bf16 under NF4. A random model's first loss is then about
ln(49,152) ≈ 10.80 rather than ln(32,000) ≈ 10.37.

Phases, each in its own process so one phase's peak memory does not leak into the next:

1. ``build``  — the random model, made directly in bf16 on the GPU, saved with its tokenizer;
2. ``train``  — ``--mode nf4``: QLoRA (NF4, double quant, bf16 compute, paged AdamW 32-bit);
   ``--mode bf16``: plain LoRA on the bf16 model with ``adamw_torch``; same data, steps, seed,
   LoRA rank and targets (the ``FinetuneConfig`` defaults: r 8, alpha 16, all linear layers,
   batch 4, max 1,024 tokens, activation checkpointing, lr 2e-4 constant);
3. ``all``    — 7B build, 7B nf4, 7B bf16, then the 13B shape (nf4 only) if the deadline leaves
   time; writes bench.json and log.txt to ``--out`` after every phase and prints the table.

On the device (wheels for bitsandbytes, peft and pydantic carried; bench/runs/qlora-scale/
device_call.sh is the exact call, and bench/RESULTS.md, issue #23, the results):

    python3 bench/qlora_scale.py all --data DIR_WITH_train.jsonl --tokenizer TOKENIZER_DIR \\
        --out $OUT --steps 60 --shapes 7b,13b --deadline 545
    python3 bench/qlora_scale.py table bench/runs/qlora-scale/bench.json   # here, the table

``--tiny`` swaps the shapes for a two-layer model so the whole pipeline can be checked on a CPU.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

STARTED = time.perf_counter()
MIB = 2**20

# Llama-2's published configs (config.json of meta-llama/Llama-2-{7,13}b-hf), written out here;
# only vocab_size differs (see the module docstring) and pad_token_id is the tokenizer's.
LLAMA2_COMMON: dict[str, Any] = {
    "model_type": "llama",
    "architectures": ["LlamaForCausalLM"],
    "hidden_act": "silu",
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "initializer_range": 0.02,
    "attention_bias": False,
    "mlp_bias": False,
    "tie_word_embeddings": False,
    "pretraining_tp": 1,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "use_cache": False,
}
SHAPES: dict[str, dict[str, int]] = {
    "7b": {
        "hidden_size": 4096,
        "intermediate_size": 11008,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 32,
    },
    "13b": {
        "hidden_size": 5120,
        "intermediate_size": 13824,
        "num_hidden_layers": 40,
        "num_attention_heads": 40,
        "num_key_value_heads": 40,
    },
    "tiny": {
        "hidden_size": 64,
        "intermediate_size": 172,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
    },
}
LLAMA2_VOCAB = 32000
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


def elapsed() -> float:
    return time.perf_counter() - STARTED


def model_config(shape: str, tokenizer_dir: Path) -> Any:
    """A LlamaConfig of the named shape whose vocabulary is the tokenizer's."""
    from transformers import AutoTokenizer, LlamaConfig

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    vocab = len(tokenizer)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    values = {**LLAMA2_COMMON, **SHAPES[shape], "vocab_size": vocab, "pad_token_id": pad}
    values["bos_token_id"] = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else 1
    values["eos_token_id"] = tokenizer.eos_token_id
    values.pop("model_type")
    values.pop("architectures")
    config = LlamaConfig(**values)
    config.architectures = ["LlamaForCausalLM"]
    return config


def build_phase(args: argparse.Namespace) -> dict[str, Any]:
    """The random model in bf16, made on the GPU (no fp32 copy on the CPU), saved to a folder."""
    import torch
    from transformers import AutoModelForCausalLM, set_seed

    set_seed(args.seed)
    target = Path(args.model_dir)
    shutil.rmtree(target, ignore_errors=True)
    config = model_config(args.shape, Path(args.tokenizer))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    started = time.perf_counter()
    with torch.device(device):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    if device == "cuda":
        torch.cuda.synchronize()
    built_s = time.perf_counter() - started
    parameters = sum(p.numel() for p in model.parameters())
    linear = sum(
        m.weight.numel()
        for name, m in model.named_modules()
        if isinstance(m, torch.nn.Linear) and not name.endswith("lm_head")
    )
    started = time.perf_counter()
    model.save_pretrained(target, max_shard_size="4GB")
    for name in TOKENIZER_FILES:
        if (Path(args.tokenizer) / name).exists():
            shutil.copy(Path(args.tokenizer) / name, target / name)
    saved_s = time.perf_counter() - started
    on_disk = sum(p.stat().st_size for p in target.glob("*.safetensors"))
    return {
        "shape": args.shape,
        "config": {k: getattr(config, k) for k in (*SHAPES[args.shape], "vocab_size")},
        "parameters": parameters,
        "decoder_linear_parameters": linear,
        "build_s": round(built_s, 1),
        "save_s": round(saved_s, 1),
        "safetensors_bytes": on_disk,
        "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
    }


def step_clock() -> Any:
    """A Trainer callback: per-step wall times and tokens, the load-time peak, the device view."""
    import torch
    from transformers import TrainerCallback

    cuda = torch.cuda.is_available()

    class StepClock(TrainerCallback):
        def __init__(self) -> None:
            self.marks: list[tuple[float, int, int]] = []
            self.load_peak: int | None = None
            self.device_used_peak = 0

        def on_train_begin(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            if cuda:
                torch.cuda.synchronize()
                # train() reset the peak before loading: this is the load's peak. Reset again so
                # the summary's peak_gpu_memory_mib is the training steps' own.
                self.load_peak = torch.cuda.max_memory_allocated()
                torch.cuda.reset_peak_memory_stats()
            self.marks.append((time.perf_counter(), 0, 0))

        def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            if cuda:
                torch.cuda.synchronize()
                free, total = torch.cuda.mem_get_info()
                self.device_used_peak = max(self.device_used_peak, total - free)
            tokens = int(state.num_input_tokens_seen or 0)
            self.marks.append((time.perf_counter(), int(state.global_step), tokens))

    return StepClock()


def train_phase(args: argparse.Namespace) -> dict[str, Any]:
    """One real ``etude.finetune.train.train`` run on the saved random model."""
    import torch

    from etude.finetune.config import FinetuneConfig
    from etude.finetune.train import METRICS_FILE, train

    data_dir = Path(args.runs) / "train-only"  # training alone: no validation split
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(args.data) / "train.jsonl", data_dir / "train.jsonl")
    nf4 = args.mode == "nf4"
    config = FinetuneConfig(
        model=args.model_dir,
        data_dir=str(data_dir),
        output_dir=str(Path(args.runs) / f"{args.shape}-{args.mode}"),
        quantization="nf4" if nf4 else "none",
        optim="paged_adamw_32bit" if nf4 else "adamw_torch",
        per_device_train_batch_size=args.batch,
        max_steps=args.steps,
        limit_train=args.steps * args.batch,
        logging_steps=1,
        save_steps=10**6,
        eval_steps=10**6,
        early_stopping_patience=0,
        report_progress=False,
        seed=args.seed,
    )
    clock = step_clock()
    summary = train(config, extra_callbacks=[clock])
    entries = [
        json.loads(line)
        for line in (Path(config.output_dir) / METRICS_FILE).read_text().splitlines()
        if line.strip()
    ]
    losses = [[e["step"], round(e["loss"], 4)] for e in entries if "loss" in e]
    marks = clock.marks
    warm = min(args.warm_steps, len(marks) - 2)
    t0, _, k0 = marks[warm]
    t1, _, k1 = marks[-1]
    steady = (k1 - k0) / (t1 - t0) if t1 > t0 else 0.0
    step_s = [round(b[0] - a[0], 3) for a, b in itertools.pairwise(marks)]
    cuda = torch.cuda.is_available()
    train_peak = summary.peak_gpu_memory_mib or 0.0
    load_peak = (clock.load_peak or 0) / MIB
    return {
        "shape": args.shape,
        "mode": args.mode,
        "optim": config.optim,
        "summary": asdict(summary),
        "losses": losses,
        "step_s": step_s,
        "steady_tokens_per_s": round(steady, 1),
        "steady_from_step": warm,
        "load_peak_mib": round(load_peak, 1),
        "train_peak_mib": train_peak,
        "peak_mib": round(max(load_peak, train_peak), 1),
        "max_reserved_mib": round(torch.cuda.max_memory_reserved() / MIB, 1) if cuda else None,
        "device_used_peak_mib": round(clock.device_used_peak / MIB, 1) if cuda else None,
    }


def child(phase: str, args: argparse.Namespace, log: Path, **extra: Any) -> dict[str, Any]:
    """Run one phase in a fresh process; its last stdout line is its JSON result."""
    command = [sys.executable, __file__, phase, *forwarded(args)]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    left = args.deadline - elapsed() - 5
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=max(10, left)
        )
        rc, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as timeout:
        rc = -9
        out = timeout.stdout.decode() if isinstance(timeout.stdout, bytes) else ""
        err = (timeout.stderr.decode() if isinstance(timeout.stderr, bytes) else "") + "\nTIMEOUT"
    wall = round(time.perf_counter() - started, 1)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(
            f"=== {phase} {extra} rc={rc} {wall}s (at {elapsed():.0f}s)\n"
            f"{out[-3000:]}\n{err[-6000:]}\n"
        )
    if rc != 0:
        print(f"{phase} {extra} failed rc={rc}:\n{err[-2500:]}", flush=True)
        return {"phase": phase, **extra, "error": rc, "process_wall_s": wall}
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["process_wall_s"] = wall
    brief = {k: v for k, v in result.items() if k not in ("losses", "step_s")}
    print(phase, json.dumps(brief), flush=True)
    return result


def forwarded(args: argparse.Namespace) -> list[str]:
    return [
        "--data",
        args.data,
        "--tokenizer",
        args.tokenizer,
        "--runs",
        args.runs,
        "--steps",
        str(args.steps),
        "--batch",
        str(args.batch),
        "--seed",
        str(args.seed),
        "--warm-steps",
        str(args.warm_steps),
    ]


def scratch_dir(shape: str) -> Path:
    """Where the saved random model goes: /dev/shm (RAM) when it has room, else /tmp."""
    need = {"7b": 15e9, "13b": 28e9}.get(shape, 1e8)
    shm = Path("/dev/shm")
    if shm.is_dir() and shutil.disk_usage(shm).free > need * 1.2:
        return shm / f"llama2-{shape}-random"
    return Path(tempfile.gettempdir()) / f"llama2-{shape}-random"


def versions() -> dict[str, str]:
    import importlib.metadata as md

    found = {}
    for name in ("torch", "transformers", "accelerate", "peft", "bitsandbytes"):
        try:
            found[name] = md.version(name)
        except md.PackageNotFoundError:
            found[name] = "missing"
    import torch

    found["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    return found


def run_all(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = out / "log.txt"
    report: dict[str, Any] = {
        "versions": versions(),
        "steps": args.steps,
        "batch": args.batch,
        "seed": args.seed,
        "random_init": True,
    }

    def save() -> None:
        report["elapsed_s"] = round(elapsed(), 1)
        (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")

    shapes = ["tiny"] if args.tiny else args.shapes.split(",")
    for index, shape in enumerate(shapes):
        modes = ["nf4", "bf16"] if shape != "13b" else ["nf4"]
        if index > 0:
            first = report[shapes[0]]
            spent = sum(
                float(v.get("process_wall_s", 0)) for v in first.values() if isinstance(v, dict)
            )
            # The larger shape: about twice the build and one nf4 run, by parameter count.
            estimate = 1.9 * (
                first["build"].get("process_wall_s", 60) + first["nf4"].get("process_wall_s", 90)
            )
            left = args.deadline - elapsed()
            report[f"{shape}_plan"] = {"estimate_s": round(estimate), "left_s": round(left)}
            if "error" in first["nf4"] or estimate > left:
                report[shape] = {"skipped": f"estimated {estimate:.0f}s, {left:.0f}s left"}
                print(f"{shape} skipped: {report[shape]['skipped']} (7B phases took {spent:.0f}s)")
                save()
                break
        model_dir = str(scratch_dir(shape))
        report[shape] = {"model_dir": str(model_dir)}
        report[shape]["build"] = child("build", args, log, shape=shape, model_dir=model_dir)
        save()
        if "error" in report[shape]["build"]:
            break
        for mode in modes:
            report[shape][mode] = child(
                "train", args, log, shape=shape, mode=mode, model_dir=model_dir
            )
            save()
        shutil.rmtree(model_dir, ignore_errors=True)
    save()
    print(table(report))


def table(report: dict[str, Any]) -> str:
    """The results as Markdown: one row per run, then the loss curves and the ratios."""
    rows = [
        "| shape | base weights | params | weights on GPU | peak GPU (allocated) | "
        "peak in use (device) | steps | tokens | train wall | tokens/s | steady tokens/s | "
        "loss first → last |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    curves = []
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for shape in ("tiny", "7b", "13b"):
        block = report.get(shape)
        if not isinstance(block, dict):
            continue
        if "skipped" in block:
            rows.append(f"| {shape} | — skipped: {block['skipped']} |" + " |" * 10)
            continue
        params = block.get("build", {}).get("parameters")
        for mode in ("nf4", "bf16"):
            run = block.get(mode)
            if not run:
                continue
            if "error" in run:
                rows.append(f"| {shape} | {mode}: failed (rc {run['error']}) |" + " |" * 10)
                continue
            found[(shape, mode)] = run
            s = run["summary"]
            label = "NF4 + double quant" if mode == "nf4" else "bf16"
            losses = run["losses"]
            rows.append(
                f"| {shape} | {label} | {params / 1e9:.2f} B | "
                f"{s['model_memory_mib'] or 0:,.0f} MiB | "
                f"{run['peak_mib']:,.0f} MiB | {run['device_used_peak_mib'] or 0:,.0f} MiB | "
                f"{s['steps']} | {s['train_tokens']:,} | {s['wall_s']:.1f} s | "
                f"{s['tokens_per_s']:,.0f} | {run['steady_tokens_per_s']:,.0f} | "
                f"{losses[0][1]:.2f} → {losses[-1][1]:.2f} |"
            )
            marks = [p for p in losses if p[0] in (1, 2, 5) or p[0] % 10 == 0 or p is losses[-1]]
            curves.append(
                f"- {shape} {mode}: " + ", ".join(f"{step}: {loss:.2f}" for step, loss in marks)
            )
    lines = [*rows, "", "Loss by step:", *curves]
    q, b = found.get(("7b", "nf4")), found.get(("7b", "bf16"))
    if q and b:
        qs, bs = q["summary"], b["summary"]
        lines += [
            "",
            f"7B NF4/bf16 weights: {qs['model_memory_mib'] / bs['model_memory_mib']:.3f}; "
            f"QLoRA/LoRA tokens/s: {qs['tokens_per_s'] / bs['tokens_per_s']:.3f} (whole run), "
            f"{q['steady_tokens_per_s'] / b['steady_tokens_per_s']:.3f} (steady); "
            f"7B QLoRA peak allocated {q['peak_mib'] / 1024:.2f} GiB, "
            f"in use on the device {(q['device_used_peak_mib'] or 0) / 1024:.2f} GiB",
        ]
    vocab = report.get("7b", {}).get("build", {}).get("config", {}).get("vocab_size")
    if vocab:
        lines.append(f"Initial loss of a uniform guess: ln({vocab}) = {math.log(vocab):.2f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("phase", choices=["all", "build", "train", "table"])
    parser.add_argument("report", nargs="?", help="bench.json, for 'table'.")
    parser.add_argument("--data", default="", help="Folder with train.jsonl.")
    parser.add_argument("--tokenizer", default="", help="Folder with tokenizer.json.")
    parser.add_argument("--runs", default="/root/qlora-runs")
    parser.add_argument("--out", default="bench/out/qlora-scale")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="7b")
    parser.add_argument("--mode", choices=["nf4", "bf16"], default="nf4")
    parser.add_argument("--model-dir", default="")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--warm-steps", type=int, default=5)
    parser.add_argument("--deadline", type=float, default=560.0)
    parser.add_argument(
        "--shapes", default="7b,13b", help="For 'all': 7b (nf4 and bf16), 13b (nf4 only)."
    )
    parser.add_argument("--tiny", action="store_true", help="A two-layer model (CPU check).")
    args = parser.parse_args()
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.phase == "table":
        print(table(json.loads(Path(args.report).read_text())))
    elif args.phase == "all":
        run_all(args)
    elif args.phase == "build":
        print(json.dumps(build_phase(args)))
    else:
        print(json.dumps(train_phase(args)))


if __name__ == "__main__":
    main()
