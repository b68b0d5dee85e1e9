"""Acceptance 1 of issue #6: a real CPU LoRA run on a tiny split, on the embedded SmolLM2.

The loss must fall, the adapter must save and reload with the trained weights, checkpoints stay
within ``save_total_limit``, and early stopping must trigger on a crafted validation set whose
answers have nothing to do with the training answers (so validation loss rises from the first
step while the training loss falls). The examples are a few tokens long so that both runs
together take well under a minute on two cores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etude.finetune.config import FinetuneConfig

torch = pytest.importorskip("torch")
pytest.importorskip("peft")

SYSTEM = "You teach music."
TRAIN = [
    ("Spell C major.", "C, E and G."),
    ("Spell G major.", "G, B and D."),
    ("Spell F major.", "F, A and C."),
    ("Spell D major.", "D, F# and A."),
]
UNRELATED = [("Spell C major.", "Bananas grow on tall trees in warm places.")]


@pytest.fixture(autouse=True)
def one_thread() -> object:
    """One intra-op thread: as fast as two on an idle 2-core machine for a model this small, and
    several times faster when other processes share the cores (OpenMP threads then spin)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _messages(question: str, answer: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ]


def _write(path: Path, pairs: list[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for question, answer in pairs:
            handle.write(json.dumps({"id": question, "messages": _messages(question, answer)}))
            handle.write("\n")


def _config(tmp_path: Path, validation: list[tuple[str, str]], **changes: object) -> FinetuneConfig:
    data = tmp_path / "data"
    data.mkdir()
    _write(data / "train.jsonl", TRAIN)
    _write(data / "validation.jsonl", validation)
    base = FinetuneConfig(
        data_dir=str(data),
        output_dir=str(tmp_path / "run"),
        quantization="none",
        learning_rate=3e-3,
        lora_dropout=0.0,
        max_steps=6,
        per_device_train_batch_size=2,
        per_device_eval_batch_size=2,
        max_length=64,
        gradient_checkpointing=False,
        logging_steps=1,
        eval_steps=3,
        save_steps=3,
        save_total_limit=1,
        early_stopping_patience=0,
        report_progress=False,
    )
    return base.with_overrides(**changes)


def _reply_loss(model: object, tokenizer: object, messages: list[dict[str, str]]) -> float:
    from etude.finetune.formatting import tokenize_messages

    row = tokenize_messages(tokenizer, messages, 64)
    assert row is not None
    with torch.no_grad():
        out = model(  # type: ignore[operator]
            input_ids=torch.tensor([row["input_ids"]]), labels=torch.tensor([row["labels"]])
        )
    return float(out.loss)


def _load_unmerged(adapter_dir: Path) -> tuple[object, object]:
    """Tokenizer and base model with the adapter applied but not merged (so that
    ``disable_adapter`` can compare against the bare base), read as a user of the run would."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from etude.finetune.train import base_model_path

    source = base_model_path(FinetuneConfig.load(adapter_dir / "finetune_config.json"))
    has_tokenizer = (adapter_dir / "tokenizer_config.json").exists()
    tokenizer = AutoTokenizer.from_pretrained(adapter_dir if has_tokenizer else source)
    base = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, str(adapter_dir))
    model.eval()
    return tokenizer, model


def test_lora_run_learns_saves_and_reloads(tmp_path: Path) -> None:
    from etude.finetune.train import resume_point, train

    config = _config(tmp_path, TRAIN[:1])
    summary = train(config)

    assert summary.steps == 6 and summary.quantization == "none"
    assert summary.stop_reason == "completed" and not summary.stopped_early
    assert summary.first_train_loss is not None and summary.last_train_loss is not None
    assert summary.last_train_loss < summary.first_train_loss * 0.5
    assert summary.train_tokens > 0 and summary.trainable_parameters > 0
    out = Path(config.output_dir)
    assert (out / "adapter" / "adapter_model.safetensors").exists()
    assert (out / "adapter" / "finetune_config.json").exists()
    assert (out / "loss.png").stat().st_size > 0
    logged = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert sum("eval_loss" in entry for entry in logged) == 2
    assert len(list(out.glob("checkpoint-*"))) <= 1
    assert resume_point(str(out), True) is not None

    # Reloaded from disk, the adapter carries the trained weights: the reply it learned is far
    # likelier than under the bare base model, and merging (as evaluation does) changes nothing.
    messages = _messages(*TRAIN[0])
    tokenizer, tuned = _load_unmerged(out / "adapter")
    tuned_loss = _reply_loss(tuned, tokenizer, messages)
    with tuned.disable_adapter():
        base_loss = _reply_loss(tuned, tokenizer, messages)
    assert tuned_loss < 0.5 * base_loss
    assert _reply_loss(tuned.merge_and_unload(), tokenizer, messages) == pytest.approx(
        tuned_loss, rel=1e-3
    )


def test_early_stopping_triggers_when_validation_loss_rises(tmp_path: Path) -> None:
    from etude.finetune.train import train

    config = _config(
        tmp_path, UNRELATED, max_steps=8, eval_steps=1, save_steps=1, early_stopping_patience=1
    )
    summary = train(config)
    assert summary.stopped_early and summary.stop_reason == "early_stopping"
    assert summary.steps == 2
    lines = Path(config.output_dir, "metrics.jsonl").read_text().splitlines()
    logged = [json.loads(line) for line in lines]
    evals = [entry["eval_loss"] for entry in logged if "eval_loss" in entry]
    assert evals[1] > evals[0]
    # The best checkpoint (after step 1) is what the run keeps as its adapter.
    assert summary.best_eval_loss == pytest.approx(evals[0])
    assert Path(config.output_dir, "adapter", "adapter_model.safetensors").exists()
