"""A stand-in OpenAI-compatible model server, for tests about everything but the model.

Tests of concurrency, crashes and HTTP plumbing need real ``etude`` processes and a real
database, but not a real language model: this server answers ``/v1/chat/completions`` (plain or
streamed, the way vLLM and llama.cpp's server do) with a fixed sentence, fast, and can hold
requests back so that two turns are provably in flight at once:

    python -m tests.model_stub --port 8123 [--delay 0.05] [--gather 2 --gather-timeout 5]
                               [--log requests.jsonl]

``--delay`` pauses before each streamed word; ``--gather N`` holds every request until N have
arrived (or ``--gather-timeout`` seconds passed since it came); ``--log`` appends each
request's messages as one JSON line, so a test can read what the tutor was shown.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPLY = "Thank you for the message; let us keep practising together."


class Stub:
    """The server's behaviour, shared by its request threads."""

    def __init__(self, delay: float, gather: int, gather_timeout: float, log: Path | None):
        self.delay = delay
        self.gather = gather
        self.gather_timeout = gather_timeout
        self.log = log
        self.arrived = 0
        self.condition = threading.Condition()

    def hold(self) -> None:
        """Wait until ``gather`` requests have arrived in all, or the timeout passes."""
        with self.condition:
            self.arrived += 1
            self.condition.notify_all()
            self.condition.wait_for(lambda: self.arrived >= self.gather, self.gather_timeout)

    def record(self, body: dict[str, Any]) -> None:
        if self.log is None:
            return
        with self.condition, self.log.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"messages": body.get("messages", [])}) + "\n")


def _handler(stub: Stub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *_args: Any) -> None:
            pass

        def _json(self, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json({"object": "list", "data": [{"id": "stub", "object": "model"}]})
            else:
                self._json({"status": "ok"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            stub.record(body)
            stub.hold()
            if body.get("stream"):
                self._stream(body.get("model", "stub"))
            else:
                self._json(_completion(body.get("model", "stub")))

        def _stream(self, model: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            words = REPLY.split(" ")
            for index, word in enumerate(words):
                time.sleep(stub.delay)
                text = word if index == len(words) - 1 else word + " "
                self._event(_chunk(model, {"role": "assistant", "content": text}, None))
            self._event(_chunk(model, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _event(self, payload: dict[str, Any]) -> None:
            self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
            self.wfile.flush()

    return Handler


def _chunk(model: str, delta: dict[str, str], finish: str | None) -> dict[str, Any]:
    return {
        "id": "stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _completion(model: str) -> dict[str, Any]:
    return {
        "id": "stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": REPLY},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--gather", type=int, default=1)
    parser.add_argument("--gather-timeout", type=float, default=0.0)
    parser.add_argument("--log", type=Path)
    options = parser.parse_args()
    stub = Stub(options.delay, options.gather, options.gather_timeout, options.log)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), _handler(stub))
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
