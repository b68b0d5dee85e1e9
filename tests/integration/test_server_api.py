"""The HTTP API end to end: the real mentor (embedded model, Chroma, SQLite) behind FastAPI.

Each ``TestClient`` is a browser with its own cookie jar, i.e. its own learner; a few apps
share one loaded mentor so that the model loads once for the whole module.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from etude.config import Settings
from etude.mentor import Mentor
from etude.server import create_app
from etude.server.config import LEARNER_COOKIE, ServerSettings
from tests.contracts import ANALYZE_KEYS

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ASK_KEYS = {"session", "answer", "route", "evidence", "timings_ms", "blocks"}
"""The contract's five keys of ``etude ask --json``, and ``blocks`` (the reply as it was
composed), an extension."""
BASE_URL = "http://127.0.0.1"
"""A name the server answers to (it refuses TestClient's default ``testserver``: any name that
is not its own could be a DNS-rebinding page's)."""


@pytest.fixture(scope="module")
def app(settings: Settings, mentor: Mentor) -> Any:
    return create_app(settings, ServerSettings(), mentor=mentor, warm_up=False)


@pytest.fixture(scope="module")
def ana(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
def ben(app: Any, ana: TestClient) -> Iterator[TestClient]:
    """Another learner: a fresh cookie jar on the app ``ana`` started (entering a second
    ``with TestClient`` would run the app's start-up and shut-down again)."""
    client = TestClient(app, base_url=BASE_URL)
    yield client
    client.close()


@pytest.fixture(scope="module")
def lesson(ana: TestClient) -> str:
    return str(ana.post("/sessions").json()["id"])


def _upload(path: Path, name: str | None = None) -> dict[str, Any]:
    return {"file": (name or path.name, path.read_bytes(), "application/octet-stream")}


def _sse(text: str) -> list[dict[str, Any]]:
    frames = [frame for frame in text.split("\n\n") if frame.strip()]
    events = []
    for frame in frames:
        lines = dict(line.split(": ", 1) for line in frame.splitlines())
        event = json.loads(lines["data"])
        assert event["event"] == lines["event"]
        events.append(event)
    return events


def test_health_page_and_openapi(ana: TestClient) -> None:
    assert ana.get("/health").status_code == 200
    page = ana.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/static/studio.js" in page.text
    assert ana.get("/static/vendor/opensheetmusicdisplay/opensheetmusicdisplay.min.js").is_success
    schema = ana.get("/openapi.json").json()
    for path in ("/analyze", "/sessions", "/sessions/{session_id}", "/sessions/{session_id}/turns"):
        assert path in schema["paths"], path
    docs = ana.get("/docs")  # Swagger UI would come from a CDN
    assert docs.status_code == 404 and docs.json() == {"error": "Not Found"}
    turn_body = schema["paths"]["/sessions/{session_id}/turns"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(turn_body)


def test_first_visit_sets_an_httponly_learner_cookie_once(ben: TestClient) -> None:
    first = ben.get("/")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{LEARNER_COOKIE}=") and "HttpOnly" in cookie
    assert "set-cookie" not in ben.get("/sessions").headers


def test_analyze_returns_the_cli_contract(ana: TestClient, chorale_midi: Path) -> None:
    response = ana.post("/analyze", files=_upload(chorale_midi))
    assert response.status_code == 200, response.text
    report = response.json()
    assert set(report) >= set(ANALYZE_KEYS)
    assert report["format"] == "midi" and report["parts"] == 4
    assert (report["key"]["tonic"], report["key"]["mode"]) == ("F#", "minor")
    for finding in report["findings"]:
        assert {"rule", "bar", "beat", "offset_ql", "parts", "severity", "message"} <= set(finding)


@pytest.mark.parametrize(
    ("name", "content", "status"),
    [
        ("broken.mid", b"MThd\x00\x00\x00\x06garbage", 422),
        ("notes.txt", b"just some words, not a score", 422),
        ("empty.abc", b"", 422),
    ],
)
def test_analyze_refuses_bad_files(ana: TestClient, name: str, content: bytes, status: int) -> None:
    response = ana.post("/analyze", files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == status
    assert set(response.json()) == {"error"} and response.json()["error"]


def test_analyze_without_a_file_is_refused(ana: TestClient) -> None:
    response = ana.post("/analyze")
    assert response.status_code == 422 and response.json() == {"error": "file: Field required"}


def test_uploads_over_the_limit_are_refused(
    settings: Settings, mentor: Mentor, chorale_midi: Path
) -> None:
    small = create_app(settings, ServerSettings(max_upload_bytes=200), mentor=mentor, warm_up=False)
    with TestClient(small, base_url=BASE_URL) as client:
        response = client.post("/analyze", files=_upload(chorale_midi))
        assert response.status_code == 413 and "too large" in response.json()["error"]
        session = client.post("/sessions").json()["id"]
        response = client.post(f"/sessions/{session}/uploads", files=_upload(chorale_midi))
        assert response.status_code == 413


def test_sessions_are_listed_for_their_owner_only(ana: TestClient, ben: TestClient) -> None:
    created = ana.post("/sessions")
    assert created.status_code == 201
    session = created.json()["id"]
    assert session in [s["id"] for s in ana.get("/sessions").json()["sessions"]]
    assert session not in [s["id"] for s in ben.get("/sessions").json()["sessions"]]
    assert ana.get(f"/sessions/{session}").json()["messages"] == []


def test_another_learner_gets_404_everywhere(
    ana: TestClient, ben: TestClient, lesson: str, chorale_midi: Path
) -> None:
    attempts = [
        ben.get(f"/sessions/{lesson}"),
        ben.get(f"/sessions/{lesson}/score"),
        ben.post(f"/sessions/{lesson}/turns", json={"message": "Show me Ana's lesson"}),
        ben.post(f"/sessions/{lesson}/uploads", files=_upload(chorale_midi)),
        ben.get("/sessions/no-such-session"),
    ]
    for response in attempts:
        assert response.status_code == 404, response.text
        assert response.json() == {"error": "no such session"}
    assert ana.get(f"/sessions/{lesson}").status_code == 200
    assert lesson not in [s["id"] for s in ben.get("/sessions").json()["sessions"]]
    theirs = ben.get("/me").json()
    assert theirs["learner"] != ana.get("/me").json()["learner"]
    assert (theirs["sessions"], theirs["progress"]) == (0, {})
    assert theirs["lessons"] is None or theirs["lessons"]["skills"] == []


def test_json_turn_returns_the_ask_object_and_history_grows(ana: TestClient, lesson: str) -> None:
    response = ana.post(
        f"/sessions/{lesson}/turns", json={"message": "Which notes make up a G major triad?"}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert set(result) == ASK_KEYS
    assert result["session"] == lesson and "theory" in result["route"]
    facts = [e for e in result["evidence"] if e["kind"] == "fact"]
    assert facts and facts[0]["notes"] == ["G", "B", "D"]
    detail = ana.get(f"/sessions/{lesson}").json()
    assert detail["title"] == "Which notes make up a G major triad?"
    assert [m["role"] for m in detail["messages"]] == ["human", "ai"]
    assert detail["messages"][1]["content"] == result["answer"]


def test_streamed_turn_sends_route_evidence_tokens_done(ana: TestClient) -> None:
    session = ana.post("/sessions").json()["id"]
    response = ana.post(
        f"/sessions/{session}/turns",
        json={"message": "I play the cello. Which notes make up a D minor triad?"},
        headers={"Accept": "text/event-stream"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _sse(response.text)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "route" and kinds[-1] == "done" and "evidence" in kinds
    assert kinds.count("token") >= 2
    streamed = "".join(e["text"] for e in events if e["event"] == "token")
    done = events[-1]["result"]
    assert set(done) == ASK_KEYS and done["session"] == session
    assert streamed.strip() and streamed.strip() in done["answer"]
    me = ana.get("/me").json()
    assert "cello" in me["profile"]["instruments"]
    assert me["progress"].get("theory", 0) >= 1
    assert me["lessons"] is None or {"track", "skills"} <= set(me["lessons"])


def test_multipart_turn_with_a_score_runs_the_critic(
    ana: TestClient, lesson: str, chorale_midi: Path
) -> None:
    response = ana.post(
        f"/sessions/{lesson}/turns",
        data={"message": "What key is my chorale in?"},
        files=_upload(chorale_midi),
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert "critic" in result["route"]
    assert "F# minor" in result["answer"]
    score = ana.get(f"/sessions/{lesson}/score")
    assert score.status_code == 200
    assert ana.get(f"/sessions/{lesson}").json()["score"]["filename"] == chorale_midi.name


def test_upload_returns_analysis_and_what_the_page_draws(
    ana: TestClient, lesson: str, chorale_midi: Path
) -> None:
    response = ana.post(
        f"/sessions/{lesson}/uploads", files=_upload(chorale_midi, "Bach chorale.mid")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["upload"]["filename"] == "Bach_chorale.mid" and body["upload"]["format"] == "midi"
    assert set(body["analysis"]) >= set(ANALYZE_KEYS)
    view = body["view"]
    assert view["notation_kind"] == "musicxml" and "<score-partwise" in view["notation"]
    assert len(view["parts"]) == 4 and len(view["notes"]) == body["analysis"]["notes"]
    assert len(view["bar_offsets"]) == body["analysis"]["bars"]
    assert {n["v"] for n in view["notes"]} == {0, 1, 2, 3}
    again = ana.get(f"/sessions/{lesson}/score").json()
    assert again["upload"]["id"] == body["upload"]["id"] and again["view"] == view


def test_turns_refuse_bad_input(ana: TestClient, lesson: str) -> None:
    bad = [
        ana.post(f"/sessions/{lesson}/turns", json={}),
        ana.post(f"/sessions/{lesson}/turns", json={"message": ""}),
        ana.post(f"/sessions/{lesson}/turns", json={"message": "hi", "level": "expert"}),
        ana.post(f"/sessions/{lesson}/turns", content=b"not json"),  # no content type: 415
        ana.post(
            f"/sessions/{lesson}/turns",
            data={"message": "Look at this"},
            files={"file": ("tune.mid", b"MThd\x00\x00garbage", "audio/midi")},
        ),
        ana.post(f"/sessions/{lesson}/turns", json={"message": "hi", "upload": "nope"}),
    ]
    assert [r.status_code for r in bad] == [422, 422, 422, 415, 422, 404]
    assert all(set(r.json()) == {"error"} for r in bad)
    assert "MIDI" in bad[4].json()["error"]


def test_header_auth_mode(settings: Settings, mentor: Mentor) -> None:
    app = create_app(settings, ServerSettings(auth="header"), mentor=mentor, warm_up=False)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/sessions").status_code == 401
        session = client.post("/sessions", headers={"X-Etude-Learner": "ana@school"}).json()["id"]
        mine = client.get(f"/sessions/{session}", headers={"X-Etude-Learner": "ana@school"})
        theirs = client.get(f"/sessions/{session}", headers={"X-Etude-Learner": "ben@school"})
        assert (mine.status_code, theirs.status_code) == (200, 404)
        assert "set-cookie" not in mine.headers


def test_shared_secret(settings: Settings, mentor: Mentor) -> None:
    app = create_app(settings, ServerSettings(secret="s3cret"), mentor=mentor, warm_up=False)
    with TestClient(app, base_url=BASE_URL) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/sessions").status_code == 401
        assert client.get("/").status_code == 401
        assert client.get("/sessions", headers={"X-Etude-Secret": "s3cret"}).status_code == 200
        assert client.get("/sessions", headers={"Authorization": "Bearer s3cret"}).is_success
        assert client.get("/sessions", headers={"X-Etude-Secret": "wrong"}).status_code == 401
        assert client.get("/?access=s3cret").status_code == 200
        assert client.get("/sessions").status_code == 200  # the access cookie now


def test_langgraph_json_serves_the_same_graph(settings: Settings) -> None:
    """``langgraph dev`` loads the factory ``langgraph.json`` names; it must build our graph,
    without our checkpointer (LangGraph Server brings its own)."""
    config = json.loads((REPO / "langgraph.json").read_text())
    assert config["dependencies"] == ["."]
    path, _, name = config["graphs"]["etude"].partition(":")
    spec = importlib.util.spec_from_file_location("langgraph_entry", REPO / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    graph = getattr(module, name)({"configurable": {}})
    assert {"intake", "router", "theory", "critic", "tutor", "remember"} <= set(graph.nodes)
    assert graph.checkpointer is None
