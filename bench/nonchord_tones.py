"""Would a non-chord-tone rule find a wrong note in a chorale? A first look (issue #22).

A learner's reply names a planted wrong note in most folk tunes and in no chorale
(``bench/critique_mentions.py --replies``): a ±1–2 semitone move in a chorale breaks no rule of
the critic. The classic rule it lacks would flag a *dissonance that is not explained*: a note
outside the chord the critic hears on its beat that is not approached and left as a passing,
neighbour, suspension, anticipation, appoggiatura or escape tone. Before building it, this
counts, on held-out chorales (``bench/wrong_note.py``'s pieces): how Bach's own non-chord tones
classify (each *unexplained* one would be a false alarm), and how the planted notes classify in
the planted scores (each *unexplained* one would be found; *chord tone* means the harmony
analysis heard the wrong note as part of another chord). A second table judges each note
against the chord the *other* voices spell at its onset instead, which a wrong note cannot
bend towards itself.

    PYTHONPATH=. .venv/bin/python bench/nonchord_tones.py [--chorales 31] [--plants 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import wrong_note

from etude.critic.analysis import read_score
from etude.critic.fixes import _chord_tones
from etude.critic.rules.common import RuleContext
from etude.scores.loading import LoadedScore


def _step(interval: int) -> bool:
    return 1 <= abs(interval) <= 2


def kind_of(before: int, after: int) -> str:
    """How a non-chord tone is approached (``before`` semitones) and left (``after``).

    >>> kind_of(2, 1), kind_of(1, -1), kind_of(0, -2), kind_of(2, 0), kind_of(5, -1)
    ('passing', 'neighbour', 'suspension', 'anticipation', 'appoggiatura')
    >>> kind_of(1, -4), kind_of(4, 3)
    ('escape', 'unexplained')
    """
    if _step(before) and _step(after):
        return "passing" if (before > 0) == (after > 0) else "neighbour"
    if before == 0 and _step(after):
        return "suspension"
    if after == 0:
        return "anticipation"
    if abs(before) > 2 and _step(after) and (before > 0) != (after > 0):
        return "appoggiatura"
    if _step(before) and abs(after) > 2 and (before > 0) != (after > 0):
        return "escape"
    return "unexplained"


def non_chord_tones(context: RuleContext) -> dict[tuple[int, float], str]:
    """Every note outside the chord heard on its beat, by (part, onset), with its kind."""
    found = {}
    for line in context.piece.lines:
        notes = line.notes
        for index, note in enumerate(notes):
            tones = _chord_tones(context, note.start)
            if tones is None or note.midi % 12 in tones[0]:
                continue
            if index in (0, len(notes) - 1):
                kind = "first or last note"
            else:
                before, after = notes[index - 1], notes[index + 1]
                if before.end < note.start - 1e-6 or after.start > note.end + 1e-6:
                    kind = "beside a rest"
                else:
                    kind = kind_of(note.midi - before.midi, after.midi - note.midi)
            found[(line.part, round(note.start, 3))] = kind
    return found


def others_chords(context: RuleContext, line_index: int, onset: float) -> list[frozenset[int]]:
    """Every chord (a template of ``etude.critic.harmony``, with its root and third sounding)
    that the *other* voices sounding at ``onset`` spell, when there are at least two of them."""
    from etude.critic.harmony import TEMPLATES

    others = {
        sounding.midi % 12
        for number, line in enumerate(context.piece.lines)
        if number != line_index and (sounding := line.at(onset)) is not None
    }
    if len(others) < 2:
        return []
    chords = []
    for root in others:
        for intervals in TEMPLATES.values():
            tones = frozenset((root + step) % 12 for step in intervals)
            if others <= tones and (root + intervals[1]) % 12 in others:
                chords.append(tones)
    return chords


def outside_the_others(context: RuleContext) -> dict[tuple[int, float], str]:
    """Notes outside every chord the other voices spell at their onset, by kind of motion
    (a note the others leave no chord for is not judged)."""
    found = {}
    for number, line in enumerate(context.piece.lines):
        notes = line.notes
        for index, note in enumerate(notes):
            chords = others_chords(context, number, note.start)
            if not chords or any(note.midi % 12 in chord for chord in chords):
                continue
            if index in (0, len(notes) - 1):
                kind = "first or last note"
            else:
                before, after = notes[index - 1], notes[index + 1]
                kind = kind_of(note.midi - before.midi, after.midi - note.midi)
            found[(line.part, round(note.start, 3))] = kind
    return found


def _context(score: object) -> RuleContext:
    return read_score(LoadedScore(Path("piece.xml"), "musicxml", score, 0)).context  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chorales", type=int, default=31)
    parser.add_argument("--plants", type=int, default=3, help="plants per chorale")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pieces, _ = wrong_note.load_pieces(chorales=args.chorales, folk=0, train_chorales=0)
    rng = random.Random(args.seed)
    bach: Counter[str] = Counter()
    alarmed = 0
    planted: Counter[str] = Counter()
    bach_outside: Counter[str] = Counter()
    planted_outside: Counter[str] = Counter()
    alarmed_outside = 0
    for piece in pieces:
        context = _context(piece.score)
        kinds = non_chord_tones(context)
        bach.update(kinds.values())
        alarmed += any(kind == "unexplained" for kind in kinds.values())
        outside = outside_the_others(context)
        bach_outside.update(outside.values())
        alarmed_outside += any(kind == "unexplained" for kind in outside.values())
        for _ in range(args.plants):
            plant = wrong_note.plant(piece, rng)
            if plant is None:
                continue
            score, (part, onset, _), _ = plant
            planted_context = _context(score)
            where = (part, round(onset, 3))
            planted[non_chord_tones(planted_context).get(where, "chord tone")] += 1
            planted_outside[outside_the_others(planted_context).get(where, "in their chord")] += 1
    print(f"{len(pieces)} held-out chorales, {sum(planted.values())} plants, seed {args.seed}\n")
    print("| kind | Bach's own non-chord tones | planted notes |\n|---|---:|---:|")
    for kind in sorted(set(bach) | set(planted), key=lambda k: -(bach[k] + planted[k])):
        print(f"| {kind} | {bach[kind]} | {planted[kind]} |")
    print(f"\nChorales with at least one unexplained tone of Bach's: {alarmed} of {len(pieces)}")
    print(
        "\nAgainst the chord the *other* voices spell at the note's onset:\n\n"
        "| kind | Bach's own notes outside it | planted notes |\n|---|---:|---:|"
    )
    for kind in sorted(
        set(bach_outside) | set(planted_outside),
        key=lambda k: -(bach_outside[k] + planted_outside[k]),
    ):
        print(f"| {kind} | {bach_outside[kind]} | {planted_outside[kind]} |")
    print(
        f"\nChorales with at least one unexplained note of Bach's outside the others' chord: "
        f"{alarmed_outside} of {len(pieces)}"
    )


if __name__ == "__main__":
    main()
