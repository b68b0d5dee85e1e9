"""Concrete edits on a lyric line: its syllables word by word, where its stresses fall against
the strong beats of 4/4, which syllable lands wrong, and a placement that fixes it.

Without the learner's melody the coach cannot know their rhythm, so it says what happens in
the plainest setting — one syllable per beat from the downbeat, the way a line is first sung
over a strummed bar — and then searches the placements on an eighth-note grid (a pickup
allowed) for one where every stressed syllable sits on beat 1 or 3 and no weak syllable of a
longer word does. Both are computed from CMU stresses; the search's result is checked again
before it is offered.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from etude_songwriting.phonetics import FUNCTION_WORDS, line_syllables, sound, words_of

SLOTS_PER_BAR = 8
"""Eighth notes in a 4/4 bar: the grid syllables are placed on."""

STRONG_SLOTS = (0, 4)
"""Beats 1 and 3 of 4/4 (music21's beatStrength 1.0 and 0.5): where stresses belong."""


@dataclass(frozen=True)
class Syllable:
    text: str
    word: str
    stressed: bool
    fixed: bool
    """True for a syllable of a word of two or more: its stress cannot move. A one-syllable
    word's stress depends on the sentence, so it is placed more freely."""


def split_word(word: str, count: int, stress: str) -> list[str]:
    """The word's spelling cut into ``count`` syllables at its vowel groups (one consonant
    opens the next syllable), the stressed one in capitals; the whole word when the spelling's
    vowel groups do not match the count, numbered.

    >>> split_word("beautiful", 3, "100"), split_word("tonight", 2, "01")
    (['BEAU', 'ti', 'ful'], ['to', 'NIGHT'])
    >>> split_word("kitchen", 2, "10"), split_word("evening", 2, "10")
    (['KIT', 'chen'], ['EVE', 'ning'])
    >>> split_word("going", 2, "10")
    ['GOING(1/2)', 'going(2/2)']
    """
    if word == "i":
        return ["I"]
    groups = list(re.finditer(r"[aeiou]+|(?<=[^aeiou])y", word))
    if len(groups) == count + 1:
        # an e the voice skips (ev(e)ning, diff(e)rent) is not a syllable of its own
        inner = [g for g in groups if g.group() == "e" and g.start() > 0 and g.end() < len(word)]
        if len(inner) == 1:
            groups.remove(inner[0])
    if count == 1:
        return [word.upper() if stress == "1" else word]
    marks = stress.ljust(count, "0")[:count]
    if len(groups) != count:
        # the spelling does not show the syllables: number them instead
        return [
            (word.upper() if mark == "1" else word) + f"({n}/{count})"
            for n, mark in enumerate(marks, start=1)
        ]
    cuts = []
    for left, right in itertools.pairwise(groups):
        between = word[left.end() : right.start()]
        if between[-2:] in ("ch", "sh", "th", "ph", "wh") and len(between) >= 2:
            cuts.append(right.start() - 2)  # kit-chen, not kitc-hen
        elif between.endswith("ck"):
            cuts.append(right.start())
        else:
            cuts.append(left.end() + (len(between) - 1 if between else 0))
    pieces = [word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True)]
    return [p.upper() if mark == "1" else p for p, mark in zip(pieces, stress, strict=False)]


def primary(word: str) -> str:
    """The word's stress marks with only its main stress as '1' (to-MOR-row, not to-MOR-ROW),
    for showing; the analysis counts secondary stresses as stressed.

    >>> primary("tomorrow"), primary("beautiful"), primary("the")
    ('010', '100', '0')
    """
    heard = sound(word)
    if len(heard.stress) == 1 or not heard.phones:
        return heard.stress
    digits = re.findall(r"\d", heard.phones)
    if len(digits) != len(heard.stress):
        return heard.stress
    return "".join("1" if d == "1" else "0" for d in digits)


def shown(word: str) -> str:
    """The word split into syllables with its main stress in capitals: BEAU-ti-ful; a word
    whose spelling hides its syllables, whole, with the stressed one named.

    >>> shown("beautiful"), shown("going")
    ('BEAU-ti-ful', 'going (2 syllables, stress on the 1st)')
    """
    pieces = split_word(word, sound(word).syllables, primary(word))
    if "(" not in pieces[0]:
        return "-".join(pieces)
    where = primary(word).find("1") + 1
    stress = f", stress on the {_ordinal(where)}" if where else ""
    return f"{word} ({len(pieces)} syllables{stress})"


def syllables_of(line: str) -> list[Syllable]:
    """The line's syllables in order, each with its stress from CMU."""
    out: list[Syllable] = []
    for word in words_of(line):
        heard = sound(word)
        pieces = split_word(word, heard.syllables, heard.stress[: heard.syllables].ljust(
            heard.syllables, "0"))  # fmt: skip
        marks = heard.stress.ljust(len(pieces), "0")
        for piece, mark in zip(pieces, marks, strict=False):
            out.append(Syllable(piece, word, mark == "1", len(pieces) > 1))
    return out


def beat_name(slot: int) -> str:
    """An eighth-note slot as a count: 1, 1-and, 2 …; negative slots are the pickup bar.

    >>> beat_name(0), beat_name(3), beat_name(-2), beat_name(12)
    ('1', '2-and', '4 (pickup)', '3')
    """
    pickup = slot < 0
    slot %= SLOTS_PER_BAR
    name = str(slot // 2 + 1) + ("-and" if slot % 2 else "")
    return name + (" (pickup)" if pickup else "")


def _strong(slot: int) -> bool:
    return slot % SLOTS_PER_BAR in STRONG_SLOTS


PICKUP_COST = 0.1
"""Each syllable sung before the first downbeat costs a little: a pickup of two or three
syllables is normal, a whole line before the bar line is not."""


def _cost(syllable: Syllable, slot: int) -> float:
    """How badly a syllable sits on a slot: a stress off beats 1 and 3, or a weak syllable
    of a longer word on them (one-syllable words count less: their stress is the singer's)."""
    if slot < 0:
        return PICKUP_COST + _cost(syllable, slot + SLOTS_PER_BAR)
    weight = 3.0 if syllable.fixed else 1.0
    if syllable.stressed and not _strong(slot):
        return weight * (1.5 if slot % 2 else 1.0)
    if not syllable.stressed and _strong(slot):
        return weight * (1.5 if slot % SLOTS_PER_BAR == 0 else 1.0)
    return 0.0


def clashes(syllables: list[Syllable], slots: list[int]) -> list[tuple[Syllable, int]]:
    """Syllables of longer words whose stress fights the beat where they sit."""
    return [
        (s, slot)
        for s, slot in zip(syllables, slots, strict=True)
        if s.fixed and (s.stressed != _strong(slot))
    ]


def plain_setting(syllables: list[Syllable]) -> list[int]:
    """One syllable per beat from the downbeat: quarter notes on 1, 2, 3, 4, 1 …"""
    return [2 * i for i in range(len(syllables))]


def best_setting(syllables: list[Syllable]) -> list[int]:
    """Slots for the syllables (strictly rising, at most a half note apart, a pickup of up to
    a bar allowed) with the fewest stress clashes, then the shortest span."""
    n = len(syllables)
    if n == 0:
        return []
    lowest, highest = -SLOTS_PER_BAR, 4 * n + SLOTS_PER_BAR
    inf = float("inf")
    best: dict[int, tuple[float, list[int]]] = {}
    for slot in range(lowest, 1):
        best[slot] = (_cost(syllables[0], slot), [slot])
    for syllable in syllables[1:]:
        step: dict[int, tuple[float, list[int]]] = {}
        for slot in range(lowest + 1, highest):
            choices = [
                (cost + _cost(syllable, slot) + 0.05 * (slot - prev - 1), path)
                for prev, (cost, path) in best.items()
                if 1 <= slot - prev <= 4
            ]
            if choices:
                cost, path = min(choices, key=lambda c: c[0])
                step[slot] = (cost, [*path, slot])
        best = step
    cost, path = min(best.values(), key=lambda c: (c[0], c[1][-1] - c[1][0]) if c[0] < inf else c)
    return path


def setting_text(syllables: list[Syllable], slots: list[int]) -> str:
    """Syllables with their beats, e.g. "you 4 (pickup) · BEAU 1 · ti 1-and"."""
    return " · ".join(
        f"{s.text} {beat_name(slot)}" for s, slot in zip(syllables, slots, strict=True)
    )


def _ordinal(n: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def word_steps(line: str) -> list[str]:
    """One counting step per word: its syllables, split and stressed, and the running total.

    >>> word_steps("you are beautiful")[2]
    'beautiful: 3 syllables, BEAU-ti-ful, stressed on the 1st (running total 5)'
    """
    steps, total = [], 0
    for word in words_of(line):
        heard = sound(word)
        total += heard.syllables
        if heard.syllables == 1:
            kind = "a small word, sung unstressed" if word in FUNCTION_WORDS else "stressed"
            word = "I" if word == "i" else word
            steps.append(f"{word}: 1 syllable, {kind} (running total {total})")
            continue
        where = primary(word).find("1") + 1
        shape = shown(word)
        shape = word if "(" in shape else shape  # the spelling hides its syllables
        stress = f", stressed on the {_ordinal(where)}" if where else ""
        steps.append(
            f"{word}: {heard.syllables} syllables, {shape}{stress} (running total {total})"
        )
    return steps


CONTRACTIONS = (
    ("i am", "I'm"), ("you are", "you're"), ("we are", "we're"), ("they are", "they're"),
    ("it is", "it's"), ("that is", "that's"), ("do not", "don't"), ("does not", "doesn't"),
    ("did not", "didn't"), ("can not", "can't"), ("cannot", "can't"), ("will not", "won't"),
    ("i will", "I'll"), ("you will", "you'll"), ("i have", "I've"), ("we have", "we've"),
    ("i would", "I'd"), ("going to", "gonna"), ("want to", "wanna"), ("is not", "isn't"),
    ("are not", "aren't"), ("there is", "there's"), ("let us", "let's"),
)  # fmt: skip
"""Contractions singers use; each saves a syllable without changing the meaning."""

FILLERS = ("really", "just", "very", "so", "all", "that", "now", "then", "still", "even",
           "ever", "always", "only", "oh", "well", "kind of", "sort of")  # fmt: skip
"""Words a lyric line can usually lose without losing its sense: the first cuts to try."""


def trims(line: str, target: int) -> list[tuple[str, str, int]]:
    """Edits that bring a line toward ``target`` syllables: (what to do, the new line, its
    syllables), each recounted; contractions first, then filler words.

    >>> trims("I am really going to miss you now", 7)[0]
    ("contract 'I am' to 'I'm'", "I'm really going to miss you now", 9)
    """
    edits: list[tuple[str, str, int]] = []
    current = line
    for long, short in CONTRACTIONS:
        pattern = re.compile(rf"\b{long}\b", re.I)
        if pattern.search(current) and line_syllables(current)[0] > target:
            current = pattern.sub(short, current, count=1)
            edits.append((f"contract '{long.capitalize() if long.startswith('i ') else long}' "
                          f"to '{short}'", current, line_syllables(current)[0]))  # fmt: skip
    for filler in FILLERS:
        pattern = re.compile(rf"\s*\b{filler}\b", re.I)
        if pattern.search(current) and line_syllables(current)[0] > target:
            shorter = pattern.sub("", current, count=1).strip()
            if len(words_of(shorter)) >= 2:
                current = shorter
                edits.append((f"cut '{filler}'", current, line_syllables(current)[0]))
    return edits
