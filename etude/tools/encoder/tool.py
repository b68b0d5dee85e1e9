"""The encoder tool's function: the learner's score as OctupleMIDI, summarised for the tutor."""

from __future__ import annotations

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest


def encode(request: ToolRequest, settings: Settings) -> list[Evidence]:
    if request.attachment is None:
        return []
    from etude.attachments import load_attachment
    from etude.encoders.octuple import OctupleEncoder
    from etude.scores.midi_bytes import score_midi_bytes

    encoding = OctupleEncoder().encode(score_midi_bytes(load_attachment(request.attachment)))
    return [
        Evidence(
            tool="encoder", kind="encoding", summary=encoding.describe(), data=encoding.stats()
        )
    ]
