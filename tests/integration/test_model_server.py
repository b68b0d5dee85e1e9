"""The tutor behind a real OpenAI-compatible model server on loopback.

``transformers serve`` (from the transformers package we already depend on, ``[serving]``
extra) serves our cached copy of the embedded SmolLM2 over ``/v1/chat/completions``: the same
protocol vLLM, llama.cpp's server and Ollama speak. Two mentors stand in for two workers sharing
one lesson database and one model server; a lesson started on one continues on the other.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from etude.config import Settings
from etude.llm import usage
from etude.llm.loading import embedded_model_dir
from etude.llm.openai_compat import openai_chat_model
from etude.mentor import Mentor
from tests.servers import free_port, stop, wait_until_up

pytestmark = pytest.mark.integration

STARTUP_S = 240


@pytest.fixture(scope="module")
def model_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = embedded_model_dir(settings)
    executable = shutil.which("transformers", path=str(Path(sys.executable).parent))
    assert executable, "transformers' CLI is missing: pip install 'transformers[serving]'"
    port = free_port()
    log_path = tmp_path_factory.mktemp("model-server") / "server.log"
    log = log_path.open("w")
    command = [executable, "serve", str(model), "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--device", "cpu", "--dtype", "bfloat16"],
        stdout=log,
        stderr=subprocess.STDOUT,
        # One thread: the server shares two cores with the test process, and torch's default
        # of one thread per core made each token ten times slower under that contention.
        env={**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"},
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        with urllib.request.urlopen(f"{base}/health", timeout=2) as reply:
            return bool(reply.status == 200)

    try:
        wait_until_up(
            healthy, process, what="the model server", seconds=STARTUP_S, log=log_path, every=1
        )
        yield f"{base}/v1"
    finally:
        stop(process)
        log.close()


def test_a_lesson_continues_on_a_second_worker_through_the_model_server(
    settings: Settings, model_server: str, tmp_path: Path
) -> None:
    served = settings.with_overrides(
        openai_base_url=model_server,
        openai_model=str(embedded_model_dir(settings)),
        db_path=tmp_path / "lessons.sqlite",  # fresh lessons; the session's built knowledge index
        max_new_tokens=40,
    )
    first = Mentor(served)
    try:
        result = first.ask("Which notes make up a G major triad?", session="shared")
    finally:
        first.close()
    assert "theory" in result.route
    assert "G – B – D" in result.answer  # the computed fact leads, whatever the model adds
    assert len(result.answer) > len("G major triad (G): G – B – D")

    second = Mentor(served)
    try:
        follow_up = second.ask("And which notes are in a D major triad?", session="shared")
        history = second.history("shared")
    finally:
        second.close()
    assert "D – F# – A" in follow_up.answer
    assert [m["role"] for m in history] == ["human", "ai", "human", "ai"]
    assert history[0]["content"] == "Which notes make up a G major triad?"


def test_the_model_servers_token_usage_is_counted(settings: Settings, model_server: str) -> None:
    """``/metrics``' model tokens come from the server's own ``usage``: asked for when
    streaming (``stream_options.include_usage``) and read from a plain reply."""
    served = settings.with_overrides(
        openai_base_url=model_server,
        openai_model=str(embedded_model_dir(settings)),
        max_new_tokens=8,
    )
    model = openai_chat_model(served)
    before = usage.TOTAL.snapshot()
    with usage.turn_usage() as streamed:
        "".join(str(c.content) for c in model.stream([HumanMessage("Name a major triad.")]))
    assert streamed.calls == 1
    assert streamed.prompt > 5 and 0 < streamed.completion <= 8
    with usage.turn_usage() as invoked:
        model.invoke([HumanMessage("Name a minor triad.")])
    assert invoked.calls == 1 and 0 < invoked.completion <= 8
    after = usage.TOTAL.snapshot()
    assert after[1] - before[1] == streamed.completion + invoked.completion
