"""The encoder tool's function: the learner's score as OctupleMIDI, plus what a teacher notices
about its material: where the melody repeats itself."""

from __future__ import annotations

import logging

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest

log = logging.getLogger(__name__)


def encode(request: ToolRequest, settings: Settings) -> list[Evidence]:
    if request.attachment is None:
        return []
    from etude.attachments import load_attachment
    from etude.encoders.octuple import OctupleEncoder
    from etude.scores.midi_bytes import score_midi_bytes
    from etude.tools.encoder.motifs import find_repetitions

    loaded = load_attachment(request.attachment)
    encoding = OctupleEncoder().encode(score_midi_bytes(loaded))
    evidence = [
        Evidence(
            tool="encoder", kind="encoding", summary=encoding.describe(), data=encoding.stats()
        )
    ]
    from etude.encoders.embedding import NoReferenceSet, embed_tokens, estimate_style

    try:
        # the octuples above, not a second rendering: MusicXML and ABC render in a worker
        style = estimate_style(embed_tokens(encoding.tokens).piece)
    except NoReferenceSet as missing:
        # another checkpoint without its own reference set: the rest of the evidence stands
        log.warning("no style estimate: %s", missing)
    else:
        nearest = ", ".join(f"{n['piece']} ({n['collection']})" for n in style.nearest)
        share = style.collection_scores[style.closest_collection]
        evidence.append(
            Evidence(
                tool="encoder",
                kind="analysis",
                summary=(
                    f"MusicBERT places the piece closest to the {style.closest_collection} "
                    f"pieces of the music21 corpus ({share:.0%} of the 10 nearest by "
                    f"similarity); nearest: {nearest}."
                ),
                data=style.model_dump(mode="json"),
            )
        )
    repetitions = find_repetitions(loaded.score.parts[0])
    if repetitions:
        evidence.append(
            Evidence(
                tool="encoder",
                kind="analysis",
                authoritative=True,
                summary="In the top part, " + "; ".join(r.describe() for r in repetitions) + ".",
                data={
                    "repetitions": [
                        {"source": list(r.source), "copy": list(r.copy), "shift": r.shift}
                        for r in repetitions
                    ]
                },
            )
        )
    return evidence
