"""The tutor behind a real OpenAI-compatible model server on loopback.

``transformers serve`` (from the transformers package we already depend on, ``[serving]``
extra) serves our cached copy of the embedded SmolLM2 over ``/v1/chat/completions``: the same
protocol vLLM, llama.cpp's server and Ollama speak. Two mentors stand in for two workers sharing
one lesson database and one model server; a lesson started on one continues on the other.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from etude.config import Settings
from etude.llm.loading import embedded_model_dir
from etude.mentor import Mentor

pytestmark = pytest.mark.integration

STARTUP_S = 240


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def model_server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    model = embedded_model_dir(settings)
    executable = shutil.which("transformers", path=str(Path(sys.executable).parent))
    assert executable, "transformers' CLI is missing: pip install 'transformers[serving]'"
    port = _free_port()
    log = (tmp_path_factory.mktemp("model-server") / "server.log").open("w")
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
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            assert process.poll() is None, f"model server exited; see {log.name}"
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"model server not up in {STARTUP_S} s"
            time.sleep(1)
        yield f"{base}/v1"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_a_lesson_continues_on_a_second_worker_through_the_model_server(
    settings: Settings, model_server: str, tmp_path: Path
) -> None:
    served = dataclasses.replace(
        settings,
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
