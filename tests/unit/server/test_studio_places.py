"""A server reads a bounded number of scores at once, and refuses past a bounded wait."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from etude.server.errors import ApiError
from etude.server.studio import MAX_PARALLEL_SCORES, MAX_WAITING_SCORES, ScoreStudio


def test_score_reads_past_the_places_and_the_wait_are_refused_with_retry_after() -> None:
    studio = ScoreStudio(Path("/nonexistent"), 1000)
    release = threading.Event()
    running = threading.Semaphore(0)
    inside = 0
    most_inside = 0
    count = threading.Lock()

    def read() -> str:
        nonlocal inside, most_inside
        with count:
            inside += 1
            most_inside = max(most_inside, inside)
        running.release()
        release.wait(10)
        with count:
            inside -= 1
        return "read"

    admitted = MAX_PARALLEL_SCORES + MAX_WAITING_SCORES
    with ThreadPoolExecutor(admitted) as pool:
        futures = [pool.submit(studio.exclusive, read) for _ in range(admitted)]
        for _ in range(MAX_PARALLEL_SCORES):
            assert running.acquire(timeout=10)
        deadline = time.monotonic() + 10
        while studio.reading < admitted and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(ApiError) as refused:
            studio.exclusive(read)
        release.set()
        assert [future.result(timeout=10) for future in futures] == ["read"] * admitted
    assert refused.value.status == 429 and int(refused.value.headers["Retry-After"]) >= 1
    assert most_inside == MAX_PARALLEL_SCORES
    assert studio.exclusive(lambda: "free again") == "free again"
