"""The attacks ``etude.limits`` exists to stop, each refused fast with one clear line."""

from __future__ import annotations

import io
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from music21 import corpus

from etude.limits import DEFAULT_LIMITS
from etude.scores import ScoreError, load_score
from etude.scores.midi_bytes import score_midi_bytes
from tests.etude_cli import run_etude_measured
from tests.fuzz import hostile


def _refused(path: Path, fragment: str, **kwargs: object) -> float:
    began = time.perf_counter()
    with pytest.raises(ScoreError) as caught:
        load_score(path, **kwargs)  # type: ignore[arg-type]
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)
    return time.perf_counter() - began


@pytest.mark.parametrize(
    "name, build, fragment",
    [
        ("laughs.musicxml", hostile.billion_laughs, "declares XML entities"),
        ("xxe.xml", hostile.external_entity, "declares XML entities"),
        ("bomb.mxl", hostile.zip_bomb, "unpacks to"),
        ("packed.mxl", hostile.unknown_compression, "compression method MXL does not allow"),
        ("notes.mid", lambda: hostile.midi_with_notes(150_000), "more than 100,000 notes"),
        ("long.mid", hostile.midi_long_note, "too long"),
        ("tracks.mid", hostile.midi_many_tracks, "300 tracks"),
        ("chunks.mid", hostile.midi_many_chunks, "chunks that are not tracks"),
        ("long.musicxml", lambda: hostile.musicxml(duration=10**9), "too long"),
    ],
)
def test_hostile_file_is_refused_quickly(
    tmp_path: Path, name: str, build: Callable[[], bytes], fragment: str
) -> None:
    path = tmp_path / name
    path.write_bytes(build())
    assert _refused(path, fragment) < 5


def test_notes_hidden_outside_tracks_never_reach_the_parser(tmp_path: Path) -> None:
    path = tmp_path / "hidden.mid"
    path.write_bytes(hostile.midi_hidden_notes())
    began = time.perf_counter()
    loaded = load_score(path)
    assert time.perf_counter() - began < 5
    assert len(loaded.score.recurse().notes) == 1  # the real track's one note
    # The encoder reads the checked bytes too, never the file again.
    assert score_midi_bytes(loaded) == loaded.source
    assert b"XNTS" not in loaded.source and len(loaded.source) < 100


def test_longer_midi_header_is_read_where_the_tracks_are(tmp_path: Path) -> None:
    """A header chunk may be longer than six bytes; music21 assumes six, so it is handed a
    rebuilt header (it used to read the extra bytes as the start of a track)."""
    track = b"\x00\x90\x3c\x40\x60\x80\x3c\x00\x00\x90\x40\x40\x60\x80\x40\x00\x00\xff\x2f\x00"
    data = (
        b"MThd" + struct.pack(">IHHH", 8, 0, 1, 96) + b"\x00\x00"
        + b"MTrk" + struct.pack(">I", len(track)) + track
    )  # fmt: skip
    path = tmp_path / "long-header.mid"
    path.write_bytes(data)
    pitches = [n.pitch.midi for n in load_score(path).score.recurse().notes]
    assert pitches == [60, 64]


def test_terabyte_upload_is_refused_before_reading(tmp_path: Path) -> None:
    # A terabyte cannot be read into memory: "too large" can only come from a check made first.
    path = hostile.sparse_file(tmp_path / "huge.mid", size=1 << 40)
    _refused(path, "too large")


def test_standard_musicxml_doctype_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "flute.musicxml"
    path.write_bytes(hostile.musicxml())
    assert load_score(path).score.recurse().notes


def test_external_entity_never_reaches_the_score(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CANARY")
    path = tmp_path / "xxe.musicxml"
    path.write_bytes(hostile.external_entity(secret.as_uri()))
    with pytest.raises(ScoreError) as caught:
        load_score(path)
    assert "TOP-SECRET-CANARY" not in str(caught.value)


def test_worker_time_budget_stops_a_slow_parse(tmp_path: Path) -> None:
    path = tmp_path / "fugue.mxl"
    corpus.parse("bach/bwv66.6").write("mxl", fp=path)
    limits = DEFAULT_LIMITS.with_overrides(parse_seconds=0.01)
    assert _refused(path, "took longer than", limits=limits) < 5


def test_worker_memory_cap_refuses_instead_of_growing(tmp_path: Path) -> None:
    # The cap counts from what the worker inherits, free heap included: the file must need
    # more than that (a chorale did not, once earlier tests had left memory behind).
    path = tmp_path / "long.musicxml"
    path.write_bytes(hostile.musicxml_notes(8_000))
    limits = DEFAULT_LIMITS.with_overrides(parse_memory_bytes=1_000_000)
    # Refused for memory, not for time: how soon depends on the free heap the worker inherits
    # (18 s once the whole suite's imports sit in the parent), so no wall-time bound here.
    _refused(path, "memory", limits=limits)


def test_post_parse_limits_apply_to_musicxml(tmp_path: Path) -> None:
    path = tmp_path / "chorale.musicxml"
    corpus.parse("bach/bwv66.6").write("musicxml", fp=path)
    _refused(path, "more than 10 notes", limits=DEFAULT_LIMITS.with_overrides(max_notes=10))
    _refused(path, "4 parts", limits=DEFAULT_LIMITS.with_overrides(max_tracks=2))


def test_tune_book_parses_only_the_first_tune(tmp_path: Path) -> None:
    tune = "X:{n}\nT:Tune {n}\nM:4/4\nL:1/8\nK:G\n" + "GABc dedB|" * 8 + "\n"
    path = tmp_path / "book.abc"
    path.write_text("\n".join(tune.format(n=n) for n in range(1, 401)))
    began = time.perf_counter()
    loaded = load_score(path)
    assert time.perf_counter() - began < 5
    assert loaded.tunes_in_file == 400
    assert len(loaded.score.recurse().notes) == 64


def test_chorale_loads_within_the_default_limits(tmp_path: Path) -> None:
    """The limits must never refuse an ordinary score; how fast it loads is measured in
    bench/score_load.py, not asserted here."""
    chorale = corpus.parse("bach/bwv66.6")
    expected = len(chorale.recurse().notes)
    for suffix, fmt in ((".mid", "midi"), (".musicxml", "musicxml"), (".mxl", "mxl")):
        path = tmp_path / f"chorale{suffix}"
        chorale.write(fmt, fp=path)
        loaded = load_score(path)
        assert len(loaded.score.parts) == 4, suffix
        assert len(loaded.score.recurse().notes) >= expected * 0.9, suffix


def test_zip_bomb_with_a_lying_directory_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """Issue #21: the directory says 1 kB, the member inflates to 1 GB. The whole ``etude
    analyze`` process (and its workers) must refuse it in seconds, far under the worker's
    memory cap: it used to inflate the member in one call (2.2 GB peak)."""
    path = tmp_path / "lying.mxl"
    path.write_bytes(hostile.lying_zip_bomb())
    began = time.perf_counter()
    done, peak_mb = run_etude_measured("analyze", str(path), "--json", timeout=120)
    elapsed = time.perf_counter() - began
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: lying.mxl") and done.stderr.count("\n") == 1
    assert peak_mb < 400, f"peak {peak_mb:.0f} MB"
    assert peak_mb * 1e6 < DEFAULT_LIMITS.parse_memory_bytes
    assert elapsed < 60, f"{elapsed:.1f} s"


def test_mxl_members_inflate_against_the_budget_not_the_directory(tmp_path: Path) -> None:
    """The bytes inflated count, not the sizes the directory claims: a member that claims
    1 kB but inflates to 8 MB is refused (a damaged archive), and one honest member over the
    limit is refused before it is inflated."""
    path = tmp_path / "lying.mxl"
    path.write_bytes(hostile.lying_zip_bomb(inflated=8 << 20))
    _refused(path, "damaged")
    limits = DEFAULT_LIMITS.with_overrides(max_uncompressed_bytes=4_000_000)
    path.write_bytes(hostile.lying_zip_bomb(inflated=8 << 20, declared=8 << 20))
    _refused(path, "unpacks to 8 MB", limits=limits)
    path.write_bytes(hostile.lying_zip_bomb(inflated=8 << 20, declared=1000))
    _refused(path, "damaged", limits=limits)


def test_mxl_with_a_compression_musicxml_does_not_allow_is_refused(tmp_path: Path) -> None:
    """bzip2 and LZMA are inflated by zipfile without any bound on one call's output."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("score.xml", hostile.musicxml())
    path = tmp_path / "bzip2.mxl"
    path.write_bytes(buffer.getvalue())
    _refused(path, "compression method MXL does not allow")


def test_a_repeat_played_a_hundred_million_times_is_refused_at_once(tmp_path: Path) -> None:
    """Issue #21: one bar with ``times="100000000"`` parsed in 0.1 s, and playing it back for the
    encoder ran until the worker's budget (34 s, 613 MB). Its length with repeats is known once
    it is parsed, so it is refused then."""
    path = tmp_path / "repeat.musicxml"
    path.write_bytes(hostile.musicxml_repeat())
    assert _refused(path, "with its repeats") < 5
    path.write_bytes(hostile.musicxml_repeat(times=3))
    assert load_score(path).score.recurse().notes  # an ordinary repeat is fine
    began = time.perf_counter()
    done, _peak = run_etude_measured("analyze", str(path), "--json", timeout=120)
    assert done.returncode == 0, done.stderr
    assert time.perf_counter() - began < 60


def test_one_file_gets_one_time_budget_for_reading_and_playing_back(tmp_path: Path) -> None:
    """Issue #21: a 5 kB ABC tie chain took 84 s in ``etude analyze``: read twice (the report
    and the style estimate each loaded it) and then played back, each with a budget of its
    own. Reading, playing back and drawing a file now share one ``parse_seconds``."""
    path = tmp_path / "ties.abc"
    path.write_bytes(hostile.abc_tie_chain(bars=300))
    limits = DEFAULT_LIMITS.with_overrides(parse_seconds=60)
    began = time.perf_counter()
    loaded = load_score(path, limits=limits)
    parse_s = time.perf_counter() - began
    assert 0 < loaded.budget.spent <= parse_s
    # What is left after the parse is all playback may use: here, nothing left.
    loaded.budget.spend(loaded.budget.left)
    began = time.perf_counter()
    with pytest.raises(ScoreError, match="budget"):
        score_midi_bytes(loaded)
    assert time.perf_counter() - began < 1


def test_etude_analyze_of_a_slow_tie_chain_ends_within_the_parse_budget(tmp_path: Path) -> None:
    """The whole command: at most ``parse_seconds`` of reading and playing back, plus starting
    Python and the critic; it used to read the file twice and then play it back (84 s)."""
    path = tmp_path / "ties.abc"
    path.write_bytes(hostile.abc_tie_chain())
    began = time.perf_counter()
    done, _peak = run_etude_measured("analyze", str(path), "--json", timeout=300)
    elapsed = time.perf_counter() - began
    assert done.returncode in (0, 2), done.stderr
    if done.returncode == 2:
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ties.abc")
    assert elapsed < DEFAULT_LIMITS.parse_seconds + 20, f"{elapsed:.1f} s"
