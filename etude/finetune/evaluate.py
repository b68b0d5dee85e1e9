"""Base vs tuned replies on the held-out test split, and the numbers that compare them.

Generation and scoring are separate steps on purpose: replies are generated where the model
runs fastest (the lent GPU, or a CPU for a handful), written as a predictions file, and scored
anywhere, since BERTScore needs our bundled MiniLM, which does not travel to the GPU machine.
This module imports neither pydantic nor LangChain for the same reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from etude.config import SHIPPED_ADAPTER
from etude.finetune.formatting import generation_prompt, read_records

Progress = Callable[[int, int], None]
"""``progress(done, total)``: replies written so far, over every model evaluated."""

BASE = "base"
TUNED = "tuned"


def load_eval_model(base: str, adapter: str | Path | None) -> tuple[Any, Any]:
    """Tokenizer and model in eval mode; the adapter (if any) merged, as the live tutor does."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from etude.hf import offline_and_quiet

    offline_and_quiet()
    cuda = torch.cuda.is_available()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(
        base,
        dtype=torch.bfloat16 if cuda else torch.float32,
        device_map={"": 0} if cuda else None,
    )
    if adapter is not None:
        from etude.llm.loading import merge_adapter

        model = merge_adapter(model, adapter)
    model.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, model


def stop_ids(tokenizer: Any) -> list[int]:
    """End-of-sequence and end-of-turn ids: the template's turn end must stop a reply."""
    ids = {tokenizer.eos_token_id}
    for marker in ("<|im_end|>", "</s>", "<|eot_id|>"):
        found = tokenizer.convert_tokens_to_ids(marker)
        if isinstance(found, int) and found != tokenizer.unk_token_id:
            ids.add(found)
    return sorted(i for i in ids if i is not None)


def generate_texts(
    tokenizer: Any,
    model: Any,
    prompts: list[str],
    *,
    max_new_tokens: int = 160,
    batch_size: int = 16,
    done: Callable[[int], None] | None = None,
) -> list[str]:
    """Greedy continuations of rendered prompts, batched with left padding; ``done(n)`` is
    told how many are written after each batch."""
    import torch

    tokenizer.padding_side = "left"
    replies: list[str] = []
    eos = stop_ids(tokenizer)
    for start in range(0, len(prompts), batch_size):
        batch = tokenizer(
            prompts[start : start + batch_size],
            return_tensors="pt",
            padding=True,
            add_special_tokens=False,
        ).to(model.device)
        with torch.inference_mode():
            out = model.generate(
                **batch,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                eos_token_id=eos,
                pad_token_id=tokenizer.pad_token_id,
            )
        new = out[:, batch["input_ids"].shape[1] :]
        replies.extend(t.strip() for t in tokenizer.batch_decode(new, skip_special_tokens=True))
        if done:
            done(len(replies))
    return replies


def generate_replies(
    tokenizer: Any,
    model: Any,
    records: list[dict[str, Any]],
    *,
    max_new_tokens: int = 160,
    batch_size: int = 16,
    done: Callable[[int], None] | None = None,
) -> list[str]:
    """Greedy replies to each record's final turn (its reference reply is not shown)."""
    prompts = [generation_prompt(tokenizer, r["messages"]) for r in records]
    return generate_texts(
        tokenizer, model, prompts, max_new_tokens=max_new_tokens, batch_size=batch_size, done=done
    )


def write_predictions(
    path: str | Path, records: list[dict[str, Any]], replies: dict[str, list[str]]
) -> Path:
    """One JSON line per test example: id, source, reference and each model's reply."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for index, record in enumerate(records):
            row = {
                "id": record.get("id"),
                "source": record.get("source"),
                "reference": record["messages"][-1]["content"],
                **{name: texts[index] for name, texts in replies.items()},
            }
            handle.write(json.dumps(row) + "\n")
    return path


def predict(
    test_file: str | Path,
    base: str,
    adapter: str | Path | None,
    *,
    limit: int | None = None,
    max_new_tokens: int = 160,
    batch_size: int = 16,
    progress: Progress | None = None,
) -> tuple[list[dict[str, Any]], dict[str, list[str]], dict[str, float]]:
    """Records, replies per model (base, and tuned when an adapter is given) and seconds each;
    ``progress(done, total)`` counts replies over both models.

    The base model is loaded once; the tuned model is the same weights with the adapter merged
    in afterwards, as the live tutor applies it.
    """
    records = read_records(test_file, limit)
    replies: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    models = [BASE] if adapter is None else [BASE, TUNED]
    total = len(records) * len(models)
    tokenizer, model = load_eval_model(base, None)
    for index, name in enumerate(models):
        if name == TUNED:
            from etude.llm.loading import merge_adapter

            model = merge_adapter(model, adapter)  # type: ignore[arg-type]
        started = time.perf_counter()
        replies[name] = generate_replies(
            tokenizer,
            model,
            records,
            max_new_tokens=max_new_tokens,
            batch_size=batch_size,
            done=_offset(progress, index * len(records), total),
        )
        seconds[name] = round(time.perf_counter() - started, 2)
    return records, replies, seconds


def _offset(progress: Progress | None, before: int, total: int) -> Callable[[int], None] | None:
    """``done(n)`` for one model's share of a ``progress(done, total)`` over several."""
    if progress is None:
        return None
    report = progress
    return lambda n: report(before + n, total)


def computed_notes(record: dict[str, Any]) -> set[str]:
    """The notes the theory engine computes for a record's question, as the live theory tool
    would (empty when the prompt carries no COMPUTED fact). Recomputed rather than read back
    from the prompt's text, where "A diminished fifth..." would read as the note A."""
    from etude.theory.calculator import compute_facts

    messages = record["messages"]
    if "COMPUTED:" not in messages[0]["content"]:
        return set()
    return {note for fact in compute_facts(messages[-2]["content"]) for note in fact.notes}


def fact_metrics(
    records: list[dict[str, Any]], replies: dict[str, list[str]], max_sentences: int = 3
) -> dict[str, Any]:
    """On the examples whose prompt carries a computed fact: how often each model's reply, cut
    to the tutor's sentence cap as the live tutor cuts it, names every computed note, and how
    often none of its sentences contradicts them (what the tutor's grounding guard checks).

    >>> record = {"messages": [{"role": "system", "content": "[1] COMPUTED: G B D"},
    ...                        {"role": "user", "content": "Spell the G major triad."}]}
    >>> fact_metrics([record], {"m": ["It is G, B and D. Then C#."]}, max_sentences=1)["m"]
    {'n': 1, 'names_all_notes': 1.0, 'passes_guard': 1.0}
    """
    from etude.claims.grounding import Grounding
    from etude.finetune.examples import sentences_of
    from etude.theory.spelling import notes_in

    picked = [(i, notes) for i, r in enumerate(records) if (notes := computed_notes(r))]
    result: dict[str, Any] = {}
    for name, texts in replies.items():
        named = guarded = 0
        for index, notes in picked:
            sentences = sentences_of(texts[index])[:max_sentences]
            named += notes <= set(notes_in(" ".join(sentences)))
            grounding = Grounding(notes=frozenset(notes))
            guarded += not any(grounding.contradicted_by(sentence) for sentence in sentences)
        n = len(picked)
        result[name] = {
            "n": n,
            "names_all_notes": named / n if n else None,
            "passes_guard": guarded / n if n else None,
        }
    return result


def score_predictions(
    path: str | Path, *, with_bertscore: bool = True, test_file: str | Path | None = None
) -> dict[str, Any]:
    """Every ``qa_metrics`` number per model in a predictions file, overall and per source;
    with the test split the predictions came from, also ``fact_metrics`` (joined by id)."""
    from etude.finetune.metrics import qa_metrics

    rows = read_records(path)
    models = [k for k in (BASE, TUNED) if rows and k in rows[0]]
    result: dict[str, Any] = {"predictions": str(path), "n": len(rows), "models": {}}
    for name in models:
        refs = [r["reference"] for r in rows]
        preds = [r[name] for r in rows]
        entry = qa_metrics(preds, refs, with_bertscore=with_bertscore)
        by_source: dict[str, Any] = {}
        for source in sorted({str(r.get("source")) for r in rows}):
            picked = [i for i, r in enumerate(rows) if str(r.get("source")) == source]
            by_source[source] = qa_metrics(
                [preds[i] for i in picked], [refs[i] for i in picked], with_bertscore=False
            )
        entry["by_source"] = by_source
        result["models"][name] = entry
    if test_file is not None:
        by_id = {r.get("id"): r for r in read_records(test_file)}
        joined = [(by_id[r["id"]], r) for r in rows if r.get("id") in by_id]
        result["facts"] = fact_metrics(
            [record for record, _ in joined],
            {name: [row[name] for _, row in joined] for name in models},
        )
    return result


SHIPPED_TEST = SHIPPED_ADAPTER / "test.jsonl"
"""The held-out test split that adapter was evaluated on (``etude finetune data``, seed 42)."""


def resolve_base(model: str | None, adapter: str | Path | None) -> str:
    """The base model directory: ``model`` if given, else the one the adapter was trained on
    (its ``finetune_config.json``), else the embedded SmolLM2."""
    from etude.finetune.config import CONFIG_FILE, FinetuneConfig
    from etude.finetune.train import base_model_path

    if model is None and adapter is not None and (Path(adapter) / CONFIG_FILE).exists():
        model = FinetuneConfig.load(Path(adapter) / CONFIG_FILE).model
    return base_model_path(FinetuneConfig(model=model or "embedded"))


def evaluate_qa(
    test_file: str | Path = SHIPPED_TEST,
    adapter: str | Path | None = SHIPPED_ADAPTER,
    *,
    model: str | None = None,
    limit: int | None = None,
    max_new_tokens: int = 160,
    batch_size: int = 8,
    with_bertscore: bool = True,
    predictions_out: str | Path | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Base vs base+adapter on the test split: replies generated here, then every metric.

    Returns the ``score_predictions`` object plus the models, timings and the tuned-minus-base
    differences of token F1 and BERTScore F1.
    """
    import tempfile

    base = resolve_base(model, adapter)
    records, replies, seconds = predict(
        test_file,
        base,
        adapter,
        limit=limit,
        max_new_tokens=max_new_tokens,
        batch_size=batch_size,
        progress=progress,
    )
    if not records:
        raise ValueError(f"{test_file}: no test examples")
    with tempfile.TemporaryDirectory() as scratch:
        path = write_predictions(
            predictions_out or Path(scratch) / "predictions.jsonl", records, replies
        )
        result = score_predictions(path, with_bertscore=with_bertscore, test_file=test_file)
    result.update(
        test_file=str(test_file),
        base_model=base,
        adapter=str(adapter) if adapter is not None else None,
        max_new_tokens=max_new_tokens,
        generation_s=seconds,
    )
    if predictions_out is None:
        result.pop("predictions", None)
    result["delta"] = deltas(result["models"])
    return result


def deltas(models: dict[str, Any]) -> dict[str, float]:
    """Tuned minus base for the headline metrics (empty without both models)."""
    if BASE not in models or TUNED not in models:
        return {}
    found = {
        key: round(models[TUNED][key] - models[BASE][key], 4)
        for key in ("exact_match", "token_f1", "bleu", "rougeL")
    }
    if "bertscore" in models[BASE] and "bertscore" in models[TUNED]:
        found["bertscore_f1"] = round(
            models[TUNED]["bertscore"]["f1"] - models[BASE]["bertscore"]["f1"], 4
        )
    return found
