"""The symbolic encoder: OctupleMIDI tokens of the learner's score (MusicBERT's input)."""

from etude.tools.base import ToolSpec
from etude.tools.encoder.tool import encode

TOOL = ToolSpec(
    name="encoder",
    description=(
        "Encodes the learner's attached score as OctupleMIDI for the MusicBERT model: "
        "size, bars, instruments, style and similar passages, repeated motifs."
    ),
    examples=(
        "What style is my piece closest to?",
        "Which composer does my piece sound like?",
        "Does my melody repeat its opening motif?",
        "Find passages similar to my piece",
        "How long is my piece and which instruments does it use?",
        "Encode this MIDI file",
        "Is my piece more like Bach or like folk music?",
        "How many notes are in this MIDI file?",
        "Tell me about the structure of this file",
    ),
    run=encode,
    needs_attachment=True,
)
