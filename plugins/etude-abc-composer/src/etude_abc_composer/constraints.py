"""The constraints a learner states in free words, and the parser that finds them.

"Write an 8-bar melody in D dorian in 6/8 for flute" becomes typed constraints, and the parser
records which ones were *stated*: the composer must honour every stated constraint (the
verifier checks each one) and chooses sensible defaults for the rest.
"""

from __future__ import annotations

import re
from typing import Literal

from music21 import pitch
from pydantic import BaseModel, Field

from etude.critic.rules.ranges import INSTRUMENT_RANGES

Task = Literal["melody", "harmonisation", "exercise", "convert", "read"]
Constraint = Literal["key", "mode", "meter", "bars", "range", "instrument", "style", "tempo"]

MODES: dict[str, str] = {
    "major": "major", "ionian": "major", "minor": "natural minor", "aeolian": "natural minor",
    "natural minor": "natural minor", "harmonic minor": "harmonic minor",
    "melodic minor": "melodic minor", "dorian": "dorian", "phrygian": "phrygian",
    "lydian": "lydian", "mixolydian": "mixolydian", "locrian": "locrian",
}  # fmt: skip
"""Learner's mode words → the theory engine's scale names."""

EXTRA_RANGES: dict[str, tuple[int, int]] = {
    "piano": (21, 108), "guitar": (40, 88), "recorder": (72, 98), "voice": (60, 79),
    "singer": (60, 79), "saxophone": (49, 81), "sax": (49, 81), "ukulele": (60, 81),
    "mandolin": (55, 88), "piccolo": (74, 108), "tuba": (28, 58), "double bass": (28, 67),
    "fiddle": (55, 103), "harp": (24, 103), "xylophone": (65, 96), "marimba": (45, 96),
}  # fmt: skip
"""Instruments the critic's table lacks, as sounding MIDI ranges (lowest, highest)."""

RANGES: dict[str, tuple[int, int]] = {**INSTRUMENT_RANGES, **EXTRA_RANGES}

STYLES: dict[str, tuple[str, ...]] = {
    "waltz": ("3/4",), "minuet": ("3/4",), "jig": ("6/8", "9/8", "12/8"),
    "reel": ("4/4", "2/2"), "march": ("2/4", "4/4", "6/8"), "lullaby": ("6/8", "3/4", "4/4"),
    "hymn": ("4/4", "3/4", "2/2"), "chorale": ("4/4", "3/4"), "folk": (), "baroque": (),
}  # fmt: skip
"""Styles the composer knows, with the meters each allows (first: its default)."""

_NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen"
)
_NUMBERS = {word: value for value, word in enumerate(_NUMBER_WORDS.split())}

_KEY = re.compile(
    r"\b(?:in|key of|on)\s+(?:the\s+key\s+of\s+)?([A-Ga-g])(?:\s*(#|♯|b|♭|-?sharp|-?flat))?"
    r"(?:\s+(harmonic minor|melodic minor|natural minor|major|minor|ionian|aeolian|dorian|"
    r"phrygian|lydian|mixolydian|locrian))?\b"
)
_MODE_ONLY = re.compile(
    r"\b(harmonic minor|melodic minor|dorian|phrygian|lydian|mixolydian|locrian|aeolian)\b", re.I
)
_METER = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\b")
_BARS = re.compile(r"\b(\d{1,2}|" + "|".join(_NUMBERS) + r")[\s-]*(?:bars?|measures?)\b", re.I)
_RANGE = re.compile(
    r"\b(?:range|between|from)\s+(?:of\s+)?([A-Ga-g][#b]?\d)\s*(?:-|–|to|and)\s*([A-Ga-g][#b]?\d)"
)
_TEMPO = re.compile(r"\b(\d{2,3})\s*(?:bpm|beats per minute)\b", re.I)


class Constraints(BaseModel):
    """What to write. ``stated`` lists the constraints the learner asked for explicitly."""

    task: Task = "melody"
    tonic: str = Field(default="C", description="music21 spelling: 'F#', 'B-'.")
    mode: str = Field(default="major", description="A theory-engine scale name.")
    meter: str = "4/4"
    bars: int = 8
    low: int | None = Field(default=None, description="Lowest MIDI note allowed.")
    high: int | None = Field(default=None, description="Highest MIDI note allowed.")
    instrument: str | None = None
    style: str | None = None
    tempo: int | None = None
    exercise: str | None = Field(default=None, description="'scale', 'arpeggio' or 'thirds'.")
    target: str | None = Field(default=None, description="Format to convert to.")
    stated: list[Constraint] = Field(default_factory=list)

    def key_label(self) -> str:
        """E.g. 'D dorian', 'Bb major'."""
        name = self.tonic.replace("-", "b")
        return f"{name} {self.mode}"

    def bounds(self) -> tuple[int, int]:
        """The allowed MIDI range: the stated range inside the instrument's, else either."""
        low, high = 0, 127
        if self.instrument:
            low, high = RANGES[self.instrument]
        if self.low is not None:
            low = max(low, self.low)
        if self.high is not None:
            high = min(high, self.high)
        return low, high


def _tonic(letter: str, accidental: str | None) -> str:
    name = letter.upper()
    if accidental:
        if accidental in ("#", "♯") or "sharp" in accidental:
            name += "#"
        else:
            name += "-"
    return name


def _instrument(text: str) -> str | None:
    lowered = text.lower()
    for name in sorted(RANGES, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}s?\b", lowered):
            return name
    return None


def _task(text: str) -> Task:
    lowered = text.lower()
    if re.search(r"\bconvert|\bexport|\bturn (?:it|this) into|\bas (?:a )?(?:midi|musicxml)\b"
                 r"|\bto (?:midi|musicxml|abc)\b", lowered) and not re.search(
        r"\b(write|compose)\b", lowered
    ):  # fmt: skip
        return "convert"
    if re.search(r"\bharmoni[sz]", lowered) or "add chords" in lowered:
        return "harmonisation"
    if re.search(r"\b(exercise|drill|etude|warm-?up|scale study|arpeggio study)\b", lowered):
        return "exercise"
    return "melody"


def parse_constraints(text: str) -> Constraints:
    """Constraints from a learner's words.

    >>> c = parse_constraints("write an 8-bar melody in D dorian in 6/8 for flute")
    >>> (c.task, c.tonic, c.mode, c.meter, c.bars, c.instrument, sorted(c.stated))
    ('melody', 'D', 'dorian', '6/8', 8, 'flute', ['bars', 'instrument', 'key', 'meter', 'mode'])
    >>> c = parse_constraints("Compose a sixteen-bar waltz in B flat major between D4 and F5")
    >>> (c.tonic, c.mode, c.meter, c.bars, c.style, c.low, c.high)
    ('B-', 'major', '3/4', 16, 'waltz', 62, 77)
    """
    c = Constraints(task=_task(text))
    stated: list[Constraint] = []
    key_match = _KEY.search(text)
    if key_match and not (key_match.group(1) == "a" and not key_match.group(3)):
        c.tonic = _tonic(key_match.group(1), key_match.group(2))
        stated.append("key")
        if key_match.group(3):
            c.mode = MODES[key_match.group(3).lower()]
            stated.append("mode")
    mode_match = _MODE_ONLY.search(text)
    if "mode" not in stated and mode_match:
        c.mode = MODES[mode_match.group(1).lower()]
        stated.append("mode")
    lowered = text.lower()
    for style in STYLES:
        if re.search(rf"\b{style}s?\b", lowered):
            c.style = style
            stated.append("style")
            if STYLES[style]:
                c.meter = STYLES[style][0]
            break
    meter_match = _METER.search(text)
    if meter_match and int(meter_match.group(2)) in (2, 4, 8, 16):
        c.meter = f"{int(meter_match.group(1))}/{int(meter_match.group(2))}"
        stated.append("meter")
    elif "waltz time" in lowered:
        c.meter = "3/4"
        stated.append("meter")
    bars_match = _BARS.search(text)
    if bars_match:
        word = bars_match.group(1).lower()
        c.bars = int(word) if word.isdigit() else _NUMBERS[word]
        stated.append("bars")
    range_match = _RANGE.search(text)
    if range_match:
        ends = sorted(pitch.Pitch(n.replace("b", "-") if len(n) > 2 else n).midi
                      for n in range_match.groups())  # fmt: skip
        c.low, c.high = ends[0], ends[1]
        stated.append("range")
    instrument = _instrument(text)
    if instrument:
        c.instrument = instrument
        stated.append("instrument")
    tempo_match = _TEMPO.search(text)
    if tempo_match:
        c.tempo = int(tempo_match.group(1))
        stated.append("tempo")
    if c.task == "exercise":
        c.exercise = next((k for k in ("arpeggio", "thirds", "scale") if k in lowered), "scale")
    if c.task == "convert":
        targets = re.findall(r"\b(?:to|as|into)\s+(?:a\s+)?(midi|musicxml|music xml|abc)\b",
                             lowered)  # fmt: skip
        c.target = (targets[-1] if targets else "musicxml").replace(" ", "")
    c.bars = max(1, min(c.bars, 64))
    c.stated = stated
    return c
