"""Taking scores home over HTTP: the upload and a chat tune as MusicXML, MIDI and ABC, read
back with music21; the learner's own file name; another learner's lesson and upload not found;
nothing of the server's folders in a name or an error. The real app, with no model loaded
(these routes never reach it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from music21 import converter, corpus, stream

from etude.config import Settings
from etude.server import create_app
from etude.server.config import ServerSettings

BASE_URL = "http://127.0.0.1"
TUNE = "X:1\nT:Little tune\nM:4/4\nL:1/4\nK:G\nGABc|d2B2|cAFA|G4|]"
TUNE_PITCHES = [67, 69, 71, 72, 74, 71, 72, 69, 66, 69, 67]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("etude-downloads")
    settings = Settings.from_env().with_overrides(data_dir=data)
    return create_app(settings, ServerSettings(), warm_up=False)


@pytest.fixture(scope="module")
def ana(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


@pytest.fixture(scope="module")
def chorale(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scores") / "My Chorale.musicxml"
    corpus.parse("bach/bwv66.6").write("musicxml", fp=str(path))
    return path


@pytest.fixture(scope="module")
def uploaded(ana: TestClient, chorale: Path) -> tuple[str, str]:
    lesson = ana.post("/sessions").json()["id"]
    reply = ana.post(
        f"/sessions/{lesson}/uploads",
        files={"file": (chorale.name, chorale.read_bytes(), "application/octet-stream")},
    )
    assert reply.status_code == 201, reply.text
    return lesson, reply.json()["upload"]["id"]


@contextmanager
def _another_learner(app: Any) -> Iterator[TestClient]:
    """A fresh cookie jar on the running app (entering ``with TestClient`` again would run the
    app's start-up and shut-down, closing the database under ``ana``)."""
    client = TestClient(app, base_url=BASE_URL)
    try:
        yield client
    finally:
        client.close()


def _pitches(data: bytes, fmt: str) -> list[int]:
    score = converter.parseData(data.decode("utf-8"), format=fmt)
    return [p.midi for p in score.parts[0].flatten().pitches][:12]


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("musicxml", ".musicxml"), ("midi", ".mid"), ("abc", ".abc")]
)
def test_the_upload_comes_home_in_each_format(
    ana: TestClient, uploaded: tuple[str, str], fmt: str, suffix: str, tmp_path: Path
) -> None:
    lesson, upload = uploaded
    reply = ana.get(f"/sessions/{lesson}/uploads/{upload}/{fmt}")
    assert reply.status_code == 200, reply.text
    disposition = reply.headers["content-disposition"]
    assert f'filename="My_Chorale{suffix}"' in disposition
    assert "/" not in disposition.split("filename=")[1]
    soprano = [p.midi for p in corpus.parse("bach/bwv66.6").parts[0].flatten().pitches][:12]
    if fmt == "midi":
        path = tmp_path / "back.mid"
        path.write_bytes(reply.content)
        back = converter.parse(path)
        assert len(back.parts) == 4
        assert [p.midi for p in back.parts[0].flatten().pitches][:12] == soprano
    else:
        assert _pitches(reply.content, fmt) == soprano


def test_a_chat_tune_comes_home_named_by_its_title(
    ana: TestClient, uploaded: tuple[str, str], tmp_path: Path
) -> None:
    lesson, _ = uploaded
    reply = ana.post(f"/sessions/{lesson}/tunes/musicxml", json={"abc": TUNE})
    assert reply.status_code == 200, reply.text
    assert 'filename="Little_tune.musicxml"' in reply.headers["content-disposition"]
    assert _pitches(reply.content, "musicxml") == TUNE_PITCHES
    assert ana.post(f"/sessions/{lesson}/tunes/abc", json={"abc": TUNE}).text == TUNE
    # MIDI is written inside the conversion's worker, which may not start one of its own.
    midi = ana.post(f"/sessions/{lesson}/tunes/midi", json={"abc": TUNE})
    assert midi.status_code == 200, midi.text
    path = tmp_path / "tune.mid"
    path.write_bytes(midi.content)
    assert [p.midi for p in converter.parse(path).flatten().pitches] == TUNE_PITCHES


def test_bad_requests_are_refused_without_paths(
    app: Any, ana: TestClient, uploaded: tuple[str, str]
) -> None:
    lesson, upload = uploaded
    assert ana.get(f"/sessions/{lesson}/uploads/{upload}/pdf").status_code == 422
    refused = ana.post(f"/sessions/{lesson}/tunes/midi", json={"abc": "no tune at all"})
    assert refused.status_code == 422
    assert str(app.state.settings.data_dir) not in refused.text
    assert (
        ana.post(f"/sessions/{lesson}/tunes/abc", json={"abc": "K:C\n" + "C" * 70_000}).status_code
        == 413
    )
    with _another_learner(app) as ben:
        assert ben.get(f"/sessions/{lesson}/uploads/{upload}/midi").status_code == 404
        own = ben.post("/sessions").json()["id"]
        assert ben.get(f"/sessions/{own}/uploads/{upload}/midi").status_code == 404
        assert ben.post(f"/sessions/{lesson}/tunes/abc", json={"abc": TUNE}).status_code == 404


# Soprano and bass in parallel fifths from beat 1 to beat 2 (G4/C3 → A4/D3), clean else.
PARALLEL_FIFTHS = ("g4 a4 b4 c'4", "e4 f4 g4 g4", "c2 d4 e4", "C4 D4 GG4 C4")


def test_the_critics_fix_is_applied_and_the_corrected_score_comes_home(
    app: Any, ana: TestClient, tmp_path: Path
) -> None:
    score = stream.Score()
    for line in PARALLEL_FIFTHS:
        score.insert(0, converter.parse(f"tinyNotation: 4/4 {line}"))
    path = tmp_path / "fifths.musicxml"
    score.write("musicxml", fp=str(path))
    lesson = ana.post("/sessions").json()["id"]
    sent = ana.post(
        f"/sessions/{lesson}/uploads",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data={"level": "advanced"},
    ).json()
    findings = sent["analysis"]["findings"]
    fixable = next(i for i, f in enumerate(findings) if f["rule"] == "parallel_fifths")
    assert findings[fixable]["suggestion"]["changes"]
    upload = sent["upload"]["id"]

    fixed = ana.post(
        f"/sessions/{lesson}/uploads/{upload}/fixes", json={"finding": fixable, "level": "advanced"}
    )
    assert fixed.status_code == 201, fixed.text
    reply = fixed.json()
    assert reply["upload"]["filename"] == "fifths-fixed.musicxml"
    assert not [f for f in reply["analysis"]["findings"] if f["rule"] == "parallel_fifths"]
    change = findings[fixable]["suggestion"]["changes"][0]
    midi = ana.get(f"/sessions/{lesson}/uploads/{reply['upload']['id']}/midi")
    assert 'filename="fifths-fixed.mid"' in midi.headers["content-disposition"]
    back = tmp_path / "back.mid"
    back.write_bytes(midi.content)
    notes = converter.parse(back).parts[change["part"]].flatten().notes
    sounding = {n.offset: n.pitch.nameWithOctave for n in notes}
    assert sounding[change["offset_ql"]] == change["to"].replace("b", "-")
    assert ana.get(f"/sessions/{lesson}/score").json()["upload"]["id"] == reply["upload"]["id"]

    beyond = {"finding": len(findings), "level": "advanced"}  # no such finding: nothing to fix
    refused = ana.post(f"/sessions/{lesson}/uploads/{upload}/fixes", json=beyond)
    assert refused.status_code == 422 and "verified" in refused.json()["error"]
    with _another_learner(app) as ben:
        stranger = ben.post(f"/sessions/{lesson}/uploads/{upload}/fixes", json={"finding": fixable})
        assert stranger.status_code == 404
