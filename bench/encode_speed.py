"""OctupleMIDI encoding speed (issue #5 asks for at least 200k notes/s).

Builds one long performance from real corpus chorales (repeated end to end until it has
``--notes`` notes), then times (a) encoding already-read notes to octuples and (b) reading the
MIDI bytes with mido and encoding them. Prints a table.

    .venv/bin/python bench/encode_speed.py [--notes 300000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from pathlib import Path

from etude.encoders.octuple import Note, OctupleEncoder, Performance, read_midi


def long_performance(target: int) -> Performance:
    from music21 import corpus

    pieces = []
    folder = Path(tempfile.mkdtemp(prefix="etude-encode-"))
    for work in ("bach/bwv66.6", "bach/bwv7.7", "bach/bwv10.7", "bach/bwv13.6"):
        path = folder / (work.replace("/", "_") + ".mid")
        corpus.parse(work).write("midi", fp=str(path))
        pieces.append(read_midi(path))
    notes: list[Note] = []
    offset = 0.0
    while len(notes) < target:
        for piece in pieces:
            end = max(n.start + n.duration for n in piece.notes)
            notes.extend(
                Note(n.start + offset, n.duration, n.pitch, n.velocity, n.instrument)
                for n in piece.notes
            )
            offset += round(end) + 4
    return Performance(notes[:target])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    encoder = OctupleEncoder()
    performance = long_performance(args.notes)
    # OctupleMIDI numbers at most 256 bars, so the long performance is encoded in 256-bar
    # windows, as the paper's pre-processing crops; every note is encoded exactly once.
    timings = []
    encoded_notes = 0
    for _ in range(args.repeat):
        started = time.perf_counter()
        encoded_notes = 0
        window = 256 * 4.0
        start = 0.0
        end = max(n.start for n in performance.notes)
        notes = sorted(performance.notes, key=lambda n: n.start)
        index = 0
        while start <= end:
            chunk = []
            while index < len(notes) and notes[index].start < start + window:
                note = notes[index]
                chunk.append(
                    Note(
                        note.start - start,
                        note.duration,
                        note.pitch,
                        note.velocity,
                        note.instrument,
                    )
                )
                index += 1
            if chunk:
                encoded_notes += encoder.encode(Performance(chunk)).notes
            start += window
        timings.append(time.perf_counter() - started)
    encode_s = statistics.median(timings)

    sample = Performance([n for n in performance.notes if n.start < 256 * 4.0])
    buffer = io.BytesIO()
    encoder.decode(encoder.encode(sample).tokens).save(file=buffer)
    data = buffer.getvalue()
    read_timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        encoded = encoder.encode(data)
        read_timings.append(time.perf_counter() - started)
    read_s = statistics.median(read_timings)

    print(f"{'case':48} {'notes':>9} {'median s':>9} {'notes/s':>11}")
    print(
        f"{'encode notes → octuples (256-bar windows)':48} {args.notes:>9} "
        f"{encode_s:>9.3f} {args.notes / encode_s:>11,.0f}"
    )
    print(
        f"{'read MIDI bytes (mido) + encode, one window':48} {encoded.notes:>9} "
        f"{read_s:>9.3f} {encoded.notes / read_s:>11,.0f}"
    )
    print(f"(encoded {encoded_notes} distinct notes; duplicates in unison are merged)")


if __name__ == "__main__":
    main()
