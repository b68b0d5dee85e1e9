"""Etude on the real LangGraph server, driven the way Agent Chat UI and LangGraph Studio drive it.

``langgraph dev`` (the in-memory LangGraph API server from ``langgraph-cli[inmem]``) is started
once for the module on a loopback port with the repository's ``langgraph.json`` (graph and
auth), the embedded chat model and a fresh data folder; ``langgraph_sdk`` then creates threads,
streams runs in every stream mode, uploads a score inside a message, follows up and reads the
state back. Three of these are regressions of bugs the server showed (issue #24): a
messages-only input failed (``KeyError: 'question'``), a turn's evidence leaked into the next
(a reset marker that did not survive JSON), and the ``messages`` stream carried the model's raw
tokens before the claim checker had read them.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.servers import ROOT, Served, free_port, stop, wait_until_up

pytest.importorskip("langgraph_cli", reason="needs langgraph-cli[inmem] (the dev extra)")
pytest.importorskip("langgraph_api", reason="needs langgraph-cli[inmem] (the dev extra)")
from langgraph_sdk import get_sync_client
from langgraph_sdk.errors import NotFoundError, PermissionDeniedError
from langgraph_sdk.schema import StreamPart

pytestmark = pytest.mark.integration

TOKENS = {"tok-ana": "ana", "tok-sam": "sam"}
ALL_MODES = ["messages-tuple", "values", "updates", "custom"]


def anchored_config(path: Path) -> dict[str, Any]:
    """The repository's ``langgraph.json`` with its relative paths made absolute: ``langgraph
    dev`` resolves them against its working directory, and the test runs it elsewhere."""
    config = json.loads(path.read_text())
    root = path.parent

    def anchor(spec: str) -> str:
        return str(root / spec) if spec.startswith(".") else spec

    config["dependencies"] = [anchor(dep) for dep in config["dependencies"]]
    config["graphs"] = {name: anchor(spec) for name, spec in config["graphs"].items()}
    if "auth" in config:
        config["auth"]["path"] = anchor(config["auth"]["path"])
    return config


@pytest.fixture(scope="module")
def served(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``langgraph dev`` on loopback, run from its own folder (it keeps its in-memory state
    in ``.langgraph_api/`` of the working directory)."""
    home = tmp_path_factory.mktemp("langgraph-dev")
    config = home / "langgraph.json"
    config.write_text(json.dumps(anchored_config(ROOT / "langgraph.json")))
    tokens = home / "tokens.json"
    tokens.write_text(json.dumps(TOKENS))
    port = free_port()
    log = home / "server.log"
    cli = Path(sys.executable).parent / "langgraph"
    env = {
        **os.environ,
        "ETUDE_DATA_DIR": str(data_dir),
        "ETUDE_LANGGRAPH_TOKENS": str(tokens),
        "ETUDE_ROUTER_LLM": "0",
        "PYTHONPATH": str(ROOT),
        "LANGSMITH_TRACING": "false",
        "PYTHONUNBUFFERED": "1",
    }
    command = [str(cli), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1",
               "--port", str(port), "--config", str(config)]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=home, env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        with urllib.request.urlopen(f"{url}/ok", timeout=5) as reply:
            return bool(reply.status == 200)

    try:
        wait_until_up(up, process, what="langgraph dev", seconds=180, log=log)
        yield Served(url, process, log)
    finally:
        stop(process)


@pytest.fixture(scope="module")
def server(served: Served) -> str:
    return served.url


def client(url: str, token: str | None = "tok-ana") -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return get_sync_client(url=url, headers=headers)


def human(text: str, *parts: dict[str, Any]) -> dict[str, Any]:
    """A message as Agent Chat UI sends it: text, then any file parts."""
    if not parts:
        return {"type": "human", "content": text}
    return {"type": "human", "content": [{"type": "text", "text": text}, *parts]}


def question_input(question: str) -> dict[str, Any]:
    """The older question-style input, every per-turn key set, as ``etude.state.turn_input``
    sent it before the graph read its turn from the message; its evidence reset marker was a
    ``list`` subclass, a plain list once sent as JSON."""
    return {
        "messages": [human(question)],
        "question": question,
        "attachment": None,
        "requested_level": None,
        "route": [],
        "offtopic": False,
        "evidence": [],
        "timings_ms": {"__reset__": 0.0},
        "answer": "",
        "blocks": [],
    }


def run_turn(sdk: Any, thread: str, payload: dict[str, Any], **options: Any) -> list[StreamPart]:
    stream = sdk.runs.stream(thread, "etude", input=payload, stream_mode=ALL_MODES, **options)
    parts = list(stream)
    errors = [part.data for part in parts if part.event == "error"]
    assert not errors, errors
    return parts


def streamed_ai_texts(parts: list[StreamPart]) -> list[tuple[str, str]]:
    """Every AI message or chunk the ``messages`` mode sent: its type and text."""
    found = []
    for part in parts:
        if part.event == "messages":
            message = part.data[0]
            if message.get("type") in ("ai", "AIMessageChunk"):
                found.append((message["type"], str(message.get("content") or "")))
    return found


def custom_text(parts: list[StreamPart]) -> str:
    return "".join(
        part.data["text"]
        for part in parts
        if part.event == "custom" and part.data.get("event") == "token"
    )


def update_answers(parts: list[StreamPart]) -> list[str]:
    return [
        str(node["answer"])
        for part in parts
        if part.event == "updates"
        for node in (part.data or {}).values()
        if isinstance(node, dict) and node.get("answer")
    ]


def test_a_messages_only_turn_streams_only_the_guarded_reply(server: str) -> None:
    """Agent Chat UI's input, with a question the model adds to (the tiny model's sentences
    go through the claim checker): nothing but the guarded reply reaches the client, in any
    stream mode, and the reply lands in ``messages`` as the AI message."""
    sdk = client(server)
    thread = sdk.threads.create()["thread_id"]
    parts = run_turn(sdk, thread, {"messages": [human("Why does a G major triad sound bright?")]})
    state = sdk.threads.get_state(thread)["values"]
    answer = state["answer"]
    assert "G – B – D" in answer
    assert "tutor_model" in state["timings_ms"], "the model was not asked: nothing to guard"
    # the raw model stream would show up as AIMessageChunk tokens; only the reply may appear
    assert streamed_ai_texts(parts) == [("ai", answer)]
    assert custom_text(parts).strip() == answer
    assert update_answers(parts) == [answer]
    values = [part.data for part in parts if part.event == "values"]
    assert values[-1]["answer"] == answer
    assert [m["type"] for m in state["messages"]] == ["human", "ai"]
    assert state["messages"][-1]["content"] == answer


def test_evidence_does_not_leak_into_the_next_turn(server: str) -> None:
    """Both turns in the older question-style input, which must keep working."""
    sdk = client(server)
    thread = sdk.threads.create()["thread_id"]
    run_turn(sdk, thread, question_input("What notes are in a G major triad?"))
    first = sdk.threads.get_state(thread)["values"]
    assert any(item["notes"] == ["G", "B", "D"] for item in first["evidence"])
    run_turn(sdk, thread, question_input("What notes are in a D minor triad?"))
    second = sdk.threads.get_state(thread)["values"]
    notes = [item["notes"] for item in second["evidence"]]
    assert ["D", "F", "A"] in notes
    assert ["G", "B", "D"] not in notes
    assert "D – F – A" in second["answer"] and "G – B – D" not in second["answer"]
    assert [m["type"] for m in second["messages"]] == ["human", "ai", "human", "ai"]
    # and a chat client's turn after them starts afresh too
    run_turn(sdk, thread, {"messages": [human("What is a deceptive cadence?")]})
    third = sdk.threads.get_state(thread)["values"]
    assert all(item["tool"] != "theory" or item["kind"] != "fact" for item in third["evidence"])
    assert third["question"] == "What is a deceptive cadence?"


def test_the_messages_stream_never_carries_the_models_raw_tokens(server: str) -> None:
    """The same check as the first test's, in the input every version of the graph took:
    when the model writes, only the reply the claim checker let through is streamed."""
    sdk = client(server)
    thread = sdk.threads.create()["thread_id"]
    parts = run_turn(sdk, thread, question_input("why do we avoid parallel fifths?"))
    state = sdk.threads.get_state(thread)["values"]
    assert "tutor_model" in state["timings_ms"], "the model was not asked: nothing to guard"
    assert streamed_ai_texts(parts) == [("ai", state["answer"])]


def test_a_score_sent_in_a_message_then_a_follow_up_about_it(
    server: str, g_major_midi: Path
) -> None:
    sdk = client(server)
    thread = sdk.threads.create()["thread_id"]
    midi = {
        "type": "file",
        "source_type": "base64",
        "mime_type": "audio/midi",
        "data": base64.b64encode(g_major_midi.read_bytes()).decode(),
        "metadata": {"filename": "tune_in_g.mid"},
    }
    run_turn(sdk, thread, {"messages": [human("What key is my tune in?", midi)]})
    state = sdk.threads.get_state(thread)["values"]
    assert state["attachment"]["format"] == "midi"
    assert "critic" in state["route"]
    assert "G major" in state["answer"]
    sent = state["messages"][0]
    assert sent["content"] == "What key is my tune in?"  # the bytes were not kept in the thread
    assert sent["additional_kwargs"]["attachment"] == state["attachment"]
    run_turn(sdk, thread, {"messages": [human("Is there any bar that doesn't work?")]})
    later = sdk.threads.get_state(thread)["values"]
    assert later["attachment"] == state["attachment"] and "critic" in later["route"]
    assert all(item["tool"] != "theory" or item["kind"] != "fact" for item in later["evidence"])


def test_lessons_are_owned_and_the_learner_comes_from_the_token(server: str) -> None:
    ana, sam = client(server, "tok-ana"), client(server, "tok-sam")
    thread = ana.threads.create()["thread_id"]
    run_turn(ana, thread, question_input("Hi! My name is Ana and I play the cello."))
    assert ana.threads.get(thread)["metadata"]["owner"] == "ana"
    with pytest.raises(NotFoundError):
        sam.threads.get(thread)
    with pytest.raises(NotFoundError):
        sam.threads.get_state(thread)
    with pytest.raises(NotFoundError):
        list(sam.runs.stream(thread, "etude", input={"messages": [human("hello")]}))
    assert thread not in {t["thread_id"] for t in sam.threads.search(limit=100)}
    assert thread in {t["thread_id"] for t in ana.threads.search(limit=100)}
    # a caller cannot hand the thread to someone else through its metadata
    ana.threads.update(thread, metadata={"owner": "sam"})
    assert ana.threads.get(thread)["metadata"]["owner"] == "ana"

    # the learner is the token's, whatever the run's context says
    own = sam.threads.create()["thread_id"]
    sam_turn = question_input("My name is Sam and I play the oboe.")
    run_turn(sam, own, sam_turn, context={"learner": "ana"})
    assert ana.store.get_item(("learners", "ana"), "profile")["value"]["name"] == "Ana"
    assert sam.store.get_item(("learners", "sam"), "profile")["value"]["name"] == "Sam"
    with pytest.raises(PermissionDeniedError):
        sam.store.get_item(("learners", "ana"), "profile")

    for token in (None, "wrong"):
        request = urllib.request.Request(f"{server}/threads/search", data=b"{}", method="POST")
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401


def test_checkpoints_hold_plain_data(served: Served) -> None:
    """Every checkpoint of every lesson read back: nothing was pickled, and nothing needed the
    serializer's allow-list of classes (LangGraph warns about classes it was not told about,
    and will refuse them)."""
    sdk = client(served.url)
    threads = sdk.threads.search(limit=100)
    run_turn(sdk, threads[0]["thread_id"], question_input("And a C major triad?"))
    for thread in sdk.threads.search(limit=100):
        history = sdk.threads.get_history(thread["thread_id"], limit=100)
        assert history
        for checkpoint in history:
            for item in checkpoint["values"].get("evidence") or []:
                assert set(item) >= {"tool", "kind", "summary"}
    log = served.log.read_text(errors="replace")
    assert "unregistered type" not in log
    assert "pickle" not in log.lower()
