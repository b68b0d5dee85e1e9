"""Chords for a mood: the progressions our articles give for a mood, spelled in the learner's key.

"Help me pick chords for a sad verse in E minor" asks for advice, and the answer a teacher
gives is a progression or two that suit the mood, in the learner's key, with the reason. The
progressions and their reasons are the knowledge base's (a section headed "Chords for a sad,
dark … mood", one bullet per progression, written in roman numerals so that they work in any
key); the chord names and notes are the theory engine's, computed for the key asked. Nothing
here is written by hand: a new mood is a new section, a new progression a new bullet.

>>> [section.moods for section in mood_sections()][:2]
[('sad', 'dark', 'melancholy', 'gloomy'), ('happy', 'bright', 'hopeful', 'uplifting')]
>>> advice = chords_for_a_mood("help me pick chords for a sad verse in E minor")
>>> print(advice.summary.splitlines()[1])  # doctest: +ELLIPSIS
- i–VI–III–VII: Em (E G B) – C (C E G) – G (G B D) – D (D F# A). The minor-key loop of ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from etude.evidence import Citation, Evidence
from etude.knowledge.articles import ARTICLES_DIR, chunk_article, load_articles
from etude.knowledge.asking import asks_for_advice, asks_how_to, asks_why

if TYPE_CHECKING:
    from etude.theory.facts import TheoryFact

_HEADING = re.compile(r"^Chords for an? (?P<moods>.+?) mood$", re.IGNORECASE)
_BULLET = re.compile(r"^-\s+(?P<figures>[^\s:]+):\s*(?P<reason>.+)$")
_CHORDAL = re.compile(r"\b(?:chords?|progressions?|harmon(?:y|ies|ise|ize)|changes)\b", re.I)
_PART = re.compile(
    r"\b(pre-chorus|verse|chorus|bridge|intro|outro|ballad|song|section|passage|piece|tune|"
    r"melody)s?\b",
    re.IGNORECASE,
)
_NOUNS = (
    r"(?:chords?|progressions?|harmon(?:y|ies)|changes|pre-chorus|verse|chorus|bridge|intro|"
    r"outro|ballad|song|section|passage|piece|tune|melody|feel|mood|sound|vibe)"
)


@dataclass(frozen=True)
class Progression:
    """One bullet of a mood section: its numerals and the article's reason for them."""

    figures: tuple[str, ...]
    reason: str

    @property
    def mode(self) -> str | None:
        """The mode the numerals are written for: a major tonic (I) is a major key's, a minor
        tonic or the major chords on the lowered degrees (III, VI, VII) a minor key's.

        >>> Progression(("vi", "IV", "I", "V"), "").mode, Progression(("III", "VI"), "").mode
        ('major', 'minor')
        """
        bases = {re.sub(r"[^ivIV]", "", figure) for figure in self.figures}
        if "I" in bases:
            return "major"
        if bases & {"i", "III", "VI", "VII"}:
            return "minor"
        return None


@dataclass(frozen=True)
class MoodSection:
    """A knowledge-base section that gives progressions for a mood."""

    moods: tuple[str, ...]
    opening: str
    progressions: tuple[Progression, ...]
    citation: Citation


@lru_cache(maxsize=4)
def mood_sections(root: Path = ARTICLES_DIR) -> tuple[MoodSection, ...]:
    """Every section headed "Chords for a … mood", read straight from the articles (no
    similarity search: the heading names the moods it is for)."""
    from etude.theory.progressions import is_figure

    found = []
    for article in load_articles(root):
        for chunk in chunk_article(article):
            heading = _HEADING.match(chunk.section)
            if heading is None:
                continue
            moods = tuple(re.split(r",\s*|\s+or\s+|\s+and\s+", heading["moods"].lower()))
            lines = chunk.text.split("\n")[1:]
            opening = " ".join(line for line in lines if not line.startswith("- ")).strip()
            progressions = []
            for line in lines:
                bullet = _BULLET.match(line.strip())
                if bullet is None:
                    continue
                figures = tuple(re.split(r"[–-]", bullet["figures"]))
                if all(is_figure(figure) for figure in figures):
                    progressions.append(Progression(figures, bullet["reason"].strip()))
            citation = Citation(
                article=chunk.article,
                title=chunk.title,
                section=chunk.section,
                chunk_id=chunk.id,
                score=1.0,  # chosen by its heading, not by similarity
            )
            found.append(MoodSection(moods, opening, tuple(progressions), citation))
    return tuple(found)


def _names_mood(message: str, mood: str) -> bool:
    """Whether the message asks for chords *for* this mood: the mood word (or its comparative,
    "darker") describes the music asked for ("a sad verse", "chords that sound dark"), so
    "why do minor chords sound sad?" (a why-question) and "is a minor chord sad?" do not count.

    >>> _names_mood("chords for a darker bridge", "dark")
    True
    >>> _names_mood("is a minor chord sad?", "sad")
    False
    """
    word = rf"{mood}(?:d?er|d?est)?"
    return bool(
        re.search(rf"\b{word}\s+(?:[a-z'-]+\s+)?{_NOUNS}\b", message, re.I)
        or re.search(
            rf"\b(?:sounds?|sounding|feels?|feeling)\s+(?:more\s+|really\s+)?{word}\b",
            message,
            re.I,
        )
    )


def asked_mood(message: str) -> tuple[str, MoodSection] | None:
    """The mood a request for chords names and the section with progressions for it, or None
    when the message asks no advice on chords for a mood.

    >>> asked_mood("which chords should I use for a dark bridge in D minor?")[0]
    'dark'
    >>> asked_mood("what chords work for a hopeful chorus in D major?")[0]
    'hopeful'
    >>> asked_mood("why do minor chords sound sad?") is None
    True
    >>> asked_mood("write a sad melody in E minor") is None
    True
    """
    if not _CHORDAL.search(message) or asks_why(message):
        return None
    asks = asks_for_advice(message) or asks_how_to(message) or "?" in message
    if not asks and not re.search(r"\b(?:give|show|suggest|need|want)\b", message, re.I):
        return None
    for section in mood_sections():
        for mood in section.moods:
            if section.progressions and _names_mood(message, mood):
                return mood, section
    return None


def chords_for_a_mood(message: str) -> Evidence | None:
    """The progressions the knowledge base gives for the mood asked, each spelled by the theory
    engine in the learner's key (or, when none is named, in A minor or C major as an example,
    said so), with each one's reason and the section's, and the citation; None when the message
    asks no such thing.

    >>> advice = chords_for_a_mood("what chords work for a hopeful chorus in D major?")
    >>> print(advice.summary.splitlines()[0])
    For a hopeful chorus in D major, try one of these progressions:
    >>> advice.summary.splitlines()[1].split(". ")[0]
    '- I–IV–V–I: D (D F# A) – G (G B D) – A (A C# E) – D (D F# A)'
    >>> chords_for_a_mood("what's the relative minor of E major?") is None
    True
    """
    from etude.theory.keys import key_label
    from etude.theory.progressions import progression
    from etude.theory.questions import EXAMPLE_KEYS
    from etude.theory.spelling import keys_in, to_music21, with_article

    found = asked_mood(message)
    if found is None:
        return None
    mood, section = found
    named = keys_in(message)
    if named:
        tonic, mode = named[0].split(" ", 1)
        fitting = [p for p in section.progressions if p.mode == mode]
    else:
        mode = next((p.mode for p in section.progressions if p.mode), "minor")
        tonic = EXAMPLE_KEYS[mode].split()[0]
        fitting = [p for p in section.progressions if p.mode == mode]
    if not fitting:
        return None
    facts = [progression(list(p.figures), to_music21(tonic), mode) for p in fitting]  # type: ignore[arg-type]
    label = key_label(to_music21(tonic), mode)
    part = _PART.search(message)
    what = with_article(f"{mood} {part.group(1).lower() if part else 'mood'}")
    where = f" in {label}" if named else ""
    example = "" if named else f" (spelled in {label} as an example; they work in any key)"
    lines = [f"For {what}{where}, try one of these progressions{example}:"]
    for fact, chosen in zip(facts, fitting, strict=True):
        chords = " – ".join(f"{c['symbol']} ({' '.join(c['notes'])})" for c in fact.data["chords"])
        reason = chosen.reason[:1].upper() + chosen.reason[1:]
        lines.append(f"- {'–'.join(chosen.figures)}: {chords}. {reason}")
    lines.append(f"Why: {section.opening.split('. ')[0].rstrip('.')}.")
    lines.append(f"— from “{section.citation.label()}”")
    first = facts[0]
    return Evidence(
        tool="theory",
        kind="fact",
        summary="\n".join(lines),
        authoritative=True,
        notes=list(first.notes),
        citation=section.citation,
        data={
            **first.model_dump(mode="json"),
            "type": "mood_progressions",
            "mood": mood,
            "progressions": [fact.model_dump(mode="json") for fact in facts],
            "steps": _steps(first, to_music21(tonic), mode),
            "next_step": _next_step(facts, label, what),
        },
    )


def _steps(fact: TheoryFact, tonic: str, mode: str) -> list[str]:
    """How the first progression's chords are found in the key: number the scale, then stack
    thirds on each numeral's degree (a note the scale lacks is said to be altered).

    >>> from etude.theory.progressions import progression
    >>> for step in _steps(progression(["i", "VI"], "E", "minor"), "E", "minor"):
    ...     print(step)
    Number the scale of E minor (natural minor): 1 E, 2 F#, 3 G, 4 A, 5 B, 6 C, 7 D.
    i is built on degree 1, E: stack thirds, E – G – B.
    VI is built on degree 6, C: stack thirds, C – E – G.
    """
    from music21 import key, roman

    from etude.theory.keys import key_label
    from etude.theory.roman import music21_figure
    from etude.theory.spelling import human

    home = key.Key(tonic, mode)
    scale = [human(p.name) for p in home.getPitches()[:7]]
    natural = " (natural minor)" if mode == "minor" else ""
    numbered = ", ".join(f"{n} {name}" for n, name in enumerate(scale, start=1))
    steps = [f"Number the scale of {key_label(tonic, mode)}{natural}: {numbered}."]
    for figure in dict.fromkeys(fact.data.get("figures") or []):
        rn = roman.RomanNumeral(music21_figure(str(figure)), home)
        root = human(rn.root().name)
        tones = [human(p.name) for p in rn.pitches]
        altered = [tone for tone in tones if tone not in scale]
        where = f"degree {scale.index(root) + 1}, {root}" if root in scale else root
        step = f"{figure} is built on {where}: stack thirds, {' – '.join(tones)}."
        if altered:
            step += f" {', '.join(altered)} is not in the scale: an altered note."
        steps.append(step)
    return steps


def _next_step(facts: list[TheoryFact], label: str, what: str) -> str:
    """Play the progressions and keep the one whose colour fits.

    >>> from etude.theory.progressions import progression
    >>> print(_next_step([progression(["i", "iv"], "A", "minor")], "A minor", "a sad verse"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Next: play i–iv in A minor slowly, one chord to a bar, and hum a line over it; keep it if
    its colour fits a sad verse.
    """
    shown = ["–".join(fact.data["figures"]) for fact in facts]
    if len(shown) == 1:
        return (
            f"Next: play {shown[0]} in {label} slowly, one chord to a bar, and hum a line over "
            f"it; keep it if its colour fits {what}."
        )
    return (
        f"Next: play {shown[0]} in {label} slowly, one chord to a bar, then {shown[1]}, and hum "
        f"a line over each; keep the one whose colour fits {what}."
    )


def with_chords_for_a_mood(question: str, facts: list[Evidence]) -> list[Evidence]:
    """The theory tool's computed facts, led by the chords for the mood asked when the message
    asks for them. The key's diatonic triads (computed for "chords … in E minor") and a plain
    progression are then dropped: the advice chose from those chords, and a list of all seven
    answers "which chords are in E minor?", not "which should I pick for a sad verse?"."""
    advice = chords_for_a_mood(question)
    if advice is None:
        return facts
    kept = [f for f in facts if f.data.get("kind") not in ("diatonic_chords", "progression")]
    return [advice, *kept]
