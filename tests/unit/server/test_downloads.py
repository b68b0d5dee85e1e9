"""Taking scores home over HTTP: the upload and a chat tune as MusicXML, MIDI and ABC, read
back with music21; the learner's own file name; another learner's lesson and upload not found;
nothing of the server's folders in a name or an error. The real app, with no model loaded
(these routes never reach it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from music21 import converter, corpus

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
    with TestClient(app, base_url=BASE_URL) as ben:
        assert ben.get(f"/sessions/{lesson}/uploads/{upload}/midi").status_code == 404
        own = ben.post("/sessions").json()["id"]
        assert ben.get(f"/sessions/{own}/uploads/{upload}/midi").status_code == 404
        assert ben.post(f"/sessions/{lesson}/tunes/abc", json={"abc": TUNE}).status_code == 404
