"""Lyrics analysis: what a songwriting teacher checks first, computed rather than guessed.

Per line: syllables and stress pattern; per stanza: rhyme scheme and metre; over the lyric:
repeated lines and phrases and where the hook sits. Stanzas are separated by blank lines
(or by section labels such as "[Chorus]"), because rhyme schemes restart at each stanza.
"""

from __future__ import annotations

import re
from collections import Counter

from pydantic import BaseModel, Field

from etude_songwriting.phonetics import (
    LineEnd,
    end_score,
    line_rhyme,
    line_stress,
    line_syllables,
    words_of,
)

RHYME_THRESHOLD = 0.6
"""Lowest ``rhyme_score`` that counts as a rhyme: songs lean on near rhymes and consonance."""

FEET: dict[str, str] = {"iambic": "u/", "trochaic": "/u", "anapestic": "uu/", "dactylic": "/uu"}
LENGTHS = {1: "monometer", 2: "dimeter", 3: "trimeter", 4: "tetrameter", 5: "pentameter",
           6: "hexameter", 7: "heptameter"}  # fmt: skip

_SECTION = re.compile(r"^\s*[\[(]?\s*(verse|chorus|bridge|pre-chorus|intro|outro|refrain|hook)"
                      r"[^\])]*[\])]?\s*:?\s*$", re.IGNORECASE)  # fmt: skip


class LineReport(BaseModel):
    text: str
    syllables: int
    stress: str = Field(description="'/' stressed, 'u' unstressed, one per syllable.")
    rhyme: str = Field(description="Rhyme letter within its stanza.")


class StanzaReport(BaseModel):
    label: str = Field(description="Section name if the lyric gave one, else 'stanza N'.")
    lines: list[LineReport]
    scheme: str
    meter: str


class LyricsAnalysis(BaseModel):
    stanzas: list[StanzaReport]
    repeated_lines: dict[str, int] = Field(description="Lines sung more than once, with counts.")
    hook: str | None = Field(description="The most repeated phrase (the title when it recurs).")
    hook_lines: list[int] = Field(description="1-based line numbers where the hook appears.")
    unknown_words: list[str] = Field(description="Words CMU lacks (spelling fallback used).")

    @property
    def lines(self) -> list[LineReport]:
        return [line for stanza in self.stanzas for line in stanza.lines]


def split_stanzas(text: str) -> list[tuple[str, list[str]]]:
    """(label, lines) per stanza; blank lines and section labels separate stanzas."""
    stanzas: list[tuple[str, list[str]]] = []
    label: str | None = None
    current: list[str] = []

    def close() -> None:
        nonlocal current, label
        if current:
            stanzas.append((label or f"stanza {len(stanzas) + 1}", current))
        current, label = [], None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            close()
        elif _SECTION.match(line):
            close()
            label = line.strip("[]():").strip().lower()
        elif words_of(line):
            current.append(line)
    close()
    return stanzas


def rhyme_scheme(lines: list[str]) -> str:
    """Letters for the end words: a line joins the best-rhyming earlier group.

    >>> rhyme_scheme(["Twinkle, twinkle, little star,", "How I wonder what you are!",
    ...               "Up above the world so high,", "Like a diamond in the sky."])
    'AABB'
    """
    ends = [line_rhyme(words_of(line)) for line in lines]
    letters: list[str] = []
    groups: list[list[LineEnd]] = []
    for end in ends:
        best, best_score = -1, 0.0
        for index, members in enumerate(groups):
            score = max(end_score(end, other) for other in members)
            if score > best_score:
                best, best_score = index, score
        if best >= 0 and best_score >= RHYME_THRESHOLD:
            groups[best].append(end)
            letters.append(chr(ord("A") + best))
        else:
            groups.append([end])
            letters.append(chr(ord("A") + len(groups) - 1))
    return "".join(letters)


def stanza_syllables(lines: list[str], scheme: str | None = None) -> list[int]:
    """Syllables per line, reading optional contractions (ev'ry, heav'nly) or fuller forms
    only where they bring a line to the length of another line of the stanza, preferring its
    rhyme partners (rhyming lines are parallel in song forms): the metre decides, as a singer's
    would."""
    scheme = scheme or rhyme_scheme(lines)
    ranges = [line_syllables(line) for line in lines]
    usual = [u for u, _, _ in ranges]
    counts = []
    for index, (count, fewest, most) in enumerate(ranges):
        partners = {u for j, u in enumerate(usual) if j != index and scheme[j] == scheme[index]}
        others = {u for j, u in enumerate(usual) if j != index}
        for pool in (partners, others):
            if count in pool:
                break
            reachable = [c for c in pool if fewest <= c <= most]
            if reachable:
                count = min(reachable, key=lambda c: (abs(c - count), c))
                break
        counts.append(count)
    return counts


def meter_name(stresses: list[str]) -> str:
    """The foot that best fits the stanza's stress patterns and the typical number of feet.

    >>> meter_name(["u/u/u/u/", "u/u/u/"])
    'iambic tetrameter'
    >>> meter_name(["/u/u/u/", "/u/u/u/"])
    'trochaic tetrameter'
    """
    joined = [s for s in stresses if s]
    if not joined:
        return "unknown"
    best_foot, best_fit = "iambic", -1.0
    for name, foot in FEET.items():
        fit = sum(_fit(stress, (foot * 12)[: len(stress)]) for stress in joined) / len(joined)
        if fit > best_fit + 1e-9:
            best_foot, best_fit = name, fit
    feet = round(max(len(s) for s in joined) / len(FEET[best_foot]))
    if best_fit < 0.6:
        return "free verse (no regular metre)"
    return f"{best_foot} {LENGTHS.get(feet, f'{feet}-foot')}"


def _fit(stress: str, template: str) -> float:
    """Share of stressed template positions that carry stress (unstressed ones are lenient:
    a stressed monosyllable in a weak position is normal in English verse)."""
    strong = [i for i, t in enumerate(template) if t == "/"]
    if not strong:
        return 0.0
    hits = sum(1 for i in strong if stress[i] == "/")
    misses = sum(1 for i, t in enumerate(template) if t == "u" and stress[i] == "/")
    return (hits - 0.25 * misses) / len(strong)


def _phrases(lines: list[str], size: int) -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in lines:
        words = words_of(line)
        seen = {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}
        counts.update(seen)
    return counts


def find_hook(lines: list[str], title: str | None = None) -> tuple[str | None, list[int]]:
    """The hook: the title if it recurs, else the longest phrase (2+ words) in most lines."""
    if title:
        key = " ".join(words_of(title))
        where = [i + 1 for i, line in enumerate(lines) if key and key in " ".join(words_of(line))]
        if len(where) >= 2:
            return title, where
    for size in range(6, 1, -1):
        counts = _phrases(lines, size)
        if counts:
            phrase, count = counts.most_common(1)[0]
            if count >= 2:
                where = [
                    i + 1 for i, line in enumerate(lines) if phrase in " ".join(words_of(line))
                ]
                return phrase, where
    return None, []


def analyse_lyrics(text: str, title: str | None = None) -> LyricsAnalysis:
    """Analyse a lyric (stanzas separated by blank lines or section labels)."""
    stanzas = []
    all_lines: list[str] = []
    for label, lines in split_stanzas(text):
        scheme = rhyme_scheme(lines)
        counts = stanza_syllables(lines, scheme)
        stresses = [line_stress(line) for line in lines]
        reports = [
            LineReport(text=line, syllables=n, stress=s, rhyme=r)
            for line, n, s, r in zip(lines, counts, stresses, scheme, strict=True)
        ]
        stanzas.append(
            StanzaReport(label=label, lines=reports, scheme=scheme, meter=meter_name(stresses))
        )
        all_lines.extend(lines)
    normalised = Counter(" ".join(words_of(line)) for line in all_lines)
    repeated = {line: n for line, n in normalised.items() if n > 1}
    hook, hook_lines = find_hook(all_lines, title)
    from etude_songwriting.phonetics import sound

    unknown = sorted({w for line in all_lines for w in words_of(line) if not sound(w).known})
    return LyricsAnalysis(
        stanzas=stanzas,
        repeated_lines=repeated,
        hook=hook,
        hook_lines=hook_lines,
        unknown_words=unknown,
    )
