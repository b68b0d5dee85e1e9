"""QLoRA on the lent GPU: NF4 vs bf16-LoRA cost, the full tuned run, and base/tuned replies.

Runs on the device machine, which has torch, transformers, accelerate and peft but no
bitsandbytes, gguf, pydantic or LangChain, and whose working tree can carry at most 64 MiB per
call. The embedded SmolLM2 GGUF (98 MB, 90 MB xz-packed) therefore travels in two parts over two
consecutive calls; the first call stashes its part, the wheels and the data in /root/stash
(files outside the repo survive while the machine stays warm), the second reassembles, converts
the GGUF to safetensors with ``etude.llm.gguf`` (as the mentor does), and runs:

1. ``nf4``  — QLoRA (NF4, double quant, bf16 compute), ``--bench-steps`` steps, no evaluation;
2. ``bf16`` — the same LoRA on the bf16 base model;
3. ``full`` — the QLoRA run on the whole training split with validation, early stopping and a
   wall-clock cap that keeps the call inside its limit;
4. ``predict`` — greedy replies of the base model and of base + tuned adapter on the test split.

Each phase runs in its own process so that peak-memory figures are not polluted by the one
before. Writes to OUT: bench.json (every summary), run.tar (adapter, metrics.jsonl, loss.png,
train_summary.json, finetune_config.json), predictions.jsonl and log.txt; the predictions are
scored afterwards on a CPU with ``etude eval qa --predictions`` (BERTScore needs our MiniLM).
An adapter that ships goes to ``etude/finetune/adapters/NAME/`` (adapter, its configs) and
its records to ``bench/runs/NAME/`` (see bench/runs/README.md).

    python bench/finetune_gpu.py stash --stash /root/stash          # call 1
    python bench/finetune_gpu.py all --stash /root/stash --out $OUT  # call 2
    # or, once the cost is measured, all the call's time for training:
    python bench/finetune_gpu.py all --skip-cost-bench --stash /root/stash --out $OUT
"""

from __future__ import annotations

import argparse
import json
import lzma
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from etude.finetune.config import FinetuneConfig  # noqa: E402

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
STARTED = time.perf_counter()


def elapsed() -> float:
    return time.perf_counter() - STARTED


def stash(args: argparse.Namespace) -> None:
    """Call 1: keep this call's carried files (GGUF part, wheels, data) outside the repo."""
    target = Path(args.stash)
    target.mkdir(parents=True, exist_ok=True)
    for folder in args.carried:
        for item in Path(folder).iterdir():
            shutil.copy2(item, target / item.name)
    print("stashed:", sorted(p.name for p in target.iterdir()))
    print(json.dumps(versions()))


def versions() -> dict[str, str]:
    import importlib.metadata as md

    found = {}
    for name in ("torch", "transformers", "accelerate", "peft", "bitsandbytes", "gguf", "numpy"):
        try:
            found[name] = md.version(name)
        except md.PackageNotFoundError:
            found[name] = "missing"
    import torch

    found["gpu"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return found


def assemble(stash_dir: Path, extra: list[str], work: Path) -> tuple[Path, Path]:
    """The GGUF rebuilt from its xz parts, and the data folder unpacked; both under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    parts = sorted(
        [
            *stash_dir.glob("gguf.xz.part*"),
            *(p for f in extra for p in Path(f).glob("gguf.xz.part*")),
        ]
    )
    gguf = work / GGUF_NAME
    if not gguf.exists():
        packed = work / "gguf.xz"
        with packed.open("wb") as handle:
            for part in parts:
                handle.write(part.read_bytes())
        with lzma.open(packed) as source, (work / "partial.gguf").open("wb") as target:
            shutil.copyfileobj(source, target, 1 << 24)
        (work / "partial.gguf").rename(gguf)
        packed.unlink()
    data = work / "data"
    if not (data / "train.jsonl").exists():
        with tarfile.open(stash_dir / "data.tar.xz") as tar:
            tar.extractall(data, filter="data")
    return gguf, data


def convert(gguf: Path, target: Path) -> Path:
    """The GGUF de-quantised to a plain float32 safetensors folder, as the mentor does."""
    from etude.llm.gguf import dequantise

    if (target / "model.safetensors").exists():
        return target
    return dequantise(gguf, target)


def train_phase(args: argparse.Namespace) -> None:
    """One training run in this process; prints its summary as JSON on the last line."""
    from etude.finetune.train import train

    full = args.phase == "full"
    config = FinetuneConfig(
        model=args.base,
        data_dir=args.data,
        output_dir=str(Path(args.runs) / args.phase),
        quantization="none" if args.phase == "bf16" else args.quantization,
        optim=args.optim,
        learning_rate=args.learning_rate,
        per_device_train_batch_size=args.batch,
        per_device_eval_batch_size=args.batch * 2,
        num_train_epochs=args.epochs,
        max_steps=-1 if full else args.bench_steps,
        eval_steps=args.eval_steps,
        save_steps=args.eval_steps if full else 10**6,
        logging_steps=10 if full else 5,
        limit_train=None if full else args.bench_steps * args.batch,
        limit_eval=args.limit_eval,
        max_train_seconds=args.max_train_seconds if full else None,
        early_stopping_patience=3,
        report_progress=False,
    )
    if not full:  # the cost benchmark: training alone, no validation set
        config = config.with_overrides(data_dir=str(Path(args.runs) / "train-only"))
        Path(config.data_dir).mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(args.data) / "train.jsonl", Path(config.data_dir) / "train.jsonl")
    summary = train(config)
    print(json.dumps(asdict(summary)))


def predict_phase(args: argparse.Namespace) -> None:
    from etude.finetune.evaluate import predict, write_predictions

    adapter = Path(args.runs) / "full" / "adapter"
    records, replies, seconds = predict(
        Path(args.data) / "test.jsonl",
        args.base,
        adapter,
        batch_size=64,
        max_new_tokens=args.max_new_tokens,
    )
    write_predictions(Path(args.out) / "predictions.jsonl", records, replies)
    print(json.dumps({"generation_s": seconds, "n": len(records)}))


def run_child(
    phase: str, args: argparse.Namespace, log: Path, **extra: object
) -> dict[str, object]:
    command = [
        sys.executable,
        __file__,
        phase,
        "--data",
        args.data,
        "--base",
        args.base,
        "--runs",
        args.runs,
        "--out",
        args.out,
        "--batch",
        str(args.batch),
        "--bench-steps",
        str(args.bench_steps),
        "--epochs",
        str(args.epochs),
        "--eval-steps",
        str(args.eval_steps),
        "--limit-eval",
        str(args.limit_eval),
        "--max-new-tokens",
        str(args.max_new_tokens),
        "--quantization",
        args.quantization,
        "--optim",
        args.optim,
        "--learning-rate",
        str(args.learning_rate),
    ]
    for key, value in extra.items():
        command += [f"--{key.replace('_', '-')}", str(value)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(
            f"=== {phase} rc={done.returncode} at {elapsed():.0f}s\n"
            f"{done.stdout[-4000:]}\n{done.stderr[-8000:]}\n"
        )
    if done.returncode != 0:
        print(phase, "failed:", done.stderr[-3000:], flush=True)
        return {"phase": phase, "error": done.returncode}
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_wall_s"] = round(time.perf_counter() - started, 1)
    print(phase, json.dumps(result), flush=True)
    return result


def pack_run(run_dir: Path, out: Path) -> None:
    with tarfile.open(out / "run.tar", "w") as tar:
        for name in (
            "adapter",
            "metrics.jsonl",
            "loss.png",
            "train_summary.json",
            "finetune_config.json",
        ):
            if (run_dir / name).exists():
                tar.add(run_dir / name, arcname=name)


def run_all(args: argparse.Namespace) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = out / "log.txt"
    report: dict[str, object] = {"versions": versions()}

    def save() -> None:
        report["elapsed_s"] = round(elapsed(), 1)
        (out / "bench.json").write_text(json.dumps(report, indent=2) + "\n")

    stash_dir = Path(args.stash)
    gguf, data = assemble(stash_dir, args.carried, Path(args.runs) / "model")
    args.data = str(data)
    started = time.perf_counter()
    convert(gguf, Path(args.base))
    report["convert_s"] = round(time.perf_counter() - started, 1)
    save()
    if not args.skip_cost_bench:
        report["nf4"] = run_child("nf4", args, log)
        save()
        report["bf16"] = run_child("bf16", args, log)
        save()
    budget = args.deadline - elapsed() - args.reserve
    report["full_budget_s"] = round(budget, 1)
    report["full"] = run_child("full", args, log, max_train_seconds=max(30, int(budget)))
    save()
    pack_run(Path(args.runs) / "full", out)
    report["predict"] = run_child("predict", args, log)
    save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("phase", choices=["stash", "all", "nf4", "bf16", "full", "predict"])
    parser.add_argument("--stash", default="/root/stash")
    parser.add_argument("--carried", nargs="*", default=[])
    parser.add_argument("--base", default="/root/smollm2-135m")
    parser.add_argument("--data", default="")
    parser.add_argument("--runs", default="/root/runs")
    parser.add_argument("--out", default="bench/out/finetune")
    parser.add_argument("--bench-steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--eval-steps", type=int, default=100)
    parser.add_argument("--limit-eval", type=int, default=192)
    parser.add_argument("--max-new-tokens", type=int, default=160)
    parser.add_argument("--max-train-seconds", type=float, default=None)
    parser.add_argument(
        "--quantization",
        choices=["nf4", "none"],
        default="nf4",
        help="The full run's base weights: NF4 (QLoRA, needs bitsandbytes) or bf16 (LoRA).",
    )
    parser.add_argument(
        "--optim",
        default="paged_adamw_32bit",
        help="Optimizer; without bitsandbytes carried, adamw_torch.",
    )
    parser.add_argument("--learning-rate", type=float, default=2e-4)
    parser.add_argument(
        "--skip-cost-bench",
        action="store_true",
        help="Skip the NF4-vs-bf16 cost runs and give their time to the full training run.",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=540.0,
        help="Seconds this whole call may take (the device limit is 600).",
    )
    parser.add_argument(
        "--reserve",
        type=float,
        default=130.0,
        help="Seconds kept after the full run for packing and predictions.",
    )
    args = parser.parse_args()
    if args.phase == "stash":
        stash(args)
    elif args.phase == "all":
        run_all(args)
    elif args.phase == "predict":
        predict_phase(args)
    else:
        train_phase(args)


if __name__ == "__main__":
    main()
