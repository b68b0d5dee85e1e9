"""``etude finetune data|train|export`` and ``etude eval qa|mtb``: the commands' bodies.

Model libraries are imported only here, when one of these commands runs, so ``etude ask`` never
pays for them.
"""

from __future__ import annotations

import json
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etude.cli.console import Update, err, out, progress_bar, status
from etude.cli.errors import InputError

if TYPE_CHECKING:
    from etude.config import Settings


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def adapter_option(value: str | None) -> Path | None:
    """``--adapter``: a directory, ``none`` for the base model alone, or the shipped adapter."""
    from etude.config import SHIPPED_ADAPTER

    if value is None:
        return SHIPPED_ADAPTER
    if value.lower() == "none":
        return None
    path = Path(value)
    if not (path / "adapter_config.json").exists():
        raise InputError(f"--adapter {value!r} is not a LoRA adapter directory")
    return path


def _existing(path: Path, what: str) -> Path:
    if not path.is_file():
        raise InputError(f"{what} {str(path)!r} does not exist")
    return path


def run_finetune_export(target: Path, *, adapter: Path | None, as_json: bool) -> None:
    """The embedded SmolLM2 base, with ``adapter`` merged in, as one GGUF file.

    Only the embedded base can be exported here: its tokenizer and architecture come from the
    GGUF it ships as. A base from Hugging Face is converted with llama.cpp's own
    ``convert_hf_to_gguf.py`` after ``merge_and_unload`` (see docs/SERVING.md)."""
    from etude.config import EMBEDDED_MODEL, Settings

    settings = Settings.from_env()
    if settings.model != EMBEDDED_MODEL:
        raise InputError(
            "finetune export --gguf writes the embedded base only (ETUDE_MODEL is "
            f"{settings.model!r}); convert other bases with llama.cpp's convert_hf_to_gguf.py"
        )
    if target.suffix.lower() != ".gguf":
        raise InputError(f"--gguf {str(target)!r} must name a .gguf file")
    from etude.llm.gguf import export_gguf
    from etude.llm.loading import embedded_gguf_path, embedded_model_dir, load_transformers_model

    with status("Loading the base model and merging the adapter…", quiet=as_json):
        base = embedded_model_dir(settings)
        _, model = load_transformers_model(
            str(base), adapter=str(adapter) if adapter else None, cpu_dtype="float32"
        )
    with status(f"Writing {target}…", quiet=as_json):
        export_gguf(embedded_gguf_path(), model, target)
    size = target.stat().st_size
    if as_json:
        _print_json(
            {"gguf": str(target), "bytes": size, "adapter": str(adapter) if adapter else None}
        )
    else:
        out.print(f"Wrote {target} ({size / 1e6:.0f} MB, float16); llama.cpp and Ollama run it.")


def run_finetune_data(
    out_dir: Path, *, seed: int, critic_pieces: int | None, dialogues: int | None, as_json: bool
) -> None:
    from etude.finetune.data import DataConfig, build_dataset, write_dataset

    config = DataConfig(seed=seed)
    if critic_pieces is not None:
        config.critic_pieces = critic_pieces
    if dialogues is not None:
        config.dialogues = dialogues
    with (
        status(
            "Building the instruction dataset (theory, knowledge, critic, dialogues)…",
            quiet=as_json,
        ),
        redirect_stdout(sys.stderr),
    ):
        built = build_dataset(config)
    paths = write_dataset(built, out_dir)
    if as_json:
        _print_json(
            {
                "out": str(out_dir),
                "files": {k: str(v) for k, v in paths.items()},
                **built.card.model_dump(mode="json"),
            }
        )
        return
    out.print(built.card.markdown())
    err.print(f"Wrote {built.card.total} examples to {out_dir}")


def run_finetune_bridges(
    out_dir: Path, *, seed: int, critic_pieces: int, empty_ratio: float, as_json: bool
) -> None:
    from etude.config import Settings
    from etude.finetune.bridge_data import BridgeConfig, build, write

    config = BridgeConfig(seed=seed, critic_pieces=critic_pieces, empty_ratio=empty_ratio)
    with progress_bar("Putting questions to the graph") as update, redirect_stdout(sys.stderr):
        splits, card = build(config, Settings.from_env(), progress=update)
    write(splits, card, out_dir)
    if as_json:
        _print_json({"out": str(out_dir), **card})
        return
    out.print(json.dumps(card, indent=2))
    err.print(f"Wrote {sum(card['counts'].values())} bridge examples to {out_dir}")


def run_finetune_train(
    *, config_file: Path | None, overrides: dict[str, Any], resume: bool, as_json: bool
) -> None:
    from etude.finetune.config import FinetuneConfig
    from etude.finetune.train import train

    # Our own progress bar replaces the Trainer's tqdm bar (which would also write to the JSON).
    overrides = {**overrides, "report_progress": False}
    try:
        config = FinetuneConfig.load(config_file) if config_file else FinetuneConfig()
        config = config.with_overrides(**overrides)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(str(exc)) from exc
    _existing(Path(config.data_dir) / "train.jsonl", "training split")
    # transformers' Trainer prints its log lines to stdout: keep stdout for the result alone
    # (they go to stderr, above the bar: the bar is entered first, so it owns stderr).
    with (
        progress_bar(f"Fine-tuning into {config.output_dir}") as update,
        redirect_stdout(sys.stderr),
    ):
        summary = train(config, resume=resume or None, extra_callbacks=[_steps(update)])
    from dataclasses import asdict

    if as_json:
        _print_json(asdict(summary))
        return
    out.print(
        f"{summary.steps} steps ({summary.stop_reason}) in {summary.wall_s:.0f} s on "
        f"{summary.device}: loss {summary.first_train_loss} → {summary.last_train_loss}, "
        f"best validation loss {summary.best_eval_loss}"
    )
    out.print(f"adapter: {summary.adapter_dir}")


def _steps(update: Update) -> Any:
    """A Trainer callback that moves the bar: optimiser steps done of the run's total."""
    from transformers import TrainerCallback

    class Steps(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            update(state.global_step, state.max_steps)

        def on_step_end(self, args: Any, state: Any, control: Any, **_: Any) -> None:
            update(state.global_step, state.max_steps)

    return Steps()


def run_eval_qa(
    *,
    test_file: Path | None,
    adapter: str | None,
    model: str | None,
    limit: int | None,
    predictions: Path | None,
    save_predictions: Path | None,
    max_new_tokens: int,
    bertscore: bool,
    as_json: bool,
) -> None:
    from etude.finetune.evaluate import SHIPPED_TEST, evaluate_qa, score_predictions

    if limit is not None and limit < 1:
        raise InputError("--limit must be at least 1")
    if predictions is not None:
        _existing(predictions, "predictions file")
        with status("Scoring predictions…", quiet=as_json):
            result = score_predictions(
                predictions,
                with_bertscore=bertscore,
                test_file=_existing(test_file, "test split") if test_file else None,
            )
    else:
        test = _existing(test_file or SHIPPED_TEST, "test split")
        with (
            progress_bar("Replies on the test split (base, then tuned)") as update,
            redirect_stdout(sys.stderr),
        ):
            result = evaluate_qa(
                test,
                adapter_option(adapter),
                model=model,
                limit=limit,
                max_new_tokens=max_new_tokens,
                with_bertscore=bertscore,
                predictions_out=save_predictions,
                progress=update,
            )
    if as_json:
        _print_json(result)
        return
    for name, numbers in result["models"].items():
        bert = numbers.get("bertscore", {}).get("f1")
        out.print(
            f"[bold]{name}[/bold] n={numbers['n']} token F1 {numbers['token_f1']:.3f} "
            f"exact {numbers['exact_match']:.3f} BLEU {numbers['bleu']:.1f} "
            f"ROUGE-L {numbers['rougeL']:.3f}"
            + (f" BERTScore F1 {bert:.3f}" if bert is not None else "")
        )


def run_eval_mtb(
    file: Path,
    *,
    adapter: str | None,
    model: str | None,
    limit: int | None,
    as_json: bool,
    graph: Settings | None = None,
) -> None:
    """``graph``: the settings to run the whole mentor with (``--graph``); None for the
    letter-probability protocol."""
    from etude.finetune.musictheorybench import evaluate_mtb, evaluate_mtb_graph, read_mtb

    _existing(file, "question file")
    if limit is not None and limit < 1:
        raise InputError("--limit must be at least 1")
    try:
        read_mtb(file, limit)
    except (ValueError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(str(exc)) from exc
    if graph is not None:
        with progress_bar("Asking the mentor") as update, redirect_stdout(sys.stderr):
            result = evaluate_mtb_graph(file, graph, limit=limit, progress=update)
    else:
        with (
            progress_bar("Questions answered (base, then tuned)") as update,
            redirect_stdout(sys.stderr),
        ):
            result = evaluate_mtb(
                file, adapter_option(adapter), model=model, limit=limit, progress=update
            )
    if as_json:
        _print_json(result)
        return
    for name, numbers in result["models"].items():
        out.print(
            f"[bold]{name}[/bold] knowledge {numbers['knowledge']['accuracy']}% "
            f"({numbers['knowledge']['total']} questions), reasoning "
            f"{numbers['reasoning']['accuracy']}% ({numbers['reasoning']['total']})"
        )
    if "no_option_named" in result:
        out.print(f"replies naming no single option: {result['no_option_named']}")
    published = ", ".join(
        f"{who} {n['knowledge']}/{n['reasoning']}" for who, n in result["published"].items()
    )
    out.print(f"published zero-shot knowledge/reasoning: {published}")
