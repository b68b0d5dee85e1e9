"""A verse or a chorus hook drafted for a theme, with its scaffold, checked before it is shown.

There is no model here that writes good lyrics (the embedded 135M one writes noise), so the
draft is assembled from generic parts and the theme only *chooses* among them: a bank of
concrete images and a bank of singable lines grouped by nothing but their sound, both ranked
by sentence-embedding similarity to the learner's theme (the MiniLM model Etude already uses
for retrieval). The parts were written for songs in general — seasons, roads, rooms, weather,
people — not for any particular request. What makes the draft honest is the check after it:
the rhyme scheme is read back from the CMU dictionary by the same analyser a learner's lyric
gets, every line's syllables are counted, and a draft that misses its scheme says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from etude_songwriting.analysis import rhyme_scheme
from etude_songwriting.phonetics import line_syllables, rhyme_score, words_of
from etude_songwriting.writing import FAMILIES

IMAGES: tuple[str, ...] = (
    "the porch light left on", "a suitcase by the door", "the last bus of the night",
    "my name carved in a desk", "the water tower", "an empty parking lot",
    "the river at the bend", "a box of photographs", "the kitchen table",
    "dust on the dashboard", "the streetlights one by one", "the rear-view mirror",
    "the county line", "a postcard with no stamp", "the football field at dusk",
    "the morning train", "sand inside my shoes", "a bonfire on the beach",
    "the screen door slamming", "the chapel bell", "the tide going out",
    "the first cold morning", "leaves in the gutter", "the pool they drained",
    "a sunburn fading", "the fairground lights", "the last warm night",
    "the snow on the windowsill", "frost on the windshield", "a scarf that smells of smoke",
    "the radio between stations", "coffee gone cold", "an unmade bed",
    "the phone that never rings", "a key under the mat", "the hallway clock",
    "rain against the glass", "thunder in the hills", "the fog on the harbour",
    "a lighthouse far away", "the gulls above the pier", "a boat tied to the dock",
    "my father's old guitar", "my mother's handwriting", "the swing set in the yard",
    "a birthday candle", "the wedding dress in plastic", "a ring in a drawer",
    "the neon sign", "the subway stairs", "a taxi in the rain",
    "the city skyline", "the factory whistle", "the night shift ending",
    "the hospital hallway", "the waiting room chairs", "a letter never sent",
    "the garden overgrown", "the apple tree", "the fence we painted white",
    "the highway humming", "the gas station sign", "a map folded wrong",
    "headlights in the fog", "the stars above the field", "the moon on the water",
    "the candle burning low", "a glass of wine", "the dance floor emptying",
    "your jacket on my chair", "your toothbrush by the sink", "the echo of your laugh",
    "the school bell ringing", "chalk on the sidewalk", "a bicycle with a flat",
    "the church steps", "the graveyard gate", "flowers on the stone",
    "the mountain road", "a cabin in the pines", "the campfire smoke",
    "the alarm clock", "the empty chair", "the ceiling fan turning",
)  # fmt: skip
"""Concrete images, a noun phrase each, for any song: what a scaffold offers to draw on."""

STARTERS: tuple[str, ...] = (
    "I can still see",
    "I keep thinking of",
    "All I took was",
    "Nobody mentions",
    "I'm holding on to",
    "Now I only have",
    "I remember",
    "Somewhere there's",
)
"""Openings that turn an image into a first line."""

SCHEMES = {"verse": "ABAB", "chorus": "ABAB", "hook": "ABAB"}
"""Default scheme per section: a chorus hook is sung on lines 1 and 3, lines 2 and 4 rhyme."""

LINE_RANGE = (5, 12)
"""Syllables a draft line may have: short enough to sing in a bar or two of 4/4."""


@dataclass
class Draft:
    section: str
    theme: str
    scheme: str
    lines: list[str]
    images: list[str]
    syllables: list[int] = field(default_factory=list)
    found_scheme: str = ""
    pairs: list[str] = field(default_factory=list)
    passed: bool = False
    hook: str | None = None


@lru_cache(maxsize=1)
def _bank_lines() -> tuple[str, ...]:
    return tuple(line for lines in FAMILIES.values() for line in lines)


@lru_cache(maxsize=4)
def _vectors(texts: tuple[str, ...]) -> np.ndarray:
    from etude.knowledge.embeddings import shared_embedder

    return shared_embedder().embed(list(texts))


def _ranked(theme: str, texts: tuple[str, ...]) -> list[tuple[float, str]]:
    from etude.knowledge.embeddings import shared_embedder

    vector = shared_embedder().embed([theme])[0]
    sims = _vectors(texts) @ vector
    return sorted(((float(s), t) for s, t in zip(sims, texts, strict=True)), reverse=True)


def _end(line: str) -> str:
    words = words_of(line)
    return words[-1] if words else ""


def _rhymes(a: str, b: str) -> bool:
    """Two lines rhyme: their end words differ and score perfect or near in the dictionary."""
    return _end(a) != _end(b) and rhyme_score(_end(a), _end(b)) >= 0.8


def _echoes(line: str, used: set[str]) -> bool:
    """The line's end would be heard as rhyming with a line already placed (the analyser's
    own threshold, so that the scheme it reads back is the one planned)."""
    from etude_songwriting.analysis import RHYME_THRESHOLD

    return any(rhyme_score(_end(line), _end(u)) >= RHYME_THRESHOLD for u in used)


def _fits(line: str) -> bool:
    return LINE_RANGE[0] <= line_syllables(line)[0] <= LINE_RANGE[1]


def _pair(lines: list[tuple[float, str]], avoid: set[str]) -> tuple[str, str] | None:
    """The two most theme-like lines that rhyme with each other and not with ``avoid``."""
    best: tuple[float, str, str] | None = None
    for i, (s1, a) in enumerate(lines):
        if a in avoid or _echoes(a, avoid):
            continue
        for s2, b in lines[i + 1 :]:
            if (
                b not in avoid
                and not _echoes(b, avoid)
                and _rhymes(a, b)
                and (best is None or s1 + s2 > best[0])
            ):
                best = (s1 + s2, a, b)
    return (best[1], best[2]) if best else None


def _image_line(theme: str, ranked_images: list[tuple[float, str]],
                ranked_lines: list[tuple[float, str]]) -> tuple[str, str] | None:  # fmt: skip
    """A first line made of the theme itself or of a top image, and a bank line that rhymes
    with it."""
    for image in [theme, *(image for _, image in ranked_images[:12])]:
        for starter in STARTERS:
            line = f"{starter} {image}"
            if not _fits(line):
                continue
            for _, other in ranked_lines:
                if _rhymes(line, other):
                    return line, other
    return None


def theme_of(text: str) -> str | None:
    """The theme a request names: what follows "about" (or "on"), up to the next clause.

    >>> theme_of("write a verse about leaving my hometown, 4 lines, rhyme scheme ABAB")
    'leaving my hometown'
    >>> theme_of("help me write a chorus hook about the end of summer")
    'the end of summer'
    """
    match = re.search(r"\babout\s+([^,.;:!?\n]+)", text, re.I)
    if not match:
        return None
    theme = re.split(
        r"\s+(?:in (?:a|an|the) \S+ style|with|using)\b|\s+\d+\s+lines?", match.group(1)
    )[0]
    theme = re.sub(r"\s+(?:please|pls|thanks)$", "", theme.strip(), flags=re.I)
    return theme.strip().strip("'\"“”‘’") or None


def _letters(scheme: str) -> str:
    """A scheme renamed in order of appearance, so ABAB and CDCD compare equal."""
    names: dict[str, str] = {}
    return "".join(names.setdefault(c, chr(ord("A") + len(names))) for c in scheme)


def draft(theme: str, section: str = "verse", scheme: str | None = None, lines: int = 4) -> Draft:
    """Draft a section on a theme, then check it: scheme read back, syllables counted."""
    scheme = (scheme or SCHEMES.get(section, "ABAB")).upper()[:lines].ljust(lines, "X")
    ranked_images = _ranked(theme, IMAGES)
    ranked_lines = [(s, t) for s, t in _ranked(theme, _bank_lines()) if _fits(t)]
    images = [image for _, image in ranked_images[:6]]
    result: list[str] = [""] * lines
    hook = None
    used: set[str] = set()
    groups: dict[str, list[int]] = {}
    for index, letter in enumerate(scheme):
        groups.setdefault(letter, []).append(index)
    if section in ("chorus", "hook"):
        hook = theme[0].upper() + theme[1:]
        first = groups[scheme[0]]
        for index in first:
            result[index] = hook  # the hook sung on each line of the first group
        used.add(hook)
        rest = [g for letter, g in groups.items() if letter != scheme[0]]
    else:
        opening = _image_line(theme, ranked_images, ranked_lines)
        first = groups[scheme[0]]
        if opening and len(first) >= 2:
            result[first[0]], result[first[1]] = opening
            used.update(opening)
            rest = [g for letter, g in groups.items() if letter != scheme[0]]
        else:
            rest = list(groups.values())
    for group in rest:
        if len(group) == 1:
            pick = next((t for _, t in ranked_lines if t not in used
                         and not _echoes(t, used)), None)  # fmt: skip
            if pick:
                result[group[0]] = pick
                used.add(pick)
            continue
        pair = _pair(ranked_lines, used)
        if pair is None:
            continue
        for index, line in zip(group, pair, strict=False):
            result[index] = line
        used.update(pair)
    made = Draft(section, theme, scheme, [line for line in result if line], images, hook=hook)
    return check(made)


def check(made: Draft) -> Draft:
    """Read the draft back: its scheme from the dictionary, each line's syllables, and which
    end words rhyme and how."""
    made.syllables = [line_syllables(line)[0] for line in made.lines]
    made.found_scheme = rhyme_scheme(made.lines) if made.lines else ""
    wanted = _letters(made.scheme.replace("X", ""))
    made.passed = len(made.lines) == len(made.scheme) and _letters(made.found_scheme) == _letters(
        made.scheme
    )
    if made.passed is False and "X" in made.scheme:
        made.passed = _letters(made.found_scheme) == wanted
    made.pairs = []
    for letter in dict.fromkeys(made.scheme):
        where = [i for i, c in enumerate(made.scheme) if c == letter and i < len(made.lines)]
        if len(where) >= 2:
            a, b = made.lines[where[0]], made.lines[where[1]]
            if a == b:
                made.pairs.append(f"lines {where[0] + 1} and {where[1] + 1} repeat the hook")
                continue
            score = rhyme_score(_end(a), _end(b))
            kind = "perfect rhyme" if score >= 1.0 else "near rhyme" if score >= 0.6 else "NO rhyme"
            made.pairs.append(
                f"lines {where[0] + 1} and {where[1] + 1}: '{_end(a)}' / '{_end(b)}', {kind}"
            )
    return made
