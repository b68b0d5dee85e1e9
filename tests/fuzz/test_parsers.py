"""Fuzz targets, one per parser entry point: any bytes in, a score or one ``ScoreError`` line out.

The generators build almost-valid files (see ``generators.py``); hypothesis supplies their
randomness, so a failure is reported with the seed that reproduces it.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etude.scores import ScoreError, load_score
from tests.fuzz.conftest import FUZZ
from tests.fuzz.generators import GENERATORS, SUFFIXES, damage

seeds = st.integers(min_value=0, max_value=2**64 - 1)


def _load_or_refuse(path: Path) -> None:
    """The whole contract of ``load_score`` on hostile input."""
    try:
        loaded = load_score(path)
    except ScoreError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 300
    else:
        assert loaded.score.parts and loaded.score.recurse().notes
        assert len(loaded.score.parts) <= 64


@pytest.mark.parametrize("fmt", sorted(GENERATORS))
@FUZZ
@given(seed=seeds)
def test_parser_accepts_or_refuses(tmp_path: Path, fmt: str, seed: int) -> None:
    path = tmp_path / f"fuzz{SUFFIXES[fmt]}"
    path.write_bytes(GENERATORS[fmt](random.Random(seed)))
    _load_or_refuse(path)


@FUZZ
@given(
    seed=seeds,
    fmt=st.sampled_from(sorted(GENERATORS)),
    suffix=st.sampled_from([".mid", ".musicxml", ".mxl", ".abc", ".txt"]),
)
def test_content_under_any_name(tmp_path: Path, seed: int, fmt: str, suffix: str) -> None:
    """A file's name is a hint only: every format under every name meets the same contract."""
    rng = random.Random(seed)
    path = tmp_path / f"renamed{suffix}"
    path.write_bytes(damage(GENERATORS[fmt](rng), rng))
    _load_or_refuse(path)


@FUZZ
@given(seed=seeds)
def test_octuple_encoder_reads_or_refuses_midi(seed: int) -> None:
    octuple = pytest.importorskip("etude.encoders.octuple")
    data = GENERATORS["midi"](random.Random(seed))
    try:
        encoding = octuple.OctupleEncoder().encode(data)
    except octuple.EncodingError as exc:
        assert str(exc)
    else:
        assert encoding.notes > 0


def _random_tokens(seed: int, length: int, *, consistent: bool) -> tuple[Any, np.ndarray]:
    octuple = pytest.importorskip("etude.encoders.octuple")
    encoder = octuple.OctupleEncoder()
    rng = np.random.default_rng(seed % 2**32)
    sizes = encoder.config.vocab_sizes
    tokens = np.stack([rng.integers(0, size, size=length) for size in sizes], axis=1)
    if consistent:  # drum pitches (128-255) only on the drum instrument, as encode makes them
        drums = tokens[:, octuple.INSTRUMENT] == octuple.DRUMS
        tokens[:, octuple.PITCH] = tokens[:, octuple.PITCH] % 128 + np.where(drums, 128, 0)
    return encoder, tokens.astype(np.int32)


@FUZZ
@given(seed=seeds, length=st.integers(min_value=1, max_value=64))
def test_octuple_decode_of_any_consistent_tokens(seed: int, length: int) -> None:
    """Decoding is the model's output path: any well-formed token grid must become MIDI."""
    encoder, tokens = _random_tokens(seed, length, consistent=True)
    midi = encoder.decode(tokens)
    notes = [m for track in midi.tracks for m in track if m.type == "note_on"]
    assert 0 < len(notes) <= length


def test_octuple_decode_folds_a_drum_pitch_on_a_melodic_instrument() -> None:
    """Found by this fuzzing: a model can emit that token pair; it used to crash inside mido."""
    octuple = pytest.importorskip("etude.encoders.octuple")
    encoder, tokens = _random_tokens(1, 1, consistent=True)
    tokens[0, octuple.INSTRUMENT] = 0
    tokens[0, octuple.PITCH] = 200
    notes = [m for t in encoder.decode(tokens).tracks for m in t if m.type == "note_on"]
    assert [m.note for m in notes] == [200 - 128]


@FUZZ
@given(seed=seeds, length=st.integers(min_value=0, max_value=64))
def test_octuple_decode_of_any_token_grid(seed: int, length: int) -> None:
    """Inconsistent or out-of-vocabulary tokens decode or raise ``EncodingError``, nothing else."""
    octuple = pytest.importorskip("etude.encoders.octuple")
    encoder, tokens = _random_tokens(seed, length, consistent=False)
    rng = np.random.default_rng(seed % 2**32)
    if length and rng.random() < 0.5:
        tokens[rng.integers(length), rng.integers(8)] = rng.choice([-1, 256, 129, 2**31 - 1])
    try:
        midi = encoder.decode(tokens)
    except octuple.EncodingError as exc:
        assert str(exc)
    else:
        midi.save(file=io.BytesIO())


CORPUS = Path(__file__).parent / "corpus"
OPEN_BUGS: dict[str, str] = {}
"""Corpus files whose bug is not fixed yet, with where it lives; strict xfail, so a fix shows."""


def _corpus() -> list[object]:
    cases: list[object] = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix == ".md":
            continue
        marks = (
            [pytest.mark.xfail(strict=True, reason=OPEN_BUGS[path.name])]
            if (path.name in OPEN_BUGS)
            else []
        )
        cases.append(pytest.param(path, id=path.name, marks=marks))
    return cases


@pytest.mark.parametrize("path", _corpus())
def test_corpus_of_past_failures(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every input that ever crashed or hung ``etude analyze`` stays fixed: the same function
    the command runs (critic, then the encoder's style estimate), whose ``ScoreError`` the CLI
    turns into exit 2 and one ``error:`` line."""
    from etude.cli.analysis import run_analyze

    try:
        run_analyze(path, level="intermediate", as_json=True)
    except ScoreError as exc:
        assert "\n" not in str(exc)
    else:
        assert json.loads(capsys.readouterr().out)["notes"] > 0
