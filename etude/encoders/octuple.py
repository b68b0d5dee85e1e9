"""OctupleMIDI, the symbolic encoding MusicBERT reads.

Zeng et al., "MusicBERT: Symbolic Music Understanding with Large-Scale Pre-Training"
(Findings of ACL 2021), section 3.1: every note becomes one token of eight elements,
``(bar, position, instrument, pitch, duration, velocity, time signature, tempo)``, so a piece of
N notes is N octuples instead of the 3-4 N tokens of REMI-like encodings. The quantisation
follows the paper's released preprocessing (microsoft/muzic, ``musicbert/preprocess.py``),
re-implemented here from its description:

- position: 1/16 of a beat (a 1/64 note in 4/4); bars up to 256;
- duration: 128 classes, exact to a position step for notes shorter than a beat, then with
  steps that double with each further power of two of beats (up to 2**8 beats);
- velocity: 32 bins of 4; tempo: 49 log-spaced bins, 2**(1/12) apart, from 16 to 256 bpm;
- time signature: numerators up to twice the denominator, denominators 1-64 (254 classes);
  longer bars are split the way the paper does;
- instrument: General MIDI program 0-127, and 128 for drums; drum pitches are 128-255.

Round trip: ``decode(encode(x))`` equals ``x`` up to this quantisation (onsets to 1/16 beat,
durations and velocities to their bins, tempo to its nearest bin) and with exact duplicate
notes removed — ``tests/unit/encoders/test_octuple.py`` checks it with hypothesis.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import mido
import numpy as np

FIELDS = ("bar", "position", "instrument", "pitch", "duration", "velocity", "time_sig", "tempo")
BAR, POSITION, INSTRUMENT, PITCH, DURATION, VELOCITY, TIME_SIG, TEMPO = range(8)
DRUMS = 128
"""Instrument id used for General MIDI channel 10 (percussion)."""


class EncodingError(ValueError):
    """A MIDI file that cannot be encoded (unreadable or without notes)."""


@dataclass(frozen=True)
class OctupleConfig:
    """The quantisation of OctupleMIDI; the defaults are the MusicBERT paper's."""

    pos_resolution: int = 16
    """Positions per beat (quarter note)."""
    bar_max: int = 256
    """Bars that can be numbered; later notes are dropped (the paper crops long pieces)."""
    velocity_quant: int = 4
    tempo_quant: int = 12
    """Tempo bins per doubling of tempo."""
    min_tempo: float = 16.0
    max_tempo: float = 256.0
    duration_max: int = 8
    """Durations up to 2**duration_max beats."""
    max_ts_denominator_power: int = 6
    """Time-signature denominators 1, 2, 4 … 64."""
    max_notes_per_bar: int = 2
    """A bar may hold at most this many whole notes; longer time signatures are split."""

    @cached_property
    def time_signatures(self) -> list[tuple[int, int]]:
        return [
            (numerator, 2**power)
            for power in range(self.max_ts_denominator_power + 1)
            for numerator in range(1, 2**power * self.max_notes_per_bar + 1)
        ]

    @cached_property
    def ts_index(self) -> dict[tuple[int, int], int]:
        return {ts: i for i, ts in enumerate(self.time_signatures)}

    @cached_property
    def duration_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """(encode, decode): positions → duration class, and class → positions."""
        encode: list[int] = []
        decode: list[int] = []
        for power in range(self.duration_max):
            for _ in range(self.pos_resolution):
                decode.append(len(encode))
                encode.extend([len(decode) - 1] * 2**power)
        return np.array(encode, dtype=np.int64), np.array(decode, dtype=np.int64)

    @property
    def tempo_bins(self) -> int:
        return round(math.log2(self.max_tempo / self.min_tempo) * self.tempo_quant) + 1

    @property
    def vocab_sizes(self) -> tuple[int, ...]:
        """Number of classes of each of the eight fields, in ``FIELDS`` order."""
        return (
            self.bar_max,
            self.pos_resolution * 4 * self.max_notes_per_bar,
            129,
            256,
            len(self.duration_tables[1]),
            128 // self.velocity_quant,
            len(self.time_signatures),
            self.tempo_bins,
        )


DEFAULT = OctupleConfig()


@dataclass(frozen=True)
class Note:
    """A note in beats (quarter notes), the unit both MIDI and OctupleMIDI reduce to."""

    start: float
    duration: float
    pitch: int
    velocity: int = 80
    instrument: int = 0


@dataclass
class Performance:
    """What a MIDI file holds that OctupleMIDI keeps: notes, time signatures and tempi."""

    notes: list[Note]
    time_signatures: list[tuple[float, int, int]] = field(default_factory=lambda: [(0.0, 4, 4)])
    """(beat, numerator, denominator), sorted, the first at beat 0."""
    tempi: list[tuple[float, float]] = field(default_factory=lambda: [(0.0, 120.0)])
    """(beat, bpm), sorted, the first at beat 0."""


def read_midi(source: bytes | str | Path) -> Performance:
    """Notes, time signatures and tempi of a Standard MIDI File, with times in beats."""
    try:
        if isinstance(source, bytes):
            midi = mido.MidiFile(file=io.BytesIO(source))
        else:
            midi = mido.MidiFile(str(source))
    except Exception as exc:  # mido raises many types on malformed files
        raise EncodingError(f"not a readable MIDI file ({type(exc).__name__}: {exc})") from exc
    per_beat = midi.ticks_per_beat or 480
    notes: list[Note] = []
    signatures: list[tuple[float, int, int]] = []
    tempi: list[tuple[float, float]] = []
    for track in midi.tracks:
        tick = 0
        program = [0] * 16
        sounding: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for message in track:
            tick += message.time
            kind = message.type
            if kind == "program_change":
                program[message.channel] = message.program
            elif kind == "note_on" and message.velocity > 0:
                key = (message.channel, message.note)
                sounding.setdefault(key, []).append((tick, message.velocity))
            elif kind in ("note_off", "note_on"):
                started = sounding.get((message.channel, message.note))
                if started:
                    begin, velocity = started.pop(0)
                    channel = message.channel
                    notes.append(
                        Note(
                            start=begin / per_beat,
                            duration=(tick - begin) / per_beat,
                            pitch=message.note + (128 if channel == 9 else 0),
                            velocity=velocity,
                            instrument=DRUMS if channel == 9 else program[channel],
                        )
                    )
            elif kind == "time_signature":
                signatures.append((tick / per_beat, message.numerator, message.denominator))
            elif kind == "set_tempo":
                tempi.append((tick / per_beat, mido.tempo2bpm(message.tempo)))
    if not notes:
        raise EncodingError("the MIDI file has no notes")
    signatures = sorted(signatures) or [(0.0, 4, 4)]
    tempi = sorted(tempi) or [(0.0, 120.0)]
    if signatures[0][0] > 0:
        signatures.insert(0, (0.0, 4, 4))
    if tempi[0][0] > 0:
        tempi.insert(0, (0.0, 120.0))
    return Performance(
        sorted(notes, key=lambda n: (n.start, n.instrument, n.pitch)), signatures, tempi
    )


def reduce_time_signature(
    numerator: int, denominator: int, config: OctupleConfig = DEFAULT
) -> tuple[int, int]:
    """The representable time signature for a bar, as the paper reduces it.

    >>> reduce_time_signature(4, 4), reduce_time_signature(6, 8), reduce_time_signature(12, 4)
    ((4, 4), (6, 8), (6, 4))
    >>> reduce_time_signature(2, 128)
    (1, 64)
    """
    largest = 2**config.max_ts_denominator_power
    while denominator > largest and numerator % 2 == 0:
        numerator //= 2
        denominator //= 2
    denominator = min(denominator, largest)
    while numerator > config.max_notes_per_bar * denominator:
        for factor in range(2, numerator + 1):
            if numerator % factor == 0:
                numerator //= factor
                break
    return numerator, denominator


@dataclass(frozen=True)
class OctupleEncoding:
    """The octuples of one piece, one row per note, columns in ``FIELDS`` order."""

    tokens: np.ndarray
    config: OctupleConfig = DEFAULT

    @property
    def notes(self) -> int:
        return len(self.tokens)

    @property
    def bars(self) -> int:
        return int(self.tokens[:, BAR].max()) + 1 if len(self.tokens) else 0

    def instruments(self) -> list[int]:
        return sorted({int(i) for i in self.tokens[:, INSTRUMENT]})

    def stats(self) -> dict[str, object]:
        return {
            "encoding": "OctupleMIDI",
            "notes": self.notes,
            "bars": self.bars,
            "instruments": self.instruments(),
            "fields": list(FIELDS),
            "vocab_sizes": list(self.config.vocab_sizes),
        }

    def describe(self) -> str:
        names = ", ".join("drums" if i == DRUMS else f"GM program {i}" for i in self.instruments())
        return (
            f"OctupleMIDI encoding: {self.notes} notes in {self.bars} bars "
            f"({names}); each note is one 8-element token for MusicBERT."
        )


class OctupleEncoder:
    """MIDI ↔ OctupleMIDI with a given quantisation (the paper's by default)."""

    def __init__(self, config: OctupleConfig = DEFAULT) -> None:
        self.config = config

    def encode(self, source: bytes | str | Path | Performance) -> OctupleEncoding:
        performance = source if isinstance(source, Performance) else read_midi(source)
        return OctupleEncoding(self._encode(performance), self.config)

    def _bar_grid(self, performance: Performance, end_pos: int) -> tuple[np.ndarray, np.ndarray]:
        """Start position and time-signature class of every bar up to ``end_pos``."""
        cfg = self.config
        starts: list[int] = []
        signatures: list[int] = []
        changes = [
            (round(beat * cfg.pos_resolution), *reduce_time_signature(num, den, cfg))
            for beat, num, den in performance.time_signatures
        ]
        position = 0
        index = 0
        while position <= end_pos and len(starts) < cfg.bar_max:
            while index + 1 < len(changes) and changes[index + 1][0] <= position:
                index += 1
            _, numerator, denominator = changes[index]
            starts.append(position)
            signatures.append(cfg.ts_index[(numerator, denominator)])
            position += numerator * 4 * cfg.pos_resolution // denominator
        return np.array(starts, dtype=np.int64), np.array(signatures, dtype=np.int64)

    def encode_indexed(self, performance: Performance) -> tuple[OctupleEncoding, np.ndarray]:
        """The encoding and, for each of ``performance.notes`` in order, its row in the tokens
        (-1 for a note past ``bar_max``). Exact duplicates share one row, so a caller that
        scores the rows (the surprise of each note) can report the notes it started from.

        >>> notes = [Note(0.0, 1.0, 64), Note(0.0, 1.0, 60), Note(0.0, 1.0, 60)]
        >>> encoding, rows = OctupleEncoder().encode_indexed(Performance(notes))
        >>> encoding.notes, rows.tolist()
        (2, [1, 0, 0])
        """
        tokens, rows = self._encode_rows(performance)
        return OctupleEncoding(tokens, self.config), rows

    def _encode(self, performance: Performance) -> np.ndarray:
        return self._encode_rows(performance)[0]

    def _encode_rows(self, performance: Performance) -> tuple[np.ndarray, np.ndarray]:
        cfg = self.config
        table = np.array(
            [(n.start, n.duration, n.instrument, n.pitch, n.velocity) for n in performance.notes],
            dtype=np.float64,
        )
        onset = np.rint(table[:, 0] * cfg.pos_resolution).astype(np.int64)
        length = np.rint(table[:, 1] * cfg.pos_resolution).astype(np.int64)
        bar_starts, bar_signatures = self._bar_grid(performance, int(onset.max()))
        bar = np.searchsorted(bar_starts, onset, side="right") - 1
        keep = onset < bar_starts[-1] + (
            cfg.time_signatures[bar_signatures[-1]][0]
            * 4
            * cfg.pos_resolution
            // cfg.time_signatures[bar_signatures[-1]][1]
        )
        encode_duration = cfg.duration_tables[0]
        tempo_beats = np.array([beat for beat, _ in performance.tempi])
        tempo_bpm = np.array([bpm for _, bpm in performance.tempi])
        tempo_at = tempo_bpm[np.searchsorted(tempo_beats, table[:, 0], side="right") - 1]
        tempo_class = np.clip(
            np.rint(np.log2(np.maximum(tempo_at, 1e-6) / cfg.min_tempo) * cfg.tempo_quant),
            0,
            cfg.tempo_bins - 1,
        ).astype(np.int64)
        tokens = np.stack(
            [
                bar,
                onset - bar_starts[bar],
                table[:, 2].astype(np.int64),
                table[:, 3].astype(np.int64),
                encode_duration[np.clip(length, 0, len(encode_duration) - 1)],
                np.clip(table[:, 4].astype(np.int64), 0, 127) // cfg.velocity_quant,
                bar_signatures[bar],
                tempo_class,
            ],
            axis=1,
        )[keep]
        order = np.lexsort(tokens[:, ::-1].T)  # by bar, position, instrument, …
        tokens = tokens[order]
        unique = np.ones(len(tokens), dtype=bool)
        unique[1:] = np.any(tokens[1:] != tokens[:-1], axis=1)
        row_of_sorted = np.cumsum(unique) - 1  # a duplicate takes the row of its first copy
        rows = np.full(len(table), -1, dtype=np.int64)
        rows[np.flatnonzero(keep)[order]] = row_of_sorted
        return tokens[unique].astype(np.int32), rows

    def to_performance(self, tokens: np.ndarray) -> Performance:
        """The notes, signatures and tempi that the tokens stand for (bin centres)."""
        cfg = self.config
        tokens = self._checked_tokens(tokens)
        decode_duration = cfg.duration_tables[1]
        bars = int(tokens[:, BAR].max()) + 1 if len(tokens) else 0
        known: dict[int, tuple[int, int]] = {
            int(row[BAR]): cfg.time_signatures[int(row[TIME_SIG])] for row in tokens
        }
        # A bar without notes has no token to carry its signature: it keeps the one before it
        # (bars before the first note take the first one), as the encoding cannot say more.
        signature_of_bar = []
        current = known[min(known)] if known else (4, 4)
        for bar in range(bars):
            current = known.get(bar, current)
            signature_of_bar.append(current)
        bar_start = [0] * (bars + 1)
        for i, (numerator, denominator) in enumerate(signature_of_bar):
            bar_start[i + 1] = bar_start[i] + numerator * 4 * cfg.pos_resolution // denominator
        notes = []
        tempi: dict[float, float] = {}
        for row in tokens:
            onset = (bar_start[int(row[BAR])] + int(row[POSITION])) / cfg.pos_resolution
            notes.append(
                Note(
                    start=onset,
                    duration=int(decode_duration[int(row[DURATION])]) / cfg.pos_resolution,
                    pitch=int(row[PITCH]),
                    velocity=int(row[VELOCITY]) * cfg.velocity_quant + cfg.velocity_quant // 2,
                    instrument=int(row[INSTRUMENT]),
                )
            )
            tempi.setdefault(onset, cfg.min_tempo * 2 ** (int(row[TEMPO]) / cfg.tempo_quant))
        signatures = []
        for i, ts in enumerate(signature_of_bar):
            if i == 0 or ts != signature_of_bar[i - 1]:
                signatures.append((bar_start[i] / cfg.pos_resolution, *ts))
        tempo_list = sorted(tempi.items())
        compact = [
            change
            for i, change in enumerate(tempo_list)
            if i == 0 or change[1] != tempo_list[i - 1][1]
        ]
        if compact and compact[0][0] > 0:
            compact[0] = (0.0, compact[0][1])
        return Performance(notes, signatures or [(0.0, 4, 4)], compact or [(0.0, 120.0)])

    def _checked_tokens(self, tokens: np.ndarray) -> np.ndarray:
        """``tokens`` as an (n, 8) integer grid inside the vocabulary, or ``EncodingError``.

        Decoding is an entry point for untrusted data (a model's output, a saved token file):
        an out-of-range token would otherwise surface as an ``IndexError`` deep inside.
        """
        grid = np.asarray(tokens)
        if grid.ndim != 2 or grid.shape[1] != len(FIELDS):
            raise EncodingError(f"OctupleMIDI tokens must be an (n, 8) grid, not {grid.shape}")
        if not np.issubdtype(grid.dtype, np.integer):
            raise EncodingError(f"OctupleMIDI tokens must be integers, not {grid.dtype}")
        sizes = np.asarray(self.config.vocab_sizes)
        if len(grid) and ((grid < 0).any() or (grid >= sizes).any()):
            raise EncodingError("OctupleMIDI tokens outside the vocabulary")
        return grid

    def decode(self, tokens: np.ndarray, ticks_per_beat: int = 480) -> mido.MidiFile:
        """A type-1 MIDI file: one track of meta events, one track per instrument."""
        performance = self.to_performance(tokens)
        events: dict[int, list[tuple[int, int, mido.Message]]] = {}
        for note in performance.notes:
            events.setdefault(note.instrument, [])
            start = round(note.start * ticks_per_beat)
            end = start + max(1, round(note.duration * ticks_per_beat))
            # Drum pitches are 128-255 and others 0-127, but a model can emit any pitch on any
            # instrument; folding keeps every note playable instead of failing the whole piece.
            pitch = note.pitch % 128
            events[note.instrument].append(
                (start, 1, mido.Message("note_on", note=pitch, velocity=note.velocity))
            )
            events[note.instrument].append(
                (end, 0, mido.Message("note_off", note=pitch, velocity=0))
            )
        midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
        meta: list[tuple[int, int, mido.MetaMessage]] = []
        for beat, numerator, denominator in performance.time_signatures:
            meta.append(
                (
                    round(beat * ticks_per_beat),
                    0,
                    mido.MetaMessage(
                        "time_signature", numerator=numerator, denominator=denominator
                    ),
                )
            )
        for beat, bpm in performance.tempi:
            meta.append(
                (
                    round(beat * ticks_per_beat),
                    1,
                    mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)),
                )
            )
        midi.tracks.append(_track(meta))
        melodic_channels = iter([c for c in range(16) if c != 9])
        for instrument, items in events.items():
            channel = 9 if instrument == DRUMS else next(melodic_channels, 0)
            head = (
                []
                if instrument == DRUMS
                else [(0, -1, mido.Message("program_change", program=instrument, channel=channel))]
            )
            messages = [(t, order, m.copy(channel=channel)) for t, order, m in items]
            midi.tracks.append(_track(head + messages))
        return midi


def _track(events: list) -> mido.MidiTrack:
    track = mido.MidiTrack()
    now = 0
    for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    return track
