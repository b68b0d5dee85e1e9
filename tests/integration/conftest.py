"""The real graph: embedded SmolLM2, real Chroma over our articles, real SQLite; and a real
PostgreSQL server for the tests of scale-out (one server per test run, a fresh database per
test module)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from etude.config import Settings
from etude.mentor import Mentor
from tests.servers import postgres_owner, postgres_server

PG_BIN = Path(os.environ.get("ETUDE_PG_BIN", "/usr/lib/postgresql/15/bin"))


@pytest.fixture(scope="session")
def settings(data_dir: Path) -> Settings:
    return Settings.from_env()


@pytest.fixture(scope="session")
def mentor(settings: Settings) -> Iterator[Mentor]:
    mentor = Mentor(settings)
    mentor.warm_up()
    yield mentor
    mentor.close()


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A PostgreSQL server from Debian's binaries (``postgresql-15``; another folder with
    ``ETUDE_PG_BIN``); skips when they or the ``postgres`` extra are missing."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"no PostgreSQL server binaries in {PG_BIN} (set ETUDE_PG_BIN)")
    pytest.importorskip("psycopg")
    pytest.importorskip("langgraph.checkpoint.postgres")
    owner = postgres_owner()
    if owner is None:
        pytest.skip("running as root with no unprivileged user to run PostgreSQL as")
    with postgres_server(PG_BIN, owner) as url:
        yield url


@pytest.fixture(scope="module")
def postgres_url(postgres_server_url: str) -> str:
    """A fresh, empty database on that server for this test module."""
    import psycopg

    name = "etude_" + uuid.uuid4().hex[:12]
    with psycopg.connect(postgres_server_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return postgres_server_url.rsplit("/", 1)[0] + "/" + name
