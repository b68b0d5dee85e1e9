"""Write → read back → verify → repair, a bounded number of times.

Every candidate is written as ABC text and parsed again by music21 before it is checked, so
what is verified is exactly what the learner receives. A failed check first gets a targeted
repair (notes outside the range moved by an octave); if violations remain, a fresh candidate
is drawn with the next seed. After ``MAX_ATTEMPTS`` the candidate with the fewest violations
is returned *with its violations listed*; ABC that music21 cannot parse is never returned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from music21 import note, stream

from etude_abc_composer.abc_text import AbcError, key_field, parse_abc, score_to_abc
from etude_abc_composer.constraints import Constraints
from etude_abc_composer.generator import generate_exercise, generate_melody
from etude_abc_composer.harmony import harmonise
from etude_abc_composer.verify import check_harmony, check_melody

MAX_ATTEMPTS = 8


@dataclass
class Composition:
    abc: str
    score: stream.Score
    violations: list[str]
    attempts: int
    repairs: list[str] = field(default_factory=list)


def title_for(c: Constraints) -> str:
    named = {
        "exercise": f"{(c.exercise or 'scale').capitalize()} exercise",
        "harmonisation": "Harmonised melody",
    }
    what = named.get(c.task, (c.style or "melody").capitalize())
    return f"{what} in {c.key_label().replace('-', 'b')}"


def _repair_range(score: stream.Score, c: Constraints) -> int:
    """Move notes outside the allowed range by octaves into it; returns how many moved."""
    low, high = c.bounds()
    moved = 0
    for n in score.parts[0].recurse().notes:
        if not isinstance(n, note.Note):
            continue
        while n.pitch.midi < low and n.pitch.midi + 12 <= high:
            n.pitch.octave = (n.pitch.octave or 4) + 1
            moved += 1
        while n.pitch.midi > high and n.pitch.midi - 12 >= low:
            n.pitch.octave = (n.pitch.octave or 4) - 1
            moved += 1
    return moved


def _candidate(c: Constraints, rng: random.Random, melody: stream.Score | None) -> stream.Score:
    if c.task == "exercise":
        return generate_exercise(c, rng)
    if c.task == "harmonisation":
        return harmonise(melody if melody is not None else generate_melody(c, rng), c)
    return generate_melody(c, rng)


def _check(parsed: stream.Score, c: Constraints, melody: stream.Score | None) -> list[str]:
    if c.task == "harmonisation":
        problems = [] if melody is not None else check_melody(parsed, c, critic=False)
        source = melody if melody is not None else parsed
        notes = [(n.pitch.midi, float(n.duration.quarterLength))
                 for n in source.parts[0].recurse().notes if isinstance(n, note.Note)]  # fmt: skip
        return problems + check_harmony(parsed, notes, c)
    return check_melody(parsed, c, critic=c.task == "melody")


def compose(c: Constraints, seed: int = 0, melody: stream.Score | None = None) -> Composition:
    """The best verified composition for the constraints (see the module docstring)."""
    best: Composition | None = None
    repairs: list[str] = []
    key_text = key_field(c.tonic, c.mode)
    for attempt in range(MAX_ATTEMPTS):
        rng = random.Random(seed * 7919 + attempt)
        score = _candidate(c, rng, melody)
        for stage in ("draft", "repair"):
            if stage == "repair":
                moved = _repair_range(score, c)
                if not moved:
                    break
                repairs.append(f"attempt {attempt + 1}: moved {moved} note(s) into range")
            text = score_to_abc(score, title=title_for(c), key_text=key_text,
                                clefs=["treble", "bass"])  # fmt: skip
            try:
                parsed = parse_abc(text)
            except AbcError as exc:
                repairs.append(f"attempt {attempt + 1}: unparseable ABC discarded ({exc})")
                break
            problems = _check(parsed, c, melody)
            if best is None or len(problems) < len(best.violations):
                best = Composition(text, parsed, problems, attempt + 1, list(repairs))
            if not problems:
                return best
            if stage == "draft":
                repairs.append(f"attempt {attempt + 1}: {'; '.join(problems[:2])}")
        if melody is not None and c.task == "harmonisation":
            break  # the harmoniser is exact: another seed would give the same chords
    if best is None:
        raise AbcError("no candidate could be written as ABC that music21 reads")
    best.repairs = repairs
    return best
