"""The learner profile and how it grows from what the learner says.

Extraction is deliberately rule-based: it must never invent a fact about a person, it runs in
microseconds on every turn, and its behaviour is testable. It recognises first-person statements
("I play the cello", "my name is Ana", "I'm a beginner", "I want to write a string quartet").
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from etude.config import Level

INSTRUMENTS: tuple[str, ...] = (
    "piano",
    "keyboard",
    "organ",
    "harpsichord",
    "synthesizer",
    "guitar",
    "electric guitar",
    "acoustic guitar",
    "bass guitar",
    "bass",
    "ukulele",
    "banjo",
    "mandolin",
    "harp",
    "violin",
    "viola",
    "cello",
    "violoncello",
    "double bass",
    "contrabass",
    "flute",
    "piccolo",
    "oboe",
    "cor anglais",
    "english horn",
    "clarinet",
    "bass clarinet",
    "bassoon",
    "saxophone",
    "alto saxophone",
    "tenor saxophone",
    "soprano saxophone",
    "baritone saxophone",
    "recorder",
    "trumpet",
    "cornet",
    "trombone",
    "french horn",
    "horn",
    "tuba",
    "euphonium",
    "drums",
    "percussion",
    "marimba",
    "vibraphone",
    "xylophone",
    "timpani",
    "accordion",
    "voice",
)
_INSTRUMENT_ALTERNATION = "|".join(
    re.escape(name) for name in sorted(INSTRUMENTS, key=len, reverse=True)
)
_PLAYS = re.compile(
    rf"\bI\s+(?:play|am\s+playing|'m\s+playing|study|practi[cs]e|learn|am\s+learning|'m\s+learning)"
    rf"\s+(?:the\s+|a\s+|an\s+)?(?P<instr>{_INSTRUMENT_ALTERNATION})\b",
    re.IGNORECASE,
)
_MORE_INSTRUMENTS = re.compile(
    rf"\s*(?:,|and|,\s*and)\s+(?:the\s+|a\s+)?(?P<instr>{_INSTRUMENT_ALTERNATION})\b", re.IGNORECASE
)
_PLAYER = re.compile(
    rf"\bI(?:\s+am|'m)\s+an?\s+(?:\w+\s+)?(?P<instr>{_INSTRUMENT_ALTERNATION})"
    r"(?:ist|er|player)\b",
    re.IGNORECASE,
)
_SINGER = re.compile(r"\bI(?:\s+am|'m)\s+a\s+(?:\w+\s+)?singer\b|\bI\s+sing\b", re.IGNORECASE)
_NAME = re.compile(
    r"\b(?:my\s+name\s+is|call\s+me|I\s+am\s+called)\s+(?P<name>[A-Z][\w'-]+)", re.IGNORECASE
)
_LEVEL = re.compile(
    r"\bI(?:\s+am|'m)\s+(?:a\s+|an\s+|at\s+an?\s+|quite\s+|fairly\s+|pretty\s+|complete\s+|total\s+)?"
    r"(?P<level>beginner|novice|intermediate|advanced|professional|expert)\b",
    re.IGNORECASE,
)
_GOAL = re.compile(
    r"\bI(?:\s+want|\s+would\s+like|'d\s+like|\s+am\s+trying|'m\s+trying|\s+hope|\s+plan)\s+to\s+"
    r"(?P<goal>[^.!?\n]{3,120})"
    r"|\bI(?:\s+am|'m)\s+(?P<doing>(?:writing|composing|arranging|working\s+on)\s+[^.!?\n]{3,120})",
    re.IGNORECASE,
)
_LEVEL_WORDS: dict[str, Level] = {
    "beginner": "beginner",
    "novice": "beginner",
    "intermediate": "intermediate",
    "advanced": "advanced",
    "professional": "advanced",
    "expert": "advanced",
}
_PLAYER_STEMS = {
    "pian": "piano",
    "violin": "violin",
    "cell": "cello",
    "guitar": "guitar",
    "flaut": "flute",
    "flut": "flute",
    "organ": "organ",
    "harp": "harp",
}


class LearnerProfile(BaseModel):
    """What Etude remembers about a learner across sessions."""

    name: str | None = None
    instruments: list[str] = Field(default_factory=list)
    level: Level | None = None
    goals: list[str] = Field(default_factory=list)

    def describe(self) -> str:
        """One line for the tutor's prompt; empty when nothing is known yet.

        >>> LearnerProfile(instruments=["cello"], level="beginner").describe()
        'plays the cello; level: beginner'
        """
        parts: list[str] = []
        if self.name:
            parts.append(f"name: {self.name}")
        played = [name for name in self.instruments if name != "voice"]
        if played:
            parts.append("plays the " + " and the ".join(played))
        if "voice" in self.instruments:
            parts.append("sings")
        if self.level:
            parts.append(f"level: {self.level}")
        if self.goals:
            parts.append("goals: " + "; ".join(self.goals))
        return "; ".join(parts)

    def recap(self) -> str:
        """The profile told back to the learner, in the second person.

        >>> LearnerProfile(instruments=["cello"], goals=["writing my first quartet"]).recap()
        'You told me that you play the cello, and that you are writing your first quartet.'
        """
        parts: list[str] = []
        if self.name:
            parts.append(f"your name is {self.name}")
        played = [name for name in self.instruments if name != "voice"]
        if played:
            parts.append("you play the " + " and the ".join(played))
        if "voice" in self.instruments:
            parts.append("you sing")
        if self.level:
            parts.append(
                f"you are at {'an' if self.level != 'beginner' else 'a'} {self.level} level"
            )
        for goal in self.goals:
            parts.append(
                "you "
                + ("are " if goal.split()[0].endswith("ing") else "want to ")
                + _second_person(goal)
            )
        if not parts:
            return "You haven't told me about yourself yet."
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and that " + parts[-1]
        return f"You told me that {listed}."


def _second_person(text: str) -> str:
    """Turn the learner's own words back to them.

    >>> _second_person("finish my quartet before I move")
    'finish your quartet before you move'
    """
    swaps = {
        "my": "your",
        "i": "you",
        "me": "you",
        "mine": "yours",
        "myself": "yourself",
        "i'm": "you're",
        "am": "are",
    }
    return " ".join(swaps.get(word.lower(), word) for word in text.split())


def _add_unique(items: list[str], item: str, limit: int) -> list[str]:
    kept = [existing for existing in items if existing.lower() != item.lower()]
    return [*kept, item][-limit:]


def update_profile(profile: LearnerProfile, message: str) -> LearnerProfile:
    """Return the profile updated with what ``message`` says about the learner.

    >>> said = "I play the cello and I'm writing my first string quartet."
    >>> p = update_profile(LearnerProfile(), said)
    >>> p.instruments, p.goals
    (['cello'], ['writing my first string quartet'])
    >>> update_profile(p, "My name is Ana and I'm a beginner.").describe()
    'name: Ana; plays the cello; level: beginner; goals: writing my first string quartet'
    """
    updated = profile.model_copy(deep=True)
    for match in _PLAYS.finditer(message):
        updated.instruments = _add_unique(updated.instruments, match["instr"].lower(), 4)
        for more in _MORE_INSTRUMENTS.finditer(message, match.end()):
            if more.start() != match.end():
                break
            updated.instruments = _add_unique(updated.instruments, more["instr"].lower(), 4)
            match = more
    for match in _PLAYER.finditer(message):
        updated.instruments = _add_unique(updated.instruments, match["instr"].lower(), 4)
    for stem_match in re.finditer(
        r"\bI(?:\s+am|'m)\s+an?\s+(?:\w+\s+)?(\w+?)(?:ist)\b", message, re.IGNORECASE
    ):
        stem = stem_match.group(1).lower()
        if stem in _PLAYER_STEMS:
            updated.instruments = _add_unique(updated.instruments, _PLAYER_STEMS[stem], 4)
    if _SINGER.search(message):
        updated.instruments = _add_unique(updated.instruments, "voice", 4)
    if name := _NAME.search(message):
        updated.name = name["name"].capitalize()
    if level := _LEVEL.search(message):
        updated.level = _LEVEL_WORDS[level["level"].lower()]
    for goal in _GOAL.finditer(message):
        text = (goal["goal"] or goal["doing"]).strip().rstrip(",;")
        text = re.split(r"\s+(?:and|but)\s+(?=I\b)", text)[0]
        updated.goals = _add_unique(updated.goals, text, 5)
    return updated
