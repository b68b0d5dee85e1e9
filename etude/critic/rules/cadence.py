"""The final cadence: does the piece end with a convincing close in its key?

A piece that stops on a dominant, or reaches the tonic chord without a dominant before it,
sounds unfinished; a plagal or imperfect authentic ending is valid but weaker, so it is
mentioned as information. A chorale that ends on V with both outer voices on its root is how a
modal tune closes (Bach's Phrygian chorales end so): the warning says that reading too.
"""

from __future__ import annotations

from music21 import pitch

from etude.critic.report import Cadence, Finding, HarmonySlice
from etude.critic.rules.common import RuleContext
from etude.theory.spelling import with_article


def check_final_cadence(
    context: RuleContext, harmony: list[HarmonySlice], cadences: list[Cadence]
) -> list[Finding]:
    """A weak or missing cadence at the end of the piece."""
    if len(harmony) < 2 or not cadences:
        return []
    final = cadences[-1]
    arrival = next(h for h in harmony if h.offset_ql >= final.offset_ql - 1e-9)
    if any(
        (h.root, h.quality) != (arrival.root, arrival.quality)
        for h in harmony
        if h.offset_ql > final.offset_ql
    ):
        return []  # the last phrase end is not the end of the music
    last = arrival
    tonality = context.tonality
    key_name = f"{tonality.key.tonic.name.replace('-', 'b')} {tonality.mode}"
    dominant = tonality.spelling[(tonality.tonic + 7) % 12].replace("-", "b")
    tonic = tonality.key.tonic.name.replace("-", "b")
    root = pitch.Pitch(last.root.replace("b", "-") if len(last.root) > 1 else last.root)
    on_dominant = ", the dominant" if (root.pitchClass - tonality.tonic) % 12 == 7 else ""
    parts = [line.part for line in context.piece.lines]
    where = context.where(final.offset_ql)
    progression = " – ".join(final.figures)
    if final.kind in ("half", "deceptive") or not _is_tonic(last, tonality.tonic):
        return [
            context.finding(
                "weak_cadence",
                final.offset_ql,
                parts,
                "warning",
                f"The piece ends at {where} on {last.figure}{on_dominant} ({progression}), not "
                f"on the tonic chord of {key_name}, so it sounds unfinished, like a question "
                f"left open. End with {with_article(dominant)} chord (V) moving to the {tonic} "
                "chord (I)."
                + (_MODAL.format(root=last.root) if _modal_final(context, last, root) else ""),
            )
        ]
    if final.kind == "other":
        return [
            context.finding(
                "weak_cadence",
                final.offset_ql,
                parts,
                "warning",
                f"The final tonic at {where} is approached from {final.figures[0]}, which does "
                f"not prepare it. Put a dominant ({dominant}, V or V7) just before the last chord.",
            )
        ]
    if final.kind == "plagal":
        return [
            context.finding(
                "weak_cadence",
                final.offset_ql,
                parts,
                "info",
                f"The piece closes with a plagal cadence ({progression}) at {where}. That is a "
                "valid 'Amen' ending; a V–I cadence would sound more final.",
            )
        ]
    top = context.piece.top.notes[-1]
    if last.figure not in ("I", "i") or top.midi % 12 != tonality.tonic:
        return [
            context.finding(
                "weak_cadence",
                final.offset_ql,
                parts,
                "info",
                f"The authentic cadence at {where} is imperfect (last chord {last.figure}, "
                f"melody ends on {top.name}). For the strongest close put the last chord in root "
                "position with the tonic in the melody.",
            )
        ]
    return []


_MODAL = (
    " (With the soprano and the bass both on {root}, this is also how a chorale on a tune in a "
    "church mode, Phrygian or Mixolydian, closes, as several of Bach's do; in a tonal piece it "
    "stays an open ending.)"
)


def _modal_final(context: RuleContext, last: HarmonySlice, root: pitch.Pitch) -> bool:
    """Whether a chorale's last chord is a major triad with the soprano and the bass both
    ending on its root: the close of a modal tune (a Phrygian chorale ends on the major chord
    of E in A minor, a Mixolydian one on G in C major). The finding stays a warning: a
    learner's piece ending so is left open all the same, and nothing in the notes tells the
    two apart; the sentence names the reading."""
    if last.quality != "major" or context.piece.texture != "chorale":
        return False
    top, bass = context.piece.top.notes, context.piece.bottom.notes
    if not top or not bass:
        return False
    return top[-1].midi % 12 == root.pitchClass == bass[-1].midi % 12


def _is_tonic(item: HarmonySlice, tonic: int) -> bool:
    name = item.root[0] + item.root[1:].replace("b", "-")
    return pitch.Pitch(name).pitchClass == tonic
