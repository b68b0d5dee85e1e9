"""How often the analysis's unmarked-pickup note (``etude.critic.pickup``) is right on MIDI.

The first N Bach chorales of music21's corpus, each written out as MIDI twice when it has a
pickup: as music21 exports it (the upbeat at time 0) and padded with silence to a full first
bar; a chorale without a pickup once. The truth is the MusicXML's own first measure (shorter
than a full bar: a pickup). Each MIDI file goes through the same reading as ``etude analyze``
(``load_score`` + the critic's ``build_piece``) and the note is compared with the truth.

The same for the first ``--folk`` melodies of the Essen folk-song collection in the corpus
(``essenFolksong/altdeu10``, one part each, about half with an upbeat): single lines, where
the long notes are fewer and syncopation more common than in a chorale.

    .venv/bin/python bench/unmarked_pickup.py [--n 40] [--folk 100] [--json]
"""

from __future__ import annotations

import argparse
import copy
import json
import tempfile
import time
from pathlib import Path

from music21 import corpus, stream
from music21.exceptions21 import StreamException

from etude.critic.pickup import unmarked_pickup
from etude.critic.texture import build_piece
from etude.scores import load_score


def has_pickup(score: stream.Score) -> bool:
    part = score.parts[0]
    first = part.getElementsByClass(stream.Measure).first()
    signature = part.recurse().getElementsByClass("TimeSignature").first()
    if first is None or signature is None:
        return False
    return float(first.duration.quarterLength) < float(signature.barDuration.quarterLength) - 1e-6


def padded(score: stream.Score) -> stream.Score:
    """The chorale with its upbeat preceded by silence, so that it starts a full bar early."""
    part0 = score.parts[0]
    signature = part0.recurse().getElementsByClass("TimeSignature").first()
    first = part0.getElementsByClass(stream.Measure).first()
    assert signature is not None and first is not None  # has_pickup(score) said so
    bar = float(signature.barDuration.quarterLength)
    pickup = float(first.duration.quarterLength)
    out = stream.Score()
    for part in score.parts:
        flat = part.flatten()
        moved = stream.Part()
        for kind in ("TimeSignature", "KeySignature"):
            first_of_kind = flat.getElementsByClass(kind).first()
            if first_of_kind is not None:
                moved.insert(0.0, copy.deepcopy(first_of_kind))
        for element in flat.notes:
            moved.insert(float(element.offset) + bar - pickup, element)
        out.insert(0.0, moved)
    return out


def detected(score: stream.Score, folder: Path, name: str) -> tuple[bool, float] | None:
    """Whether the note is given for ``score`` written as MIDI, and the seconds reading and
    judging it took; None when music21 cannot write the score as MIDI."""
    path = folder / f"{name}.mid"
    try:
        score.write("midi", fp=str(path))
    except StreamException:  # e.g. a 4/2 signature music21 puts twice in the conductor track
        return None
    started = time.perf_counter()
    piece = build_piece(load_score(path).score)
    found = unmarked_pickup(piece)
    return found is not None, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--folk", type=int, default=100)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, str, bool, bool]] = []
    seconds: list[float] = []
    skipped: list[str] = []

    def judge(score: stream.Score, name: str, variant: str, folder: Path) -> None:
        truth = has_pickup(score)
        for kind in ("music21 export", "padded") if truth else ("music21 export",):
            version = score if kind == "music21 export" else padded(score)
            result = detected(version, folder, f"{len(rows)}")
            if result is None:
                skipped.append(f"{name} ({kind})")
                continue
            rows.append((name, f"{variant}{kind}", truth, result[0]))
            seconds.append(result[1])

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for index, chorale in enumerate(corpus.chorales.Iterator(numberingSystem="bwv")):
            if index >= args.n:
                break
            name = str(chorale.metadata.title or index).replace("/", "_").replace(" ", "_")
            judge(chorale, name, "chorale, ", folder)
        folk = corpus.parse("essenFolksong/altdeu10").scores if args.folk else []
        for index, tune in enumerate(folk[: args.folk]):
            if tune.parts:
                judge(tune, f"altdeu10#{index}", "folk, ", folder)
    summary: dict[str, dict[str, int]] = {}
    for _, variant, truth, found in rows:
        kind = f"{variant}, {'pickup' if truth else 'no pickup'}"
        cell = summary.setdefault(kind, {"files": 0, "noted": 0})
        cell["files"] += 1
        cell["noted"] += int(found)
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows, "skipped": skipped}))
        return
    print(f"{'MIDI files':36} {'files':>6} {'noted':>6}")
    for kind, cell in sorted(summary.items()):
        print(f"{kind:36} {cell['files']:>6} {cell['noted']:>6}")
    false = [f"{name} ({variant})" for name, variant, truth, found in rows if found and not truth]
    missed = [f"{name} ({variant})" for name, variant, truth, found in rows if truth and not found]
    print(f"false notes: {len(false)} of {len(rows)} files: {', '.join(false) or '-'}")
    print(f"missed pickups: {len(missed)}: {', '.join(missed[:12]) or '-'}")
    print(f"not writable as MIDI by music21 (left out): {', '.join(skipped) or '-'}")
    print(f"reading + heuristic per file: median {sorted(seconds)[len(seconds) // 2]:.2f} s")


if __name__ == "__main__":
    main()
