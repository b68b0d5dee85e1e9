"""The learner-memory tool: what the learner has told Etude about themselves, recalled as a
recorded fact (the profile itself lives in ``etude.learner``)."""

from __future__ import annotations

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest, ToolSpec

__all__ = ["TOOL", "recall"]


def recall(request: ToolRequest, settings: Settings) -> list[Evidence]:
    profile = request.profile
    return [
        Evidence(
            tool="memory",
            kind="profile",
            summary=profile.recap(),
            authoritative=True,
            data=profile.model_dump(mode="json"),
        )
    ]


TOOL = ToolSpec(
    name="memory",
    description=(
        "Recalls what the learner has said about themselves: their name, the instruments they "
        "play, their level and their goals."
    ),
    examples=(
        "Which instrument did I say I play?",
        "What instrument do I play?",
        "Do you remember my name?",
        "What did I tell you about my goals?",
        "What am I working on?",
        "What level did I say I was?",
        "What do you know about me?",
        "Remind me what I told you last time",
    ),
    run=recall,
)
