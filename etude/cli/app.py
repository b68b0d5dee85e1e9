"""Command definitions. Each command is thin: parse options, call the library, print."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from etude.cli.console import err, out, progress_bar, status
from etude.cli.errors import InputError, fail, first_line
from etude.cli.sessions import sessions_app
from etude.config import LEVELS, Level, Settings

app = typer.Typer(
    name="etude",
    help="Etude, an open-source composition mentor.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
kb_app = typer.Typer(help="Build and search the music knowledge base.", no_args_is_help=True)
tools_app = typer.Typer(help="Inspect the tools the mentor can use.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(tools_app, name="tools")
finetune_app = typer.Typer(
    help="Build the instruction dataset and fine-tune the chat model (LoRA / QLoRA).",
    no_args_is_help=True,
)
eval_app = typer.Typer(help="Compare the base and fine-tuned chat models.", no_args_is_help=True)
app.add_typer(finetune_app, name="finetune")
app.add_typer(eval_app, name="eval")
encoder_app = typer.Typer(help="Manage the MusicBERT encoder's checkpoints.", no_args_is_help=True)
app.add_typer(encoder_app, name="encoder")
corpus_app = typer.Typer(
    help="Index music21's corpus with MusicBERT, for 'pieces like yours'.", no_args_is_help=True
)
app.add_typer(corpus_app, name="corpus")
app.add_typer(sessions_app, name="sessions")


def _show_version(value: bool) -> None:
    if value:
        import etude

        out.print(f"etude {etude.__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_show_version
        ),
    ] = False,
) -> None:
    """Etude, an open-source composition mentor. Start with `etude doctor`, then `etude chat`."""


LevelOption = Annotated[
    str | None, typer.Option("--level", help="beginner, intermediate or advanced.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
AdapterOption = Annotated[
    str | None,
    typer.Option(
        help="LoRA adapter directory, or 'none' for the base model "
        "(default: ETUDE_ADAPTER, else the shipped SmolLM2 adapter)."
    ),
]


def _settings(adapter: str | None = None) -> Settings:
    """Settings from the environment; ``--adapter`` overrides ETUDE_ADAPTER."""
    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    if adapter is None:
        return settings
    from etude.cli.finetune import adapter_option

    chosen = adapter_option(adapter)
    return settings.with_overrides(adapter=str(chosen) if chosen else "none")


def _model_settings(adapter: str | None) -> Settings:
    """Settings for a command that talks to the chat model: a missing model or adapter is
    reported at once, with the command that fixes it, before anything loads."""
    from etude.llm.loading import check_chat_model

    settings = _settings(adapter)
    check_chat_model(settings)
    return settings


def _level(value: str | None) -> Level | None:
    if value is None:
        return None
    if value not in LEVELS:
        raise InputError(f"--level must be one of {', '.join(LEVELS)}, got {value!r}")
    return value


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()


@app.command()
def ask(
    question: Annotated[str | None, typer.Argument(help="Your question.")] = None,
    session: Annotated[str | None, typer.Option(help="Continue this lesson.")] = None,
    attach: Annotated[Path | None, typer.Option(help="A score: MIDI, MusicXML or ABC.")] = None,
    level: LevelOption = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            help='JSON Lines, one question a line: {"id", "question", "attach"?, "session"?, '
            '"level"?}. Each line is its own lesson, unless it names a "session": lines with '
            "the same session continue one lesson, in file order. Prints one JSON object a "
            "line (the --json object plus the line's id, or its error)."
        ),
    ] = None,
    adapter: AdapterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ask one question (or a batch) and print the mentor's answer."""
    from etude.cli.turns import run_batch, run_single

    chosen = _level(level)
    if batch is not None and question is not None:
        raise InputError("give either a QUESTION or --batch FILE, not both")
    if batch is None and (not question or not question.strip()):
        raise InputError('ask needs a question, e.g. etude ask "What is a cadence?"')
    settings = _model_settings(adapter)
    if batch is not None:
        run_batch(settings, batch, level=chosen)
        return
    assert question is not None
    run_single(settings, question, session=session, attach=attach, level=chosen, as_json=as_json)


@app.command()
def chat(
    session: Annotated[str | None, typer.Option(help="Resume this lesson.")] = None,
    level: LevelOption = None,
    adapter: AdapterOption = None,
) -> None:
    """An interactive lesson in the terminal (/quit, /new, /attach FILE, /level LEVEL)."""
    from etude.cli.chat import run_chat

    run_chat(_model_settings(adapter), session=session, level=_level(level))


@app.command()
def analyze(
    file: Annotated[Path, typer.Argument(help="MIDI, MusicXML or ABC file.")],
    level: LevelOption = None,
    as_json: JsonOption = False,
    no_encoder: Annotated[
        bool,
        typer.Option(
            "--no-encoder",
            help="Leave MusicBERT out: 'style', 'encoder' and 'similar' are null, and each "
            "fix is the critic's own first choice, not the likeliest in the style.",
        ),
    ] = False,
) -> None:
    """Analyse a score with the critic (no language model involved)."""
    from etude.cli.analysis import run_analyze

    run_analyze(
        file,
        level=_level(level) or _settings().level,
        as_json=as_json,
        encoder=not no_encoder,
    )


@app.command()
def embed(
    file: Annotated[Path, typer.Argument(help="MIDI, MusicXML or ABC file.")],
    bars: Annotated[bool, typer.Option("--bars", help="Include one vector per bar.")] = False,
    as_json: JsonOption = False,
) -> None:
    """MusicBERT embeddings of a score: one vector for the piece (and per bar)."""
    from etude.attachments import load_attachment
    from etude.encoders.embedding import embed_midi
    from etude.scores.midi_bytes import score_midi_bytes

    loaded = load_attachment(file)
    result = embed_midi(score_midi_bytes(loaded), with_bars=bars)
    if as_json:
        _print_json(result.model_dump(mode="json", exclude_none=True))
        return
    out.print(f"{result.model} · {result.dim} dimensions · {result.bars} bars")
    out.print("piece: [" + ", ".join(f"{v:.3f}" for v in result.piece[:8]) + ", …]")


@encoder_app.command("import-fairseq")
def encoder_import_fairseq(
    checkpoint: Annotated[
        Path, typer.Argument(help="Official checkpoint, e.g. checkpoint_last_musicbert_base.pt.")
    ],
    dictionary: Annotated[Path, typer.Option("--dict", help="The checkpoint's dict.txt.")],
    out: Annotated[Path, typer.Option(help="Folder to write the converted checkpoint to.")],
    trust: Annotated[
        bool,
        typer.Option(help="Unpickle any object in the file (only for files you trust)."),
    ] = False,
) -> None:
    """Convert the official MusicBERT (fairseq) checkpoint for ETUDE_MUSICBERT, without fairseq."""
    from etude.encoders.official import CheckpointError, import_fairseq_checkpoint

    for path in (checkpoint, dictionary):
        if not path.is_file():
            raise InputError(f"no such file: {path}")
    try:
        with status("Converting the checkpoint…"):
            config = import_fairseq_checkpoint(checkpoint, dictionary, out, trust=trust)
    except CheckpointError as exc:
        raise InputError(str(exc)) from exc
    err.print(
        f"Saved {config.name} ({config.layers} layers, width {config.hidden}, {config.heads} "
        f"heads, up to {config.max_notes} notes) to {out}.\n"
        f"Use it with ETUDE_MUSICBERT={out}; for style estimates, embed a reference set with "
        "`ETUDE_MUSICBERT=... python scripts/build_reference_set.py`.",
        soft_wrap=True,  # whole lines: paths stay copyable
        markup=False,
    )


@app.command()
def progress(
    learner: Annotated[
        str | None, typer.Option(help="Whose progress (default ETUDE_LEARNER).")
    ] = None,
    plot: Annotated[
        Path | None, typer.Option(help="Also save mastery over time as a PNG plot here.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Mastery per skill on your learning path, the exercises done, and reviews due."""
    from etude.cli.progress import run_progress

    if plot is not None and plot.suffix.lower() != ".png":
        raise InputError(f"--plot must name a .png file, got {str(plot)!r}")
    run_progress(_settings(), learner=learner, as_json=as_json, plot=plot)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    adapter: AdapterOption = None,
) -> None:
    """The HTTP API and the web studio (open http://HOST:PORT/ in a browser)."""
    from etude.cli.serve import run_serve

    run_serve(host, port, settings=_model_settings(adapter))


@app.command()
def doctor(as_json: JsonOption = False) -> None:
    """Check that everything a lesson needs is in place, and say how to fix what is not
    (exit code 0 when nothing failed, 1 otherwise)."""
    from etude.cli.doctor import run_doctor

    code = run_doctor(_settings(), as_json=as_json)
    if code:
        raise typer.Exit(code)


@app.command("config")
def show_config(as_json: JsonOption = False) -> None:
    """The effective settings: each ETUDE_* variable's value and where it came from."""
    from etude.config import effective_settings

    try:
        rows = effective_settings()
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    if as_json:
        settings = {r.name: {"value": r.value, "source": r.source, "env": r.env} for r in rows}
        _print_json({"settings": settings})
        return
    # Shell assignments, so a line can be copied into an environment (secrets are masked).
    lines = [(f"{r.env}={_shell_word(r.value)}", r.source) for r in rows]
    width = min(max(len(line) for line, _ in lines), 48)
    for line, source in lines:
        out.print(f"{line:<{width}}  # {source}", markup=False)


def _shell_word(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return shlex.quote(str(value))


@kb_app.command("build")
def kb_build() -> None:
    """Index the knowledge articles into Chroma (only what changed since the last build)."""
    from etude.knowledge.index import KnowledgeBase

    settings = _settings()
    with status("Opening the knowledge index…") as say:
        kb = KnowledgeBase(settings.kb_dir, url=settings.chroma_url)
        say("Reading articles…")
    with progress_bar("Embedding knowledge chunks") as update:
        report = kb.build(progress=update)
    verb = "Updated" if report.changed else "Up to date:"
    err.print(
        f"{verb} {report.articles} articles, {report.chunks} chunks "
        f"(+{report.added} / -{report.removed}) in {settings.chroma_url or settings.kb_dir}"
    )


@corpus_app.command("index")
def corpus_index(
    collections: Annotated[
        str | None,
        typer.Option(
            help="Only these corpus folders, comma-separated (e.g. bach,palestrina); "
            "default: the whole corpus (most of an hour on 2 cores)."
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many corpus files.")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even when up to date.")] = False,
) -> None:
    """Embed music21's corpus with the MusicBERT checkpoint in use, into the data dir
    (rebuilt when the checkpoint changes; `etude analyze` then lists similar pieces)."""
    from etude.encoders.similar import build_corpus_index

    settings = _settings()
    chosen = [c.strip() for c in collections.split(",") if c.strip()] if collections else None
    if limit is not None and limit < 1:
        raise InputError(f"--limit must be at least 1, got {limit}")
    skipped: list[str] = []
    try:
        with progress_bar("Embedding corpus files") as update:
            report = build_corpus_index(
                settings.data_dir,
                collections=chosen,
                limit=limit,
                force=force,
                progress=update,
                on_error=lambda path, error: skipped.append(f"{path.name}: {first_line(error)}"),
            )
    except (ValueError, FileNotFoundError) as exc:
        raise InputError(str(exc)) from exc
    verb = "Indexed" if report.changed else "Up to date:"
    err.print(
        f"{verb} {report.pieces} pieces ({report.windows} passages) from {report.files} files "
        f"of {', '.join(report.collections)} in {report.folder}"
        + (f"; {len(skipped)} files could not be read" if skipped else ""),
        soft_wrap=True,
        markup=False,
    )


@kb_app.command("search")
def kb_search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option(help="How many passages.")] = 5,
    topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
    level: LevelOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search the knowledge base and show scored, cited passages."""
    from etude.knowledge.retrieval import knowledge_base

    settings = _settings()
    with status("Searching…", quiet=as_json):
        passages = knowledge_base(settings.kb_dir, settings.chroma_url).search(
            query, k=k, topic=topic, level=_level(level)
        )
    if as_json:
        _print_json(
            [
                {
                    "score": p.citation.score,
                    "article": p.citation.article,
                    "title": p.citation.title,
                    "section": p.citation.section,
                    "chunk_id": p.citation.chunk_id,
                    "sources": p.sources,
                    "text": p.text,
                }
                for p in passages
            ]
        )
        return
    for p in passages:
        out.print(
            f"[bold]{p.citation.score:.3f}[/bold]  {p.citation.label()}  "
            f"[dim]({p.citation.article})[/dim]"
        )
        out.print("   " + p.text.split("\n", 1)[-1][:240].replace("\n", " ") + "…")
        out.print(f"   [dim]sources: {'; '.join(p.sources)}[/dim]")


@tools_app.command("list")
def tools_list(as_json: JsonOption = False) -> None:
    """The tools the router can use, where each came from, and plug-ins that failed to load."""
    from etude.tools.registry import load_registry

    registry = load_registry(plugins=_settings().plugins)
    tools = [
        {
            "name": s.name,
            "origin": s.origin,
            "needs_attachment": s.needs_attachment,
            "description": s.description,
        }
        for s in registry
    ]
    failures = [{"name": f.name, "origin": f.origin, "error": f.error} for f in registry.failures]
    if as_json:
        _print_json({"tools": tools, "failures": failures})
        return
    for tool in tools:
        out.print(f"[bold]{tool['name']}[/bold] ({tool['origin']}): {tool['description']}")
    for failure in failures:
        out.print(f"[red]failed[/red] {failure['name']} ({failure['origin']}): {failure['error']}")


@tools_app.command("check")
def tools_check(name: Annotated[str, typer.Argument(help="Tool name.")]) -> None:
    """Validate one tool: it loads, its examples route to it, and it runs on an example."""
    from etude.tools.check import check_tool

    problems = check_tool(name, _settings(), report=lambda line: out.print(line))
    if problems:
        raise InputError(f"{name}: " + "; ".join(problems))
    out.print(f"[green]ok[/green] {name}")


EvalAdapterOption = Annotated[
    str | None,
    typer.Option(help="LoRA adapter directory, or 'none' (default: the shipped SmolLM2 one)."),
]
ModelOption = Annotated[
    str | None, typer.Option(help="Base model (default: the one the adapter was trained on).")
]
LimitOption = Annotated[int | None, typer.Option(help="Only the first N examples.")]
BertScoreOption = Annotated[
    bool, typer.Option("--bertscore/--no-bertscore", help="Also compute BERTScore (MiniLM).")
]


@finetune_app.command("data")
def finetune_data(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path("data/finetune"),
    seed: Annotated[int, typer.Option(help="Seed for generation and the split.")] = 42,
    critic_pieces: Annotated[
        int | None, typer.Option(help="Corpus scores for critic lessons (0 skips them).")
    ] = None,
    dialogues: Annotated[int | None, typer.Option(help="Multi-turn lessons in total.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Build train/validation/test.jsonl and the data card from Etude's own sources."""
    from etude.cli.finetune import run_finetune_data

    run_finetune_data(
        out_dir, seed=seed, critic_pieces=critic_pieces, dialogues=dialogues, as_json=as_json
    )


@finetune_app.command("bridges")
def finetune_bridges(
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder.")] = Path(
        "data/finetune-bridges"
    ),
    seed: Annotated[int, typer.Option(help="Seed for the questions, levels and split.")] = 42,
    critic_pieces: Annotated[
        int, typer.Option(help="Corpus scores put to the graph as uploads (0 skips them).")
    ] = 120,
    empty_ratio: Annotated[
        float, typer.Option(help="Empty bridges kept per bridge (nothing to add).")
    ] = 1.0,
    as_json: JsonOption = False,
) -> None:
    """Build the bridge dataset (adapter v3): the tutor's own bridge prompts, from the real
    graph, and a verified sentence carrying the turn's idea into another key, or nothing."""
    from etude.cli.finetune import run_finetune_bridges

    run_finetune_bridges(
        out_dir, seed=seed, critic_pieces=critic_pieces, empty_ratio=empty_ratio, as_json=as_json
    )


@finetune_app.command("train")
def finetune_train(
    config: Annotated[Path | None, typer.Option(help="finetune_config.json to start from.")] = None,
    data: Annotated[str | None, typer.Option(help="Folder with train/validation.jsonl.")] = None,
    out_dir: Annotated[str | None, typer.Option("--out", help="Run directory.")] = None,
    model: Annotated[str | None, typer.Option(help="Base model ('embedded' or id/path).")] = None,
    quantization: Annotated[str | None, typer.Option(help="auto, nf4 or none.")] = None,
    max_steps: Annotated[int | None, typer.Option(help="Stop after N steps.")] = None,
    epochs: Annotated[float | None, typer.Option(help="Passes over the data.")] = None,
    resume: Annotated[bool, typer.Option(help="Resume from the last checkpoint.")] = False,
    as_json: JsonOption = False,
) -> None:
    """LoRA (CPU) or QLoRA NF4 (CUDA) fine-tuning of the chat model on a built dataset."""
    from etude.cli.finetune import run_finetune_train

    if quantization is not None and quantization not in ("auto", "nf4", "none"):
        raise InputError(f"--quantization must be auto, nf4 or none, got {quantization!r}")
    overrides = {
        "data_dir": data,
        "output_dir": out_dir,
        "model": model,
        "quantization": quantization,
        "max_steps": max_steps,
        "num_train_epochs": epochs,
    }
    run_finetune_train(config_file=config, overrides=overrides, resume=resume, as_json=as_json)


@finetune_app.command("export")
def finetune_export(
    gguf: Annotated[Path, typer.Option("--gguf", help="The GGUF file to write.")],
    adapter: EvalAdapterOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the embedded base with the adapter merged in as GGUF, for llama.cpp or Ollama."""
    from etude.cli.finetune import adapter_option, run_finetune_export

    run_finetune_export(gguf, adapter=adapter_option(adapter), as_json=as_json)


@eval_app.command("qa")
def eval_qa(
    test: Annotated[
        Path | None, typer.Option(help="Test split (default: the shipped adapter's).")
    ] = None,
    adapter: EvalAdapterOption = None,
    model: ModelOption = None,
    limit: LimitOption = None,
    predictions: Annotated[
        Path | None, typer.Option(help="Only score this predictions file (from bench/).")
    ] = None,
    save_predictions: Annotated[
        Path | None, typer.Option(help="Also write the generated replies here.")
    ] = None,
    max_new_tokens: Annotated[int, typer.Option(help="Reply length cap in tokens.")] = 160,
    bertscore: BertScoreOption = True,
    as_json: JsonOption = False,
) -> None:
    """Base vs tuned replies on the held-out test split: exact match, token F1, BLEU, ROUGE,
    BERTScore."""
    from etude.cli.finetune import run_eval_qa

    run_eval_qa(
        test_file=test,
        adapter=adapter,
        model=model,
        limit=limit,
        predictions=predictions,
        save_predictions=save_predictions,
        max_new_tokens=max_new_tokens,
        bertscore=bertscore,
        as_json=as_json,
    )


@eval_app.command("mtb")
def eval_mtb(
    file: Annotated[
        Path, typer.Argument(help="MusicTheoryBench questions (JSON Lines or a JSON list).")
    ],
    adapter: EvalAdapterOption = None,
    model: ModelOption = None,
    limit: LimitOption = None,
    graph: Annotated[
        bool,
        typer.Option(
            "--graph",
            help="Ask each question through the whole mentor (router, engine, knowledge, "
            "model) and read the letter off the reply's first line, instead of the models' "
            "next-token letter probability.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """MusicTheoryBench multiple choice: accuracy on music knowledge and music reasoning, next
    to ChatMusician's and GPT-4's published numbers; by default the base and tuned models'
    letter probability, with --graph the whole mentor's replies."""
    from etude.cli.finetune import run_eval_mtb

    settings = _settings(adapter) if graph else None
    if settings is not None and model:
        settings = settings.with_overrides(model=model)
    run_eval_mtb(file, adapter=adapter, model=model, limit=limit, as_json=as_json, graph=settings)


def main() -> None:
    """Entry point: map every failure to the exit codes DESIGN.md promises."""
    # Typer ships its own copy of click and raises that copy's exception types.
    from typer import Abort as ClickAbort
    from typer import Exit
    from typer._click.exceptions import ClickException

    from etude.llm.errors import ModelLoadError
    from etude.scores.loading import ScoreError

    try:
        # Without standalone mode, click hands back the code of a `typer.Exit` raised in a
        # command (`etude doctor`'s 1) instead of exiting with it.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            raise SystemExit(code)
    except Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except ClickException as exc:
        fail(exc.format_message(), 2)
    except (InputError, ScoreError, ModelLoadError) as exc:
        # A model that cannot be loaded is the user's to fix (a setting, a missing package),
        # and the message says how.
        fail(first_line(exc), 2)
    except (KeyboardInterrupt, ClickAbort):
        err.print("interrupted")
        raise SystemExit(130) from None
    except BrokenPipeError:
        raise SystemExit(0) from None
    except Exception as exc:
        fail(
            f"internal fault: {type(exc).__name__}: {first_line(exc)} "
            "(set ETUDE_DEBUG=1 for details)",
            1,
        )
