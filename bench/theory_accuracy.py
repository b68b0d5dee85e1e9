"""Theory accuracy benchmark: do Etude's answers state computable facts exactly?

Generates questions in varied phrasings across every category the theory engine covers, with
ground truth computed *independently* from music21 (``harmony.ChordSymbol``, ``scale.*``,
``interval.Interval``, ``key.Key``, ``roman.RomanNumeral``) — never through the engine's parser
or its spelling code — plus a small fingering table transcribed separately from the scale books.

Scoring of one answer text: it passes only if it contains every expected note name (as a note
token, so ``Bb`` is not found inside ``Bbb``) and every expected phrase (interval name, key
name, fingering), and it contains no *wrong spelling* of an expected note (expecting ``Eb``,
an answer with ``D#`` fails) unless the learner's question itself used that spelling.

Modes:
  --engine-only   answer = the statements of ``compute_facts(question)`` joined
  (default)       end to end: write the questions as JSONL and run
                  ``.venv/bin/etude ask --batch FILE --json``; score each ``answer``.

    python bench/theory_accuracy.py --engine-only [--limit N] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from music21 import harmony, interval, key, pitch, roman, scale

ROOTS = ["C", "G", "D", "A", "E", "B", "F#", "C#", "F", "B-", "E-", "A-", "D-", "G-"]
MINOR_TONICS = ["A", "E", "B", "F#", "C#", "G#", "D", "G", "C", "F", "B-", "E-"]


@dataclass
class Item:
    id: str
    category: str
    question: str
    expected_notes: list[str] = field(default_factory=list)
    expected_phrases: list[str] = field(default_factory=list)


def ascii_name(name: str) -> str:
    """music21 ``E-`` → ``Eb`` (the spelling answers must use)."""
    return name.replace("-", "b")


def spoken(name: str, rng: random.Random) -> str:
    """A note name the way learners type it: Eb, E-flat, E flat, E♭, F sharp, F#."""
    letter, accidental = name[0], name[1:]
    if not accidental:
        return letter
    flat = accidental.startswith("-")
    choices = {
        True: [f"{letter}b", f"{letter}-flat", f"{letter} flat", f"{letter}♭"],
        False: [f"{letter}#", f"{letter} sharp", f"{letter}-sharp", f"{letter}♯"],
    }[flat]
    if len(accidental) == 2:
        return ascii_name(name)
    return rng.choice(choices)


# ------------------------------------------------------------------------- generators

CHORD_TYPES = {
    # music21 abbreviation: (symbol suffix learners type, words learners type)
    "": ("", ["major triad", "major chord"]),
    "m": ("m", ["minor triad", "minor chord"]),
    "dim": ("dim", ["diminished triad", "diminished chord"]),
    "+": ("aug", ["augmented triad", "augmented chord"]),
    "7": ("7", ["dominant seventh chord", "dominant 7 chord", "7 chord"]),
    "maj7": ("maj7", ["major seventh chord", "major 7th chord", "major seven chord"]),
    "m7": ("m7", ["minor seventh chord", "minor 7 chord", "minor seven chord"]),
    "m7b5": ("m7b5", ["half-diminished seventh chord", "half diminished 7 chord"]),
    "dim7": ("dim7", ["diminished seventh chord", "diminished 7th chord"]),
    "sus4": ("sus4", ["suspended fourth chord", "sus4 chord"]),
    "sus2": ("sus2", ["suspended second chord"]),
    "6": ("6", ["major sixth chord"]),
    "9": ("9", ["dominant ninth chord"]),
    "7b9": ("7b9", ["dominant seventh flat nine chord"]),
    "7#9": ("7#9", ["dominant seventh sharp nine chord"]),
}
_MUSIC21_ABBREVIATION = {"maj7": "M7", "+": "+"}
IDENTIFY_WORDS = {
    "": "major triad",
    "m": "minor triad",
    "dim": "diminished triad",
    "+": "augmented triad",
    "7": "dominant seventh",
    "maj7": "major seventh",
    "m7": "minor seventh",
    "m7b5": "half-diminished seventh",
    "dim7": "diminished seventh",
}


def chord_pitches(root: str, abbreviation: str) -> list[str]:
    figure = root + _MUSIC21_ABBREVIATION.get(abbreviation, abbreviation)
    return [p.name for p in harmony.ChordSymbol(figure).pitches]


def gen_chords(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        root = rng.choice(ROOTS)
        abbreviation = rng.choice(list(CHORD_TYPES))
        suffix, words = CHORD_TYPES[abbreviation]
        notes = [ascii_name(p) for p in chord_pitches(root, abbreviation)]
        template = rng.randrange(4)
        if template == 0:
            question = f"Spell {ascii_name(root)}{suffix}"
        elif template == 1:
            question = f"What notes are in {ascii_name(root)}{suffix}?"
        elif template == 2:
            question = f"Which notes make up the {spoken(root, rng)} {rng.choice(words)}?"
        else:
            question = f"spell a {spoken(root, rng)} {rng.choice(words)} for me"
        items.append(Item(f"chord-{index}", "chord", question, notes))
    return items


def gen_identification(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        root = rng.choice(ROOTS)
        abbreviation = rng.choice(list(IDENTIFY_WORDS))
        notes = [ascii_name(p) for p in chord_pitches(root, abbreviation)]
        shown = rng.choice([" ".join(notes), ", ".join(notes), "-".join(notes)])
        question = rng.choice(
            [
                f"What chord is {shown}?",
                f"Which chord has the notes {shown}?",
                f"identify this chord: {shown}",
            ]
        )
        items.append(
            Item(
                f"identify-{index}",
                "chord_identification",
                question,
                [ascii_name(root)],
                [IDENTIFY_WORDS[abbreviation]],
            )
        )
    return items


SCALE_CLASSES = {
    "major": (scale.MajorScale, ["major scale"]),
    "natural minor": (scale.MinorScale, ["minor scale", "natural minor scale"]),
    "harmonic minor": (scale.HarmonicMinorScale, ["harmonic minor scale"]),
    "melodic minor": (scale.MelodicMinorScale, ["melodic minor scale"]),
    "dorian": (scale.DorianScale, ["dorian mode", "dorian scale", "dorian"]),
    "phrygian": (scale.PhrygianScale, ["phrygian mode", "phrygian"]),
    "lydian": (scale.LydianScale, ["lydian mode", "lydian scale"]),
    "mixolydian": (scale.MixolydianScale, ["mixolydian mode", "mixolydian"]),
    "locrian": (scale.LocrianScale, ["locrian mode"]),
}
# Gapped scales as the textbooks define them, from the major/minor scale's own degrees.
GAPPED = {
    "major pentatonic": ("major", [1, 2, 3, 5, 6]),
    "minor pentatonic": ("natural minor", [1, 3, 4, 5, 7]),
}


def gen_scales(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        tonic = rng.choice(ROOTS[:12])
        kind = rng.choice([*SCALE_CLASSES, *GAPPED])
        if kind in GAPPED:
            parent, degrees = GAPPED[kind]
            parent_notes = SCALE_CLASSES[parent][0](tonic).getPitches()
            notes = [parent_notes[d - 1].name for d in degrees]
            words = [f"{kind} scale", kind]
        else:
            cls, words = SCALE_CLASSES[kind]
            pitches = cls(tonic).getPitches()
            notes = [p.name for p in pitches[:7]]
        phrase = rng.choice(words)
        question = rng.choice(
            [
                f"What notes are in the {spoken(tonic, rng)} {phrase}?",
                f"Spell the {spoken(tonic, rng)} {phrase}",
                f"{spoken(tonic, rng)} {phrase}",
                f"Can you give me the notes of the {spoken(tonic, rng)} {phrase}?",
            ]
        )
        items.append(Item(f"scale-{index}", "scale", question, [ascii_name(n) for n in notes]))
    return items


INTERVAL_NAMES = ["m2", "M2", "m3", "M3", "P4", "A4", "P5", "m6", "M6", "m7", "M7", "P8"]


def interval_words(name: str) -> str:
    return interval.Interval(name).niceName.lower()


def gen_intervals(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        start = rng.choice(ROOTS[:12])
        name = rng.choice(INTERVAL_NAMES[:-1])
        low = pitch.Pitch(start + "4")
        high = interval.Interval(name).transposePitch(low)
        words = interval_words(name)
        if index % 2 == 0:
            question = rng.choice(
                [
                    f"What is the interval between {spoken(start, rng)} and "
                    f"{spoken(high.name, rng)}?",
                    f"What interval is {ascii_name(start)} to {ascii_name(high.name)}?",
                    f"name the interval from {spoken(start, rng)} up to {spoken(high.name, rng)}",
                ]
            )
            items.append(
                Item(
                    f"interval-{index}",
                    "interval",
                    question,
                    [ascii_name(start), ascii_name(high.name)],
                    [words],
                )
            )
        else:
            direction = rng.choice(["above", "below"])
            target = (
                high
                if direction == "above"
                else interval.Interval(name).reverse().transposePitch(low)
            )
            question = rng.choice(
                [
                    f"What is a {words} {direction} {spoken(start, rng)}?",
                    f"which note is a {words} {direction} {ascii_name(start)}",
                ]
            )
            items.append(Item(f"interval-{index}", "interval", question, [ascii_name(target.name)]))
    return items


def gen_key_signatures(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        if index % 3 == 2:
            sharps = rng.randint(-7, 7)
            signature = key.KeySignature(sharps)
            major, minor = signature.asKey("major"), signature.asKey("minor")
            word = "sharp" if sharps > 0 else "flat"
            count = "no" if sharps == 0 else str(abs(sharps))
            plural = "s" if abs(sharps) != 1 else ""
            question = (
                f"Which key has {count} {word}{plural}?"
                if sharps
                else "Which key has no sharps or flats?"
            )
            items.append(
                Item(
                    f"keysig-{index}",
                    "key_signature",
                    question,
                    [ascii_name(major.tonic.name), ascii_name(minor.tonic.name)],
                    [
                        f"{ascii_name(major.tonic.name)} major",
                        f"{ascii_name(minor.tonic.name)} minor",
                    ],
                )
            )
            continue
        mode = rng.choice(["major", "minor"])
        tonic = rng.choice(ROOTS if mode == "major" else MINOR_TONICS)
        k = key.Key(tonic, mode)
        word = "sharps" if k.sharps >= 0 else "flats"
        question = rng.choice(
            [
                f"How many {word} are in {spoken(tonic, rng)} {mode}?",
                f"What is the key signature of {spoken(tonic, rng)} {mode}?",
                f"how many {word} does {ascii_name(tonic)} {mode} have",
            ]
        )
        items.append(
            Item(
                f"keysig-{index}",
                "key_signature",
                question,
                [ascii_name(p.name) for p in k.alteredPitches],
                [str(abs(k.sharps))] if k.sharps else [],
            )
        )
    return items


def gen_related(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        mode = rng.choice(["major", "minor"])
        tonic = rng.choice(ROOTS[:12] if mode == "major" else MINOR_TONICS)
        k = key.Key(tonic, mode)
        other_mode = "minor" if mode == "major" else "major"
        if index % 3 == 2:
            question = f"What is the parallel {other_mode} of {spoken(tonic, rng)} {mode}?"
            answer = f"{ascii_name(tonic)} {other_mode}"
        else:
            question = rng.choice(
                [
                    f"What is the relative {other_mode} of {spoken(tonic, rng)} {mode}?",
                    f"relative {other_mode} of {ascii_name(tonic)} {mode}",
                ]
            )
            answer = f"{ascii_name(k.relative.tonic.name)} {other_mode}"
        items.append(
            Item(f"related-{index}", "related_keys", question, [answer.split()[0]], [answer])
        )
    return items


MAJOR_FIGURES = ["I", "ii", "iii", "IV", "V", "vi", "V7", "ii7", "IVmaj7", "viio7", "vii/o7"]
MINOR_FIGURES = ["i", "iv", "V", "VI", "III", "V7", "viio7", "iio"]


def gen_roman(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        mode = rng.choice(["major", "minor"])
        tonic = rng.choice(ROOTS[:12] if mode == "major" else MINOR_TONICS)
        figure = rng.choice(MAJOR_FIGURES if mode == "major" else MINOR_FIGURES)
        rn = roman.RomanNumeral(figure, key.Key(tonic, mode))
        notes = [ascii_name(p.name) for p in rn.pitches]
        shown = figure.replace("/o", "ø").replace("o", "°")
        if index % 4 == 3 and figure in ("I", "ii", "iii", "IV", "V", "vi", "i", "iv", "VI"):
            quality = "major" if rn.isMajorTriad() else "minor"
            question = (
                f"What is the roman numeral of {ascii_name(rn.root().name)} {quality} "
                f"in {ascii_name(tonic)} {mode}?"
            )
            items.append(
                Item(
                    f"roman-{index}",
                    "roman_numeral",
                    question,
                    [ascii_name(rn.root().name)],
                    [figure],
                )
            )
            continue
        question = rng.choice(
            [
                f"What is {shown} in {spoken(tonic, rng)} {mode}?",
                f"spell {shown} in the key of {ascii_name(tonic)} {mode}",
            ]
        )
        items.append(Item(f"roman-{index}", "roman_numeral", question, notes))
    return items


def gen_transpositions(rng: random.Random, n: int) -> list[Item]:
    items = []
    moves = {
        "M2": ["a whole step", "a major second"],
        "m3": ["a minor third"],
        "M3": ["a major third"],
        "P4": ["a perfect fourth"],
        "P5": ["a perfect fifth"],
        "m2": ["a half step", "a semitone"],
    }
    for index in range(n):
        root = rng.choice(ROOTS[:10])
        source = chord_pitches(root, rng.choice(["", "m", "7"]))
        name = rng.choice(list(moves))
        up = rng.random() < 0.7
        ivl = interval.Interval(name) if up else interval.Interval(name).reverse()
        target = [ivl.transposePitch(pitch.Pitch(p + "4")).name for p in source]
        question = (
            f"Transpose {' '.join(ascii_name(p) for p in source)} "
            f"{'up' if up else 'down'} {rng.choice(moves[name])}"
        )
        items.append(
            Item(f"transpose-{index}", "transposition", question, [ascii_name(p) for p in target])
        )
    return items


def gen_enharmonics(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        tonic = rng.choice(["D-", "G-", "A-", "E-", "B-", "F#", "B", "E", "A", "D", "C#"])
        degrees = scale.MajorScale(tonic).getPitches()[:7]
        altered = [p for p in degrees if p.accidental is not None]
        if not altered:
            continue
        right = rng.choice(altered)
        wrong = right.getEnharmonic()
        assert wrong is not None
        pair = [ascii_name(right.name), ascii_name(wrong.name)]
        rng.shuffle(pair)
        question = rng.choice(
            [
                f"In {ascii_name(tonic)} major, is it {pair[0]} or {pair[1]}?",
                f"Should I write {pair[0]} or {pair[1]} in {ascii_name(tonic)} major?",
            ]
        )
        items.append(Item(f"enharmonic-{index}", "enharmonic", question, [ascii_name(right.name)]))
    return items


def gen_circle(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        tonic = rng.choice(ROOTS[:12])
        above = pitch.Pitch(tonic).transpose("P5").name
        below = pitch.Pitch(tonic).transpose("-P5").name
        question = rng.choice(
            [
                f"What keys are next to {spoken(tonic, rng)} major on the circle of fifths?",
                f"Where is {ascii_name(tonic)} major on the circle of fifths?",
            ]
        )
        items.append(
            Item(
                f"circle-{index}",
                "circle_of_fifths",
                question,
                [ascii_name(above), ascii_name(below)],
                [f"{ascii_name(above)} major", f"{ascii_name(below)} major"],
            )
        )
    return items


def gen_diatonic(rng: random.Random, n: int) -> list[Item]:
    items = []
    figures = ["I", "ii", "iii", "IV", "V", "vi", "viio"]
    for index in range(n):
        tonic = rng.choice(ROOTS[:12])
        k = key.Key(tonic)
        notes = sorted(
            {ascii_name(p.name) for f in figures for p in roman.RomanNumeral(f, k).pitches}
        )
        question = rng.choice(
            [
                f"What are the diatonic chords of {spoken(tonic, rng)} major?",
                f"List the triads in {ascii_name(tonic)} major",
            ]
        )
        items.append(Item(f"diatonic-{index}", "diatonic_chords", question, notes))
    return items


PROGRESSIONS = {
    "ii-V-I": ["ii", "V", "I"],
    "I-IV-V-I": ["I", "IV", "V", "I"],
    "I-V-vi-IV": ["I", "V", "vi", "IV"],
    "vi-ii-V-I": ["vi", "ii", "V", "I"],
}


def gen_progressions(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        tonic = rng.choice(ROOTS[:12])
        name = rng.choice(list(PROGRESSIONS))
        k = key.Key(tonic)
        notes = sorted(
            {
                ascii_name(p.name)
                for f in PROGRESSIONS[name]
                for p in roman.RomanNumeral(f, k).pitches
            }
        )
        shown = rng.choice([name, name.replace("-", "–")])
        question = rng.choice(
            [
                f"{shown} in {spoken(tonic, rng)}",
                f"Play me a {shown} progression in {ascii_name(tonic)} major",
            ]
        )
        items.append(Item(f"progression-{index}", "progression", question, notes))
    return items


# Transcribed separately from the engine's table (ABRSM / Alfred's scale books).
FINGERING_TRUTH = {
    ("C", "major"): ("1-2-3-1-2-3-4-5", "5-4-3-2-1-3-2-1"),
    ("G", "major"): ("1-2-3-1-2-3-4-5", "5-4-3-2-1-3-2-1"),
    ("F", "major"): ("1-2-3-4-1-2-3-4", "5-4-3-2-1-3-2-1"),
    ("B", "major"): ("1-2-3-1-2-3-4-5", "4-3-2-1-4-3-2-1"),
    ("B-", "major"): ("4-1-2-3-1-2-3-4", "3-2-1-4-3-2-1-3"),
    ("E-", "major"): ("3-1-2-3-4-1-2-3", "3-2-1-4-3-2-1-3"),
    ("A-", "major"): ("3-4-1-2-3-1-2-3", "3-2-1-4-3-2-1-3"),
    ("D-", "major"): ("2-3-1-2-3-4-1-2", "3-2-1-4-3-2-1-3"),
    ("F#", "major"): ("2-3-4-1-2-3-1-2", "4-3-2-1-3-2-1-4"),
    ("A", "minor"): ("1-2-3-1-2-3-4-5", "5-4-3-2-1-3-2-1"),
    ("F#", "minor"): ("3-4-1-2-3-1-2-3", "4-3-2-1-3-2-1-4"),
    ("C#", "minor"): ("3-4-1-2-3-1-2-3", "3-2-1-4-3-2-1-3"),
    ("B-", "minor"): ("4-1-2-3-1-2-3-4", "2-1-3-2-1-4-3-2"),
    ("F", "minor"): ("1-2-3-4-1-2-3-4", "5-4-3-2-1-3-2-1"),
}


def gen_fingering(rng: random.Random, n: int) -> list[Item]:
    items = []
    for index in range(n):
        (tonic, mode), (right, left) = rng.choice(list(FINGERING_TRUTH.items()))
        question = rng.choice(
            [
                f"What is the fingering for the {spoken(tonic, rng)} {mode} scale on piano?",
                f"How do I finger the {ascii_name(tonic)} {mode} scale?",
            ]
        )
        items.append(Item(f"fingering-{index}", "fingering", question, [], [right, left]))
    return items


GENERATORS = {
    "chord": (gen_chords, 90),
    "chord_identification": (gen_identification, 50),
    "scale": (gen_scales, 80),
    "interval": (gen_intervals, 70),
    "key_signature": (gen_key_signatures, 50),
    "related_keys": (gen_related, 40),
    "roman_numeral": (gen_roman, 50),
    "transposition": (gen_transpositions, 40),
    "enharmonic": (gen_enharmonics, 30),
    "circle_of_fifths": (gen_circle, 20),
    "diatonic_chords": (gen_diatonic, 25),
    "progression": (gen_progressions, 30),
    "fingering": (gen_fingering, 25),
}


def generate(seed: int) -> list[Item]:
    rng = random.Random(seed)
    items: list[Item] = []
    for generator, count in GENERATORS.values():
        items.extend(generator(rng, count))
    return items


# ------------------------------------------------------------------------- scoring

_NOTE_TOKEN = re.compile(
    r"(?<![A-Za-z#])([A-G](?:##|bb|#|b|x)?)(?=$|[^a-z#]|m|maj|dim|aug|sus|add)"
)
_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def pitch_class(name: str) -> int:
    value = _PITCH_CLASS[name[0]]
    for accidental in name[1:]:
        value += {"#": 1, "x": 2, "b": -1}[accidental]
    return value % 12


def note_tokens(text: str) -> set[str]:
    """Note names in prose: ``Bb7`` yields Bb; ``Both`` and ``About`` yield nothing."""
    text = text.replace("♭", "b").replace("♯", "#")
    return {match.group(1).replace("x", "##") for match in _NOTE_TOKEN.finditer(text)}


def normalise(text: str) -> str:
    text = text.lower().replace("–", "-").replace("—", "-").replace("ø", "/o").replace("°", "o")
    return re.sub(r"\s*-\s*", "-", re.sub(r"\s+", " ", text))


_CITATIONS = re.compile(r"\n\s*(?:Sources|Read more): .*\Z", re.DOTALL)


def without_citations(text: str) -> str:
    """The answer without its closing citation line: the titles of the articles it points to
    ("… § Why C# and Db are two names for the same key") name notes but answer nothing."""
    return _CITATIONS.sub("", text).strip()


def score(item: Item, answer: str) -> tuple[bool, str]:
    """(passed, reason) for one answer text."""
    answer = without_citations(answer)
    found = note_tokens(answer)
    for note in item.expected_notes:
        if note not in found:
            return False, f"missing {note}"
    allowed = note_tokens(item.question)
    expected = set(item.expected_notes)
    for note in found - expected - allowed:
        if any(pitch_class(note) == pitch_class(e) for e in expected):
            return False, f"wrong spelling {note}"
    plain = normalise(answer)
    for phrase in item.expected_phrases:
        if normalise(phrase) not in plain:
            return False, f"missing '{phrase}'"
    return True, "ok"


# ------------------------------------------------------------------------- runners


def answers_engine_only(items: list[Item]) -> tuple[dict[str, str], float]:
    from etude.theory.calculator import compute_facts

    compute_facts("What is V7 in F major?")  # import and warm up outside the timing
    answers = {}
    start = time.perf_counter()
    for item in items:
        answers[item.id] = " ".join(f.statement for f in compute_facts(item.question))
    elapsed = time.perf_counter() - start
    return answers, elapsed / max(len(items), 1)


def model_text(record: dict[str, object]) -> str:
    """The chat model's own part of a tutor answer: what is left once the computed statements
    the tutor prints first and the citation line it ends with are taken out. The final
    answer's accuracy is the theory engine's; this part is what a tuned model can change."""
    text = str(record.get("answer", ""))
    for item in record.get("evidence") or []:  # type: ignore[attr-defined]
        if isinstance(item, dict) and item.get("authoritative"):
            text = text.replace(str(item.get("summary", "")), "", 1)
    return without_citations(text)


def answers_end_to_end(items: list[Item], cli: str) -> tuple[dict[str, str], dict[str, str], float]:
    """Final answers and the model's own part of each, by question id, and seconds a question."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as handle:
        for item in items:
            handle.write(json.dumps({"id": item.id, "question": item.question}) + "\n")
        batch = handle.name
    start = time.perf_counter()
    answers: dict[str, str] = {}
    model_texts: dict[str, str] = {}
    # Streamed line by line so that a long run shows progress and a crash keeps what was done.
    with subprocess.Popen(
        [cli, "ask", "--batch", batch, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        for line in process.stdout:
            line = line.strip()
            if line.startswith("{"):
                record = json.loads(line)
                answers[str(record.get("id"))] = str(record.get("answer", ""))
                model_texts[str(record.get("id"))] = model_text(record)
                sys.stderr.write(f"\r{len(answers)}/{len(items)} answered")
                sys.stderr.flush()
        error_text = process.stderr.read()
    elapsed = time.perf_counter() - start
    sys.stderr.write("\n")
    if process.returncode != 0:
        sys.stderr.write(f"error: {cli} exited {process.returncode}: {error_text.strip()[-500:]}\n")
        raise SystemExit(1)
    return answers, model_texts, elapsed / max(len(items), 1)


def report(
    items: list[Item], answers: dict[str, str], model_texts: dict[str, str] | None = None
) -> dict[str, object]:
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    details = []
    for item in items:
        passed, reason = score(item, answers.get(item.id, ""))
        per_category[item.category][0] += int(passed)
        per_category[item.category][1] += 1
        details.append(
            {**asdict(item), "answer": answers.get(item.id, ""), "passed": passed, "reason": reason}
        )
    total_pass = sum(p for p, _ in per_category.values())
    rows = [(category, p, n) for category, (p, n) in per_category.items()]
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="Theory accuracy")
        for column in ("category", "passed", "total", "accuracy"):
            table.add_column(column, justify="left" if column == "category" else "right")
        for category, p, n in rows:
            table.add_row(category, str(p), str(n), f"{100 * p / n:.1f}%")
        table.add_row(
            "overall",
            str(total_pass),
            str(len(items)),
            f"{100 * total_pass / max(len(items), 1):.1f}%",
            style="bold",
        )
        Console().print(table)
    except ImportError:
        print(f"{'category':<22}{'passed':>8}{'total':>8}{'accuracy':>10}")
        for category, p, n in rows:
            print(f"{category:<22}{p:>8}{n:>8}{100 * p / n:>9.1f}%")
        print(
            f"{'overall':<22}{total_pass:>8}{len(items):>8}"
            f"{100 * total_pass / max(len(items), 1):>9.1f}%"
        )
    summary: dict[str, object] = {}
    if model_texts is not None:
        summary["model_text"] = model_text_report(items, model_texts)
    return {
        **summary,
        "overall": total_pass / max(len(items), 1),
        "categories": {c: {"passed": p, "total": n, "accuracy": p / n} for c, p, n in rows},
        "items": details,
    }


def model_text_report(items: list[Item], model_texts: dict[str, str]) -> dict[str, float]:
    """How the chat model's own sentences fare on the same scorer, after the grounding guard:
    a better model restates the exact fact (``exact``) and keeps more sentences; ``wrong`` counts
    a wrong spelling that got past the guard."""
    exact = wrong = empty = sentences = 0
    for item in items:
        text = model_texts.get(item.id, "")
        empty += not text
        sentences += len(re.findall(r"[.!?](?:\s|$)", text))
        passed, reason = score(item, text)
        exact += passed
        wrong += reason.startswith("wrong spelling")
    n = max(len(items), 1)
    result = {
        "exact": exact / n,
        "wrong_spelling": wrong / n,
        "empty": empty / n,
        "sentences_per_answer": sentences / n,
    }
    print(
        f"model's own text: states the fact exactly {100 * exact / n:.1f}%, wrong spelling"
        f" {100 * wrong / n:.1f}%, empty {100 * empty / n:.1f}%,"
        f" {sentences / n:.2f} sentences an answer"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--engine-only",
        action="store_true",
        help="score compute_facts statements instead of the tutor's answers",
    )
    parser.add_argument("--limit", type=int, default=None, help="score only N questions")
    parser.add_argument("--out", type=Path, default=None, help="write per-question results")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cli", default=".venv/bin/etude", help="the etude executable")
    args = parser.parse_args(argv)

    items = generate(args.seed)
    if args.limit is not None:
        random.Random(args.seed).shuffle(items)
        items = items[: args.limit]
    model_texts: dict[str, str] | None = None
    if args.engine_only:
        answers, per_question = answers_engine_only(items)
    else:
        answers, model_texts, per_question = answers_end_to_end(items, args.cli)
    result = report(items, answers, model_texts)
    mode = "engine-only" if args.engine_only else "end-to-end"
    print(f"{mode}: {len(items)} questions, {1000 * per_question:.1f} ms per question")
    if args.out:
        result.update({"mode": mode, "seconds_per_question": per_question})
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
