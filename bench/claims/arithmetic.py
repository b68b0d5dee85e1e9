"""The same facts as :mod:`truth`, derived a second way: plain letter and semitone arithmetic.

No music21 here. ``generate.py --check`` recomputes every template label with these functions
and fails on any disagreement with music21, so a slip in either derivation (or a music21
convention we did not expect) shows up instead of silently mislabelling the set.
"""

from __future__ import annotations

LETTERS = "CDEFGAB"
NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
MAJOR_STEPS = [0, 2, 4, 5, 7, 9, 11]  # semitones of each degree above the tonic
ACCIDENTAL = {-2: "bb", -1: "b", 0: "", 1: "#", 2: "##"}

# (letter steps, semitones) of each interval code.
INTERVALS = {
    "P1": (0, 0),
    "m2": (1, 1),
    "M2": (1, 2),
    "A2": (1, 3),
    "m3": (2, 3),
    "M3": (2, 4),
    "d4": (3, 4),
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
NUMBER_WORDS = ["unison", "second", "third", "fourth", "fifth", "sixth", "seventh", "octave"]
QUALITY_WORDS = {"P": "perfect", "M": "major", "m": "minor", "A": "augmented", "d": "diminished"}

MODE_STEPS = {
    "major": [0, 2, 4, 5, 7, 9, 11],
    "natural minor": [0, 2, 3, 5, 7, 8, 10],
    "harmonic minor": [0, 2, 3, 5, 7, 8, 11],
    "melodic minor": [0, 2, 3, 5, 7, 9, 11],
    "dorian": [0, 2, 3, 5, 7, 9, 10],
    "phrygian": [0, 1, 3, 5, 7, 8, 10],
    "lydian": [0, 2, 4, 6, 7, 9, 11],
    "mixolydian": [0, 2, 4, 5, 7, 9, 10],
    "locrian": [0, 1, 3, 5, 6, 8, 10],
}
PENTATONIC = {
    "major pentatonic": ("major", (1, 2, 3, 5, 6)),
    "minor pentatonic": ("natural minor", (1, 3, 4, 5, 7)),
}

CHORD_RECIPES = {
    "major": ["P1", "M3", "P5"],
    "minor": ["P1", "m3", "P5"],
    "diminished": ["P1", "m3", "d5"],
    "augmented": ["P1", "M3", "A5"],
    "dominant seventh": ["P1", "M3", "P5", "m7"],
    "major seventh": ["P1", "M3", "P5", "M7"],
    "minor seventh": ["P1", "m3", "P5", "m7"],
    "half-diminished seventh": ["P1", "m3", "d5", "m7"],
    "diminished seventh": ["P1", "m3", "d5", "d7"],
}
TRIAD_NAMES = {
    ("M3", "P5"): "major",
    ("m3", "P5"): "minor",
    ("m3", "d5"): "diminished",
    ("M3", "A5"): "augmented",
}
SEVENTH_NAMES = {
    ("M3", "P5", "m7"): "dominant seventh chord",
    ("M3", "P5", "M7"): "major seventh chord",
    ("m3", "P5", "m7"): "minor seventh chord",
    ("m3", "d5", "m7"): "half-diminished seventh chord",
    ("m3", "d5", "d7"): "diminished seventh chord",
}


def parse(name: str) -> tuple[int, int]:
    """(letter index, pitch class)."""
    letter, acc = name[0], name[1:]
    shift = acc.count("#") - acc.count("b")
    return LETTERS.index(letter), (NATURAL[letter] + shift) % 12


def spell(letter_index: int, pc: int) -> str:
    letter = LETTERS[letter_index % 7]
    shift = (pc - NATURAL[letter] + 6) % 12 - 6
    return letter + ACCIDENTAL[shift]


def up(name: str, code: str) -> str:
    steps, semis = INTERVALS[code]
    li, pc = parse(name)
    return spell(li + steps, pc + semis)


def down(name: str, code: str) -> str:
    steps, semis = INTERVALS[code]
    li, pc = parse(name)
    return spell(li - steps, pc - semis)


def interval_code(low: str, high: str) -> str:
    """Ascending interval from low to the next high (unisons read as octaves)."""
    la, pa = parse(low)
    lb, pb = parse(high)
    steps = (lb - la) % 7
    semis = (pb - pa) % 12
    base = MAJOR_STEPS[steps]
    diff = (semis - base + 6) % 12 - 6
    if steps == 0:
        return "P8" if diff == 0 else ("A1" if diff == 1 else "d8")
    if steps in (3, 4):
        quality = {0: "P", 1: "A", -1: "d", 2: "AA", -2: "dd"}[diff]
    else:
        quality = {0: "M", -1: "m", 1: "A", -2: "d", 2: "AA", -3: "dd"}[diff]
    return f"{quality}{steps + 1}"


def interval_words(code: str) -> str:
    return f"{QUALITY_WORDS[code[0]]} {NUMBER_WORDS[int(code[1:]) - 1]}"


def semitones(code: str) -> int:
    return INTERVALS[code][1]


def scale(tonic: str, kind: str) -> list[str]:
    if kind in PENTATONIC:
        base, degrees = PENTATONIC[kind]
        seven = scale(tonic, base)
        return [seven[d - 1] for d in degrees]
    li, pc = parse(tonic)
    return [spell(li + i, pc + s) for i, s in enumerate(MODE_STEPS[kind])]


def key_scale(tonic: str, mode: str) -> list[str]:
    return scale(tonic, "major" if mode == "major" else "natural minor")


def chord(root: str, kind: str) -> list[str]:
    return [up(root, code) if code != "P1" else root for code in CHORD_RECIPES[kind]]


def quality(notes: list[str]) -> str:
    codes = tuple(interval_code(notes[0], n) for n in notes[1:])
    if len(notes) == 3:
        return TRIAD_NAMES.get(codes, "other")  # type: ignore[arg-type]
    return SEVENTH_NAMES.get(codes, "other")  # type: ignore[arg-type]


def relative(tonic: str, mode: str) -> tuple[str, str]:
    return (down(tonic, "m3"), "minor") if mode == "major" else (up(tonic, "m3"), "major")


def parallel(tonic: str, mode: str) -> tuple[str, str]:
    return tonic, "minor" if mode == "major" else "major"


def signature(tonic: str, mode: str) -> tuple[int, str]:
    major = tonic if mode == "major" else relative(tonic, mode)[0]
    accidentals = [n[1:] for n in scale(major, "major") if n[1:]]
    if not accidentals:
        return 0, "none"
    kinds = {a[0] for a in accidentals}
    assert len(kinds) == 1, (tonic, mode, accidentals)
    count = sum(len(a) for a in accidentals)
    return count, "sharps" if "#" in kinds else "flats"


SHARP_ORDER = "FCGDAEB"


def signature_notes(tonic: str, mode: str) -> list[str]:
    count, kind = signature(tonic, mode)
    if kind == "sharps":
        return [letter + "#" for letter in SHARP_ORDER[:count]]
    if kind == "flats":
        return [letter + "b" for letter in SHARP_ORDER[::-1][:count]]
    return []


def degree(tonic: str, mode: str, n: int) -> str:
    return key_scale(tonic, mode)[n - 1]


def leading_tone(tonic: str, mode: str) -> str:
    return down(tonic, "m2")


def roman(figure: str, tonic: str, mode: str) -> list[str]:
    """A numeral's notes: root from the key's scale (the raised seventh for vii° in minor),
    triad quality from case and ° / ø, a seventh diatonic to the key unless ° or ø fix it."""
    body = figure.rstrip("7")
    seventh = figure.endswith("7")
    dim = body.endswith(("o", "°"))
    half = body.endswith("ø")
    numeral = body.rstrip("o°ø")
    n = ["i", "ii", "iii", "iv", "v", "vi", "vii"].index(numeral.lower()) + 1
    root = degree(tonic, mode, n)
    if mode == "minor" and n == 7 and (dim or half):
        root = leading_tone(tonic, mode)
    if dim or half:
        third, fifth = "m3", "d5"
    elif numeral.isupper():
        third, fifth = "M3", "P5"
    else:
        third, fifth = "m3", "P5"
    notes = [root, up(root, third), up(root, fifth)]
    if seventh:
        if dim:
            notes.append(up(root, "d7"))
        elif half:
            notes.append(up(root, "m7"))
        else:
            scale_notes = key_scale(tonic, mode)
            if mode == "minor" and n == 5:
                scale_notes = scale(tonic, "harmonic minor")
            notes.append(scale_notes[(n - 1 + 6) % 7])
    return notes
