"""Facts never queue (issue #23), end to end: the real server in-process, the real embedded
model, Chroma and SQLite.

Two learners ask why-questions, on which the model writes after the computed blocks; while
the model writes for them, a third learner asks to spell a chord, a turn answered from
computed blocks alone. That turn must be answered while the model is still busy with the
others, not after them, even with a single working place (``ETUDE_TURN_THREADS=1``): a turn
on the model gives its place away. The server before issue #23 ran whole turns one after
another on one thread, and answered it only after both.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from etude.config import Settings
from etude.llm.gate import IN_PROCESS_MODEL
from etude.mentor import Mentor
from etude.server import create_app
from etude.server.config import ServerSettings

pytestmark = pytest.mark.integration

BASE_URL = "http://127.0.0.1"
PROSE = (
    "Why does a G dominant seventh chord want to resolve? Which notes make it up?",
    "Why does an E minor triad sound sad? Which notes make it up?",
)
FACTS = "Spell a D7 chord."


def _turn(client: TestClient, message: str) -> dict[str, Any]:
    lesson = client.post("/sessions").json()["id"]
    reply = client.post(f"/sessions/{lesson}/turns", json={"message": message})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _notes(result: dict[str, Any]) -> list[str]:
    return next(e["notes"] for e in result["evidence"] if e["kind"] == "fact")


def test_a_facts_turn_is_answered_while_the_model_writes_for_others(
    settings: Settings, mentor: Mentor
) -> None:
    app = create_app(settings, ServerSettings(turn_threads=1), mentor=mentor, warm_up=False)
    with TestClient(app, base_url=BASE_URL) as ana:
        cleo = TestClient(app, base_url=BASE_URL)
        ben = TestClient(app, base_url=BASE_URL)
        with ThreadPoolExecutor(2) as pool:
            prose: list[Future[dict[str, Any]]] = [
                pool.submit(_turn, client, message)
                for client, message in zip((ana, cleo), PROSE, strict=True)
            ]
            # the first why-question builds the knowledge index if this run has none yet,
            # then reaches the model
            deadline = time.monotonic() + 600
            while IN_PROCESS_MODEL.depth < 1:
                assert time.monotonic() < deadline, "no prose turn reached the model"
                assert not any(f.done() and f.exception() for f in prose), [
                    f.exception() for f in prose if f.done()
                ]
                time.sleep(0.02)
            asked = time.perf_counter()
            facts = _turn(ben, FACTS)
            answered = time.perf_counter() - asked
            model_busy = IN_PROCESS_MODEL.depth
            prose_pending = sum(not f.done() for f in prose)
            written = [f.result() for f in prose]
        cleo.close()
        ben.close()
    assert _notes(facts) == ["D", "F#", "A", "C"]
    assert "D – F# – A – C" in facts["answer"]
    assert model_busy >= 1 and prose_pending >= 1, (
        f"the facts turn took {answered:.1f} s and was answered after the prose turns"
    )
    # the prose turns were answered too, each with its own chord and the model's turn taken
    assert [_notes(r) for r in written] == [["G", "B", "D", "F"], ["E", "G", "B"]]
    assert all("tutor_model" in r["timings_ms"] for r in written)
    assert "tutor_model" not in facts["timings_ms"]
