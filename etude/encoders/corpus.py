"""Pieces from music21's bundled corpus as OctupleMIDI, for pre-training and reference sets.

A music21 score is read straight into the encoder's ``Performance`` (no MIDI file in between):
notes with onsets and durations in beats, the part's General MIDI program, time signatures and
tempo marks. The label of a piece is its corpus collection (``bach``, ``essenFolksong`` …),
which is what the encoder evaluation's linear probe predicts.
"""

from __future__ import annotations

import hashlib
import math
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from etude.encoders.octuple import DRUMS, EncodingError, Note, OctupleEncoder, Performance


@dataclass(frozen=True)
class CorpusPiece:
    name: str
    collection: str
    tokens: np.ndarray
    parts: np.ndarray | None = None
    """Each token row's part in the score (0 = the top part), for a model with voice slots
    (``etude.encoders.model_config.voice_slots``); None when not recorded."""


@dataclass(frozen=True)
class ScoreNote:
    """A note as the encoder reads it, and where it came from in the score."""

    note: Note
    part: int
    """0-based part index in file order."""
    name: str
    """Spelled pitch with octave as the score writes it, flats as 'b' (e.g. 'F#4', 'Bb3')."""
    held: bool
    """The note continues a tie: the learner hears no new note here."""


def score_notes(score: object) -> list[ScoreNote]:
    """Every note of a music21 Score (or Part/Stream) in the order ``score_to_performance``
    gives them to the encoder (by onset, instrument, pitch), with its part and spelling."""
    parts = list(getattr(score, "parts", [])) or [score]
    found: list[ScoreNote] = []
    for index, part in enumerate(parts):
        instrument = part.getInstrument(returnDefault=True)
        program = instrument.midiProgram if instrument.midiProgram is not None else 0
        if getattr(instrument, "midiChannel", None) == 9:
            program = DRUMS
        for element in part.flatten().notes:
            velocity = element.volume.velocity or 80
            members = list(getattr(element, "notes", ())) or [element]
            for member, pitch in zip(members, element.pitches, strict=False):
                tie = getattr(member, "tie", None) or element.tie
                note = Note(
                    start=float(element.offset),
                    duration=float(element.quarterLength),
                    pitch=int(pitch.midi) + (128 if program == DRUMS else 0),
                    velocity=int(velocity),
                    instrument=int(program),
                )
                # Flats written "b" in the name only, never the octave's minus sign: "C#-1"
                # read as "C#b1" once crashed the encoder's speller (bench/fuzz_report.py).
                name = pitch.name.replace("-", "b") + str(pitch.implicitOctave)
                held = tie is not None and tie.type in ("stop", "continue")
                found.append(ScoreNote(note, index, name, held))
    found.sort(key=lambda n: (n.note.start, n.note.instrument, n.note.pitch))
    return found


def score_to_performance(score: object, notes: list[ScoreNote] | None = None) -> Performance:
    """A music21 Score (or Part/Stream) as notes in beats with their instruments (``notes``:
    its ``score_notes``, when the caller already has them)."""
    from music21 import meter, tempo

    found = score_notes(score) if notes is None else notes
    if not found:
        raise EncodingError("the score has no notes")
    flat = score.flatten()  # type: ignore[attr-defined]
    signatures = sorted(
        {
            (float(ts.offset), ts.numerator, ts.denominator)
            for ts in flat.getElementsByClass(meter.TimeSignature)
        }
    )
    tempi = sorted(
        {
            (float(mark.offset), float(mark.getQuarterBPM() or 120.0))
            for mark in flat.getElementsByClass(tempo.MetronomeMark)
        }
    )
    if not signatures or signatures[0][0] > 0:
        signatures.insert(0, (0.0, *(signatures[0][1:] if signatures else (4, 4))))
    if not tempi or tempi[0][0] > 0:
        tempi.insert(0, (0.0, tempi[0][1] if tempi else 120.0))
    return Performance([n.note for n in found], signatures, tempi)


def collection_of(path: Path) -> str:
    """The corpus folder directly under ``corpus/`` (e.g. ``bach``)."""
    parts = path.parts
    return parts[parts.index("corpus") + 1] if "corpus" in parts else path.parent.name


def corpus_paths() -> list[Path]:
    from music21 import corpus

    return sorted(Path(p) for p in corpus.getPaths())


def encode_corpus_file(path: Path, encoder: OctupleEncoder | None = None) -> list[CorpusPiece]:
    """Every score in one corpus file (an ABC file may hold hundreds of tunes)."""
    from music21 import converter, stream

    encoder = encoder or OctupleEncoder()
    parsed = converter.parse(str(path))
    scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
    pieces = []
    for number, score in enumerate(scores):
        try:
            notes = score_notes(score)
            encoding, rows = encoder.encode_indexed(score_to_performance(score, notes))
        except (EncodingError, ValueError, IndexError, KeyError):
            continue
        tokens = encoding.tokens
        if len(tokens) >= 8:
            name = f"{path.name}#{number}" if len(scores) > 1 else path.name
            parts = token_parts(notes, rows, len(tokens))
            pieces.append(CorpusPiece(name, collection_of(path), tokens.astype(np.int16), parts))
    return pieces


def token_parts(notes: list[ScoreNote], rows: np.ndarray, count: int) -> np.ndarray:
    """The part of each of ``count`` token rows, from ``score_notes`` and the rows
    ``encode_indexed`` gave them; a row two parts share (the same note written in both) keeps
    the upper part, and a row no note reached stays -1 (not known).

    >>> n = [ScoreNote(Note(0, 1, 60), 1, "C4", False), ScoreNote(Note(0, 1, 60), 0, "C4", False)]
    >>> token_parts(n, np.array([0, 0]), 2).tolist()
    [0, -1]
    """
    parts = np.full(count, -1, dtype=np.int16)
    for note, row in zip(notes, rows, strict=True):
        if row >= 0 and (parts[row] < 0 or note.part < parts[row]):
            parts[row] = note.part
    return parts


def held_out(name: str) -> bool:
    """Pre-training's split: a tenth of the pieces, by a hash of the piece's name, so that the
    held-out set is the same on every machine and for every script that asks."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10 == 0


def _encode_or_skip(path: Path) -> list[CorpusPiece]:
    try:
        return encode_corpus_file(path)
    except Exception as error:  # one unreadable corpus file must not end a long run
        print(f"skipped {path.name}: {error}", file=sys.stderr)
        return []


def encode_corpus(
    workers: int,
    *,
    max_files: int | None = None,
    budget_s: float = math.inf,
    progress: Callable[[int, int], None] | None = None,
) -> list[CorpusPiece]:
    """Every corpus file read by ``workers`` processes (music21 parses slowly), sorted by name.

    Files are taken in a fixed shuffled order, so a time budget cuts across collections evenly.
    ``progress(files_done, files)`` is told after each file; without it, a line is printed
    every 200 files (for logs of runs on a remote machine).
    """
    paths = corpus_paths()[:max_files]
    random.Random(0).shuffle(paths)
    pieces: list[CorpusPiece] = []
    started = time.perf_counter()
    with Pool(workers) as pool:
        for done, result in enumerate(pool.imap_unordered(_encode_or_skip, paths, chunksize=4), 1):
            pieces.extend(result)
            if progress:
                progress(done, len(paths))
            elif done % 200 == 0:
                print(
                    f"data: {done}/{len(paths)} files, {len(pieces)} pieces, "
                    f"{time.perf_counter() - started:.0f} s",
                    flush=True,
                )
            if time.perf_counter() - started > budget_s:
                print(f"data: time budget reached after {done} files", flush=True)
                pool.terminate()
                break
    pieces.sort(key=lambda p: p.name)
    return pieces


def iter_corpus(limit: int | None = None) -> Iterator[CorpusPiece]:
    for path in corpus_paths()[:limit]:
        try:
            yield from encode_corpus_file(path)
        except Exception:
            continue
