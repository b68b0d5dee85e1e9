"""``etude serve`` as an attacker meets it (issue #21): a real server process on loopback, real
SQLite, HTTP from outside. Only the chat model is a stand-in (``tests.model_stub``).

- Cross-site requests (CSRF): a page on another site, or on another port of localhost, must
  not create lessons or plant turns: a foreign ``Origin`` or ``Sec-Fetch-Site`` is refused, and
  so is any body that is neither JSON nor multipart (what an HTML form can send without asking).
- DNS rebinding: a name that resolves to 127.0.0.1 is still not this server's name.
- Bodies are capped before they are read whole, and no malformed body reaches a traceback.
- Replies never carry the server's own paths.
- Every response carries the headers that keep the studio out of frames and sniffing.
- Turns queue within bounds: past them, 429 with ``Retry-After``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.fuzz import hostile
from tests.servers import Served, etude_server, model_stub, stub_model_env

pytestmark = pytest.mark.integration

EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("security")


@pytest.fixture(scope="module")
def served(folder: Path) -> Iterator[Served]:
    with model_stub(folder, "--delay", "0.1") as model:
        env = {
            **stub_model_env(model),
            "ETUDE_DATA_DIR": str(folder / "data"),
            "ETUDE_MAX_QUEUED_TURNS": "3",
        }
        with etude_server(env, folder) as server:
            yield server


@pytest.fixture
def client(served: Served) -> Iterator[httpx.Client]:
    """A learner of their own (a fresh cookie jar) talking to the server like a script does."""
    with httpx.Client(base_url=served.url, timeout=120) as learner:
        yield learner


def _own_origin(served: Served) -> str:
    return served.url


def _error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert set(body) == {"error"} and body["error"], body
    return str(body["error"])


def _log_since(served: Served, offset: int) -> str:
    return served.log.read_bytes()[offset:].decode(errors="replace")


# Item 3: cross-site request forgery.


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "http://localhost:3000"},  # another port of this machine is another site
        {"Origin": "null"},  # a sandboxed frame or a file:// page
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # localhost:3000 → localhost:8000 is "same-site"
    ],
    ids=["evil-origin", "other-port", "null-origin", "cross-site", "same-site"],
)
def test_state_changing_requests_from_another_site_are_refused(
    served: Served, client: httpx.Client, headers: dict[str, str]
) -> None:
    assert "another site" in _error(client.post("/sessions", headers=headers), 403)
    session = client.post("/sessions").json()["id"]
    turn = client.post(f"/sessions/{session}/turns", json={"message": "hi"}, headers=headers)
    _error(turn, 403)
    _error(client.delete(f"/sessions/{session}", headers=headers), 403)
    assert [s["id"] for s in client.get("/sessions").json()["sessions"]] == [session]
    assert client.get(f"/sessions/{session}").json()["messages"] == []


def test_same_origin_requests_are_served(served: Served, client: httpx.Client) -> None:
    headers = {"Origin": _own_origin(served), "Sec-Fetch-Site": "same-origin"}
    assert client.post("/sessions", headers=headers).status_code == 201


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "text/plain;charset=UTF-8", ""],
)
def test_turn_bodies_other_than_json_or_multipart_are_refused(
    client: httpx.Client, content_type: str
) -> None:
    """``text/plain`` holding JSON is what an HTML form on any site can send without asking."""
    session = client.post("/sessions").json()["id"]
    body = json.dumps({"message": "Which notes make up a C major triad?"})
    sent = client.post(
        f"/sessions/{session}/turns", content=body, headers={"Content-Type": content_type}
    )
    assert "JSON" in _error(sent, 415)
    assert client.get(f"/sessions/{session}").json()["messages"] == []


# Item 4: DNS rebinding.


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "etude.localhost:{port}"]
)
def test_requests_for_another_host_name_are_refused(
    served: Served, client: httpx.Client, host: str
) -> None:
    port = served.url.rsplit(":", 1)[1]
    named = {"Host": host.format(port=port)}
    _error(client.get("/", headers=named), 421)
    _error(client.get("/sessions", headers=named), 421)
    _error(client.post("/sessions", headers=named), 421)


def test_the_bound_loopback_names_are_served(served: Served, client: httpx.Client) -> None:
    port = served.url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert client.get("/sessions", headers={"Host": host}).status_code == 200, host


# Item 5: bodies are capped before they are read.


def test_a_huge_json_body_is_refused_before_it_is_read(client: httpx.Client) -> None:
    session = client.post("/sessions").json()["id"]
    huge = json.dumps({"message": "x" * 30_000_000})
    began = time.perf_counter()
    assert "too large" in _error(
        client.post(
            f"/sessions/{session}/turns", content=huge, headers={"Content-Type": "application/json"}
        ),
        413,
    )
    assert time.perf_counter() - began < 10

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count as it reads
        yield b'{"message": "'
        for _ in range(300):
            yield b"x" * 100_000
        yield b'"}'

    chunked = client.post(
        f"/sessions/{session}/turns", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert "too large" in _error(chunked, 413)


def test_an_upload_far_over_the_limit_is_refused_from_its_length(client: httpx.Client) -> None:
    session = client.post("/sessions").json()["id"]
    big = b"MThd" + b"\0" * 60_000_000
    sent = client.post(f"/sessions/{session}/uploads", files={"file": ("big.mid", big)})
    assert "too large" in _error(sent, 413)


def test_a_message_at_the_length_limit_still_fits_the_body_cap(client: httpx.Client) -> None:
    """4,000 characters that JSON escapes six bytes each (``\\u00e9``): the cap is measured
    against the message limit, so a legal message is never refused for its body size."""
    session = client.post("/sessions").json()["id"]
    body = json.dumps({"message": "é" * 4000}, ensure_ascii=True)
    assert len(body) > 24_000
    reply = client.post(
        f"/sessions/{session}/turns", content=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 200, reply.text[:300]


# Item 6: no malformed body reaches a traceback.


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 50_000 + b"]" * 50_000,
        b'{"message": ' * 20_000 + b'"x"' + b"}" * 20_000,
        b'{"message": "\xff\xfe"}',
        b'{"message": ' + b"1" * 5000 + b"}",
        b'{"message": NaN}',
        b'{"message": "hi"',
        b'"just a string"',
        b'{"message": "hi", "level": ["deep"]}',
        b"",
    ],
    ids=[
        "nested-lists",
        "nested-objects",
        "bad-utf8",
        "huge-int",
        "nan",
        "cut-short",
        "string",
        "bad-level",
        "empty",
    ],
)
def test_malformed_json_is_a_4xx_json_error_without_a_traceback(
    served: Served, client: httpx.Client, body: bytes
) -> None:
    session = client.post("/sessions").json()["id"]
    offset = served.log.stat().st_size
    reply = client.post(
        f"/sessions/{session}/turns", content=body, headers={"Content-Type": "application/json"}
    )
    assert 400 <= reply.status_code < 500, (reply.status_code, reply.text[:200])
    _error(reply, reply.status_code)
    assert "Traceback" not in _log_since(served, offset)


def test_a_broken_multipart_body_is_a_4xx_json_error(served: Served, client: httpx.Client) -> None:
    session = client.post("/sessions").json()["id"]
    offset = served.log.stat().st_size
    for body, boundary in ((b"--x\r\nnonsense", "x"), (b"garbage", "")):
        reply = client.post(
            f"/sessions/{session}/turns",
            content=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert 400 <= reply.status_code < 500, (reply.status_code, reply.text[:200])
        _error(reply, reply.status_code)
    assert "Traceback" not in _log_since(served, offset)


# Item 7: no server path leaves the server.


def test_replies_carry_the_learners_file_name_never_a_server_path(
    served: Served, client: httpx.Client, folder: Path, chorale_midi: Path
) -> None:
    data = chorale_midi.read_bytes()
    texts = []
    analysed = client.post("/analyze", files={"file": ("my chorale.mid", data)})
    assert analysed.status_code == 200, analysed.text[:300]
    assert analysed.json()["file"] == "my_chorale.mid"
    texts.append(analysed.text)
    session = client.post("/sessions").json()["id"]
    uploaded = client.post(f"/sessions/{session}/uploads", files={"file": ("chorale.mid", data)})
    assert uploaded.status_code == 201, uploaded.text[:300]
    assert uploaded.json()["analysis"]["file"] == "chorale.mid"
    texts.append(uploaded.text)
    texts.append(client.get(f"/sessions/{session}/score").text)
    upload_id = uploaded.json()["upload"]["id"]
    turn = client.post(
        f"/sessions/{session}/turns",
        json={"message": "What should I improve in my chorale?", "upload": upload_id},
    )
    assert turn.status_code == 200, turn.text[:300]
    texts.append(turn.text)
    streamed = client.post(
        f"/sessions/{session}/turns",
        files={"file": ("again.mid", data)},
        data={"message": "And in this one?"},
        headers={"Accept": "text/event-stream"},
    )
    texts.append(streamed.text)
    texts.append(client.get(f"/sessions/{session}").text)
    texts.append(client.get("/me").text)
    for text in texts:
        for secret in (str(folder), "/uploads/", "/tmp/", "etude-analyze-"):
            assert secret not in text, (secret, text[:200])


# Item 11: the headers of every response.


def test_every_response_carries_the_protective_headers(
    served: Served, client: httpx.Client
) -> None:
    responses = [
        client.get("/"),
        client.get("/health"),
        client.get("/static/studio.js"),
        client.get("/sessions"),
        client.get("/no/such/page"),
        client.post("/sessions", headers={"Origin": EVIL}),
        client.get("/", headers={"Host": "evil.example"}),
    ]
    for response in responses:
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, csp
        assert "script-src 'self'" in csp and "unsafe-eval" not in csp, csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "no-referrer"
    page = responses[0].text
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script: CSP would block it"


# Item 1, through the server: the lying zip bomb costs the server no memory.


def test_a_lying_zip_bomb_through_analyze_leaves_the_server_small(
    served: Served, client: httpx.Client
) -> None:
    before = served.peak_rss_mb()
    sent = client.post("/analyze", files={"file": ("bomb.mxl", hostile.lying_zip_bomb())})
    _error(sent, 422)
    assert served.peak_rss_mb() - before < 150, (before, served.peak_rss_mb())


# Back-pressure.


def test_turns_past_the_queue_limits_get_429_with_retry_after(served: Served, folder: Path) -> None:
    """Two turns queued per learner at most, three in all on this server
    (``ETUDE_MAX_QUEUED_TURNS=3``): the rest are told when to come back, not queued."""

    def learner() -> tuple[httpx.Client, str]:
        client = httpx.Client(base_url=served.url, timeout=300)
        return client, client.post("/sessions").json()["id"]

    ana, ana_lesson = learner()
    others = [learner() for _ in range(3)]

    def turn(who: tuple[httpx.Client, str]) -> httpx.Response:
        client, lesson = who
        # A message the stand-in model answers (slowly: 0.1 s a word), not a canned greeting.
        message = "Hello, this is a turn of our chat."
        return client.post(f"/sessions/{lesson}/turns", json={"message": message})

    try:
        with ThreadPoolExecutor(3) as pool:
            replies = list(pool.map(turn, [(ana, ana_lesson)] * 3))
        codes = sorted(r.status_code for r in replies)
        assert codes == [200, 200, 429], codes
        refused = next(r for r in replies if r.status_code == 429)
        assert int(refused.headers["retry-after"]) >= 1
        assert "turns" in _error(refused, 429)
        with ThreadPoolExecutor(4) as pool:
            replies = list(pool.map(turn, [*others, (ana, ana_lesson)]))
        assert sorted(r.status_code for r in replies) == [200, 200, 200, 429]
    finally:
        for client, _ in [(ana, ana_lesson), *others]:
            client.close()
