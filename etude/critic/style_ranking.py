"""The encoder's sense of the style, as the critic's tie-breaker between verified fixes.

For a fault the critic often verifies several edits that are equally good by its own measure
(same new remarks, same number of notes changed, equally smooth line): an alto that can step
up or down, a tenor that can take either free chord tone. Its own order then picks one
arbitrarily. MusicBERT, pre-trained to fill in masked pitches, knows which of them a composer
of the style would write: the edit whose new pitches are likeliest where they stand
(``log p(pitch | everything else)``, summed over the notes it changes, from the one masked
pass the analysis already makes for its ``encoder`` section) goes first.

Measured on faults planted in held-out Bach chorales (``bench/fix_suggestions.py --encoder``,
bench/RESULTS.md, issue #22): the suggestion restores Bach's own note more often with this
tie-breaker than in the critic's order. It only orders edits the rules have verified, so it
can never make a fix wrong; without a checkpoint the critic's order stands.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from music21 import stream

from etude.critic.fixes import Edit, Ranker
from etude.critic.texture import Piece

log = logging.getLogger(__name__)

UNPLACED = -30.0
"""The log-likelihood given to a note the encoding did not keep (none in a readable score):
low enough that an edit the model can judge goes first."""


def style_ranker(score: stream.Score, piece: Piece) -> Ranker | None:
    """Ranks edits of ``piece`` (the critic's reading of ``score``) by the encoder; None
    without a checkpoint or when the encoder cannot read the piece."""
    from etude.encoders.embedding import inference_model
    from etude.encoders.surprise import score_distributions

    try:
        found = score_distributions(score, inference_model())
    except (OSError, ValueError, IndexError, KeyError) as error:
        log.warning("fixes in the critic's order, not the encoder's: %s", error)
        return None
    row_of = {
        (n.part, round(n.note.start, 4), n.note.pitch): int(row)
        for n, row in zip(found.notes, found.rows, strict=True)
        if row >= 0
    }

    def rank(edits: Sequence[Edit]) -> float:
        total = 0.0
        for edit in edits:
            line = piece.lines[edit.line]
            old = line.notes[edit.index]
            row = row_of.get((line.part, round(old.start, 4), old.midi))
            total += UNPLACED if row is None else math.log(found.p[row, edit.midi] + 1e-12)
        return total

    return rank
