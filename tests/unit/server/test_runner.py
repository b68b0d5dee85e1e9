"""The turn runner and the model gate (issue #23): turns run side by side within their places,
only generations wait for the model, and a turn waiting for it gives its place away.

No model here: a "generation" is a hold of the real :class:`ModelGate` that the test releases
when it decides, so every interleaving below is forced, not hoped for.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from etude.llm.gate import ModelGate, stepping_aside
from etude.server.metrics import TurnMetrics
from etude.server.runner import TurnRunner, TurnsBusy

WAIT_S = 10.0
"""Longest any step below may take; each normally takes milliseconds."""


def _collect(runner: TurnRunner, turns: list[Any]) -> list[list[dict[str, Any]]]:
    async def main() -> list[list[dict[str, Any]]]:
        async def one(events: Any) -> list[dict[str, Any]]:
            return [event async for event in runner.start(events)]

        return await asyncio.gather(*(one(events) for events in turns))

    return asyncio.run(asyncio.wait_for(main(), timeout=WAIT_S * 3))


def test_a_facts_turn_finishes_while_another_turn_holds_the_model() -> None:
    """One place only: the first prose turn is on the model, the second waits for it, and
    the facts turn, sent last, runs to its end before either: a turn on the model gives its
    place away. (The runner before issue #23 ran whole turns on one thread: the facts turn
    waited for both.) The turns are sent one by one, each once the one before is where the
    test needs it, so a loaded machine's thread scheduling cannot reorder them."""
    gate = ModelGate()
    runner = TurnRunner(workers=1, gate=gate)
    decoding = threading.Event()
    finish_decode = threading.Event()
    order: list[str] = []

    def prose(name: str, hold: bool) -> Any:
        def events() -> Iterator[dict[str, Any]]:
            yield {"event": "token", "text": f"{name}: the computed blocks"}
            with gate.hold():
                if hold:
                    decoding.set()
                    assert finish_decode.wait(WAIT_S)
                order.append(name)
            yield {"event": "done", "result": name}

        return events

    def facts() -> Iterator[dict[str, Any]]:
        order.append("facts")
        finish_decode.set()
        yield {"event": "token", "text": "D7: D – F# – A – C"}
        yield {"event": "done", "result": "facts"}

    async def until(condition: Any, what: str) -> None:
        deadline = time.monotonic() + WAIT_S
        while not condition():
            assert time.monotonic() < deadline, what
            await asyncio.sleep(0.01)

    async def main() -> list[list[dict[str, Any]]]:
        async def one(events: Any) -> list[dict[str, Any]]:
            return [event async for event in runner.start(events)]

        first = asyncio.ensure_future(one(prose("first", True)))
        await until(decoding.is_set, "the first prose turn never reached the model")
        second = asyncio.ensure_future(one(prose("second", False)))
        await until(lambda: gate.waiting >= 1, "the second prose turn never reached the gate")
        last = asyncio.ensure_future(one(facts))
        return list(await asyncio.gather(first, second, last))

    try:
        results = asyncio.run(asyncio.wait_for(main(), timeout=WAIT_S * 3))
    finally:
        runner.close()
    assert order == ["facts", "first", "second"]
    assert [events[-1]["result"] for events in results] == ["first", "second", "facts"]


def test_turns_never_work_on_more_places_than_the_runner_has() -> None:
    runner = TurnRunner(workers=2, gate=ModelGate())
    lock = threading.Lock()
    now = 0
    most = 0

    def turn() -> Iterator[dict[str, Any]]:
        nonlocal now, most
        with lock:
            now += 1
            most = max(most, now)
        time.sleep(0.05)
        with lock:
            now -= 1
        yield {"event": "done"}

    try:
        _collect(runner, [turn] * 6)
    finally:
        runner.close()
    assert most == 2


def test_a_turn_on_the_model_gives_its_place_back_and_takes_it_again() -> None:
    gate = ModelGate()
    log: list[str] = []
    holder_in = threading.Event()
    let_go = threading.Event()

    def holder() -> None:
        with gate.hold():
            holder_in.set()
            assert let_go.wait(WAIT_S)

    thread = threading.Thread(target=holder)
    thread.start()
    assert holder_in.wait(WAIT_S)
    releaser = threading.Timer(0.1, let_go.set)
    releaser.start()
    with stepping_aside(lambda: log.append("leave"), lambda: log.append("back")), gate.hold():
        log.append("decode")
    thread.join(WAIT_S)
    releaser.join(WAIT_S)
    assert log == ["leave", "decode", "back"]


def test_the_model_goes_to_generations_in_the_order_they_asked() -> None:
    gate = ModelGate()
    served: list[int] = []
    gate.acquire()  # the model is busy while the others line up
    threads = []
    for index in range(5):
        thread = threading.Thread(target=lambda i=index: _take(gate, served, i))
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + WAIT_S
        while gate.waiting < index + 1:  # each in line before the next one asks
            assert time.monotonic() < deadline
            time.sleep(0.005)
    assert gate.depth == 6
    gate.release()
    for thread in threads:
        thread.join(WAIT_S)
    assert served == [0, 1, 2, 3, 4]
    assert gate.depth == 0 and gate.generations == 6


def _take(gate: ModelGate, served: list[int], index: int) -> None:
    with gate.hold():
        served.append(index)


def test_a_turn_that_fails_frees_its_place_and_its_queue_place() -> None:
    runner = TurnRunner(max_waiting=1, workers=1, gate=ModelGate())

    def broken() -> Iterator[dict[str, Any]]:
        yield {"event": "token", "text": "a"}
        raise RuntimeError("the critic fell over")

    async def main() -> None:
        admission = runner.admit("ana")
        with pytest.raises(RuntimeError, match="critic"):
            async for _ in runner.start(broken, admission):
                pass
        again = runner.admit("ben")  # the queue place came back
        assert [e async for e in runner.start(lambda: iter([{"event": "done"}]), again)] == [
            {"event": "done"}
        ]

    try:
        asyncio.run(asyncio.wait_for(main(), timeout=WAIT_S))
        assert runner.waiting == 0 and runner.working == 0
    finally:
        runner.close()


def test_retry_after_follows_how_often_turns_end_under_load() -> None:
    """Fast turns ending back to back bring the estimate down from the unmeasured default;
    the limit itself still answers ``TurnsBusy`` with it."""
    runner = TurnRunner(max_waiting=40, workers=4, gate=ModelGate())
    assert runner.retry_after() == 4  # 15 s a turn, 4 places, nothing measured yet

    def quick() -> Iterator[dict[str, Any]]:
        time.sleep(0.01)
        yield {"event": "done"}

    try:
        _collect(runner, [quick] * 30)
        assert runner.retry_after() == 1
        places = [runner.admit(f"learner-{i}") for i in range(40)]
        with pytest.raises(TurnsBusy) as busy:
            runner.admit("one-too-many")
        assert busy.value.retry_after == 1
        for place in places:
            place.release()
    finally:
        runner.close()


def test_metrics_show_the_turns_and_the_model_queue_apart() -> None:
    text = TurnMetrics().render(queued=12, working=4, model_queue=7)
    assert "etude_turn_queue_depth 12" in text
    assert "etude_turns_working 4" in text
    assert "etude_model_queue_depth 7" in text


def test_a_waiter_interrupted_at_the_gate_leaves_no_trace() -> None:
    gate = ModelGate()
    gate.acquire()
    failed: list[BaseException] = []
    aside: list[str] = []

    def impatient() -> None:
        with stepping_aside(lambda: aside.append("leave"), lambda: aside.append("back")):
            try:
                with gate.hold():
                    aside.append("decode")  # never reached
            except KeyboardInterrupt as exc:
                failed.append(exc)

    # An exception raised inside Event.wait stands for a thread interrupted while waiting.
    original = threading.Event.wait

    def interrupted(self: threading.Event, timeout: float | None = None) -> bool:
        if threading.current_thread().name == "impatient":
            raise KeyboardInterrupt
        return original(self, timeout)

    threading.Event.wait = interrupted  # type: ignore[method-assign]
    try:
        thread = threading.Thread(target=impatient, name="impatient")
        thread.start()
        thread.join(WAIT_S)
    finally:
        threading.Event.wait = original  # type: ignore[method-assign]
    assert failed and aside == ["leave", "back"]
    assert gate.waiting == 0
    gate.release()
    assert gate.depth == 0
