"""Generated MusicTheoryBench-style reasoning items: multi-step questions whose answers music21
computes, and a scorer for Etude's replies to them.

What it measures
----------------
MusicTheoryBench (ChatMusician, Yuan et al. 2024) asks four-option multiple-choice questions;
its "music reasoning" half is where GPT-4 scored 25.6% zero-shot (about chance) and 39.5% at
best, ChatMusician 27.1%. This script writes questions in the same file shape (``id``,
``instruction``, ``stem``, ``options`` A-D, ``answer``, ``subject``, optional ``abc_score``) but
built as *compositions* of operations, so that the number of reasoning steps is known: depth 1
("What is the relative minor of C?"), 2 ("What's the 5th of the rel. minor of C?"), 3 ("How many
sharps or flats are in the key signature of the relative minor of the dominant of E♭?"). The
operations are relative/parallel key, scale degree and function (as a note, or the key or chord
built on it), interval above/below, semitone count, interval name, transposition, chord
identification and quality, roman numeral, key signature, enharmonic respelling, scale
membership, and on short ABC tunes written here: key, time signature, interval between two
notes of the tune, range, scale degree of the last note, chord outlined in bar 1, bar count.
Each base item is asked five times with its options shuffled, so an item counts as right only
if all five shuffles are right (row accuracy is printed too).

How answers are computed (independently of Etude)
-------------------------------------------------
Nothing from the ``etude`` package is imported. Every question is a tree of operations
(``spec``), evaluated twice:

* ``M21`` - the answer written to the file: music21's own objects (``key.Key.relative``,
  ``.parallel``, ``.sharps``, ``.pitchFromDegree``, ``scale.*Scale``, ``interval.Interval``,
  ``chord.Chord.root()/commonName``, ``roman.romanNumeralFromChord``, and for ABC items
  ``converter.parse(abc, format='abc')`` of the very text in the stem);
* ``Alt`` - used by ``--check``: plain letter/semitone arithmetic written here (line of fifths
  for key signatures, letter steps + semitones for intervals and scales, thirds stacking for
  chords), and for ABC items the note list the tune was written *from*, not the parse.

``--check`` regenerates, evaluates every item the second way and exits 1 on any disagreement
(it also re-reads every option's value to prove the four options are distinct by value and
that only the answer is correct). Distractors come from plausible slips (one operation
swapped, skipped or reversed, a neighbouring degree, the other interval quality ...), are
distinct from the answer by *value* (pitch class, pitch-class set, key sound, count), and
never equal an answer under another common convention (for minor keys: the dominant key kept
major, chords from the natural or the harmonic minor). Only questions that ask for a spelling
offer a same-sound wrong spelling.

Commands (from the repository root; ``PY=.venv/bin/python``)
--------
    $PY bench/mtb_generated.py generate --out /tmp/mtbgen.jsonl --seed 2026 --items 600 --check
    $PY bench/mtb_generated.py to-batch --questions /tmp/mtbgen.jsonl --out /tmp/mtbgen_in.jsonl
    .venv/bin/etude ask --batch /tmp/mtbgen_in.jsonl --json > /tmp/mtbgen_out.jsonl
    $PY bench/mtb_generated.py score --questions /tmp/mtbgen.jsonl \\
        --answers /tmp/mtbgen_out.jsonl --json /tmp/mtbgen_result.json

Depth cycles 1, 2, 3 and every 4th item carries a tune, so the defaults give 200 items per
depth and 150 with ABC (3000 rows). The generated file also reads with ``etude eval mtb FILE``
(the letter-probability protocol). ``to-batch`` writes ``{"id", "question"}`` lines: the stem,
then the options one per line (``A) ..``), or for every third row on one line
(``A) 6 B) 5 C) 4 D) 3``), as learners paste them.

Scoring contract for ``score``: the reply's first line must be ``Answer: X)`` (``**`` bold
allowed around it or around the letter); a reply with no such first line is wrong and counted
as "no option named" (a missing reply too), one that names a second option on that line or on
a later ``Answer:`` line is wrong and counted as "several options named". "Steps shown": for
depth >= 2, the reply has at least ``depth`` numbered lines (``1. ..``). "Option read as
chord": a theory fact in the evidence that names a chord built on a bare option label (``A) 6``
read as A6, "A major sixth chord"); "option label read as a note": a theory fact whose note
list runs across an option label (``.. G?\nA) ..`` read as the notes G A). Both are counted in
rows; neither changes the accuracy.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import random
import re
import sys
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Any

from music21 import chord, converter, interval, key, pitch, roman, scale, stream

INSTRUCTION = "Read the question and choose the correct option."
SUBJECT = "music reasoning"
LABELS = ("A", "B", "C", "D")
SHUFFLES = 5
ANCHORS = (
    ("chance", 25.0),
    ("GPT-4 zero-shot (reasoning)", 25.6),
    ("GPT-4 best (reasoning)", 39.5),
    ("ChatMusician (reasoning)", 27.1),
)


class Invalid(Exception):
    """This draw does not make a good question (key off the circle, ambiguous, ...): redraw."""


# ------------------------------------------------------------------------------ spelling

LETTERS = "CDEFGAB"
NAT_PC = (0, 2, 4, 5, 7, 9, 11)
FIFTHS_OF_LETTER = {"F": -1, "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5}
SHARP_ORDER = "FCGDAEB"
FLAT_ORDER = "BEADGCF"


def split_name(name: str) -> tuple[str, int]:
    """music21 name → (letter, alteration): ``E-`` → ("E", -1)."""
    letter, accidental = name[0], name[1:]
    if letter not in LETTERS or accidental.strip("#-"):
        raise Invalid(f"not a note name: {name}")
    return letter, accidental.count("#") - accidental.count("-")


def join_name(letter: str, alter: int) -> str:
    return letter + ("#" * alter if alter > 0 else "-" * -alter)


def pc_of(name: str) -> int:
    letter, alter = split_name(name)
    return (NAT_PC[LETTERS.index(letter)] + alter) % 12


def ascii_name(name: str) -> str:
    """``E-`` → ``Eb``, the spelling options use."""
    return name.replace("-", "b")


def words_name(name: str) -> str:
    letter, alter = split_name(name)
    word = {1: "sharp", -1: "flat", 2: "double-sharp", -2: "double-flat"}.get(alter)
    return f"{letter}-{word}" if word else letter


def say_note(name: str, rng: random.Random) -> str:
    """A note name as learners type it: Eb, E♭, E-flat, F#, F♯, F-sharp."""
    letter, alter = split_name(name)
    if alter == 0:
        return letter
    roll = rng.random()
    if roll < 0.5:
        return ascii_name(name)
    if roll < 0.75:
        return letter + ("♯" * alter if alter > 0 else "♭" * -alter)
    return words_name(name)


def say_key(k: tuple[str, str], rng: random.Random, bare_ok: bool = True) -> str:
    tonic = say_note(k[0], rng)
    if k[1] == "major":
        return tonic if bare_ok and rng.random() < 0.2 else f"{tonic} major"
    return f"{tonic}m" if "-" not in tonic and rng.random() < 0.1 else f"{tonic} minor"


# ------------------------------------------------------------------------------ intervals

IVL = {
    "P1": (0, 0),
    "m2": (1, 1),
    "M2": (1, 2),
    "A2": (1, 3),
    "m3": (2, 3),
    "M3": (2, 4),
    "P4": (3, 5),
    "A4": (3, 6),
    "d5": (4, 6),
    "P5": (4, 7),
    "A5": (4, 8),
    "m6": (5, 8),
    "M6": (5, 9),
    "d7": (6, 9),
    "m7": (6, 10),
    "M7": (6, 11),
    "P8": (7, 12),
}
IVL_WORDS = {
    "m2": "minor second",
    "M2": "major second",
    "m3": "minor third",
    "M3": "major third",
    "P4": "perfect fourth",
    "A4": "augmented fourth",
    "d5": "diminished fifth",
    "P5": "perfect fifth",
    "m6": "minor sixth",
    "M6": "major sixth",
    "m7": "minor seventh",
    "M7": "major seventh",
    "A2": "augmented second",
    "A5": "augmented fifth",
    "d7": "diminished seventh",
    "P8": "perfect octave",
}
ORDINALS = ("unison", "second", "third", "fourth", "fifth", "sixth", "seventh", "octave")
PERFECT_GENERIC = (0, 3, 4, 7)
BASE_SEMIS = (0, 2, 4, 5, 7, 9, 11, 12)  # perfect or major size of each generic interval
MOVE_IVLS = ("m2", "M2", "m3", "M3", "P4", "P5", "m6", "M6", "m7", "M7")
CONFUSABLE_IVL = {
    "m2": ["M2"],
    "M2": ["m2", "m3"],
    "m3": ["M3", "M2"],
    "M3": ["m3", "P4"],
    "P4": ["P5", "M3"],
    "P5": ["P4", "M6"],
    "m6": ["M6", "P5"],
    "M6": ["m6", "m7"],
    "m7": ["M7", "M6"],
    "M7": ["m7"],
}


def interval_label(generic: int, semis: int) -> str:
    """(letter steps, semitones) → "Major third"; the sizes music21 calls by the same name."""
    if not 0 <= generic <= 7:
        raise Invalid("compound interval")
    diff = semis - BASE_SEMIS[generic]
    diff = (diff + 6) % 12 - 6 if generic != 7 else diff
    if generic in PERFECT_GENERIC:
        quality = {0: "Perfect", 1: "Augmented", -1: "Diminished"}.get(diff)
    else:
        quality = {0: "Major", -1: "Minor", 1: "Augmented", -2: "Diminished"}.get(diff)
    if quality is None:
        raise Invalid("no plain interval name")
    return f"{quality} {ORDINALS[generic]}"


def interval_semis(label: str) -> int:
    """ "Major third" → 4 (to compare interval options by size)."""
    quality, _, ordinal = label.partition(" ")
    if ordinal not in ORDINALS:
        raise Invalid(f"no plain interval name: {label}")
    generic = ORDINALS.index(ordinal)
    if generic in PERFECT_GENERIC:
        shift = {"Perfect": 0, "Augmented": 1, "Diminished": -1}.get(quality)
    else:
        shift = {"Major": 0, "Minor": -1, "Augmented": 1, "Diminished": -2}.get(quality)
    if shift is None:
        raise Invalid(f"no plain interval name: {label}")
    return BASE_SEMIS[generic] + shift


# ------------------------------------------------------------------------------ chords

QUAL_IVLS = {
    "major": ("P1", "M3", "P5"),
    "minor": ("P1", "m3", "P5"),
    "diminished": ("P1", "m3", "d5"),
    "augmented": ("P1", "M3", "A5"),
    "dominant seventh": ("P1", "M3", "P5", "m7"),
    "major seventh": ("P1", "M3", "P5", "M7"),
    "minor seventh": ("P1", "m3", "P5", "m7"),
    "half-diminished seventh": ("P1", "m3", "d5", "m7"),
    "diminished seventh": ("P1", "m3", "d5", "d7"),
}
TRIADS = ("major", "minor", "diminished", "augmented")
SEVENTHS = tuple(q for q in QUAL_IVLS if q not in TRIADS)
QUALITY_OF_STACK = {tuple(IVL[i][1] for i in ivls[1:]): q for q, ivls in QUAL_IVLS.items()}
QUALITY_OF_COMMON = {
    "major triad": "major",
    "minor triad": "minor",
    "diminished triad": "diminished",
    "augmented triad": "augmented",
    "dominant seventh chord": "dominant seventh",
    "major seventh chord": "major seventh",
    "minor seventh chord": "minor seventh",
    "half-diminished seventh chord": "half-diminished seventh",
    "diminished seventh chord": "diminished seventh",
}
NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII")


def render_roman(degree: int, quality: str) -> str:
    """Textbook roman numeral, case for quality: V, ii, vii°, III+, V7, ii7, viiø7, vii°7."""
    upper = NUMERALS[degree - 1]
    lower = upper.lower()
    return {
        "major": upper,
        "minor": lower,
        "diminished": lower + "°",
        "augmented": upper + "+",
        "dominant seventh": upper + "7",
        "major seventh": upper + "7",
        "minor seventh": lower + "7",
        "half-diminished seventh": lower + "ø7",
        "diminished seventh": lower + "°7",
    }[quality]


FN_NAMES = {
    1: "tonic",
    2: "supertonic",
    3: "mediant",
    4: "subdominant",
    5: "dominant",
    6: "submediant",
    7: "leading tone",
}
ORD_DIGITS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th"}
DEGREE_OPTION = {
    "tonic": "Tonic",
    "supertonic": "Supertonic",
    "mediant": "Mediant",
    "subdominant": "Subdominant",
    "dominant": "Dominant",
    "submediant": "Submediant",
    "leading tone": "Leading tone",
    "subtonic": "Subtonic",
}
NUMBER_WORDS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven")


def fn_tag(fn: str) -> str:
    return fn.replace(" ", "_")


def valid_key(k: tuple[str, str], sharps: int) -> tuple[str, str]:
    if abs(sharps) > 7 or abs(split_name(k[0])[1]) > 1:
        raise Invalid(f"key off the circle: {k}")
    return k


def minor_form(k: tuple[str, str], deg: int, fn: str, convention: str) -> str:
    """Which scale a diatonic chord on ``deg`` is built from: major; in minor the textbook
    convention is the harmonic minor for the chords on the dominant and the leading tone, the
    natural minor elsewhere (``natural``/``harmonic`` force one, for the other conventions)."""
    if k[1] == "major":
        return "major"
    if fn == "subtonic":
        return "natural"
    if fn == "leading tone":
        return "harmonic"
    if convention != "standard":
        return convention
    return "harmonic" if deg == 5 else "natural"


# ------------------------------------------------------------------------------ engines


class M21:
    """The answers written to the file: music21's own objects. ``minor_fifth`` and
    ``minor_chords`` select the other common conventions (only to keep their answers out of
    the distractors)."""

    def __init__(self, minor_fifth: str = "kept", minor_chords: str = "standard") -> None:
        self.minor_fifth = minor_fifth
        self.minor_chords = minor_chords

    @staticmethod
    def key(k: tuple[str, str]) -> key.Key:
        return key.Key(k[0], k[1])

    def checked(self, k: tuple[str, str]) -> tuple[str, str]:
        return valid_key(k, self.key(k).sharps)

    def relative(self, k):
        r = self.key(k).relative
        return self.checked((r.tonic.name, r.mode))

    def parallel(self, k):
        r = self.key(k).parallel
        return self.checked((r.tonic.name, r.mode))

    def fifth_key(self, k, which):
        ivl = interval.Interval("P5" if which == "dominant" else "P4")
        tonic = ivl.transposePitch(pitch.Pitch(k[0])).name
        mode = "major" if k[1] == "minor" and self.minor_fifth == "major" else k[1]
        return self.checked((tonic, mode))

    @staticmethod
    def scale(k, form):
        cls = {
            "major": scale.MajorScale,
            "natural": scale.MinorScale,
            "harmonic": scale.HarmonicMinorScale,
            "melodic": scale.MelodicMinorScale,
        }[form]
        return tuple(p.name for p in cls(k[0]).getPitches()[:7])

    def degree_note(self, k, deg, fn):
        if k[1] == "minor" and fn == "leading tone":
            return self.scale(k, "harmonic")[6]
        return self.key(k).pitchFromDegree(deg).name

    def degree_key(self, k, deg, fn, mode):
        return self.checked((self.degree_note(k, deg, fn), mode))

    def degree_chord(self, k, deg, fn, seventh):
        notes = self.scale(k, minor_form(k, deg, fn, self.minor_chords))
        return tuple(notes[(deg - 1 + 2 * i) % 7] for i in range(4 if seventh else 3))

    @staticmethod
    def move(n, ivl, up):
        return interval.Interval(ivl).transposePitch(pitch.Pitch(n), reverse=not up).name

    def build_chord(self, n, quality):
        return tuple(self.move(n, i, True) for i in QUAL_IVLS[quality])

    def transpose(self, ch, ivl, up):
        return tuple(self.move(n, ivl, up) for n in ch)

    @staticmethod
    def chord_id(ch):
        c = chord.Chord([pitch.Pitch(n) for n in ch])
        quality = QUALITY_OF_COMMON.get(c.commonName)
        if quality is None:
            raise Invalid(f"not a plain chord: {ch} ({c.commonName})")
        return (c.root().name, quality)

    def roman(self, ch, k):
        r = roman.romanNumeralFromChord(chord.Chord(stacked(ch)), self.key(k))
        if r.isSeventh():
            if r.isDominantSeventh():
                quality = "dominant seventh"
            elif r.isHalfDiminishedSeventh():
                quality = "half-diminished seventh"
            elif r.isDiminishedSeventh():
                quality = "diminished seventh"
            else:
                quality = {"major": "major seventh", "minor": "minor seventh"}.get(r.quality, "")
        else:
            quality = r.quality
        if quality not in QUAL_IVLS:
            raise Invalid(f"no plain numeral: {ch} in {k}")
        return render_roman(r.scaleDegree, quality)

    def key_sig(self, k):
        return self.key(k).sharps

    @staticmethod
    def enharmonic(n):
        others = [p.name for p in pitch.Pitch(n).getAllCommonEnharmonics() if p.name != n]
        return simplest(others)

    @staticmethod
    def _above(n1, n2):
        if pc_of(n1) == pc_of(n2):
            raise Invalid("same pitch class")
        low = pitch.Pitch(n1)
        low.octave = 4
        high = pitch.Pitch(n2)
        high.octave = 4
        while high.ps <= low.ps:
            high.octave += 1
        while high.ps - low.ps >= 12:
            high.octave -= 1
        return interval.Interval(low, high)

    def semitones(self, n1, n2):
        return int(self._above(n1, n2).semitones)

    def interval_name(self, n1, n2):
        if n1[0] == n2[0]:
            raise Invalid("same letter: an augmented unison or a diminished octave")
        return nice(self._above(n1, n2).niceName)

    # ABC: everything read from music21's parse of the text in the stem.
    @staticmethod
    def tune(t):
        return parsed_tune(t["abc"])

    def abc_key(self, t):
        return self.tune(t)["key"]

    def abc_meter(self, t):
        return self.tune(t)["meter"]

    def abc_bars(self, t):
        return len(self.tune(t)["bars"])

    def abc_eighths(self, t):
        return self.tune(t)["eighths"]

    def abc_note(self, t, which):
        return pick_note([n for bar in self.tune(t)["bars"] for n in bar], which, ps_m21)

    def abc_bar1(self, t):
        return tuple(dict.fromkeys(strip_octave(n) for n in self.tune(t)["bars"][0]))

    def abc_interval(self, t, a, b):
        p1, p2 = pitch.Pitch(self.abc_note(t, a)), pitch.Pitch(self.abc_note(t, b))
        if p1.ps == p2.ps:
            raise Invalid("unison")
        return nice(interval.Interval(p1, p2).niceName)

    def abc_semitones(self, t, a, b):
        p1, p2 = pitch.Pitch(self.abc_note(t, a)), pitch.Pitch(self.abc_note(t, b))
        return abs(int(interval.Interval(p1, p2).semitones))

    def abc_last_degree(self, t):
        k = self.abc_key(t)
        last = pitch.Pitch(self.abc_note(t, "last"))
        deg = self.key(k).getScaleDegreeFromPitch(last)
        if deg is None:
            raise Invalid("chromatic last note")
        return "subtonic" if deg == 7 and k[1] == "minor" else FN_NAMES[deg]


class Alt:
    """The second way (``--check``): letter and semitone arithmetic, and the tune's source
    notes instead of music21's parse."""

    minor_fifth = "kept"
    minor_chords = "standard"

    @staticmethod
    def move(n, ivl, up):
        steps, semis = IVL[ivl]
        letter, alter = split_name(n)
        li = LETTERS.index(letter)
        sign = 1 if up else -1
        new = (li + sign * steps) % 7
        target = (NAT_PC[li] + alter + sign * semis) % 12
        new_alter = (target - NAT_PC[new] + 6) % 12 - 6
        return join_name(LETTERS[new], new_alter)

    def key_sig(self, k):
        letter, alter = split_name(k[0])
        return FIFTHS_OF_LETTER[letter] + 7 * alter - (3 if k[1] == "minor" else 0)

    def checked(self, k):
        return valid_key(k, self.key_sig(k))

    def relative(self, k):
        if k[1] == "major":
            return self.checked((self.move(k[0], "m3", False), "minor"))
        return self.checked((self.move(k[0], "m3", True), "major"))

    def parallel(self, k):
        return self.checked((k[0], "minor" if k[1] == "major" else "major"))

    def fifth_key(self, k, which):
        return self.checked((self.move(k[0], "P5" if which == "dominant" else "P4", True), k[1]))

    def scale(self, k, form):
        steps = {
            "major": ("P1", "M2", "M3", "P4", "P5", "M6", "M7"),
            "natural": ("P1", "M2", "m3", "P4", "P5", "m6", "m7"),
            "harmonic": ("P1", "M2", "m3", "P4", "P5", "m6", "M7"),
            "melodic": ("P1", "M2", "m3", "P4", "P5", "M6", "M7"),
        }[form]
        return tuple(self.move(k[0], s, True) for s in steps)

    def degree_note(self, k, deg, fn):
        if k[1] == "major":
            return self.scale(k, "major")[deg - 1]
        return self.scale(k, "harmonic" if fn == "leading tone" else "natural")[deg - 1]

    def degree_key(self, k, deg, fn, mode):
        return self.checked((self.degree_note(k, deg, fn), mode))

    def degree_chord(self, k, deg, fn, seventh):
        notes = self.scale(k, minor_form(k, deg, fn, "standard"))
        return tuple(notes[(deg - 1 + 2 * i) % 7] for i in range(4 if seventh else 3))

    def build_chord(self, n, quality):
        return tuple(self.move(n, i, True) for i in QUAL_IVLS[quality])

    def transpose(self, ch, ivl, up):
        return tuple(self.move(n, ivl, up) for n in ch)

    @staticmethod
    def chord_id(ch):
        """The root is the note every other note lies a 3rd, 5th or 7th above (by letter)."""
        for root in ch:
            ri = LETTERS.index(root[0])
            steps = {(LETTERS.index(n[0]) - ri) % 7: n for n in ch if n != root}
            if len(steps) == len(ch) - 1 and set(steps) <= {2, 4, 6}:
                stack = tuple((pc_of(steps[s]) - pc_of(root)) % 12 for s in sorted(steps))
                if stack in QUALITY_OF_STACK and len(stack) == len(set(steps)):
                    return (root, QUALITY_OF_STACK[stack])
        raise Invalid(f"not a plain chord: {ch}")

    def roman(self, ch, k):
        root, quality = self.chord_id(ch)
        deg = (LETTERS.index(root[0]) - LETTERS.index(k[0][0])) % 7 + 1
        return render_roman(deg, quality)

    @staticmethod
    def enharmonic(n):
        letter, _ = split_name(n)
        li = LETTERS.index(letter)
        others = []
        for d in (-2, -1, 1, 2):
            new = (li + d) % 7
            alter = (pc_of(n) - NAT_PC[new] + 6) % 12 - 6
            if abs(alter) <= 2:
                others.append(join_name(LETTERS[new], alter))
        return simplest(others)

    @staticmethod
    def semitones(n1, n2):
        s = (pc_of(n2) - pc_of(n1)) % 12
        if s == 0:
            raise Invalid("same pitch class")
        return s

    def interval_name(self, n1, n2):
        generic = (LETTERS.index(n2[0]) - LETTERS.index(n1[0])) % 7
        if generic == 0:
            raise Invalid("same letter: an augmented unison or a diminished octave")
        return interval_label(generic, self.semitones(n1, n2))

    # ABC: from the notes the tune was written from.
    @staticmethod
    def abc_key(t):
        return (t["tonic"], t["mode"])

    @staticmethod
    def abc_meter(t):
        return t["meter"]

    @staticmethod
    def abc_bars(t):
        return len(t["bars"])

    @staticmethod
    def abc_eighths(t):
        return sum(d for bar in t["bars"] for _, d in bar)

    @staticmethod
    def abc_note(t, which):
        return pick_note([n for bar in t["bars"] for n, _ in bar], which, ps_alt)

    @staticmethod
    def abc_bar1(t):
        return tuple(dict.fromkeys(strip_octave(n) for n, _ in t["bars"][0]))

    def abc_interval(self, t, a, b):
        n1, n2 = sorted((self.abc_note(t, a), self.abc_note(t, b)), key=ps_alt)
        return interval_label(diatonic(n2) - diatonic(n1), round(ps_alt(n2) - ps_alt(n1)))

    def abc_semitones(self, t, a, b):
        return abs(round(ps_alt(self.abc_note(t, a)) - ps_alt(self.abc_note(t, b))))

    def abc_last_degree(self, t):
        k = self.abc_key(t)
        last = strip_octave(self.abc_note(t, "last"))
        notes = self.scale(k, "major" if k[1] == "major" else "natural")
        if last not in notes:
            raise Invalid("chromatic last note")
        deg = notes.index(last) + 1
        return "subtonic" if deg == 7 and k[1] == "minor" else FN_NAMES[deg]


def simplest(names: list[str]) -> str:
    """The respelling with the fewest accidentals; a tie (D = C## = Ebb) is no question."""
    ranked = sorted(names, key=lambda n: abs(split_name(n)[1]))
    if not ranked or (
        len(ranked) > 1 and abs(split_name(ranked[0])[1]) == abs(split_name(ranked[1])[1])
    ):
        raise Invalid("no single simplest respelling")
    return ranked[0]


def nice(name: str) -> str:
    """music21 ``Major Third`` → ``Major third``."""
    first, rest = name.split(" ", 1)
    return f"{first} {rest.lower()}"


def stacked(ch: tuple[str, ...]) -> list[pitch.Pitch]:
    """The chord's notes in the given order, each above the last (root position stays so)."""
    out: list[pitch.Pitch] = []
    for name in ch:
        p = pitch.Pitch(name)
        p.octave = 4
        while out and p.ps <= out[-1].ps:
            p.octave += 1
        out.append(p)
    return out


def strip_octave(name: str) -> str:
    return name.rstrip("0123456789")


def diatonic(name_oct: str) -> int:
    return int(name_oct[len(strip_octave(name_oct)) :]) * 7 + LETTERS.index(name_oct[0])


def ps_alt(name_oct: str) -> float:
    name = strip_octave(name_oct)
    letter, alter = split_name(name)
    return 12 * (int(name_oct[len(name) :]) + 1) + NAT_PC[LETTERS.index(letter)] + alter


def ps_m21(name_oct: str) -> float:
    return pitch.Pitch(name_oct).ps


def pick_note(notes: list[str], which: str, ps) -> str:
    if which == "first":
        return notes[0]
    if which == "second":
        return notes[1]
    if which == "last":
        return notes[-1]
    if which == "highest":
        return max(notes, key=ps)
    if which == "lowest":
        return min(notes, key=ps)
    raise ValueError(which)


@lru_cache(maxsize=4096)
def parsed_tune(abc: str) -> dict[str, Any]:
    """music21's reading of an ABC text: key, meter, notes (with octave) per bar, length."""
    score = converter.parse(abc, format="abc")
    found = score.recurse().getElementsByClass(key.Key)
    signature = next(iter(found), None)
    if signature is None:
        raise Invalid("no key in the parse")
    meters = list(score.recurse().getElementsByClass("TimeSignature"))
    measures = list(score.recurse().getElementsByClass(stream.Measure))
    if not measures:  # music21 leaves a tune of two bars unbarred: bar it by its meter
        measures = list(score.parts[0].makeMeasures().getElementsByClass(stream.Measure))
    bars = []
    for measure in measures:
        notes = [n.pitch.nameWithOctave for n in measure.notes]
        if notes:
            bars.append(notes)
    return {
        "key": (signature.tonic.name, signature.mode),
        "meter": meters[0].ratioString,
        "bars": bars,
        "eighths": round(score.highestTime * 2),
    }


# ------------------------------------------------------------------------------ specs


def evaluate(s: dict[str, Any], eng) -> Any:
    """The value of an operation tree, computed with ``eng`` (M21 or Alt)."""
    t = s["t"]
    if t == "key":
        return eng.checked((s["tonic"], s["mode"]))
    if t == "note":
        return s["name"]
    if t == "chord":
        return tuple(s["names"])
    if t == "relative":
        return eng.relative(evaluate(s["of"], eng))
    if t == "parallel":
        return eng.parallel(evaluate(s["of"], eng))
    if t == "fifth_key":
        return eng.fifth_key(evaluate(s["of"], eng), s["which"])
    if t == "moved_key":  # a slip only (relative minor counted the wrong way)
        k = evaluate(s["of"], eng)
        return eng.checked((eng.move(k[0], s["ivl"], s["up"]), s["mode"]))
    if t == "degree_key":
        return eng.degree_key(evaluate(s["of"], eng), s["deg"], s["fn"], s["mode"])
    if t == "degree":
        return eng.degree_note(evaluate(s["of"], eng), s["deg"], s["fn"])
    if t == "move":
        return eng.move(evaluate(s["of"], eng), s["ivl"], s["up"])
    if t == "degree_chord":
        return eng.degree_chord(evaluate(s["of"], eng), s["deg"], s["fn"], s["seventh"])
    if t == "build_chord":
        return eng.build_chord(evaluate(s["of"], eng), s["quality"])
    if t == "transpose":
        return eng.transpose(evaluate(s["of"], eng), s["ivl"], s["up"])
    if t == "key_signature":
        return eng.key_sig(evaluate(s["of"], eng))
    if t == "chord_id":
        return eng.chord_id(evaluate(s["of"], eng))
    if t == "chord_quality":
        return eng.chord_id(evaluate(s["of"], eng))[1]
    if t == "roman":
        return eng.roman(evaluate(s["of"], eng), evaluate(s["key"], eng))
    if t == "enharmonic":
        return eng.enharmonic(evaluate(s["of"], eng))
    if t == "scale":
        return eng.scale(evaluate(s["of"], eng), s["form"])
    if t == "semitones":
        return eng.semitones(evaluate(s["from"], eng), evaluate(s["of"], eng))
    if t == "interval_name":
        return eng.interval_name(evaluate(s["from"], eng), evaluate(s["of"], eng))
    if t.startswith("abc_"):
        method = getattr(eng, t)
        args = [s[name] for name in ("which", "a", "b") if name in s]
        return method(s["tune"], *args)
    raise ValueError(t)


def find_tune(s: dict[str, Any]) -> dict[str, Any] | None:
    """The tune an ABC item's tree reads, if any."""
    if "tune" in s:
        return s["tune"]
    for field in children(s):
        found = find_tune(s[field])
        if found is not None:
            return found
    return None


def children(s: dict[str, Any]) -> list[str]:
    return [f for f in ("of", "from", "key") if isinstance(s.get(f), dict)]


def slips(s: dict[str, Any]) -> list[dict[str, Any]]:
    """Trees one plausible slip away from ``s``: an operation swapped, skipped, reversed, a
    neighbouring degree, the other interval quality, the wrong mode."""
    out: list[dict[str, Any]] = []
    t = s["t"]
    of = s.get("of")
    if t == "key":
        out.append({**s, "mode": "minor" if s["mode"] == "major" else "major"})
    elif t in ("relative", "parallel"):
        out.append({**s, "t": "parallel" if t == "relative" else "relative"})
        out.append(of)
    if t == "relative":
        out.append({"t": "moved_key", "of": of, "ivl": "m3", "up": True, "mode": "minor"})
        out.append({"t": "moved_key", "of": of, "ivl": "m3", "up": False, "mode": "major"})
    elif t == "fifth_key":
        out.append({**s, "which": "subdominant" if s["which"] == "dominant" else "dominant"})
        out.append(of)
    elif t in ("degree_key", "degree", "degree_chord"):
        for d in (-1, 1, 2, -2):
            deg = s["deg"] + d
            if 1 <= deg <= 7 and not (t == "degree_key" and deg == 1):
                fn = FN_NAMES[deg] if s["fn"] != "subtonic" or deg != 7 else "subtonic"
                out.append({**s, "deg": deg, "fn": fn})
        if s["deg"] == 7:
            out.append({**s, "fn": "subtonic" if s["fn"] == "leading tone" else "leading tone"})
        if t == "degree_key":
            out.append({**s, "mode": "minor" if s["mode"] == "major" else "major"})
    elif t in ("move", "transpose"):
        out.append({**s, "up": not s["up"]})
        out += [{**s, "ivl": i} for i in CONFUSABLE_IVL.get(s["ivl"], [])]
    elif t == "build_chord":
        family = TRIADS if s["quality"] in TRIADS else SEVENTHS
        out += [{**s, "quality": q} for q in family if q != s["quality"]]
    for field in children(s):
        out += [{**s, field: variant} for variant in slips(s[field])]
    return [o for o in out if isinstance(o, dict)]


def conventions() -> list[M21]:
    """The other readings a careful musician might take; their answers are never offered as
    distractors."""
    return [
        M21(minor_fifth="major"),
        M21(minor_chords="natural"),
        M21(minor_chords="harmonic"),
    ]


# ------------------------------------------------------------------------------ values


def render(kind: str, value: Any) -> str:
    if kind == "key":
        return f"{ascii_name(value[0])} {value[1]}"
    if kind == "keysig":
        if value == 0:
            return "No sharps or flats"
        count = abs(value)
        word = ("sharp" if value > 0 else "flat") + ("s" if count > 1 else "")
        return f"{NUMBER_WORDS[count]} {word}"
    if kind in ("note", "spell", "enharmonic", "membership"):
        return ascii_name(value)
    if kind == "chord":
        return " – ".join(ascii_name(n) for n in value)
    if kind == "chord_id":
        return f"{ascii_name(value[0])} {value[1]}"
    if kind == "quality":
        return value[0].upper() + value[1:]
    if kind == "degree_name":
        return DEGREE_OPTION[value]
    if kind in ("roman", "interval", "meter"):
        return value
    if kind == "int":
        return str(value)
    raise ValueError(kind)


def parse_option(kind: str, text: str) -> Any:
    """An option's text back to its value (used by ``--check`` and the tests)."""

    def note(t: str) -> str:
        if not re.fullmatch(r"[A-G](#{1,2}|b{1,2})?", t):
            raise ValueError(f"not a note option: {t!r}")
        return t[0] + t[1:].replace("b", "-")

    if kind == "key":
        tonic, mode = text.split()
        return (note(tonic), mode)
    if kind == "keysig":
        if text == "No sharps or flats":
            return 0
        word, kind_word = text.split()
        count = NUMBER_WORDS.index(word)
        return count if kind_word.startswith("sharp") else -count
    if kind in ("note", "spell", "enharmonic", "membership"):
        return note(text)
    if kind == "chord":
        return tuple(note(n) for n in text.split(" – "))
    if kind == "chord_id":
        root, quality = text.split(" ", 1)
        return (note(root), quality)
    if kind == "quality":
        return text.lower()
    if kind == "degree_name":
        return next(k for k, v in DEGREE_OPTION.items() if v == text)
    if kind == "int":
        return int(text)
    return text


def same_value(kind: str, value: Any) -> Any:
    """What two options must differ in: the sound, not the spelling (except where the question
    asks for a spelling)."""
    if kind == "key":
        return (pc_of(value[0]), value[1])
    if kind in ("note", "enharmonic", "membership"):
        return pc_of(value)
    if kind == "chord":
        return frozenset(pc_of(n) for n in value)
    if kind == "chord_id":
        return frozenset(pc_of(n) for n in Alt().build_chord(value[0], value[1]))
    if kind == "interval":
        return interval_semis(value)
    return value


def most_accidentals(kind: str, value: Any) -> int:
    if kind in ("note", "spell", "enharmonic", "membership"):
        return abs(split_name(value)[1])
    if kind == "chord":
        return max(abs(split_name(n)[1]) for n in value)
    if kind == "chord_id":
        return abs(split_name(value[0])[1])
    return 0


def option_ok(kind: str, value: Any, answer: Any) -> bool:
    """A distractor worth printing: a real key, and no more accidentals than the answer needs
    (a double flat only beside an answer that has one)."""
    try:
        if kind == "key":
            valid_key(value, Alt().key_sig(value))
        elif kind in ("note", "spell", "enharmonic", "membership", "chord", "chord_id"):
            limit = max(1, most_accidentals(kind, answer))
            return most_accidentals(kind, value) <= limit
        elif kind == "keysig":
            return -7 <= value <= 7
        elif kind == "int":
            return value > 0
    except Invalid:
        return False
    return True


# ------------------------------------------------------------------------------ building

MAJOR_TONICS = ("C", "G", "D", "A", "E", "B", "F#", "F", "B-", "E-", "A-", "D-", "G-")
MINOR_TONICS = ("A", "E", "B", "F#", "C#", "G#", "D", "G", "C", "F", "B-", "E-")
BASE_NOTES = ("C", "D", "E", "F", "G", "A", "B", "F#", "C#", "G#", "B-", "E-", "A-", "D-")
ENHARMONIC_INPUTS = (
    "C#",
    "D#",
    "F#",
    "G#",
    "A#",
    "D-",
    "E-",
    "G-",
    "A-",
    "B-",
    "E#",
    "B#",
    "C-",
    "F-",
    "B",
    "E",
    "F",
    "C",
)


class Builder:
    """Draws one operation tree of a given depth and words it."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.m21 = M21()

    def choice(self, seq):
        return self.rng.choice(list(seq))

    # ---- trees
    def base_key(self) -> dict[str, Any]:
        mode = self.choice(("major", "minor"))
        tonic = self.choice(MAJOR_TONICS if mode == "major" else MINOR_TONICS)
        return {"t": "key", "tonic": tonic, "mode": mode}

    def key_tree(self, budget: int) -> dict[str, Any]:
        if budget == 0:
            return self.base_key()
        inner = self.key_tree(budget - 1)
        mode = evaluate(inner, self.m21)[1]
        kinds = ["relative", "relative", "parallel", "fifth", "fifth", "degree_key"]
        if inner["t"] in ("relative", "parallel"):  # twice is the key itself again
            kinds = [k for k in kinds if k != inner["t"]]
        kind = self.choice(kinds)
        if kind in ("relative", "parallel"):
            return {"t": kind, "of": inner}
        if kind == "fifth":
            which = ("dominant", "subdominant")
            if inner["t"] == "fifth_key":  # the dominant of the subdominant is home again
                which = (inner["which"],)
            return {"t": "fifth_key", "which": self.choice(which), "of": inner}
        deg = self.choice((2, 3, 4, 5, 6, 7))
        fn = "subtonic" if mode == "minor" and deg == 7 else FN_NAMES[deg]
        return {
            "t": "degree_key",
            "deg": deg,
            "fn": fn,
            "mode": self.choice(("major", "minor")),
            "of": inner,
        }

    def degree_of(self, k_tree: dict[str, Any], allow_tonic: bool) -> dict[str, Any]:
        mode = evaluate(k_tree, self.m21)[1]
        degrees = [2, 3, 4, 5, 6, 7] + ([1] if allow_tonic else [])
        deg = self.choice(degrees)
        fn = FN_NAMES[deg]
        if mode == "minor" and deg == 7 and self.rng.random() < 0.5:
            fn = "subtonic"
        return {"t": "degree", "deg": deg, "fn": fn, "of": k_tree}

    def note_tree(self, budget: int) -> dict[str, Any]:
        if budget == 0:
            return {"t": "note", "name": self.choice(BASE_NOTES)}
        if self.rng.random() < 0.6:
            k_tree = self.key_tree(budget - 1)
            return self.degree_of(k_tree, allow_tonic=budget > 1)
        inner = self.note_tree(budget - 1)
        return {
            "t": "move",
            "ivl": self.choice(MOVE_IVLS),
            "up": self.rng.random() < 0.6,
            "of": inner,
            "word": self.choice(("interval", "interval", "transpose")),
        }

    def chord_tree(
        self, budget: int, triad_only: bool = False, named: bool = True, tonic: bool = True
    ) -> dict[str, Any]:
        """A chord: given notes, the diatonic chord on a degree of a key, a chord named on a
        note (not when ``named`` is off: its name would give the answer away), or one of these
        transposed (``tonic`` off: no tonic triad, whose quality is the key's mode)."""
        if budget == 0:
            root = self.choice(BASE_NOTES)
            quality = self.choice(TRIADS[:3] if triad_only else (*TRIADS, *SEVENTHS))
            notes = list(self.m21.build_chord(root, quality))
            if self.rng.random() < 0.4:
                self.rng.shuffle(notes)
            return {"t": "chord", "names": notes}
        roll = self.rng.random() * (1.0 if named else 0.45)
        seventh = not triad_only and self.rng.random() < 0.35
        if roll < 0.45:
            k_tree = self.key_tree(budget - 1)
            mode = evaluate(k_tree, self.m21)[1]
            deg = self.choice((1, 2, 3, 4, 5, 6, 7) if budget > 1 and tonic else (2, 3, 4, 5, 6, 7))
            fn = FN_NAMES[deg]
            if mode == "minor" and deg == 7 and self.rng.random() < 0.5:
                fn = "subtonic"
            return {"t": "degree_chord", "deg": deg, "fn": fn, "seventh": seventh, "of": k_tree}
        if roll < 0.75:
            quality = self.choice(SEVENTHS if seventh else TRIADS)
            return {"t": "build_chord", "quality": quality, "of": self.note_tree(budget - 1)}
        inner = self.chord_tree(budget - 1, triad_only, named, tonic)
        if inner["t"] == "chord":  # a chord to transpose is shown root first
            inner = {**inner, "names": list(stack_order(tuple(inner["names"])))}
        return {
            "t": "transpose",
            "ivl": self.choice(MOVE_IVLS),
            "up": self.rng.random() < 0.6,
            "of": inner,
        }


def stack_order(ch: tuple[str, ...]) -> tuple[str, ...]:
    """A chord's notes root first, then 3rd, 5th, 7th (by letter)."""
    root, _ = Alt.chord_id(ch)
    ri = LETTERS.index(root[0])
    return tuple(sorted(ch, key=lambda n: (LETTERS.index(n[0]) - ri) % 7))


# ------------------------------------------------------------------------------ wording


class Words:
    """Noun phrases for trees, in formal and casual registers."""

    def __init__(self, rng: random.Random, casual: bool) -> None:
        self.rng = rng
        self.casual = casual
        self.m21 = M21()

    def pick(self, options: list[str], casual: list[str] | None = None) -> str:
        """One of ``options``; in the casual register, mostly one of ``casual``."""
        if self.casual and casual and self.rng.random() < 0.6:
            return self.rng.choice(casual)
        return self.rng.choice(options)

    def ivl(self, name: str) -> str:
        if self.casual and self.rng.random() < 0.3:
            return name
        return IVL_WORDS[name]

    def key(self, s: dict[str, Any], chain: bool = False) -> str:
        t = s["t"]
        if t == "key":
            return say_key((s["tonic"], s["mode"]), self.rng)
        inner = s["of"]
        mode = evaluate(inner, self.m21)[1]
        base = inner["t"] == "key"
        other = "minor" if mode == "major" else "major"
        if t == "relative":
            c = self.key(inner, chain=True)
            forms = [
                f"the relative {other} of {c}",
                f"the relative {other} key of {c}",
                f"the relative key of {c}",
            ]
            casual = [f"the rel. {other} of {c}"]
            if base:
                forms += [f"{c}'s relative {other}"]
                casual += [f"{c}'s rel. {other}"]
            return self.pick(forms, casual)
        if t == "parallel":
            c = self.key(inner, chain=True)
            forms = [
                f"the parallel {other} of {c}",
                f"the tonic {other} of {c}",
                f"the parallel key of {c}",
            ]
            if base:
                forms += [f"{c}'s parallel {other}"]
            return self.pick(forms)
        if t == "fifth_key":
            c = self.key(inner)
            which = s["which"]
            step = "fifth" if which == "dominant" else "fourth"
            if mode == "major":
                forms = [f"the {which} key of {c}", f"the key of the {which} of {c}"]
                if chain:
                    forms += [f"the {which} of {c}"]
            else:
                forms = [
                    f"the minor key built on the {which} of {c}",
                    f"the minor key a perfect {step} above {c}",
                ]
            return self.pick(forms)
        if t == "degree_key":
            c = self.key(inner)
            fn, m, d = s["fn"], s["mode"], s["deg"]
            forms = [
                f"the {m} key built on the {fn} of {c}",
                f"the {m} key whose tonic is the {fn} of {c}",
            ]
            if not (mode == "minor" and d == 7):
                forms += [f"the {m} key starting on scale degree {d} of {c}"]
            if base:
                forms += [f"the {m} key on {c}'s {fn}"]
            return self.pick(forms)
        raise ValueError(t)

    def note(self, s: dict[str, Any]) -> str:
        t = s["t"]
        if t == "note":
            return say_note(s["name"], self.rng)
        if t == "degree":
            k_tree = s["of"]
            c = self.key(k_tree)
            fn, d = s["fn"], s["deg"]
            mode = evaluate(k_tree, self.m21)[1]
            forms = [f"the {fn} of {c}", f"the {fn} note of {c}"]
            if k_tree["t"] == "key":
                forms += [f"{c}'s {fn}"]
            casual = []
            if not (mode == "minor" and d == 7):
                forms += [f"scale degree {d} of {c}"]
            if not (mode == "minor" and d == 7) and d != 1:
                forms += [f"the {ORD_DIGITS[d]} degree of {c}"]
                casual += [f"the {ORD_DIGITS[d]} of {c}"]
            return self.pick(forms, casual)
        if t == "move":
            n = self.note(s["of"])
            ivl = self.ivl(s["ivl"])
            where = "above" if s["up"] else "below"
            if s.get("word") == "transpose" and s["of"]["t"] == "note":
                way = "up" if s["up"] else "down"
                return self.pick([f"{n} transposed {way} a {ivl}", f"{n} moved {way} by a {ivl}"])
            return self.pick(
                [
                    f"the note a {ivl} {where} {n}",
                    f"the note a {ivl} {where} {n}",
                    f"a {ivl} {where} {n}",
                ]
            )
        raise ValueError(t)

    def notes_list(self, names: list[str]) -> str:
        sep = self.pick([" ", " ", "–", ", ", " - "])
        return sep.join(say_note(n, self.rng) for n in names)

    def chord(self, s: dict[str, Any]) -> str:
        t = s["t"]
        if t == "chord":
            return self.pick(["the chord ", "the notes ", ""]) + self.notes_list(s["names"])
        if t == "degree_chord":
            k_tree = s["of"]
            c = self.key(k_tree)
            fn, d = s["fn"], s["deg"]
            mode = evaluate(k_tree, self.m21)[1]
            what = "seventh chord" if s["seventh"] else "triad"
            forms = [f"the diatonic {what} built on the {fn} of {c}", f"the {fn} {what} of {c}"]
            if s["seventh"] and fn == "dominant":  # "the dominant seventh chord" names its quality
                forms = forms[:1]
            if not (mode == "minor" and d == 7):
                forms += [f"the diatonic {what} on scale degree {d} of {c}"]
            return self.pick(forms)
        if t == "build_chord":
            n = self.note(s["of"])
            q = s["quality"]
            what = f"{q} triad" if q in TRIADS else f"{q} chord"
            return self.pick(
                [f"the {what} on {n}", f"the {what} built on {n}", f"the {what} whose root is {n}"]
            )
        if t == "transpose":
            inner = s["of"]
            c = self.chord(inner)
            way = "up" if s["up"] else "down"
            ivl = self.ivl(s["ivl"])
            return self.pick([f"{c} transposed {way} a {ivl}", f"{c}, moved {way} a {ivl}"])
        raise ValueError(t)

    def scale(self, s: dict[str, Any]) -> str:
        k_tree = s["of"]
        # the melodic minor named as ascending: descending, it is the natural minor
        form = {
            "natural": "natural minor",
            "harmonic": "harmonic minor",
            "melodic": "ascending melodic minor",
        }.get(s["form"], "major")
        if k_tree["t"] == "key":
            return f"the {say_note(k_tree['tonic'], self.rng)} {form} scale"
        c = self.key(k_tree)
        if form == "major":
            return self.pick([f"the scale of {c}", f"the major scale of {c}"])
        return f"the {form} scale of {c}"


# ------------------------------------------------------------------------------ items


def tags(s: dict[str, Any]) -> list[str]:
    """The operations of a (non-ABC) tree, innermost first."""
    out: list[str] = []
    for field in children(s):
        if field != "key":
            out += tags(s[field])
    if "key" in children(s):
        out = tags(s["key"]) + out
    t = s["t"]
    if t in (
        "relative",
        "parallel",
        "key_signature",
        "chord_id",
        "chord_quality",
        "roman",
        "enharmonic",
        "semitones",
        "transpose",
    ):
        out.append(t)
    elif t == "fifth_key":
        out.append(s["which"])
    elif t in ("degree", "degree_key", "degree_chord"):
        out.append(fn_tag(s["fn"]))
    elif t == "move":
        out.append(
            "transpose"
            if s.get("word") == "transpose" and s["of"]["t"] == "note"
            else ("interval_up" if s["up"] else "interval_down")
        )
    elif t == "build_chord":
        out.append("build_chord")
    elif t == "scale":
        out.append("scale_membership")
    elif t == "interval_name":
        out.append("interval_name")
    return out


FINALS = (
    "key",
    "keysig",
    "note",
    "enharmonic",
    "semitones",
    "interval",
    "chord",
    "chord_id",
    "quality",
    "roman",
    "membership",
)


def draw_item(rng: random.Random, depth: int, final: str) -> dict[str, Any]:
    """One non-ABC base item of ``depth`` operations whose last step is ``final``."""
    b = Builder(rng)
    w = Words(rng, casual=rng.random() < 0.35)
    m21 = b.m21
    if final == "key":
        if depth == 1 and rng.random() < 0.5:
            spec = {"t": "relative", "of": b.base_key()}
        else:
            spec = b.key_tree(depth)
        k_text = w.key(spec)
        stem = w.pick(
            [
                f"What is {k_text}?",
                f"Which key is {k_text}?",
                f"Name {k_text}.",
                f"What's {k_text}?",
            ],
            [f"what's {k_text}?", f"{k_text} is which key?"],
        )
        kind = "key"
    elif final == "keysig":
        spec = {"t": "key_signature", "of": b.key_tree(depth - 1)}
        k_text = w.key(spec["of"])
        stem = w.pick(
            [
                f"How many sharps or flats are in the key signature of {k_text}?",
                f"What is the key signature of {k_text}?",
                f"How many sharps or flats does {k_text} have?",
            ],
            [f"key sig of {k_text}?", f"how many sharps/flats in {k_text}?"],
        )
        kind = "keysig"
    elif final == "note":
        spec = b.note_tree(depth)
        n_text = w.note(spec)
        value = evaluate(spec, m21)
        alter = split_name(value)[1]
        spelling = alter != 0 and (
            value in ("E#", "B#", "C-", "F-") or abs(alter) == 2 or rng.random() < 0.25
        )
        if spelling:
            stem = w.pick(
                [
                    f"Which is the correct spelling of {n_text}?",
                    f"Spell {n_text} correctly.",
                    f"How is {n_text} spelled?",
                ]
            )
            kind = "spell"
        else:
            stem = w.pick(
                [
                    f"What is {n_text}?",
                    f"Which note is {n_text}?",
                    f"What's {n_text}?",
                    f"Name {n_text}.",
                ],
                [f"what's {n_text}?", f"{n_text} is which note?"],
            )
            kind = "note"
    elif final == "enharmonic":
        if depth == 1:
            inner = {"t": "note", "name": rng.choice(ENHARMONIC_INPUTS)}
        else:
            inner = b.note_tree(depth - 1)
        spec = {"t": "enharmonic", "of": inner}
        n_text = w.note(inner)
        stem = w.pick(
            [
                f"Which note is an enharmonic equivalent of {n_text}?",
                f"What is {n_text}, respelled enharmonically?",
                f"Give an enharmonic spelling of {n_text}.",
            ],
            [f"what's another name for {n_text} (same sound, other spelling)?"],
        )
        kind = "enharmonic"
    elif final in ("semitones", "interval"):
        target = b.note_tree(depth - 1)
        start = {"t": "note", "name": rng.choice(BASE_NOTES)}
        spec = {
            "t": "semitones" if final == "semitones" else "interval_name",
            "from": start,
            "of": target,
        }
        n1, n2 = w.note(start), w.note(target)
        if final == "semitones":
            stem = w.pick(
                [
                    f"How many semitones is it from {n1} up to {n2}?",
                    f"Going up from {n1}, how many half steps is it to {n2}?",
                    f"Counting upward from {n1}, how many semitones to reach {n2}?",
                ],
                [f"how many half steps from {n1} up to {n2}?"],
            )
            kind = "int"
        else:
            stem = w.pick(
                [
                    f"What interval is it from {n1} up to {n2}?",
                    f"Name the interval from {n1} up to {n2}.",
                    f"Going up from {n1} to {n2}, which interval is that?",
                ],
                [f"{n1} up to {n2} is what interval?"],
            )
            kind = "interval"
    elif final == "chord":
        spec = b.chord_tree(depth)
        if spec["t"] == "transpose" and spec["of"]["t"] == "chord":
            notes = w.notes_list(spec["of"]["names"])
            way = "up" if spec["up"] else "down"
            ivl = w.ivl(spec["ivl"])
            stem = w.pick(
                [
                    f"Transpose the chord {notes} {way} a {ivl}. Which notes do you get?",
                    f"What do the notes {notes} become when transposed {way} a {ivl}?",
                ]
            )
        else:
            c_text = w.chord(spec)
            stem = w.pick(
                [
                    f"Which notes make up {c_text}?",
                    f"Spell {c_text}.",
                    f"What are the notes of {c_text}?",
                ]
            )
        kind = "chord"
    elif final in ("chord_id", "quality"):
        if final == "chord_id":
            tree = b.chord_tree(depth - 1, named=False)
        else:  # transposing keeps the quality: only given notes or a key's diatonic chord
            tree = b.chord_tree(depth - 1, named=False, tonic=False)
            while tree["t"] == "transpose":
                tree = b.chord_tree(depth - 1, named=False, tonic=False)
        spec = {"t": final if final == "chord_id" else "chord_quality", "of": tree}
        if tree["t"] == "chord":
            notes = w.notes_list(tree["names"])
            if final == "chord_id":
                stem = w.pick(
                    [
                        f"What chord do the notes {notes} form?",
                        f"Name the chord {notes}.",
                        f"Which chord is {notes}?",
                        f"Identify the chord: {notes}.",
                    ]
                )
            else:
                stem = w.pick(
                    [
                        f"What is the quality of the chord {notes}?",
                        f"What kind of chord do the notes {notes} form?",
                    ]
                )
        else:
            c_text = w.chord(tree)
            if final == "chord_id":
                stem = w.pick(
                    [
                        f"What chord is {c_text}?",
                        f"Which chord is {c_text}?",
                        f"Name {c_text}: which chord is it?",
                    ]
                )
            else:
                stem = w.pick(
                    [
                        f"What is the quality of {c_text}?",
                        f"What kind of chord is {c_text}?",
                        f"Which chord quality does {c_text} have?",
                    ]
                )
        kind = "chord_id" if final == "chord_id" else "quality"
    elif final == "roman":
        transpose = depth >= 2 and rng.random() < 0.4
        k_tree = b.key_tree(depth - 1 - int(transpose))
        k = evaluate(k_tree, m21)
        deg = rng.choice((1, 2, 3, 4, 5, 6, 7))
        fn = "subtonic" if k[1] == "minor" and deg == 7 and rng.random() < 0.5 else FN_NAMES[deg]
        target = m21.degree_chord(k, deg, fn, rng.random() < 0.35)
        if transpose:
            ivl = rng.choice(MOVE_IVLS)
            up = rng.random() < 0.6
            shown = {"t": "chord", "names": list(m21.transpose(target, ivl, not up))}
            if most_accidentals("chord", shown["names"]) > 1:
                raise Invalid("shown chord needs double accidentals")
            c_tree = {"t": "transpose", "ivl": ivl, "up": up, "of": shown}
            c_text = w.chord(c_tree)
        else:
            c_tree = {"t": "chord", "names": list(target)}
            c_text = "the chord " + w.notes_list(list(target))
        spec = {"t": "roman", "of": c_tree, "key": k_tree}
        k_text = w.key(k_tree)
        stem = w.pick(
            [
                f"In {k_text}, which roman numeral names {c_text}?",
                f"Which roman numeral does {c_text} get in {k_text}?",
                f"Analyse {c_text} in {k_text}: which roman numeral?",
            ]
        )
        kind = "roman"
    else:  # membership
        k_tree = b.key_tree(depth - 1)
        mode = evaluate(k_tree, m21)[1]
        form = "major" if mode == "major" else rng.choice(("natural", "harmonic", "melodic"))
        spec = {"t": "scale", "form": form, "of": k_tree}
        s_text = w.scale(spec)
        stem = w.pick(
            [
                f"Which of these notes is not in {s_text}?",
                f"Which note doesn't belong to {s_text}?",
                f"One of these notes is outside {s_text}. Which one?",
            ],
            [f"which one's not in {s_text}?"],
        )
        kind = "membership"
    if not (w.casual and rng.random() < 0.5):  # casual questions may start in lower case
        stem = stem[0].upper() + stem[1:]
    ops = tags(spec)
    if len(ops) != depth:
        raise Invalid(f"depth {len(ops)} != {depth}")
    return {"spec": spec, "stem": stem, "kind": kind, "ops": ops}


# ------------------------------------------------------------------------------ ABC tunes

TITLES = (
    "Morning Air",
    "The Miller's Rest",
    "Harbour Lights",
    "Over the Ridge",
    "Lantern Walk",
    "The Lark at Dawn",
    "Green Hollow",
    "Cobbler's Fancy",
    "Riverside",
    "The Long Field",
    "Winter Orchard",
    "Falling Leaves",
    "High Meadow",
    "The Quiet Mill",
    "Copper Kettle",
    "Stony Brook",
)
ABC_MAJOR = ("C", "G", "D", "A", "E", "F", "B-", "E-", "A-")
ABC_MINOR = ("A", "E", "B", "F#", "C#", "D", "G", "C", "F")
BAR_EIGHTHS = {"2/4": 4, "3/4": 6, "4/4": 8, "6/8": 6}
RHYTHMS = {
    "2/4": [[2, 2], [1, 1, 2], [2, 1, 1], [1, 1, 1, 1]],
    "3/4": [[2, 2, 2], [2, 2, 1, 1], [1, 1, 2, 2], [2, 1, 1, 2], [3, 1, 2], [1, 1, 1, 1, 2]],
    "6/8": [[3, 3], [2, 1, 3], [2, 1, 2, 1], [1, 1, 1, 3], [3, 2, 1], [1, 1, 1, 1, 1, 1]],
    "4/4": [[2, 2, 2, 2], [4, 2, 2], [2, 2, 4], [1, 1, 2, 2, 2], [3, 1, 2, 2], [2, 1, 1, 2, 2]],
}
ENDINGS = {
    "2/4": [[2, 2], [1, 1, 2], [4]],
    "3/4": [[2, 4], [6], [2, 2, 2], [1, 1, 4]],
    "6/8": [[3, 3], [6], [2, 1, 3]],
    "4/4": [[4, 4], [2, 2, 4], [8], [2, 6]],
}


def signature_alter(k: tuple[str, str]) -> dict[str, int]:
    sharps = Alt().key_sig(k)
    order = SHARP_ORDER if sharps > 0 else FLAT_ORDER
    altered = set(order[: abs(sharps)])
    return {letter: (1 if sharps > 0 else -1) if letter in altered else 0 for letter in LETTERS}


def abc_pitch(name_oct: str, explicit: bool) -> str:
    name = strip_octave(name_oct)
    letter, alter = split_name(name)
    octave = int(name_oct[len(name) :])
    acc = {-2: "__", -1: "_", 0: "=", 1: "^", 2: "^^"}[alter] if explicit else ""
    body = letter.lower() + "'" * (octave - 5) if octave >= 5 else letter + "," * (4 - octave)
    return acc + body


def write_abc(t: dict[str, Any]) -> str:
    """ABC text of a tune. A note that differs from the key signature carries its accidental,
    and so does every note of that letter in the same bar (readers differ on whether an
    accidental lasts to the bar line; written out, both readings agree)."""
    sig = signature_alter((t["tonic"], t["mode"]))
    bars = []
    for bar in t["bars"]:
        mixed = {n[0] for n, _ in bar if split_name(strip_octave(n))[1] != sig[n[0]]}
        tokens = [abc_pitch(n, n[0] in mixed) + (str(d) if d != 1 else "") for n, d in bar]
        bars.append(" ".join(tokens))
    k_field = ascii_name(t["tonic"]) + ("m" if t["mode"] == "minor" else "")
    header = f"X:1\nT:{t['title']}\nM:{t['meter']}\nL:1/8\nK:{k_field}\n"
    return header + " | ".join(bars) + " |]"


def make_tune(rng: random.Random, end_degree: int) -> dict[str, Any]:
    """A short tune (2-4 bars) in a key: bar 1 arpeggiates a diatonic triad, the rest moves
    mostly by step, in minor the 7th is raised before the tonic, and it ends on
    ``end_degree``."""
    alt = Alt()
    mode = rng.choice(("major", "minor"))
    tonic = rng.choice(ABC_MAJOR if mode == "major" else ABC_MINOR)
    k = (tonic, mode)
    meter = rng.choice(tuple(BAR_EIGHTHS))
    nbars = rng.randint(2, 4)
    notes = alt.scale(k, "major" if mode == "major" else "natural")
    start = rng.choice((0, -3))
    low_octave = 4 if LETTERS.index(tonic[0]) <= 3 else 3
    dn0 = low_octave * 7 + LETTERS.index(tonic[0])

    def at(i: int, raised: bool = False) -> str:
        name = notes[i % 7]
        if raised:
            name = join_name(name[0], split_name(name)[1] + 1)
        return f"{name}{(dn0 + i) // 7}"

    positions = list(range(start, start + 8))
    roots = (0, 3, 4, 5, 1) if mode == "major" else (0, 3, 5, 2, 4)
    root = rng.choice(roots)
    tones = {root % 7, (root + 2) % 7, (root + 4) % 7}
    chord_pos = [p for p in positions if p % 7 in tones]

    def leading(p: int, nxt: int | None) -> bool:
        """In minor, the 7th is raised when it leads to the tonic (mostly), and always as the
        3rd of the dominant chord of bar 1."""
        if mode != "minor" or p % 7 != 6:
            return False
        if nxt is None:
            return root == 4
        return nxt % 7 == 0 and rng.random() < 0.8

    bars: list[list[tuple[str, int]]] = []
    first = rng.choice([r for r in RHYTHMS[meter] if len(r) >= 3])
    i0 = rng.randrange(len(chord_pos) - 2)
    arpeggio = chord_pos[i0 : i0 + 3]
    if rng.random() < 0.5:
        arpeggio.reverse()
    seq = arpeggio + [rng.choice(chord_pos) for _ in range(len(first) - 3)]
    bars.append([(at(p, leading(p, None)), d) for p, d in zip(seq, first, strict=True)])
    current = seq[-1]
    for bar_index in range(1, nbars):
        last = bar_index == nbars - 1
        rhythm = rng.choice(ENDINGS[meter] if last else RHYTHMS[meter])
        seq = []
        for j in range(len(rhythm)):
            if last and j == len(rhythm) - 1:
                targets = [p for p in positions if p % 7 == (end_degree - 1) % 7]
                current = min(targets, key=lambda p: (abs(p - current), p))
            else:
                step = rng.choice((-1, 1, -1, 1, -2, 2, -3, 3, 1, -1, 0))
                if not positions[0] <= current + step <= positions[-1]:
                    step = -step  # turn back at the edge of the range
                current += step
            seq.append(current)
        bar = []
        for j, (p, d) in enumerate(zip(seq, rhythm, strict=True)):
            nxt = seq[j + 1] if j + 1 < len(seq) else None
            bar.append((at(p, leading(p, nxt) if nxt is not None else False), d))
        bars.append(bar)
    tune = {"tonic": tonic, "mode": mode, "meter": meter, "title": rng.choice(TITLES), "bars": bars}
    tune["abc"] = write_abc(tune)
    parsed = parsed_tune(tune["abc"])
    if parsed["bars"] != [[n for n, _ in bar] for bar in bars] or parsed["key"] != k:
        raise RuntimeError(f"ABC writer and music21 disagree on:\n{tune['abc']}")
    return tune


ABC_TEMPLATES = {
    1: ("key", "meter", "bars", "interval_first", "bar1_chord"),
    2: (
        "semitones_first",
        "range_interval",
        "range_semitones",
        "last_degree",
        "relative",
        "degree",
        "eighths",
        "bar1_quality",
    ),
    3: ("bar1_roman", "fifth_keysig", "parallel_keysig", "relative_degree", "bar1_transposed"),
}
ABC_LEADS = (
    "In the following tune, ",
    "Look at this tune. ",
    "Here is a short tune in ABC. ",
    "Consider the tune below. ",
)


def draw_abc_item(rng: random.Random, depth: int, template: str) -> dict[str, Any]:
    """One item on a tune written for it, asked by ``template`` (see ABC_TEMPLATES)."""
    end = 1 if template in ("key", "relative", "fifth_keysig", "parallel_keysig") else None
    if end is None:
        end = rng.choice((1, 1, 3, 5, 5, 2))
    tune = make_tune(rng, end)
    m21 = M21()
    k = m21.abc_key(tune)
    other = "minor" if k[1] == "major" else "major"
    T = {"tune": tune}
    if template == "key":
        spec = {"t": "abc_key", **T}
        q = rng.choice(
            ["what key is it in?", "which key is this tune in?", "what is the key of the tune?"]
        )
        kind, ops = "key", ["abc_key"]
    elif template == "meter":
        spec = {"t": "abc_meter", **T}
        q = rng.choice(
            [
                "what is the time signature?",
                "what meter is the tune in?",
                "which time signature does it use?",
            ]
        )
        kind, ops = "meter", ["abc_meter"]
    elif template == "bars":
        spec = {"t": "abc_bars", **T}
        q = rng.choice(["how many bars does it have?", "how many measures long is it?"])
        kind, ops = "int", ["abc_bars"]
    elif template == "interval_first":
        spec = {"t": "abc_interval", "a": "first", "b": "second", **T}
        q = rng.choice(
            [
                "what is the interval between the first two notes?",
                "which interval do the first two notes make?",
            ]
        )
        kind, ops = "interval", ["abc_interval"]
    elif template == "bar1_chord":
        spec = {"t": "chord_id", "of": {"t": "abc_bar1", **T}}
        q = rng.choice(
            [
                "which chord is outlined in bar 1?",
                "what chord do the notes of the first bar outline?",
            ]
        )
        kind, ops = "chord_id", ["abc_bar1_chord"]
    elif template == "semitones_first":
        spec = {"t": "abc_semitones", "a": "first", "b": "second", **T}
        q = rng.choice(
            [
                "how many semitones apart are the first two notes?",
                "how many half steps separate the first two notes?",
            ]
        )
        kind, ops = "int", ["abc_interval", "semitones"]
    elif template == "range_interval":
        spec = {"t": "abc_interval", "a": "lowest", "b": "highest", **T}
        q = rng.choice(
            [
                "what is the interval between the highest and lowest notes?",
                "what interval does the tune span, from its lowest to its highest note?",
            ]
        )
        kind, ops = "interval", ["abc_range", "abc_interval"]
    elif template == "range_semitones":
        spec = {"t": "abc_semitones", "a": "lowest", "b": "highest", **T}
        q = rng.choice(
            [
                "how many semitones are there from the lowest note up to the highest?",
                "how many half steps does the tune span, lowest note to highest?",
            ]
        )
        kind, ops = "int", ["abc_range", "semitones"]
    elif template == "last_degree":
        spec = {"t": "abc_last_degree", **T}
        q = rng.choice(
            ["which scale degree is the last note?", "what scale degree does the tune end on?"]
        )
        kind, ops = "degree_name", ["abc_key", "abc_last_degree"]
    elif template == "relative":
        spec = {"t": "relative", "of": {"t": "abc_key", **T}}
        q = rng.choice(
            [
                f"what is the relative {other} of the tune's key?",
                "what is the relative key of this tune's key?",
            ]
        )
        kind, ops = "key", ["abc_key", "relative"]
    elif template == "degree":
        deg = rng.choice((2, 3, 4, 5, 6, 7))
        fn = "subtonic" if k[1] == "minor" and deg == 7 and rng.random() < 0.5 else FN_NAMES[deg]
        spec = {"t": "degree", "deg": deg, "fn": fn, "of": {"t": "abc_key", **T}}
        q = rng.choice(
            [
                f"which note is the {fn} of the tune's key?",
                f"what is the {fn} of the key this tune is in?",
            ]
        )
        kind, ops = "note", ["abc_key", fn_tag(fn)]
    elif template == "eighths":
        spec = {"t": "abc_eighths", **T}
        q = rng.choice(
            [
                "how many eighth notes long is the whole tune?",
                "counting in eighth notes, how long is the tune?",
            ]
        )
        kind, ops = "int", ["abc_meter", "abc_bars"]
    elif template == "bar1_quality":
        spec = {"t": "chord_quality", "of": {"t": "abc_bar1", **T}}
        q = rng.choice(
            [
                "what is the quality of the chord outlined in bar 1?",
                "is the triad in the first bar major, minor, diminished or augmented?",
            ]
        )
        kind, ops = "quality", ["abc_bar1_chord", "chord_quality"]
    elif template == "bar1_roman":
        spec = {"t": "roman", "of": {"t": "abc_bar1", **T}, "key": {"t": "abc_key", **T}}
        q = rng.choice(
            [
                "which roman numeral names the chord outlined in bar 1, in the tune's key?",
                "in the key of the tune, what roman numeral does bar 1 outline?",
            ]
        )
        kind, ops = "roman", ["abc_key", "abc_bar1_chord", "roman"]
    elif template == "fifth_keysig":
        which = rng.choice(("dominant", "subdominant"))
        spec = {
            "t": "key_signature",
            "of": {"t": "fifth_key", "which": which, "of": {"t": "abc_key", **T}},
        }
        where = f"the {which} key" if k[1] == "major" else f"the minor key on the {which}"
        q = f"how many sharps or flats are in the key signature of {where} of the tune's key?"
        kind, ops = "keysig", ["abc_key", which, "key_signature"]
    elif template == "parallel_keysig":
        spec = {"t": "key_signature", "of": {"t": "parallel", "of": {"t": "abc_key", **T}}}
        q = rng.choice(
            [
                f"how many sharps or flats would the key signature have in the parallel {other}?",
                "what is the key signature of the parallel key of this tune's key?",
            ]
        )
        kind, ops = "keysig", ["abc_key", "parallel", "key_signature"]
    elif template == "relative_degree":
        rel_mode = other
        deg = rng.choice((2, 3, 4, 5, 6, 7))
        fn = (
            "subtonic" if rel_mode == "minor" and deg == 7 and rng.random() < 0.5 else FN_NAMES[deg]
        )
        spec = {
            "t": "degree",
            "deg": deg,
            "fn": fn,
            "of": {"t": "relative", "of": {"t": "abc_key", **T}},
        }
        q = f"what is the {fn} of the relative {other} of the tune's key?"
        kind, ops = "note", ["abc_key", "relative", fn_tag(fn)]
    else:  # bar1_transposed
        ivl = rng.choice(MOVE_IVLS)
        up = rng.random() < 0.6
        spec = {
            "t": "chord_id",
            "of": {"t": "transpose", "ivl": ivl, "up": up, "of": {"t": "abc_bar1", **T}},
        }
        way = "up" if up else "down"
        q = f"if bar 1 were transposed {way} a {IVL_WORDS[ivl]}, which chord would it outline?"
        kind, ops = "chord_id", ["abc_bar1_chord", "transpose", "chord_id"]
    lead = rng.choice(ABC_LEADS)
    question = lead + (q if lead.endswith(", ") else q[0].upper() + q[1:])
    return {
        "spec": spec,
        "stem": question + "\n" + tune["abc"],
        "kind": kind,
        "ops": ops,
        "abc": tune["abc"],
    }


# ------------------------------------------------------------------------------ options


COMMON_INTERVALS = tuple(interval_label(*IVL[i]) for i in (*MOVE_IVLS, "A4", "d5", "P8"))


def fillers(kind: str, answer: Any, spec: dict[str, Any], rng: random.Random) -> list[Any]:
    """Plausible wrong values of the answer's kind when the slips run short."""
    alt = Alt()
    out: list[Any] = []

    def add(f, *args) -> None:
        with contextlib.suppress(Invalid):
            out.append(f(*args))

    if kind == "key":
        add(alt.relative, answer)
        add(alt.parallel, answer)
        for which in ("dominant", "subdominant"):
            add(alt.fifth_key, answer, which)
            add(lambda w: alt.fifth_key(alt.parallel(answer), w), which)
        add(lambda: alt.relative(alt.parallel(answer)))
    elif kind == "keysig":
        out += [answer + d for d in (1, -1, 2, -2, 3, -3)] + [-answer]
    elif kind in ("note", "spell", "enharmonic"):
        for ivl in ("m2", "M2", "m3", "M3", "P4"):
            out += [alt.move(answer, ivl, True), alt.move(answer, ivl, False)]
        if kind == "enharmonic":
            start = evaluate(spec["of"], M21())
            out += [alt.move(start, "m2", True), alt.move(start, "m2", False)]
    elif kind == "chord":
        root, quality = alt.chord_id(answer)
        family = TRIADS if quality in TRIADS else SEVENTHS
        out += [alt.build_chord(root, q) for q in family if q != quality]
        out += [
            alt.build_chord(alt.move(root, i, u), quality)
            for i in ("M2", "m3", "M3")
            for u in (True, False)
        ]
    elif kind == "chord_id":
        root, quality = answer
        family = TRIADS if quality in TRIADS else SEVENTHS
        out += [(root, q) for q in family if q != quality]
        out += [(alt.move(root, i, u), quality) for i in ("M2", "m3", "M3") for u in (True, False)]
        if quality == "minor":
            out.insert(0, (alt.move(root, "m3", True), "major"))
        if quality == "major":
            out.insert(0, (alt.move(root, "m3", False), "minor"))
    elif kind == "quality":
        out += list(TRIADS if answer in TRIADS else SEVENTHS)
    elif kind == "roman":
        # the key's other diatonic chords first, then any numeral of the same size
        k = evaluate(spec["key"], alt)
        seventh = answer.endswith("7")
        forms = ("major",) if k[1] == "major" else ("natural", "harmonic")
        diatonic_romans = []
        for deg in range(1, 8):
            for form in forms:
                notes = alt.scale(k, form)
                chord_notes = tuple(
                    notes[(deg - 1 + 2 * i) % 7] for i in range(4 if seventh else 3)
                )
                add(lambda c=chord_notes: alt.roman(c, k))
        diatonic_romans, out[:] = out[:], []
        rng.shuffle(diatonic_romans)
        qualities = SEVENTHS if seventh else ("major", "minor", "diminished")
        generic = [render_roman(d, q) for d in range(1, 8) for q in qualities]
        rng.shuffle(generic)
        out += diatonic_romans + generic
    elif kind == "interval":
        semis = interval_semis(answer)
        out += sorted(
            COMMON_INTERVALS, key=lambda lbl: (abs(interval_semis(lbl) - semis), rng.random())
        )
    elif kind == "int":
        if spec["t"] in ("semitones", "abc_semitones"):
            out += [
                v
                for v in (answer + 1, answer - 1, 12 - answer, answer + 2, answer - 2)
                if 0 < v <= 12
            ]
        elif spec["t"] == "abc_eighths":
            bar = BAR_EIGHTHS[spec["tune"]["meter"]]
            out += [answer + bar, answer - bar, answer // 2, answer + 2, answer - 2]
        else:
            out += [answer + 1, answer - 1, answer + 2, answer * 2]
    elif kind == "meter":
        near = {
            "2/4": ["4/4", "6/8", "3/4"],
            "3/4": ["6/8", "3/8", "4/4"],
            "4/4": ["2/4", "2/2", "12/8"],
            "6/8": ["3/4", "9/8", "3/8"],
        }[answer]
        out += [*near, "2/4", "3/4", "4/4", "6/8"]
    elif kind == "degree_name":
        out += [fn for fn in DEGREE_OPTION if fn != answer]
        rng.shuffle(out)
    return out


def membership_options(spec: dict[str, Any], rng: random.Random) -> tuple[str, list[str]]:
    """Three notes of the scale and one outside it (a chromatic neighbour of a scale note)."""
    notes = evaluate(spec, M21())
    pcs = {pc_of(n) for n in notes}
    outside = []
    for n in notes:
        letter, alter = split_name(n)
        for d in (-1, 1):
            cand = join_name(letter, alter + d)
            if abs(alter + d) <= 1 and pc_of(cand) not in pcs:
                outside.append(cand)
    if not outside:
        raise Invalid("no outsider")
    odd = rng.choice(sorted(set(outside)))
    inside = [n for n in notes if n[0] != odd[0]]
    return odd, rng.sample(inside, 3)


def choose_options(item: dict[str, Any], rng: random.Random) -> None:
    """Answer and three distractors, distinct by value; fills ``answer_text``/``distractors``."""
    kind, spec = item["kind"], item["spec"]
    m21 = M21()
    if kind == "membership":
        odd, inside = membership_options(spec, rng)
        item["answer_text"] = render(kind, odd)
        item["distractors"] = [render(kind, n) for n in inside]
        return
    answer = evaluate(spec, m21)
    same = (lambda v: v) if kind == "spell" else (lambda v: same_value(kind, v))
    excluded = {same(answer)}
    for eng in conventions():
        with contextlib.suppress(Invalid):
            excluded.add(same(evaluate(spec, eng)))
    candidates: list[Any] = []
    if kind == "spell":
        candidates.append(Alt.enharmonic(answer) if split_name(answer)[1] else None)
    slip_values = []
    for variant in slips(spec):
        try:
            slip_values.append(evaluate(variant, m21))
        except Invalid:
            continue
    rng.shuffle(slip_values)
    candidates += slip_values
    candidates += fillers(kind, answer, spec, rng)
    chosen: list[Any] = []
    seen = set(excluded)
    for c in candidates:
        if c is None or not option_ok(kind, c, answer):
            continue
        # besides the one same-sound trap, spelling distractors differ in sound too
        if kind == "spell" and chosen and pc_of(c) in {pc_of(x) for x in [answer, *chosen]}:
            continue
        if kind == "chord":
            c = tuple(c)
        try:
            v = same(c)
        except Invalid:
            continue
        if v in seen:
            continue
        seen.add(v)
        chosen.append(c)
        if len(chosen) == 3:
            break
    if len(chosen) < 3:
        raise Invalid("not enough distractors")
    item["answer_text"] = render(kind, answer)
    item["distractors"] = [render(kind, c) for c in chosen]
    if len({item["answer_text"], *item["distractors"]}) != 4:
        raise Invalid("options render alike")


# ------------------------------------------------------------------------------ generate


def build_items(seed: int = 2026, items: int = 600) -> list[dict[str, Any]]:
    """Base items (in memory, with their trees): depth cycles 1, 2, 3; every 4th is ABC; the
    kinds of question take turns within each depth so every operation gets its share."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    stems: set[str] = set()
    turns: dict[tuple[int, bool], int] = defaultdict(int)
    for index in range(items):
        depth = index % 3 + 1
        with_abc = index % 4 == 0
        turn = turns[depth, with_abc]
        turns[depth, with_abc] += 1
        for _attempt in range(400):
            try:
                if with_abc:
                    templates = ABC_TEMPLATES[depth]
                    item = draw_abc_item(rng, depth, templates[turn % len(templates)])
                else:
                    item = draw_item(rng, depth, FINALS[turn % len(FINALS)])
                if item["stem"] in stems:
                    continue
                choose_options(item, rng)
            except Invalid:
                continue
            break
        else:
            raise RuntimeError(f"could not draw item {index}")
        stems.add(item["stem"])
        item["item"] = index
        item["depth"] = depth
        item["offset"] = rng.randrange(4)
        # five different orders of the distractors: no two shuffles are the same row
        item["orders"] = rng.sample(list(itertools.permutations(range(3))), SHUFFLES)
        out.append(item)
    return out


def rows_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's five shuffles as MusicTheoryBench rows: the answer's letter cycles."""
    rows = []
    for s in range(SHUFFLES):
        where = (item["offset"] + s) % 4
        others = [item["distractors"][i] for i in item["orders"][s]]
        texts = [*others[:where], item["answer_text"], *others[where:]]
        row = {
            "id": item["item"] * SHUFFLES + s,
            "instruction": INSTRUCTION,
            "stem": item["stem"],
            "options": dict(zip(LABELS, texts, strict=True)),
            "answer": LABELS[where],
            "subject": SUBJECT,
        }
        if item.get("abc"):
            row["abc_score"] = item["abc"]
        row.update(depth=item["depth"], ops=item["ops"], shuffle=s, item=item["item"])
        rows.append(row)
    return rows


def check_item(item: dict[str, Any]) -> list[str]:
    """Problems found by recomputing the item the second way (empty when it agrees)."""
    problems = []
    kind, spec = item["kind"], item["spec"]
    where = f"item {item['item']} ({item['stem'].splitlines()[0]!r})"
    alt = Alt()
    texts = [item["answer_text"], *item["distractors"]]
    try:
        values = [parse_option(kind, t) for t in texts]
    except (ValueError, StopIteration) as exc:
        return [f"{where}: unreadable option: {exc}"]
    try:
        if kind == "membership":
            scale_pcs = {pc_of(n) for n in evaluate(spec, alt)}
            outside = [t for t, v in zip(texts, values, strict=True) if pc_of(v) not in scale_pcs]
            if outside != [item["answer_text"]]:
                problems.append(f"{where}: notes outside the scale {outside}")
        else:
            expected = render(kind, evaluate(spec, alt))
            if expected != item["answer_text"]:
                problems.append(f"{where}: answer {item['answer_text']!r}, check {expected!r}")
    except Invalid as exc:
        problems.append(f"{where}: second way fails: {exc}")
    if kind == "spell":
        sounds = [pc_of(v) for v in values]
        if len(set(texts)) != 4 or sounds.count(pc_of(values[0])) > 2:
            problems.append(f"{where}: spelling options not distinct")
    elif len({repr(same_value(kind, v)) for v in values}) != 4:
        problems.append(f"{where}: two options have the same value {texts}")
    if spec["t"] == "semitones":
        n1, n2 = evaluate(spec["from"], alt), evaluate(spec["of"], alt)
        low = pitch.Pitch(n1 + "4")
        high = pitch.Pitch(n2 + "4")
        while high.ps <= low.ps:
            high.octave += 1
        if int(high.ps - low.ps) != int(item["answer_text"]):
            problems.append(f"{where}: pitch.ps difference {high.ps - low.ps}")
    return problems


def generate(out: Path, seed: int, items: int, check: bool) -> int:
    base = build_items(seed, items)
    rows = [row for item in base for row in rows_of(item)]
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    depth = defaultdict(int)
    ops = defaultdict(int)
    for item in base:
        depth[item["depth"]] += 1
        for op in item["ops"]:
            ops[op] += 1
    abc = sum(1 for item in base if item.get("abc"))
    print(f"{len(base)} items, {len(rows)} rows -> {out}")
    print("depth: " + ", ".join(f"{d}: {n}" for d, n in sorted(depth.items())))
    print(f"with ABC: {abc} ({100 * abc / len(base):.1f}%)")
    print("ops: " + ", ".join(f"{o} {n}" for o, n in sorted(ops.items(), key=lambda x: -x[1])))
    if not check:
        return 0
    problems = [p for item in base for p in check_item(item)]
    for p in problems:
        print("CHECK:", p, file=sys.stderr)
    print(f"check: {len(base) - len({p.split(':')[0] for p in problems})}/{len(base)} items agree")
    return 1 if problems else 0


# ------------------------------------------------------------------------------ batch


def batch_question(row: dict[str, Any]) -> str:
    """What a learner pastes: the stem, then the options one per line, or (every third row)
    inline on one line."""
    if int(row["id"]) % 3 == 2:
        options = " ".join(f"{k}) {row['options'][k]}" for k in LABELS)
    else:
        options = "\n".join(f"{k}) {row['options'][k]}" for k in LABELS)
    return row["stem"] + "\n" + options


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def to_batch(questions: Path, out: Path) -> int:
    rows = read_jsonl(questions)
    lines = [
        json.dumps({"id": r["id"], "question": batch_question(r)}, ensure_ascii=False) for r in rows
    ]
    out.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{len(lines)} questions -> {out}")
    return 0


# ------------------------------------------------------------------------------ scoring

ANSWER_LINE = re.compile(r"^\W*Answer\s*:\s*(?:\*\*|__)?\s*([A-D])\)")
LABEL_MENTION = re.compile(r"(?<![A-Za-z0-9])([A-D])\)")
STEP_LINE = re.compile(r"^\s*\d+\.\s", re.MULTILINE)


def extract_letter(reply: str) -> tuple[str | None, str]:
    """The option a reply names, by the contract: its first line is ``Answer: X)`` (bold
    allowed). Returns (letter, status): status is ``ok``, ``none`` (no such first line) or
    ``several`` (another option is named on that line or on a later ``Answer:`` line)."""
    lines = (reply or "").strip().splitlines()
    if not lines:
        return None, "none"
    match = ANSWER_LINE.match(lines[0])
    if not match:
        return None, "none"
    letter = match.group(1)
    named = set(LABEL_MENTION.findall(lines[0]))
    for line in lines[1:]:
        later = ANSWER_LINE.match(line)
        if later:
            named.add(later.group(1))
    if named - {letter}:
        return None, "several"
    return letter, "ok"


def steps_shown(reply: str, depth: int) -> bool:
    return len(STEP_LINE.findall(reply or "")) >= depth


# chord names the theory engine prints, and the option text each would come from ("A) 6")
CHORD_WORDS_TO_SUFFIX = {
    "major sixth chord": "6",
    "power chord": "5",
    "dominant seventh chord": "7",
    "dominant ninth chord": "9",
    "dominant eleventh chord": "11",
    "dominant thirteenth chord": "13",
    "minor triad": "m",
    "minor seventh chord": "m7",
    "major seventh chord": "maj7",
    "diminished triad": "dim",
    "augmented triad": "aug",
    "minor sixth chord": "m6",
    "diminished seventh chord": "dim7",
    "half-diminished seventh chord": "m7b5",
    "suspended fourth chord": "sus4",
    "suspended second chord": "sus2",
    "added ninth chord": "add9",
    "major triad": "",
    "major ninth chord": "maj9",
    "minor ninth chord": "m9",
}
SYMBOL = re.compile(r"\(([A-G])([^\s()]*)\)")
QUERY = re.compile(r"^([A-G])\s+(.+?)\s*$")


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text).lower().replace("♭", "b").replace("♯", "#")


def chord_misreads(row: dict[str, Any], evidence: list[dict[str, Any]]) -> list[str]:
    """Theory facts that read a bare option as a chord: the option ``A) 6`` taken as the chord
    A6 ("A major sixth chord (A6)", query "A major sixth chord"). A fact counts only if its
    chord's root is an option label, the rest of its symbol (or its chord words) is exactly
    that option's text, and the question itself does not name that chord."""
    options = row.get("options", {})
    stem = row.get("stem", "")
    stem_tokens = set(re.findall(r"[A-G][#b♯♭]?[\w#+°ø]*", stem))
    found = []
    for e in evidence or []:
        if not isinstance(e, dict) or e.get("tool") != "theory" or e.get("kind") != "fact":
            continue
        data = e.get("data") or {}
        inner = data.get("data") or {}
        texts = [str(e.get("summary") or ""), str(data.get("statement") or "")]
        symbols = []
        for text in texts:
            symbols += [(m.group(1), m.group(2)) for m in SYMBOL.finditer(text)]
        if isinstance(inner.get("symbol"), str) and inner["symbol"][:1] in LABELS:
            symbols.append((inner["symbol"][0], inner["symbol"][1:]))
        query = QUERY.match(str(data.get("query") or ""))
        if query and query.group(2) in CHORD_WORDS_TO_SUFFIX:
            symbols.append((query.group(1), CHORD_WORDS_TO_SUFFIX[query.group(2)]))
        for root, suffix in symbols:
            if root not in options or f"{root}{suffix}" in stem_tokens:
                continue
            text = _bare(str(options[root]))
            if text and text == _bare(suffix):
                found.append(f"{root}) {options[root]} read as {root}{suffix}")
                break
    return sorted(set(found))


def label_as_note(row: dict[str, Any], question: str, evidence: list[dict[str, Any]]) -> bool:
    """A fact whose note list runs into an option label (``What chord is C E G?\\nA) ..`` read
    as the notes C E G A): its notes occur in the question only across a label."""
    tokens = re.findall(r"\S+", question)
    for e in evidence or []:
        if not isinstance(e, dict) or e.get("tool") != "theory" or e.get("kind") != "fact":
            continue
        query = str((e.get("data") or {}).get("query") or "")
        wanted = query.split()
        if len(wanted) < 2 or not all(re.fullmatch(r"[A-G][#b]*", w) for w in wanted):
            continue
        for i in range(len(tokens) - len(wanted) + 1):
            window = tokens[i : i + len(wanted)]
            if [re.sub(r"[^A-Ga-g#]", "", w) for w in window] == wanted and any(
                re.fullmatch(r"[A-D]\)", w) for w in window
            ):
                return True
    return False


DEGREE_TAGS = {fn_tag(f) for f in DEGREE_OPTION}


def op_groups(ops: list[str]) -> list[str]:
    """Table rows a question counts in: each of its operations, and "any scale degree /
    function" for the degree names (dominant, mediant ...) together."""
    groups = {f"op {op}" for op in ops}
    if DEGREE_TAGS & set(ops):
        groups.add("op (any degree/function)")
    return sorted(groups)


def score(questions: Path, answers: Path, result_json: Path | None) -> int:
    rows = {r["id"]: r for r in read_jsonl(questions)}
    replies: dict[Any, dict[str, Any]] = {}
    for rec in read_jsonl(answers):
        replies[rec.get("id")] = rec
        if isinstance(rec.get("id"), str) and rec["id"].isdigit():
            replies[int(rec["id"])] = rec
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_item: dict[int, list[bool]] = defaultdict(list)
    counts = {
        "rows": 0,
        "missing": 0,
        "no_option": 0,
        "several": 0,
        "misread_rows": 0,
        "label_as_note_rows": 0,
    }
    steps = [0, 0]
    misread_examples: list[str] = []
    for rid, row in rows.items():
        counts["rows"] += 1
        rec = replies.get(rid)
        reply = ""
        evidence: list[dict[str, Any]] = []
        if rec is None:
            counts["missing"] += 1
        else:
            reply = str(rec.get("answer") or "")
            evidence = rec.get("evidence") or []
        letter, status = extract_letter(reply)
        if status == "none":
            counts["no_option"] += 1
        elif status == "several":
            counts["several"] += 1
        right = letter == row["answer"]
        depth = int(row.get("depth", 1))
        groups = ["overall", f"depth {depth}", "with ABC" if row.get("abc_score") else "no ABC"]
        groups += op_groups(row.get("ops", []))
        for g in groups:
            tally[g][0] += right
            tally[g][1] += 1
        per_item[row.get("item", rid)].append(right)
        if depth >= 2:
            steps[1] += 1
            steps[0] += steps_shown(reply, depth)
        misreads = chord_misreads(row, evidence)
        if misreads:
            counts["misread_rows"] += 1
            if len(misread_examples) < 5:
                misread_examples.append(f"row {rid}: " + "; ".join(misreads))
        if label_as_note(row, batch_question(row), evidence):
            counts["label_as_note_rows"] += 1
    items_right = sum(all(v) for v in per_item.values())
    result = {
        "rows": counts["rows"],
        "items": len(per_item),
        "row_accuracy": pct(tally["overall"][0], tally["overall"][1]),
        "item_accuracy": pct(items_right, len(per_item)),
        "groups": {
            g: {"right": r, "total": n, "accuracy": pct(r, n)} for g, (r, n) in tally.items()
        },
        "no_option_named": counts["no_option"],
        "several_options_named": counts["several"],
        "missing_replies": counts["missing"],
        "steps_shown": {"shown": steps[0], "of": steps[1], "share": pct(*steps)},
        "option_read_as_chord_rows": counts["misread_rows"],
        "option_label_read_as_note_rows": counts["label_as_note_rows"],
        "misread_examples": misread_examples,
        "anchors": dict(ANCHORS),
    }
    print_table(result)
    if result_json:
        result_json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


def pct(right: int, total: int) -> float:
    return round(100 * right / total, 1) if total else 0.0


def print_table(result: dict[str, Any]) -> None:
    groups = result["groups"]
    order = ["overall", "depth 1", "depth 2", "depth 3", "no ABC", "with ABC"]
    order += sorted(g for g in groups if g.startswith("op "))
    anchors = [f"{name}: {value:.1f}%" for name, value in ANCHORS]
    lines = [f"{'group':<30}{'right':>7}{'rows':>7}{'acc %':>8}"]
    for g in order:
        if g in groups:
            v = groups[g]
            lines.append(f"{g:<30}{v['right']:>7}{v['total']:>7}{v['accuracy']:>8.1f}")
    lines += [
        "",
        f"row accuracy  {result['row_accuracy']:.1f}% of {result['rows']} rows",
        f"item accuracy {result['item_accuracy']:.1f}% of {result['items']} items "
        f"(all {SHUFFLES} shuffles right)",
        f"no option named: {result['no_option_named']}   several options named: "
        f"{result['several_options_named']}   missing replies: {result['missing_replies']}",
        f"steps shown (depth>=2): {result['steps_shown']['shown']}/{result['steps_shown']['of']}"
        f" = {result['steps_shown']['share']:.1f}%",
        f"option read as chord: {result['option_read_as_chord_rows']} rows   "
        f"option label read as a note: {result['option_label_read_as_note_rows']} rows",
    ]
    width = max(len(line) for line in lines) + 4
    for i, line in enumerate(lines):
        side = ""
        if i == 0:
            side = "anchors (MusicTheoryBench reasoning)"
        elif 1 <= i <= len(anchors):
            side = "  " + anchors[i - 1]
        print(f"{line:<{width}}{side}".rstrip())
    for example in result["misread_examples"]:
        print("  misread:", example)


# ------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate", help="write the questions (JSONL, MusicTheoryBench fields)")
    g.add_argument("--out", type=Path, required=True)
    g.add_argument("--seed", type=int, default=2026)
    g.add_argument("--items", type=int, default=600)
    g.add_argument("--check", action="store_true", help="recompute every answer a second way")
    b = sub.add_parser("to-batch", help="questions as `etude ask --batch` input")
    b.add_argument("--questions", type=Path, required=True)
    b.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("score", help="score `etude ask --batch --json` output")
    s.add_argument("--questions", type=Path, required=True)
    s.add_argument("--answers", type=Path, required=True)
    s.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.command == "generate":
        return generate(args.out, args.seed, args.items, args.check)
    if args.command == "to-batch":
        return to_batch(args.questions, args.out)
    return score(args.questions, args.answers, args.json)


if __name__ == "__main__":
    sys.exit(main())
