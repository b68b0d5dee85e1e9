"""Loading every accepted format, and every way a file can be bad ending in one ScoreError."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from music21 import corpus, stream

from etude.scores import LoadedScore, ScoreError, load_score
from etude.scores.midi import check_midi_structure
from tests.smf_writer import notes, smf, tempo, time_signature, track

ABC_TUNE = "X:1\nT:Scale\nM:3/4\nL:1/4\nK:D\nDEF|GAB|c d2|]\n"


@pytest.fixture(scope="module")
def chorale() -> stream.Score:
    return corpus.parse("bach/bwv66.6")


def _note_count(loaded: LoadedScore) -> int:
    return sum(len(n.pitches) for n in loaded.score.recurse().notes)


def test_midi_type1_keeps_track_order(chorale: stream.Score, tmp_path: Path) -> None:
    path = tmp_path / "chorale.mid"
    chorale.write("midi", fp=path)
    loaded = load_score(path)
    assert loaded.format == "midi"
    assert len(loaded.score.parts) == 4
    assert not loaded.keyboard_split
    tops = [p.recurse().notes.first().pitch.midi for p in loaded.score.parts]
    assert tops == sorted(tops, reverse=True)  # soprano first, bass last, as written


@pytest.mark.parametrize("kind, suffix", [("musicxml", ".musicxml"), ("mxl", ".mxl")])
def test_musicxml_and_mxl(chorale: stream.Score, tmp_path: Path, kind: str, suffix: str) -> None:
    path = tmp_path / f"chorale{suffix}"
    chorale.write(kind, fp=path)
    loaded = load_score(path)
    assert loaded.format == "musicxml"
    assert len(loaded.score.parts) == 4
    assert _note_count(loaded) == sum(len(n.pitches) for n in chorale.recurse().notes)


def test_abc_tune_and_tune_book(tmp_path: Path) -> None:
    single = tmp_path / "tune.abc"
    single.write_text(ABC_TUNE)
    loaded = load_score(single)
    assert loaded.format == "abc"
    assert [n.pitch.name for n in loaded.score.recurse().notes][:3] == ["D", "E", "F#"]
    book = tmp_path / "book.txt"  # wrong extension: content decides
    book.write_text(ABC_TUNE + "\n" + ABC_TUNE.replace("X:1", "X:2"))
    loaded = load_score(book)
    assert loaded.format == "abc"
    assert loaded.tunes_in_file == 2


def test_type0_piano_is_split_into_melody_and_bass(tmp_path: Path) -> None:
    chords = []
    for bar, (bass, third, fifth, top) in enumerate(
        [(48, 64, 67, 72), (43, 62, 67, 71), (45, 64, 69, 72), (41, 65, 69, 74)]
    ):
        for pitch in (bass, third, fifth, top):
            chords.append((bar * 2.0, 2.0, pitch))
    path = tmp_path / "piano.mid"
    path.write_bytes(smf([track([tempo(90), *notes(chords)])], file_type=0))
    loaded = load_score(path)
    assert loaded.keyboard_split
    melody, lower = loaded.score.parts
    assert [n.pitch.midi for n in melody.recurse().notes] == [72, 71, 72, 74]
    assert [min(p.midi for p in c.pitches) for c in lower.recurse().notes] == [48, 43, 45, 41]


def test_performed_midi_is_quantised(tmp_path: Path) -> None:
    rng = random.Random(1)
    played = [(i + rng.uniform(-0.04, 0.04), 0.9, 60 + (i % 5)) for i in range(1, 17)]
    path = tmp_path / "played.mid"
    path.write_bytes(smf([track([time_signature(4, 2), *notes(played)])], file_type=0))
    loaded = load_score(path)
    offsets = [
        float(n.getOffsetInHierarchy(loaded.score.parts[0])) for n in loaded.score.recurse().notes
    ]
    assert offsets == [float(i) for i in range(1, 17)]


def test_content_decides_over_extension(chorale: stream.Score, tmp_path: Path) -> None:
    misnamed = tmp_path / "chorale.xml"
    chorale.write("midi", fp=misnamed)
    assert load_score(misnamed).format == "midi"


def test_midi_without_meta_events_loads(tmp_path: Path) -> None:
    path = tmp_path / "bare.mid"
    path.write_bytes(smf([track(notes([(0, 1, 60), (1, 1, 64), (2, 2, 67)]))], file_type=1))
    loaded = load_score(path)
    assert _note_count(loaded) == 3


def _expect_error(path: Path, fragment: str, **kwargs: int) -> None:
    with pytest.raises(ScoreError) as caught:
        load_score(path, **kwargs)
    message = str(caught.value)
    assert fragment in message
    assert "\n" not in message


def test_bad_files_raise_one_clear_line(chorale: stream.Score, tmp_path: Path) -> None:
    empty = tmp_path / "empty.mid"
    empty.write_bytes(b"")
    _expect_error(empty, "is empty")
    noise = tmp_path / "noise.mid"
    noise.write_bytes(bytes(random.Random(0).randrange(256) for _ in range(2000)))
    _expect_error(noise, "does not contain valid MIDI")
    good = tmp_path / "good.mid"
    chorale.write("midi", fp=good)
    truncated = tmp_path / "truncated.mid"
    truncated.write_bytes(good.read_bytes()[:400])
    _expect_error(truncated, "truncated")
    _expect_error(good, "too large", max_bytes=100)
    silent = tmp_path / "silent.mid"
    silent.write_bytes(smf([track([tempo(120), time_signature(3, 2)])], file_type=1))
    _expect_error(silent, "contains no notes")
    _expect_error(tmp_path / "missing.xml", "file not found")
    _expect_error(tmp_path, "not a file")
    broken_xml = tmp_path / "broken.musicxml"
    broken_xml.write_text('<?xml version="1.0"?><score-partwise><part-list>')
    _expect_error(broken_xml, "could not read broken.musicxml as MusicXML")
    other_zip = tmp_path / "photos.mxl"
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("a.jpg", b"\xff\xd8")
    _expect_error(other_zip, "does not contain valid MusicXML")
    silent_abc = tmp_path / "silent.abc"
    silent_abc.write_text("X:1\nT:Nothing\nK:C\n")
    _expect_error(silent_abc, "no notes")
    prose = tmp_path / "notes.txt"
    prose.write_text("Just some words about music.")
    _expect_error(prose, "not a score Etude can read")


def test_midi_structure_counts_tracks() -> None:
    data = smf([track(notes([(0, 1, 60)])), track(notes([(0, 1, 48)]))], file_type=1)
    assert check_midi_structure(data).tracks == 2


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payload=st.binary(min_size=1, max_size=600),
    prefix=st.sampled_from(
        [b"", b"MThd", b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk", b"X:1\nK:C\n"]
    ),
    suffix=st.sampled_from([".mid", ".musicxml", ".abc", ".mxl"]),
)
def test_arbitrary_bytes_only_ever_raise_score_error(
    tmp_path: Path, payload: bytes, prefix: bytes, suffix: str
) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(prefix + payload)
    try:
        loaded = load_score(path)
    except ScoreError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert loaded.score.recurse().notes
