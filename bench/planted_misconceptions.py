"""The scripted learner of ``simulated_learner.py``: right answers, and planted misconceptions.

The learner reads an exercise as the mentor published it (its prompt, kind and key, never the
hidden answer) and answers it from its own music21 knowledge, computed here independently of
the theory engine. Each planted misconception is a rule that rewrites that right answer the
way a learner with the misconception would, on the exercises that probe it, plus the evidence
that would convince the learner otherwise: the mentor's reply must name the specific error
(e.g. "G should be G#", "ends on ... the 5th degree"); a generic "wrong, try again" does not
count. A learner drops a misconception after ``convinced_after`` such replies.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from music21 import converter, harmony, interval, key, pitch, roman, scale

Exercise = dict[str, Any]
"""The exercise as the lesson tool publishes it (``data.exercise``), without its answer."""

QUALITY = {"perfect": "P", "major": "M", "minor": "m", "augmented": "A", "diminished": "d"}
NUMBER = {
    "unison": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "octave": 8,
}
WORD_OF = {v: k for k, v in NUMBER.items()}
QUALITY_WORD = {v: k for k, v in QUALITY.items()}


def ascii_name(name: str) -> str:
    """music21 ``E-`` → ``Eb``."""
    return name.replace("-", "b")


def m21(name: str) -> str:
    """``Eb`` → music21 ``E-`` (a lone ``B`` stays B)."""
    return name[0] + name[1:].replace("b", "-")


def interval_words(code: str) -> str:
    return f"{QUALITY_WORD[code[0]]} {WORD_OF[int(code[1:])]}"


# -- right answers, from the prompt ------------------------------------------------------------


def interval_code(bottom: str, top: str) -> str:
    low, high = pitch.Pitch(m21(bottom) + "4"), pitch.Pitch(m21(top) + "4")
    if high.ps <= low.ps:
        high.octave = 5
    return str(interval.Interval(low, high).name)


def solve(exercise: Exercise) -> str:
    """The right answer to a drill, as a learner would type it."""
    prompt, kind = exercise["prompt"], exercise["kind"]
    if kind == "interval_name":
        bottom, top = re.search(r"from (\S+) up to (\S+) \(", prompt).groups()  # type: ignore[union-attr]
        return "a " + interval_words(interval_code(bottom, top))
    if kind == "interval_build":
        quality, number, root = re.search(  # type: ignore[union-attr]
            r"is an? (\w+) (\w+) above (\S+)\?", prompt
        ).groups()
        code = QUALITY[quality] + str(NUMBER[number])
        return ascii_name(interval.Interval(code).transposePitch(pitch.Pitch(m21(root))).name)
    if kind == "scale_spell":
        tonic = re.search(r"Spell the (\S+) major scale", prompt)[1]  # type: ignore[index]
        return " ".join(ascii_name(p.name) for p in scale.MajorScale(m21(tonic)).pitches[:7])
    if kind == "key_signature":
        tonic, mode = re.search(r"does (\S+) (major|minor) have", prompt).groups()  # type: ignore[union-attr]
        return signature_answer(key.Key(m21(tonic), mode).sharps)
    if kind == "relative_key":
        tonic, mode = re.search(r"of (\S+) (major|minor)\?", prompt).groups()  # type: ignore[union-attr]
        relative = key.Key(m21(tonic), mode).relative
        return f"{ascii_name(relative.tonic.name)} {relative.mode}"
    if kind == "triad_spell":
        root, quality = re.search(r"Spell the (\S+) (\w+) triad", prompt).groups()  # type: ignore[union-attr]
        third, fifth = {"major": ("M3", "P5"), "minor": ("m3", "P5"), "diminished": ("m3", "d5"),
                        "augmented": ("M3", "A5")}[quality]  # fmt: skip
        base = pitch.Pitch(m21(root))
        notes = [base, interval.Interval(third).transposePitch(base),
                 interval.Interval(fifth).transposePitch(base)]  # fmt: skip
        return " ".join(ascii_name(p.name) for p in notes)
    if kind == "roman_numeral":
        figure, tonic, mode = re.search(r"Spell (\S+) in (\S+) (major|minor)", prompt).groups()  # type: ignore[union-attr]
        chord = roman.RomanNumeral(figure, key.Key(m21(tonic), mode))
        return " ".join(ascii_name(p.name) for p in chord.pitches)
    if kind == "chord_spell":
        symbol = re.search(r"Spell the chord (\S+) from", prompt)[1]  # type: ignore[index]
        return " ".join(ascii_name(p.name) for p in harmony.ChordSymbol(symbol).pitches)
    raise ValueError(f"the scripted learner cannot answer {kind!r}")


def signature_answer(sharps: int) -> str:
    if sharps == 0:
        return "no sharps or flats"
    names = key.KeySignature(sharps).alteredPitches
    word = "sharp" if sharps > 0 else "flat"
    count = abs(sharps)
    listed = ", ".join(ascii_name(p.name) for p in names)
    return f"{count} {word}{'s' if count != 1 else ''}: {listed}"


# -- compositions --------------------------------------------------------------------------------

GOOD_TUNE = "G A B c | d2 B G | c B A G | A4 | B c d g | f e d c | B A G B | A F G2 |]"
"""An 8-bar tune in G major (written once, by hand) that meets every melody-writing rule of the
curriculum: PAC close 2-1, range of a ninth, the leap d-g recovered by step."""


def write_tune(body: str, key_name: str, folder: Path, name: str) -> Path:
    """The tune (written in G) moved to ``key_name`` and saved as MusicXML, key signature too."""
    score = converter.parseData(f"X:1\nM:4/4\nL:1/4\nK:G\n{body}\n", format="abc")
    target = pitch.Pitch(m21(key_name.split()[0]))
    target.octave = 4
    moved = score.transpose(interval.Interval(pitch.Pitch("G4"), target))
    path = folder / f"{name}.musicxml"
    moved.write("musicxml", fp=str(path))
    return path


# -- misconceptions ------------------------------------------------------------------------------


def corrects(reply: str, wrong: str, right: str) -> bool:
    """The reply names the wrong note and its correction in one sentence."""
    note = r"(?<![A-Za-z#]){}(?![A-Za-z#])"
    pattern = note.format(re.escape(wrong)) + r"[^.]*?(?:should be|write it as)[^.]*?"
    return re.search(pattern + note.format(re.escape(right)), reply) is not None


def first_difference(wrong: str, right: str) -> tuple[str, str] | None:
    """The first note of a notes answer that the misconception changed."""
    for a, b in zip(wrong.split(), right.split(), strict=False):
        if a != b:
            return a, b
    return None


def notes_detected(reply: str, wrong: str, right: str) -> bool:
    changed = first_difference(wrong, right)
    return changed is not None and corrects(reply, *changed)


def says(*phrases: str) -> Callable[[str, str, str], bool]:
    """Detected when the reply contains every phrase; ``{right}`` is the right answer as the
    learner would write it, without an article or the list of accidentals ("2 sharps")."""

    def check(reply: str, wrong: str, right: str) -> bool:
        lowered = " ".join(reply.lower().split())
        short = right.removeprefix("a ").split(":")[0].lower()
        return all(p.format(right=short) in lowered for p in phrases)

    return check


def _alter(answer: str, index: int, up: bool) -> str:
    """One note of a spelled chord a chromatic semitone higher or lower (G# → G, F → F#)."""
    notes = answer.split()
    moved = pitch.Pitch(m21(notes[index])).transpose("A1" if up else "-A1")
    notes[index] = ascii_name(moved.name)
    return " ".join(notes)


def _enharmonic_flats(answer: str) -> str:
    """Every sharp written as the flat of the next letter (G# → Ab)."""
    out = []
    for name in answer.split():
        if name.endswith("#"):
            p = pitch.Pitch(m21(name))
            out.append(ascii_name(p.getEnharmonic().name))
        else:
            out.append(name)
    return " ".join(out)


def _drop_last_sharp(answer: str) -> str:
    """A major scale without its leading-tone accidental (G major with F natural)."""
    notes = answer.split()
    notes[6] = notes[6][0]
    return " ".join(notes)


def _interval_swap(answer: str, pairs: dict[str, str]) -> str:
    words = answer.removeprefix("a ")
    return "a " + pairs.get(words, words)


MAJOR_MINOR = {
    f"{q} {n}": f"{o} {n}"
    for q, o in (("major", "minor"), ("minor", "major"))
    for n in ("second", "third", "sixth", "seventh")
}
FOURTH_FIFTH = {"perfect fourth": "perfect fifth", "perfect fifth": "perfect fourth"}


def _fourth_fifth_build(answer: str, exercise: Exercise) -> str:
    root = re.search(r"above (\S+)\?", exercise["prompt"])[1]  # type: ignore[index]
    other = "P5" if "fourth" in exercise["prompt"] else "P4"
    return ascii_name(interval.Interval(other).transposePitch(pitch.Pitch(m21(root))).name)


def _signature_one_short(answer: str) -> str:
    match = re.match(r"(\d) (sharp|flat)s?: (.*)", answer)
    if match is None:
        return answer
    count = int(match[1]) - 1
    names = match[3].split(", ")[:count]
    if count == 0:
        return "no sharps or flats"
    return f"{count} {match[2]}{'s' if count != 1 else ''}: {', '.join(names)}"


@dataclass(frozen=True)
class Misconception:
    """One planted misconception: where it shows, what it writes, what convinces otherwise."""

    id: str
    description: str
    request: str
    """What the learner says first to get the lesson that probes it."""
    probes: Callable[[Exercise], bool]
    wrong: Callable[[str, Exercise], str]
    """The right answer (or tune body, for compositions) rewritten by the misconception."""
    detected: Callable[[str, str, str], bool]
    """(mentor's reply, wrong answer, right answer) → does the reply name this error?"""
    convinced_after: int = 1


def _prompt_has(*words: str) -> Callable[[str], bool]:
    return lambda prompt: all(w in prompt for w in words)


def _kind(kind: str, test: Callable[[str], bool] = lambda _p: True) -> Callable[[Exercise], bool]:
    return lambda ex: ex.get("kind") == kind and test(ex["prompt"])


def _interval_named(pairs: dict[str, str]) -> Callable[[Exercise], bool]:
    def probes(ex: Exercise) -> bool:
        return ex.get("kind") == "interval_name" and solve(ex).removeprefix("a ") in pairs

    return probes


MISCONCEPTIONS: tuple[Misconception, ...] = (
    Misconception(
        "interval-major-minor",
        "swaps major and minor interval qualities (calls M3 a minor third)",
        "Teach me intervals",
        _interval_named(MAJOR_MINOR),
        lambda answer, _ex: _interval_swap(answer, MAJOR_MINOR),
        says("the answer is {right}", "semitones"),
    ),
    Misconception(
        "interval-fourth-fifth",
        "confuses perfect fourths and fifths (naming and building)",
        "Teach me intervals",
        lambda ex: (
            _interval_named(FOURTH_FIFTH)(ex)
            or _kind("interval_build", lambda p: "perfect" in p)(ex)
        ),
        lambda answer, ex: (
            _interval_swap(answer, FOURTH_FIFTH)
            if ex["kind"] == "interval_name"
            else _fourth_fifth_build(answer, ex)
        ),
        says("the answer is {right}"),
        convinced_after=2,
    ),
    Misconception(
        "scale-leading-tone",
        "spells major scales without the leading tone's accidental (G major with F)",
        "Teach me scales and key signatures",
        lambda ex: ex.get("kind") == "scale_spell" and solve(ex).split()[6].endswith("#"),
        lambda answer, _ex: _drop_last_sharp(answer),
        notes_detected,
    ),
    Misconception(
        "signature-one-short",
        "forgets the last accidental of a key signature",
        "Teach me scales and key signatures",
        _kind("key_signature"),
        lambda answer, _ex: _signature_one_short(answer),
        says("the answer is {right}"),
    ),
    Misconception(
        "relative-as-parallel",
        "gives the parallel minor for the relative minor (C major → C minor)",
        "Teach me scales and key signatures",
        _kind("relative_key"),
        lambda _answer, ex: re.search(r"of (\S+) major", ex["prompt"])[1] + " minor",  # type: ignore[index]
        says("the answer is {right}"),
    ),
    Misconception(
        "major-triad-minor-third",
        "builds major triads with a minor third (E G B for E major)",
        "Teach me triads",
        _kind("triad_spell", _prompt_has(" major triad")),
        lambda answer, _ex: _alter(answer, 1, up=False),
        notes_detected,
    ),
    Misconception(
        "minor-triad-major-third",
        "builds minor triads with a major third (A C# E for A minor)",
        "Teach me triads",
        _kind("triad_spell", _prompt_has(" minor triad")),
        lambda answer, _ex: _alter(answer, 1, up=True),
        notes_detected,
    ),
    Misconception(
        "diminished-perfect-fifth",
        "gives diminished triads a perfect fifth (B D F# for B diminished)",
        "Teach me triads",
        _kind("triad_spell", _prompt_has("diminished")),
        lambda answer, _ex: _alter(answer, 2, up=True),
        notes_detected,
    ),
    Misconception(
        "sharps-as-flats",
        "writes every sharp as the enharmonic flat (Ab for G#)",
        "Teach me triads",
        lambda ex: ex.get("kind") == "triad_spell" and "#" in solve(ex),
        lambda answer, _ex: _enharmonic_flats(answer),
        notes_detected,
        convinced_after=2,
    ),
    Misconception(
        "minor-dominant-unraised",
        "spells V and V7 in minor keys from the natural minor (E G B in A minor)",
        "Teach me cadences",
        _kind("roman_numeral", lambda p: "minor" in p and re.match(r"Spell V7? ", p) is not None),
        lambda answer, _ex: _alter(answer, 1, up=False),
        notes_detected,
    ),
    Misconception(
        "melody-ends-on-dominant",
        "ends melodies on the 5th degree, thinking any chord tone closes",
        "Give me a composition exercise on melody writing",
        _kind("compose"),
        lambda body, _ex: body.replace("A F G2", "A B d2"),
        says("5th degree", "bar 8"),
    ),
    Misconception(
        "leap-not-recovered",
        "continues in the direction of a leap instead of recovering by step",
        "Give me a composition exercise on melody writing",
        _kind("compose"),
        lambda body, _ex: body.replace("d2 B G | c", "d2 B A | c").replace(
            "B c d g | f e d c", "B c d g | a2 g f"
        ),
        says("is not recovered", "bar 5"),
    ),
    Misconception(
        "range-too-wide",
        "writes melodies spanning two octaves",
        "Give me a composition exercise on melody writing",
        _kind("compose"),
        lambda body, _ex: body.replace("G A B c |", "G, A, B, C |"),
        says("more than the 19 allowed"),
    ),
)
