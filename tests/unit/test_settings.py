"""Settings: one declarative object reads every ETUDE_* variable, and nothing else does.

Also which adapter the tutor runs: the shipped one by default, only on the model it fits.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from etude.cli.errors import debugging
from etude.config import MASK, SHIPPED_ADAPTER, Settings, effective_settings, shown
from etude.server.config import ServerSettings

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No developer's ETUDE_* or XDG_* variable leaks into these tests."""
    for name in Settings.model_fields:
        monkeypatch.delenv(Settings.env_name(name), raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return monkeypatch


def test_the_shipped_adapter_is_the_default_for_the_embedded_model() -> None:
    assert Settings().adapter_dir == str(SHIPPED_ADAPTER)
    assert (SHIPPED_ADAPTER / "adapter_model.safetensors").is_file()


@pytest.mark.parametrize("value", ["none", "None", None])
def test_none_means_the_base_model(value: str | None) -> None:
    assert Settings(adapter=value).adapter_dir is None


def test_another_base_model_gets_no_default_adapter() -> None:
    assert Settings(model="/models/llama-2-7b-chat").adapter_dir is None


def test_an_explicit_adapter_is_used_as_given(tmp_path: Path) -> None:
    chosen = Settings(model="/models/llama-2-7b-chat", adapter=str(tmp_path))
    assert chosen.adapter_dir == str(tmp_path)


def test_the_environment_selects_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings.from_env().adapter_dir == str(SHIPPED_ADAPTER)
    monkeypatch.setenv("ETUDE_ADAPTER", "none")
    assert Settings.from_env().adapter_dir is None


def test_explicit_construction_ignores_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ETUDE_MODEL", "/models/elsewhere")
    monkeypatch.setenv("ETUDE_MAX_SENTENCES", "9")
    monkeypatch.setenv("ETUDE_LEVEL", "not-a-level")  # not even read, so not an error
    settings = Settings(data_dir=tmp_path)
    assert (settings.model, settings.max_sentences, settings.level) == (
        "embedded",
        3,
        "intermediate",
    )
    assert settings.sqlite_path == tmp_path / "etude.sqlite" and settings.kb_dir == tmp_path / "kb"


def test_from_env_reads_every_kind_of_value(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, value in {
        "ETUDE_DATA_DIR": str(tmp_path / "data"),
        "ETUDE_CACHE_DIR": str(tmp_path / "cache"),
        "ETUDE_DB": str(tmp_path / "lessons.sqlite"),
        "ETUDE_MAX_NEW_TOKENS": "48",
        "ETUDE_TEMPERATURE": "0.7",
        "ETUDE_LEVEL": "beginner",
        "ETUDE_CPU_DTYPE": "float32",
        "ETUDE_MUSICBERT": str(tmp_path / "mb"),
        "ETUDE_AUTH": "header",
        "ETUDE_MAX_UPLOAD_BYTES": "1000",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    assert settings.data_dir == tmp_path / "data"
    assert settings.model_cache_dir == tmp_path / "cache" / "models"
    assert settings.sqlite_path == tmp_path / "lessons.sqlite"
    assert (settings.max_new_tokens, settings.temperature) == (48, 0.7)
    assert (settings.level, settings.cpu_dtype) == ("beginner", "float32")
    assert settings.musicbert == tmp_path / "mb"
    assert ServerSettings.from_settings(settings) == ServerSettings(
        auth="header", max_upload_bytes=1000
    )


def test_an_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ETUDE_MODEL", "ETUDE_MAX_SENTENCES", "ETUDE_ROUTER_LLM", "ETUDE_ADAPTER"):
        monkeypatch.setenv(name, "")
    assert Settings.from_env() == Settings()


def test_xdg_decides_the_default_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings = Settings.from_env()
    assert settings.data_dir == tmp_path / "share" / "etude"
    assert settings.cache_dir == tmp_path / "cache" / "etude"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", False), ("false", False), ("no", False), ("1", True), ("true", True), ("yes", True)],
)
def test_yes_and_no_variables(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    for name in ("ETUDE_ROUTER_LLM", "ETUDE_SECURE_COOKIES", "ETUDE_DEBUG"):
        monkeypatch.setenv(name, value)
    settings = Settings.from_env()
    assert settings.router_llm_fallback is settings.secure_cookies is settings.debug is expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ETUDE_MAX_NEW_TOKENS", "lots", "ETUDE_MAX_NEW_TOKENS must be an integer, got 'lots'"),
        ("ETUDE_TEMPERATURE", "warm", "ETUDE_TEMPERATURE must be a number, got 'warm'"),
        (
            "ETUDE_LEVEL",
            "expert",
            "ETUDE_LEVEL must be one of beginner, intermediate, advanced, got 'expert'",
        ),
        ("ETUDE_CPU_DTYPE", "int8", "ETUDE_CPU_DTYPE must be one of bfloat16, float32, got 'int8'"),
        ("ETUDE_AUTH", "open", "ETUDE_AUTH must be one of cookie, header, got 'open'"),
        ("ETUDE_ROUTER_LLM", "maybe", "ETUDE_ROUTER_LLM must be 1/0, true/false or yes/no"),
        ("ETUDE_MAX_UPLOAD_BYTES", "20MB", "ETUDE_MAX_UPLOAD_BYTES must be an integer"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as raised:
        Settings.from_env()
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
    with pytest.raises(ValueError, match=re.escape(message)):
        effective_settings()


def test_one_setting_is_read_without_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETUDE_TEMPERATURE", "warm")
    monkeypatch.setenv("ETUDE_EMBEDDER", "/models/minilm")
    assert Settings.one_from_env("embedder") == "/models/minilm"
    assert not debugging()
    monkeypatch.setenv("ETUDE_DEBUG", "1")
    assert debugging()
    monkeypatch.setenv("ETUDE_DEBUG", "verbose")  # set, if not to yes or no: say more, not less
    assert debugging()


def test_with_overrides_validates_and_leaves_the_original(tmp_path: Path) -> None:
    base = Settings(data_dir=tmp_path)
    changed = base.with_overrides(max_new_tokens="32", db_path=tmp_path / "x.sqlite")
    assert (changed.max_new_tokens, changed.sqlite_path) == (32, tmp_path / "x.sqlite")
    assert (base.max_new_tokens, base.sqlite_path) == (160, tmp_path / "etude.sqlite")
    assert changed.data_dir == tmp_path
    with pytest.raises(ValidationError):
        base.with_overrides(level="expert")
    with pytest.raises(ValidationError):
        base.with_overrides(no_such_setting=1)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.model = "other"  # type: ignore[misc]
    assert hash(settings) == hash(Settings())


def test_the_server_view_defaults_agree_with_the_settings() -> None:
    assert ServerSettings() == ServerSettings.from_settings(Settings())


def test_effective_settings_say_where_each_value_came_from(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.setenv("ETUDE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ETUDE_ROUTER_LLM", "no")
    rows = {row.name: row for row in effective_settings()}
    assert set(rows) == set(Settings.model_fields)
    assert rows["data_dir"].value == str(tmp_path / "share" / "etude")
    assert rows["data_dir"].source == "default (XDG_DATA_HOME)"
    assert rows["cache_dir"].source == "env ETUDE_CACHE_DIR"
    assert rows["router_llm_fallback"][1:] == ("ETUDE_ROUTER_LLM", False, "env ETUDE_ROUTER_LLM")
    assert rows["model"][2:] == ("embedded", "default")


def test_secrets_are_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETUDE_OPENAI_API_KEY", "sk-live-123")
    monkeypatch.setenv("ETUDE_AUTH_SECRET", "class-of-2027")
    monkeypatch.setenv("ETUDE_DATABASE_URL", "postgresql://etude:hunter2@db:5432/etude")
    rows = {row.name: row.value for row in effective_settings()}
    assert rows["openai_api_key"] == rows["auth_secret"] == MASK
    assert rows["database_url"] == f"postgresql://etude:{MASK}@db:5432/etude"
    assert not {"sk-live-123", "class-of-2027", "hunter2"} & set(map(str, rows.values()))
    assert "sk-live-123" not in repr(Settings.from_env())
    assert shown(Settings(), "openai_api_key") == "not-needed"  # the placeholder is no secret


def test_every_field_has_its_own_documented_variable() -> None:
    names = [Settings.env_name(name) for name in Settings.model_fields]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"ETUDE_[A-Z_]+", name) for name in names)
    assert all(field.description for field in Settings.model_fields.values())


# Variables of the test suite, the benchmarks, a plug-in and the compose file (docs/DEPLOY.md:
# read by `docker compose`, never by Etude): not settings of Etude itself.
NOT_SETTINGS = {
    "ETUDE_CHROMIUM",
    "ETUDE_TEST_ARTIFACTS",
    "ETUDE_WHEELHOUSE",
    "ETUDE_PG_BIN",
    "ETUDE_FUZZ",
    "ETUDE_SONGWRITING_DRAFTER",
    "ETUDE_DOCS_SCREENSHOTS",
    "ETUDE_PUBLIC_HOST",
    "ETUDE_PORT",
    "ETUDE_WORKERS",
}


def test_every_variable_the_docs_name_is_a_setting() -> None:
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    named = {m for page in pages for m in re.findall(r"ETUDE_[A-Z_]*[A-Z]", page.read_text())}
    known = {Settings.env_name(name) for name in Settings.model_fields}
    assert named - NOT_SETTINGS <= known


def _environment_reads(tree: ast.AST) -> list[tuple[int, str]]:
    """Every use of the environment that is not setting a third-party variable for a library
    (``os.environ.setdefault("HF_HUB_OFFLINE", "1")``) or reading a non-Etude one by name."""
    found = []
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [(node.lineno, f"from os import {a.name}") for a in node.names
                      if a.name in ("environ", "getenv", "environb")]  # fmt: skip
        if not (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "getenv", "environb")
        ):
            continue
        use = parents[node]
        call = parents.get(use)
        if isinstance(use, ast.Attribute) and isinstance(call, ast.Call):
            method, arguments = use.attr, call.args
        elif node.attr == "getenv" and isinstance(use, ast.Call):
            method, arguments = "get", use.args
        else:
            method, arguments = "", []
        key = arguments[0].value if arguments and isinstance(arguments[0], ast.Constant) else None
        allowed = method in ("get", "setdefault") and isinstance(key, str)
        if not allowed or key.startswith("ETUDE_"):
            found.append((node.lineno, ast.unparse(call if isinstance(call, ast.Call) else use)))
    return found


def test_only_the_settings_read_etude_variables() -> None:
    package = REPO / "etude"
    offenders = [
        f"{path.relative_to(REPO)}:{line}: {code}"
        for path in sorted(package.rglob("*.py"))
        if path != package / "config.py"
        for line, code in _environment_reads(ast.parse(path.read_text()))
    ]
    assert not offenders, "read ETUDE_* variables through etude.config.Settings:\n" + "\n".join(
        offenders
    )


def test_the_scan_finds_what_it_must() -> None:
    reads = _environment_reads(
        ast.parse(
            "import os\nfrom os import getenv\n"
            "os.environ.get('ETUDE_MODEL')\nos.environ['ETUDE_LEVEL']\nos.getenv('ETUDE_X')\n"
            "env = os.environ\nos.environ.get(name)\n"
            "os.environ.setdefault('HF_HUB_OFFLINE', '1')\nos.environ.get('HOME')\n"
        )
    )
    assert sorted(line for line, _ in reads) == [2, 3, 4, 5, 6, 7]
