"""The learner-memory tool: what the learner has told Etude about themselves."""

from etude.tools.base import ToolSpec
from etude.tools.memory.tool import recall

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
