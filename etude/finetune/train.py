"""LoRA / QLoRA supervised fine-tuning of the tutor's chat model with peft and transformers.

On CUDA the base model is loaded in 4-bit NF4 with double quantisation (QLoRA); on a CPU it is
trained with plain LoRA in float32. Either way LoRA is attached to a *freshly loaded* model:
calling ``generate()`` on a 4-bit model before attaching LoRA leaves every LoRA gradient empty
and training silently learns nothing, so nothing here generates before training, and
``GradientCheck`` stops a run whose adapters receive no gradient.

A run directory holds the checkpoints (at most ``save_total_limit``), ``adapter/`` (the LoRA
weights, the tokenizer and ``finetune_config.json``), ``metrics.jsonl`` (every logged loss),
``loss.png`` and ``train_summary.json``.

The loop is transformers' own ``Trainer`` over pre-tokenised examples whose prompt tokens are
masked out of the loss (``formatting.tokenize_messages``); trl and datasets are not needed, so
the same code runs in the project's venv and on the lent GPU image, which has neither.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from etude.config import EMBEDDED_MODEL, Settings
from etude.finetune.config import FinetuneConfig
from etude.finetune.formatting import IGNORE_INDEX, read_records, tokenize_messages

log = logging.getLogger(__name__)

ADAPTER_DIR = "adapter"
METRICS_FILE = "metrics.jsonl"
LOSS_PLOT = "loss.png"
SUMMARY_FILE = "train_summary.json"


@dataclass
class TrainSummary:
    """What a run did, written as ``train_summary.json`` (a dataclass, not pydantic: the GPU
    machine that trains has no pydantic)."""

    output_dir: str
    adapter_dir: str
    base_model: str
    quantization: str
    device: str
    train_examples: int
    eval_examples: int
    steps: int
    first_train_loss: float | None
    last_train_loss: float | None
    best_eval_loss: float | None
    stopped_early: bool
    wall_s: float
    train_tokens: int
    tokens_per_s: float
    peak_gpu_memory_mib: float | None
    """Most GPU memory allocated at once, model loading included (the run's footprint)."""
    model_memory_mib: float | None
    """GPU memory the loaded base model took before any adapter or optimizer state."""
    trainable_parameters: int
    stop_reason: str


def base_model_path(config: FinetuneConfig, settings: Settings | None = None) -> str:
    """A directory or hub id that can be trained: the plain safetensors copy for the embedded
    model, because a GGUF-loaded model refuses training."""
    if config.model != EMBEDDED_MODEL:
        return config.model
    from etude.llm.loading import embedded_model_dir

    return str(embedded_model_dir(settings or Settings.from_env()))


def use_nf4(config: FinetuneConfig) -> bool:
    import torch

    if config.quantization == "auto":
        return bool(torch.cuda.is_available())
    return config.quantization == "nf4"


def load_base(config: FinetuneConfig, settings: Settings | None = None) -> tuple[Any, Any]:
    """Tokenizer and a freshly loaded base model, 4-bit NF4 when QLoRA applies."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = base_model_path(config, settings)
    tokenizer = AutoTokenizer.from_pretrained(source)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    cuda = torch.cuda.is_available()
    kwargs: dict[str, Any] = {"dtype": torch.bfloat16 if cuda else torch.float32}
    if use_nf4(config):
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type=config.bnb_4bit_quant_type,
            bnb_4bit_use_double_quant=config.bnb_4bit_use_double_quant,
            bnb_4bit_compute_dtype=getattr(torch, config.bnb_4bit_compute_dtype),
        )
    if cuda:
        kwargs["device_map"] = {"": 0}
    model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    model.config.use_cache = False
    return tokenizer, model


def attach_lora(model: Any, config: FinetuneConfig) -> Any:
    """Wrap a freshly loaded model with trainable LoRA adapters (k-bit preparation for NF4)."""
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    if getattr(model, "is_loaded_in_4bit", False):
        model = prepare_model_for_kbit_training(
            model,
            use_gradient_checkpointing=config.gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
    targets: str | list[str] = (
        config.target_modules
        if config.target_modules == "all-linear"
        else [m.strip() for m in config.target_modules.split(",") if m.strip()]
    )
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=targets,
        bias="none",
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora)


class TokenizedSplit:
    """One split file as a map-style dataset of ``{"input_ids", "labels"}`` rows."""

    def __init__(self, path: Path, tokenizer: Any, max_length: int, limit: int | None) -> None:
        self.rows = [
            row
            for record in read_records(path, limit)
            if (row := tokenize_messages(tokenizer, record["messages"], max_length)) is not None
        ]
        if not self.rows:
            raise ValueError(f"{path}: no usable examples (prompts longer than max_length?)")

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict[str, list[int]]:
        return self.rows[index]

    @property
    def tokens(self) -> int:
        return sum(len(row["input_ids"]) for row in self.rows)


def tokenized(path: Path, tokenizer: Any, max_length: int, limit: int | None) -> TokenizedSplit:
    """The tokenised examples of one split file."""
    return TokenizedSplit(path, tokenizer, max_length, limit)


class PadCollator:
    """Right-pads a batch: ``pad_token_id`` for inputs, ``IGNORE_INDEX`` for labels, mask 0."""

    def __init__(self, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id

    def __call__(self, rows: list[dict[str, list[int]]]) -> dict[str, Any]:
        import torch

        width = max(len(row["input_ids"]) for row in rows)
        ids, labels, mask = [], [], []
        for row in rows:
            gap = width - len(row["input_ids"])
            ids.append([*row["input_ids"], *[self.pad_token_id] * gap])
            labels.append([*row["labels"], *[IGNORE_INDEX] * gap])
            mask.append([1] * len(row["input_ids"]) + [0] * gap)
        return {
            "input_ids": torch.tensor(ids, dtype=torch.long),
            "labels": torch.tensor(labels, dtype=torch.long),
            "attention_mask": torch.tensor(mask, dtype=torch.long),
        }


def checkpointing_arguments(arguments_class: Any, enabled: bool) -> dict[str, Any]:
    """Activation checkpointing, under the argument names this transformers version uses
    (``activation_checkpointing`` since 5.2x; ``gradient_checkpointing`` before)."""
    from dataclasses import fields as dataclass_fields

    names = {f.name for f in dataclass_fields(arguments_class)}
    prefix = "activation" if "activation_checkpointing" in names else "gradient"
    return {
        f"{prefix}_checkpointing": enabled,
        f"{prefix}_checkpointing_kwargs": {"use_reentrant": False},
    }


def training_arguments(config: FinetuneConfig, has_eval: bool) -> Any:
    """transformers ``TrainingArguments`` for this config and hardware."""
    import torch
    from transformers import TrainingArguments

    cuda = torch.cuda.is_available()
    optim = config.optim
    if not cuda and ("paged" in optim or "8bit" in optim):
        optim = "adamw_torch"
    save_steps = config.save_steps
    if has_eval and save_steps % config.eval_steps:
        save_steps = config.eval_steps * max(1, round(save_steps / config.eval_steps))
    return TrainingArguments(
        output_dir=config.output_dir,
        num_train_epochs=config.num_train_epochs,
        max_steps=config.max_steps,
        per_device_train_batch_size=config.per_device_train_batch_size,
        per_device_eval_batch_size=config.per_device_eval_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler_type,
        warmup_steps=config.warmup_ratio,
        max_grad_norm=config.max_grad_norm,
        weight_decay=config.weight_decay,
        optim=optim,
        **checkpointing_arguments(TrainingArguments, config.gradient_checkpointing),
        logging_steps=config.logging_steps,
        eval_strategy="steps" if has_eval else "no",
        eval_steps=config.eval_steps if has_eval else None,
        save_strategy="steps",
        save_steps=save_steps,
        save_total_limit=config.save_total_limit,
        load_best_model_at_end=has_eval,
        metric_for_best_model="eval_loss" if has_eval else None,
        greater_is_better=False if has_eval else None,
        seed=config.seed,
        data_seed=config.seed,
        bf16=cuda,
        use_cpu=not cuda,
        report_to="none",
        disable_tqdm=not config.report_progress,
        dataloader_num_workers=0,
        include_num_input_tokens_seen="non_padding",
        remove_unused_columns=False,
    )


def callbacks(config: FinetuneConfig, has_eval: bool) -> list[Any]:
    from transformers import EarlyStoppingCallback, TrainerCallback

    class MetricsLog(TrainerCallback):
        """Appends every log entry to metrics.jsonl, so a crashed run keeps its curve."""

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **_: Any) -> None:
            if not state.is_world_process_zero or not logs:
                return
            path = Path(args.output_dir) / METRICS_FILE
            path.parent.mkdir(parents=True, exist_ok=True)
            entry = {"step": state.global_step, "epoch": state.epoch, **logs}
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")

    class GradientCheck(TrainerCallback):
        """Fails fast when no LoRA weight got a gradient (the silent no-learning trap)."""

        checked = False

        def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            model = kwargs.get("model")
            if self.checked or model is None:
                return
            self.checked = True
            grads = [
                p.grad for n, p in model.named_parameters() if "lora_" in n and p.requires_grad
            ]
            if grads and all(g is None for g in grads):
                raise RuntimeError(
                    "no LoRA parameter received a gradient: attach LoRA to a freshly loaded "
                    "model (never generate() with a 4-bit model before training)"
                )

    found: list[Any] = [MetricsLog(), GradientCheck()]
    if config.max_train_seconds:
        found.append(TimeLimit(config.max_train_seconds))
    if has_eval and config.early_stopping_patience > 0:
        found.append(
            EarlyStoppingCallback(
                early_stopping_patience=config.early_stopping_patience,
                early_stopping_threshold=config.early_stopping_threshold,
            )
        )
    return found


def _time_limit_class() -> Any:
    from transformers import TrainerCallback

    class _TimeLimit(TrainerCallback):
        """Ends training (gracefully: the adapter is still saved) after ``seconds`` of it."""

        def __init__(self, seconds: float) -> None:
            self.seconds = seconds
            self.started = 0.0
            self.fired = False

        def on_train_begin(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            self.started = time.perf_counter()

        def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            if time.perf_counter() - self.started >= self.seconds:
                self.fired = True
                control.should_training_stop = True
                control.should_evaluate = getattr(args.eval_strategy, "value", "no") != "no"
                control.should_save = True
                control.should_log = True

    return _TimeLimit


def TimeLimit(seconds: float) -> Any:
    """A callback that stops training after ``seconds`` (the device calls are time-boxed)."""
    return _time_limit_class()(seconds)


def plot_losses(metrics_path: Path, out: Path) -> Path | None:
    """Training and validation loss against step, as a PNG; None when nothing was logged."""
    if not metrics_path.exists():
        return None
    entries = [json.loads(line) for line in metrics_path.read_text().splitlines() if line.strip()]
    train = [(e["step"], e["loss"]) for e in entries if "loss" in e]
    evals = [(e["step"], e["eval_loss"]) for e in entries if "eval_loss" in e]
    if not train and not evals:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    if train:
        ax.plot(*zip(*train, strict=True), label="train loss")
    if evals:
        ax.plot(*zip(*evals, strict=True), marker="o", label="validation loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def resume_point(output_dir: str, resume: str | bool | None) -> str | None:
    """The checkpoint to resume from: a path, the latest one for ``True``/"auto", or None."""
    if not resume:
        return None
    if isinstance(resume, str) and resume not in ("auto", "true", "last"):
        return resume
    from transformers.trainer_utils import get_last_checkpoint

    if not Path(output_dir).is_dir():
        return None
    return get_last_checkpoint(output_dir)


def train(
    config: FinetuneConfig,
    *,
    settings: Settings | None = None,
    resume: str | bool | None = None,
    extra_callbacks: list[Any] | None = None,
) -> TrainSummary:
    """Fine-tune per ``config``; returns the summary also written into the run directory."""
    import torch
    from transformers import Trainer, set_seed

    set_seed(config.seed)
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    if not resume:
        (out / METRICS_FILE).unlink(missing_ok=True)
    config.save(out)
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    tokenizer, model = load_base(config, settings)
    model_memory = torch.cuda.memory_allocated() / 2**20 if cuda else None
    model = attach_lora(model, config)
    data_dir = Path(config.data_dir)
    train_set = tokenized(
        data_dir / "train.jsonl", tokenizer, config.max_length, config.limit_train
    )
    eval_path = data_dir / "validation.jsonl"
    eval_set = (
        tokenized(eval_path, tokenizer, config.max_length, config.limit_eval)
        if eval_path.exists()
        else None
    )
    has_eval = eval_set is not None
    trainer = Trainer(
        model=model,
        args=training_arguments(config, has_eval),
        data_collator=PadCollator(tokenizer.pad_token_id),
        train_dataset=train_set,
        eval_dataset=eval_set,
        processing_class=tokenizer,
        callbacks=[*callbacks(config, has_eval), *(extra_callbacks or [])],
    )
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=resume_point(config.output_dir, resume))
    wall = time.perf_counter() - started
    adapter = out / ADAPTER_DIR
    tuned: Any = trainer.model
    tuned.save_pretrained(adapter)
    tokenizer.save_pretrained(adapter)
    config.save(adapter)
    history = trainer.state.log_history
    losses = [h["loss"] for h in history if "loss" in h]
    eval_losses = [h["eval_loss"] for h in history if "eval_loss" in h]
    steps = int(result.global_step)
    tokens = int(trainer.state.num_input_tokens_seen or 0)
    summary = TrainSummary(
        output_dir=str(out),
        adapter_dir=str(adapter),
        base_model=base_model_path(config, settings),
        quantization="nf4" if use_nf4(config) else "none",
        device=torch.cuda.get_device_name(0) if cuda else "cpu",
        train_examples=len(train_set),
        eval_examples=len(eval_set) if eval_set is not None else 0,
        steps=steps,
        first_train_loss=losses[0] if losses else None,
        last_train_loss=losses[-1] if losses else None,
        best_eval_loss=min(eval_losses) if eval_losses else None,
        stopped_early=steps < trainer.state.max_steps,
        wall_s=round(wall, 2),
        train_tokens=tokens,
        tokens_per_s=round(tokens / wall, 1) if wall > 0 else 0.0,
        peak_gpu_memory_mib=round(torch.cuda.max_memory_allocated() / 2**20, 1) if cuda else None,
        model_memory_mib=round(model_memory, 1) if model_memory is not None else None,
        trainable_parameters=sum(p.numel() for p in tuned.parameters() if p.requires_grad),
        stop_reason=stop_reason(trainer, steps),
    )
    (out / SUMMARY_FILE).write_text(json.dumps(asdict(summary), indent=2) + "\n", encoding="utf-8")
    plot_losses(out / METRICS_FILE, out / LOSS_PLOT)
    return summary


def stop_reason(trainer: Any, steps: int) -> str:
    """Why training ended: "completed", "early_stopping" or "time_limit"."""
    if steps >= trainer.state.max_steps:
        return "completed"
    if any(getattr(c, "fired", False) for c in trainer.callback_handler.callbacks):
        return "time_limit"
    return "early_stopping"
