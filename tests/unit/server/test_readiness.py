"""``/ready``'s checks on their own: each names its backend and says why it failed, never a
password; the single-machine defaults (SQLite, a local index, the embedded model) are checked
too. A backend that is down is a real closed port on loopback, not a mock."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from etude.config import Settings
from etude.server.readiness import check_database, check_knowledge, check_model, readiness
from tests.servers import free_port


def test_sqlite_is_ready_once_the_file_exists_and_the_probe_never_creates_it(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    missing = check_database(settings)
    assert not missing.ok and missing.detail.startswith("sqlite at etude.sqlite: ")
    assert not settings.sqlite_path.exists()
    sqlite3.connect(settings.sqlite_path).close()
    assert check_database(settings).ok


def test_a_postgres_that_does_not_answer_is_named_without_its_password(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    port = free_port()
    url = f"postgresql://etude:s3cret@127.0.0.1:{port}/etude"
    check = check_database(Settings(data_dir=tmp_path, database_url=url))
    assert not check.ok
    assert check.line().startswith(f"database: postgresql at 127.0.0.1:{port}: ")
    assert "s3cret" not in check.line()


def test_the_local_index_must_be_built(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert check_knowledge(settings).detail == "local index not built (etude kb build)"
    settings.kb_dir.mkdir()
    sqlite3.connect(settings.kb_dir / "chroma.sqlite3").close()
    assert check_knowledge(settings).ok


def test_servers_that_do_not_answer_are_named(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path,
        chroma_url=f"http://127.0.0.1:{port}",
        openai_base_url=f"http://127.0.0.1:{port}/v1",
    )
    knowledge, model = check_knowledge(settings), check_model(settings, lambda: True)
    assert not knowledge.ok and knowledge.detail.startswith(f"chroma at 127.0.0.1:{port}: ")
    assert not model.ok and model.detail.startswith(f"model server at 127.0.0.1:{port}: ")


def test_the_embedded_model_is_ready_when_loaded(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert check_model(settings, lambda: False).detail == "embedded still loading"
    assert check_model(settings, lambda: True).ok
    checks = asyncio.run(readiness(settings, lambda: True))
    assert [c.part for c in checks] == ["database", "knowledge", "model"]
    assert [c.ok for c in checks] == [False, False, True]
