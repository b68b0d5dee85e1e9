"""The encoder tool's function: the learner's score as OctupleMIDI, summarised for the tutor."""

from __future__ import annotations

import io

from etude.attachments import load_attachment
from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest


def midi_bytes(request: ToolRequest) -> bytes:
    """The attachment as MIDI bytes: MIDI as sent, MusicXML and ABC rendered by music21."""
    assert request.attachment is not None
    if request.attachment_format == "midi":
        return request.attachment.read_bytes()
    from music21.midi import translate

    loaded = load_attachment(request.attachment)
    midi_file = translate.streamToMidiFile(loaded.score)
    buffer = io.BytesIO(midi_file.writestr())
    return buffer.getvalue()


def encode(request: ToolRequest, settings: Settings) -> list[Evidence]:
    if request.attachment is None:
        return []
    from etude.encoders.octuple import OctupleEncoder

    encoding = OctupleEncoder().encode(midi_bytes(request))
    summary = encoding.describe()
    return [
        Evidence(
            tool="encoder",
            kind="encoding",
            summary=summary,
            data=encoding.stats(),
        )
    ]
