"""OctupleMIDI: round trips over real corpus files and generated performances."""

from __future__ import annotations

import io
from pathlib import Path

import mido
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etude.encoders.octuple import (
    BAR,
    DEFAULT,
    DURATION,
    EncodingError,
    Note,
    OctupleEncoder,
    Performance,
    read_midi,
)

ENCODER = OctupleEncoder()


def midi_bytes(performance: Performance) -> bytes:
    buffer = io.BytesIO()
    ENCODER.decode(ENCODER.encode(performance).tokens).save(file=buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("work", ["bach/bwv66.6", "bach/bwv7.7", "schoenberg/opus19/movement2"])
def test_corpus_round_trip_is_exact_on_tokens(work: str, tmp_path: Path) -> None:
    from music21 import corpus

    path = tmp_path / "piece.mid"
    corpus.parse(work).write("midi", fp=str(path))
    encoded = ENCODER.encode(path)
    assert encoded.notes > 20 and encoded.bars > 2
    again = ENCODER.encode(midi_from(encoded.tokens))
    assert np.array_equal(again.tokens, encoded.tokens)


def midi_from(tokens: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    ENCODER.decode(tokens).save(file=buffer)
    return buffer.getvalue()


def test_vocabulary_matches_the_paper() -> None:
    # position 128 (2 whole notes at 1/64), 128 durations, 32 velocities, 254 signatures, 49 tempi
    assert DEFAULT.vocab_sizes == (256, 128, 129, 256, 128, 32, 254, 49)


def test_duration_classes_are_exact_below_a_beat_and_coarser_above() -> None:
    encode, decode = DEFAULT.duration_tables
    assert [int(decode[encode[p]]) for p in range(1, 17)] == list(range(1, 17))
    assert int(decode[encode[33]]) == 32  # two beats + 1/16: steps of 2 positions there


def test_no_notes_is_an_encoding_error() -> None:
    midi = mido.MidiFile()
    midi.tracks.append(mido.MidiTrack())
    buffer = io.BytesIO()
    midi.save(file=buffer)
    with pytest.raises(EncodingError):
        read_midi(buffer.getvalue())
    with pytest.raises(EncodingError):
        read_midi(b"not midi at all")


notes = st.builds(
    Note,
    start=st.integers(0, 16 * 64).map(lambda p: p / 16),
    duration=st.integers(1, 16).map(lambda p: p / 16),
    pitch=st.integers(21, 108),
    velocity=st.integers(1, 127),
    instrument=st.sampled_from([0, 40, 73]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(notes, min_size=1, max_size=40),
    st.sampled_from([(4, 4), (3, 4), (6, 8)]),
    st.sampled_from([60.0, 96.0, 120.0, 180.0]),
)
def test_decode_encode_is_identity_up_to_quantisation(
    generated: list[Note], signature: tuple[int, int], bpm: float
) -> None:
    performance = Performance(generated, [(0.0, *signature)], [(0.0, bpm)])
    tokens = ENCODER.encode(performance).tokens
    decoded = ENCODER.to_performance(tokens)
    expected = {
        (round(n.start * 16), round(n.duration * 16), n.pitch, n.instrument, n.velocity // 4)
        for n in generated
    }
    got = {
        (round(n.start * 16), round(n.duration * 16), n.pitch, n.instrument, n.velocity // 4)
        for n in decoded.notes
    }
    assert got == expected
    assert decoded.time_signatures[0][1:] == signature
    assert abs(decoded.tempi[0][1] / bpm - 1) < 2 ** (1 / 24)
    # and the file written from the tokens encodes back to the same tokens
    assert np.array_equal(ENCODER.encode(midi_from(tokens)).tokens, tokens)


def test_bars_follow_time_signature_changes() -> None:
    performance = Performance(
        [Note(0, 1, 60), Note(3, 1, 62), Note(6, 1, 64)], [(0.0, 3, 4), (3.0, 2, 4)]
    )
    tokens = ENCODER.encode(performance).tokens
    assert tokens[:, BAR].tolist() == [0, 1, 2]
    assert tokens[:, DURATION].tolist() == [16, 16, 16]  # one beat = 16 positions = class 16
