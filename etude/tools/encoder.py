"""The encoder tool: the learner's score as OctupleMIDI for MusicBERT (``etude.encoders``), with
the style estimate and the melody's repetitions (``etude.critic.motifs``) as evidence.

Only the adapter lives here: the schema the router reads and the calls into the domain.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest, ToolSpec

__all__ = ["TOOL", "encode"]

log = logging.getLogger(__name__)


def encode(request: ToolRequest, settings: Settings) -> list[Evidence]:
    if request.attachment is None:
        return []
    from etude.attachments import load_attachment
    from etude.critic.motifs import find_repetitions
    from etude.encoders.embedding import NoReferenceSet, embed_tokens, estimate_style
    from etude.encoders.octuple import OctupleEncoder
    from etude.encoders.similar import similar_evidence
    from etude.scores.midi_bytes import score_midi_bytes

    loaded = load_attachment(request.attachment)
    encoding = OctupleEncoder().encode(score_midi_bytes(loaded))
    evidence = [
        Evidence(
            tool="encoder", kind="encoding", summary=encoding.describe(), data=encoding.stats()
        )
    ]
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
    evidence.extend(_surprise(loaded, request.question))
    asks = bool(_ASKS_SIMILAR.search(request.question))
    evidence.extend(
        similar_evidence(encoding.tokens, settings.data_dir, tool="encoder", authoritative=asks)
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


_ASKS_SIMILAR = re.compile(r"\b(?:similar|like (?:mine|it|this)|resembl\w*|remind\w*)\b", re.I)


def _surprise(loaded: Any, question: str) -> list[Evidence]:
    """The note most worth a second listen: the likeliest slip when the wrong-note ranker is
    sure enough, or when the learner asks which note is wrong (their belief that one is, is
    what the ranker's "no wrong note" option cannot know; the sentence says how sure it is),
    sought where they point ("the tenor", "bar 5"), else the note MusicBERT expected least.
    The tutor's answer (computed, like the repetitions) when the learner asks about
    unexpected or wrong-sounding notes, else context it may use."""
    from etude.critic.analysis import analyze_score
    from etude.critic.least_expected import least_expected, likely_slip
    from etude.knowledge.asking import (
        asks_about_surprise,
        believes_a_note_wrong,
        where_the_learner_points,
    )

    found = least_expected(loaded.score)
    if found is None:
        return []
    report = analyze_score(loaded, level="advanced", suggest=False)
    asked = believes_a_note_wrong(question)
    place = where_the_learner_points(question) if asked else None
    slip = likely_slip(loaded.score, report.every_finding, place)
    chosen = slip if slip is not None and (slip.mentioned or asked) else found
    said = {} if chosen is not slip or slip is None else {"sure": slip.mentioned}
    return [
        Evidence(
            tool="encoder",
            kind="analysis",
            authoritative=asked or asks_about_surprise(question),
            summary=chosen.sentence,
            notes=[chosen.note.pitch, *chosen.note.expected],
            data={
                "surprise": found.section.model_dump(mode="json")["surprise"],
                "model": found.section.model,
                **({"slip": {**chosen.note.model_dump(mode="json"), **said}} if said else {}),
            },
        )
    ]


TOOL = ToolSpec(
    name="encoder",
    description=(
        "Encodes the learner's attached score as OctupleMIDI for the MusicBERT model: "
        "size, bars, instruments, style and similar passages, repeated motifs, and the notes "
        "the model expected least."
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
        "Which note in my piece is the most unexpected?",
        "Which note of this piece would the style least expect?",
    ),
    run=encode,
    needs_attachment=True,
)
