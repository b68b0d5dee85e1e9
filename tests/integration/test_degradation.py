"""A chat model that fails mid-lesson costs the learner the explanation, never the session.

The model here is Etude's real OpenAI-compatible backend (langchain-openai) pointed at a loopback
port where nothing listens: a real connection failure, as when the model server is down.
"""

from __future__ import annotations

import logging
import socket
from pathlib import Path

import pytest

from etude.agents.tutor import MODEL_FAILED
from etude.attachments import prepare_attachment
from etude.config import Settings
from etude.mentor import Mentor
from etude.sessions import open_sqlite
from etude.tools.registry import load_registry

pytestmark = pytest.mark.integration


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_model_server_down_degrades_to_facts_and_a_message(
    settings: Settings, tmp_path: Path, g_major_midi: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("langchain_openai")
    down = settings.with_overrides(
        openai_base_url=f"http://127.0.0.1:{_closed_port()}/v1", router_llm_fallback=True
    )
    mentor = Mentor(
        down,
        registry=load_registry(plugins=False, skip=["theory", "encoder", "lesson"]),
        persistence=open_sqlite(tmp_path / "down.sqlite"),
    )
    attachment = prepare_attachment(g_major_midi)
    try:
        with caplog.at_level(logging.ERROR):
            first = mentor.ask("What key is my piece in?", attachment=attachment, session="down")
            second = mentor.ask("Hello, can we go on?", session="down")
        assert "critic" in first.route
        assert "G major" in first.answer  # the computed analysis still reaches the learner
        for result in (first, second):
            assert MODEL_FAILED in result.answer, result.answer
        assert any("chat model failed" in r.getMessage() for r in caplog.records)
        assert [m["role"] for m in mentor.history("down")] == ["human", "ai", "human", "ai"]
    finally:
        mentor.close()
