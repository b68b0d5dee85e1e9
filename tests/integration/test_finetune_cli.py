"""Acceptance 3 of issue #6 and the fine-tuning CLI: every command prints one JSON object.

Both run the embedded SmolLM2 with and without the shipped QLoRA adapter on a CPU, so the
replies are capped at a few tokens; the full numbers come from the GPU run (bench/RESULTS.md).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import torch

from etude.config import Settings
from tests.etude_cli import run_etude

pytestmark = pytest.mark.integration

MTB_SAMPLE = Path(__file__).parents[1] / "data" / "mtb_sample.jsonl"
SHIPPED_RUN = Path(__file__).parents[2] / "bench" / "runs" / "smollm2-etude"
"""Adapter v2's run records and test split (kept in the repository; v3 replaced it)."""


def etude(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    # One intra-op thread: generation with a 135M model is no faster with two, and far slower
    # when other processes share the cores.
    return run_etude(*args, timeout=600, ETUDE_DATA_DIR=str(data_dir), OMP_NUM_THREADS="1")


def one_object(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    payload = json.loads(lines[0])
    assert isinstance(payload, dict)
    return payload


def test_eval_qa_generates_and_scores_base_and_tuned(data_dir: Path) -> None:
    payload = one_object(
        etude("eval", "qa", "--json", "--limit", "2", "--max-new-tokens", "8", data_dir=data_dir)
    )
    assert payload["n"] == 2
    models = payload["models"]
    assert set(models) == {"base", "tuned"}
    for numbers in models.values():
        assert 0.0 <= numbers["token_f1"] <= 1.0
        assert 0.0 <= numbers["bertscore"]["f1"] <= 1.0
        assert set(numbers["by_source"]) <= {"theory", "knowledge", "critic", "dialogue"}
    assert set(payload["delta"]) >= {"token_f1", "bertscore_f1"}


def test_eval_qa_scores_a_predictions_file(data_dir: Path) -> None:
    predictions = SHIPPED_RUN / "test_predictions.jsonl"
    payload = one_object(
        etude(
            "eval",
            "qa",
            "--json",
            "--no-bertscore",
            "--predictions",
            str(predictions),
            "--test",
            str(SHIPPED_RUN / "test.jsonl"),  # adapter v2's test split, kept with its records
            data_dir=data_dir,
        )
    )
    assert payload["n"] == 362
    base, tuned = payload["models"]["base"], payload["models"]["tuned"]
    # The committed GPU predictions: the adapter's replies are far closer to the references.
    assert tuned["token_f1"] > base["token_f1"] + 0.1


def test_eval_mtb_scores_musictheorybench_multiple_choice(data_dir: Path) -> None:
    payload = one_object(etude("eval", "mtb", str(MTB_SAMPLE), "--json", data_dir=data_dir))
    assert payload["benchmark"] == "MusicTheoryBench"
    assert payload["questions"] == 5  # the dev row (few-shot example) is skipped
    assert payload["published"]["ChatMusician"] == {"knowledge": 40.2, "reasoning": 27.1}
    for name in ("base", "tuned"):
        numbers = payload["models"][name]
        assert numbers["knowledge"]["total"] == 3 and numbers["reasoning"]["total"] == 2
        picks = [choice[name] for choice in payload["choices"]]
        assert set(picks) <= {"A", "B", "C", "D"}
        right = sum(p == c["answer"] for p, c in zip(picks, payload["choices"], strict=True))
        assert numbers["overall"]["correct"] == right
        assert numbers["overall"]["accuracy"] == round(100 * right / 5, 1)


def test_eval_mtb_rejects_a_malformed_file(tmp_path: Path, data_dir: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    row = {"id": 7, "stem": "Which?", "options": {"A": "x", "B": "y"}, "answer": "A"}
    bad.write_text(json.dumps({**row, "subject": "music knowledge"}) + "\n")
    done = etude("eval", "mtb", str(bad), "--json", data_dir=data_dir)
    assert done.returncode == 2
    assert "options" in done.stderr and done.stdout == ""
    missing = etude("eval", "mtb", str(tmp_path / "nope.jsonl"), "--json", data_dir=data_dir)
    assert missing.returncode == 2


def test_finetune_train_prints_one_summary(tmp_path: Path, data_dir: Path) -> None:
    pairs = [("Spell C major.", "C, E and G."), ("Spell G major.", "G, B and D.")]
    data = tmp_path / "data"
    data.mkdir()
    with (data / "train.jsonl").open("w", encoding="utf-8") as handle:
        for question, answer in pairs:
            messages = [
                {"role": "system", "content": "You teach music."},
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer},
            ]
            handle.write(json.dumps({"messages": messages}) + "\n")
    config = tmp_path / "config.json"
    config.write_text(
        json.dumps(
            {
                "quantization": "none",
                "max_steps": 2,
                "per_device_train_batch_size": 2,
                "max_length": 64,
                "gradient_checkpointing": False,
                "logging_steps": 1,
            }
        )
    )
    run = tmp_path / "run"
    payload = one_object(
        etude(
            "finetune",
            "train",
            "--config",
            str(config),
            "--data",
            str(data),
            "--out",
            str(run),
            "--json",
            data_dir=data_dir,
        )
    )
    assert payload["steps"] == 2 and payload["stop_reason"] == "completed"
    assert payload["last_train_loss"] < payload["first_train_loss"]
    assert (run / "adapter" / "adapter_model.safetensors").exists()
    bad = etude("finetune", "train", "--data", str(tmp_path / "none"), "--json", data_dir=data_dir)
    assert bad.returncode == 2 and "training split" in bad.stderr


def test_finetune_data_prints_its_card(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "dataset"
    payload = one_object(
        etude(
            "finetune",
            "data",
            "--out",
            str(out),
            "--critic-pieces",
            "0",
            "--dialogues",
            "10",
            "--json",
            data_dir=data_dir,
        )
    )
    assert payload["total"] > 5000
    assert payload["leakage"] == {"shared_groups": 0, "shared_test_questions": 0}
    assert all((out / f"{split}.jsonl").exists() for split in ("train", "validation", "test"))


def test_the_tutor_runs_the_shipped_adapter_unless_told_not_to(settings: Settings) -> None:
    from etude.llm.loading import load_chat_model

    settings = settings.with_overrides(decoder="transformers")  # its weights are compared
    tuned = load_chat_model(settings)
    base = load_chat_model(settings.with_overrides(adapter="none"))
    assert tuned.model_name == "SmolLM2-135M-Instruct + smollm2-etude"  # type: ignore[attr-defined]
    assert base.model_name == "SmolLM2-135M-Instruct"  # type: ignore[attr-defined]
    tuned_weights = dict(tuned.hf_model.named_parameters())  # type: ignore[attr-defined]
    changed = [
        name
        for name, weight in base.hf_model.named_parameters()  # type: ignore[attr-defined]
        if not torch.equal(weight, tuned_weights[name])
    ]
    assert any("q_proj" in name for name in changed)


def test_ask_refuses_an_adapter_that_is_not_one(tmp_path: Path, data_dir: Path) -> None:
    done = etude("ask", "--adapter", str(tmp_path), "What is a cadence?", data_dir=data_dir)
    assert done.returncode == 2
    assert "not a LoRA adapter directory" in done.stderr and done.stdout == ""


def test_finetune_export_writes_a_gguf_that_loads_back_as_the_tuned_model(
    tmp_path: Path, data_dir: Path, settings: Settings
) -> None:
    """Issue #24: the adapter merged into the embedded base, written as GGUF, read back by
    transformers' GGUF reader (llama.cpp's names and layout): the same next-token scores to
    float16 precision, and the same tokens from the GGUF's own tokenizer."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from etude.config import SHIPPED_ADAPTER
    from etude.llm.loading import embedded_model_dir, load_transformers_model

    target = tmp_path / "etude-tuned.gguf"
    payload = one_object(
        etude("finetune", "export", "--gguf", str(target), "--json", data_dir=data_dir)
    )
    assert payload["gguf"] == str(target) and target.stat().st_size == payload["bytes"]
    tokenizer, tuned = load_transformers_model(
        str(embedded_model_dir(settings)), adapter=str(SHIPPED_ADAPTER), cpu_dtype="float32"
    )
    back = AutoModelForCausalLM.from_pretrained(
        tmp_path, gguf_file=target.name, dtype=torch.float32
    )
    text = "The dominant of C major is G, and its leading tone is"
    ids = tokenizer(text, return_tensors="pt").input_ids
    with torch.no_grad():
        expected, got = tuned(ids).logits, back(ids).logits
    assert (expected - got).abs().max().item() < 0.5
    assert bool((expected.argmax(-1) == got.argmax(-1)).all())
    gguf_tokenizer = AutoTokenizer.from_pretrained(tmp_path, gguf_file=target.name)
    assert gguf_tokenizer(text).input_ids == tokenizer(text).input_ids

    wrong = etude("finetune", "export", "--gguf", str(tmp_path / "model.bin"), data_dir=data_dir)
    assert wrong.returncode == 2 and "must name a .gguf file" in wrong.stderr
