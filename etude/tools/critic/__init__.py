"""The composition critic: music21 analysis of the learner's score with located findings."""

from etude.tools.base import ToolSpec
from etude.tools.critic.tool import critic

TOOL = ToolSpec(
    name="critic",
    description=(
        "Analyses the learner's attached score: key, meter, harmony, voice leading, melody, "
        "rhythm and form, with findings located by bar and beat."
    ),
    examples=(
        "What key is my piece in?",
        "Which key did I write this in?",
        "Can you check my voice leading?",
        "Are there any parallel fifths in my chorale?",
        "What do you think of my composition?",
        "Please give me feedback on this piece",
        "Is my harmony correct?",
        "What time signature is this in?",
        "How many bars long is my melody?",
        "Does my piece end with a proper cadence?",
        "Are any notes out of range for the singers?",
        "Check my four-part harmony exercise",
        "What mistakes did I make in this score?",
        "Is the melody I wrote any good?",
        "Can you analyse the chords in my song?",
        "How can I improve this piece?",
    ),
    run=critic,
    needs_attachment=True,
)
