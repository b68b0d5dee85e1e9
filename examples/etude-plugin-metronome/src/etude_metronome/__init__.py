"""Tempo facts for practising: beat lengths, tempo markings and practice-tempo plans.

Everything here is arithmetic, so the tool returns authoritative facts the tutor states as
given, exactly like Etude's built-in theory tool.
"""

from __future__ import annotations

import re

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest, ToolSpec

MARKINGS: dict[str, tuple[int, int]] = {
    "grave": (25, 45),
    "largo": (40, 60),
    "lento": (45, 60),
    "adagio": (55, 75),
    "andante": (73, 108),
    "moderato": (108, 120),
    "allegretto": (112, 120),
    "allegro": (120, 156),
    "vivace": (156, 176),
    "presto": (168, 200),
}
"""Typical metronome ranges (quarter-note beats per minute); sources differ by a few bpm."""

_BPM = re.compile(r"(\d{2,3})\s*(?:bpm|beats per minute)?", re.IGNORECASE)


def beat_length(bpm: int) -> str:
    """How long one beat lasts.

    >>> beat_length(120)
    'At 120 bpm one beat lasts 500 ms; an eighth note lasts 250 ms.'
    """
    beat_ms = 60_000 / bpm
    return (
        f"At {bpm} bpm one beat lasts {beat_ms:.0f} ms; an eighth note lasts {beat_ms / 2:.0f} ms."
    )


def practice_plan(start: int, goal: int, steps: int = 5) -> list[int]:
    """Evenly spaced tempos from ``start`` to ``goal``, for slow-to-fast practice.

    >>> practice_plan(60, 100)
    [60, 70, 80, 90, 100]
    """
    if steps < 2 or start == goal:
        return [goal]
    return [round(start + (goal - start) * i / (steps - 1)) for i in range(steps)]


def metronome(request: ToolRequest, settings: Settings) -> list[Evidence]:
    text = request.question.lower()
    tempos = [int(m) for m in _BPM.findall(text) if 20 <= int(m) <= 300]
    facts: list[str] = []
    for name, (low, high) in MARKINGS.items():
        if re.search(rf"\b{name}\b", text):
            facts.append(f"{name.capitalize()} is usually played at about {low}-{high} bpm.")
    if len(tempos) >= 2 and ("plan" in text or "from" in text or "practi" in text):
        plan = practice_plan(tempos[0], tempos[1])
        facts.append(
            "Practice plan: "
            + " → ".join(f"{t} bpm" for t in plan)
            + " (move on when a tempo is clean three times in a row)."
        )
    facts.extend(beat_length(t) for t in tempos[:2])
    return [
        Evidence(tool="metronome", kind="fact", summary=fact, authoritative=True) for fact in facts
    ]


TOOL = ToolSpec(
    name="metronome",
    description="Tempo and metronome help: beat lengths in milliseconds, what tempo markings "
    "such as Andante or Allegro mean in bpm, and slow-to-fast practice-tempo plans.",
    examples=(
        "Set my metronome to 90 bpm",
        "How fast is Allegro in bpm?",
        "Give me a practice tempo plan from 60 to 120 bpm",
        "How long is one beat at 72 beats per minute?",
        "What metronome marking should I use for Adagio?",
        "I want to speed up from 80 to 100 bpm, what steps should I practise at?",
    ),
    run=metronome,
)
