"""Why each critic rule matters, from the knowledge base: the passage a finding cites.

A finding says what is wrong and where ("parallel octaves, bar 2"); a learner also needs to
know why it matters, or the fix is a rule obeyed without understanding. Every critic rule has
a section in our articles that answers *why* (written for that purpose, see issue #20); this
module names that section per rule and reads it straight from the article, so a critique
quotes it with its citation without a similarity search.

>>> text, citation = why_passage("parallel_fifths")
>>> citation.label()
'Parallel fifths and octaves § Why composers avoid parallel fifths and octaves'
>>> why_passage("no_such_rule") is None
True
"""

from __future__ import annotations

from functools import lru_cache

from etude.evidence import Citation
from etude.knowledge.articles import ARTICLES_DIR, chunk_article, parse_article

RULE_SECTIONS: dict[str, tuple[str, str]] = {
    "parallel_fifths": ("voice-leading/parallel-fifths-and-octaves", "Why composers avoid"),
    "parallel_octaves": ("voice-leading/parallel-fifths-and-octaves", "Why composers avoid"),
    "hidden_fifths": ("voice-leading/hidden-fifths-and-octaves", "Why"),
    "hidden_octaves": ("voice-leading/hidden-fifths-and-octaves", "Why"),
    "voice_crossing": ("voice-leading/voice-crossing-and-overlap", "Why"),
    "voice_overlap": ("voice-leading/voice-crossing-and-overlap", "Why"),
    "spacing": ("voice-leading/spacing-between-voices", "Why"),
    "range": ("voice-leading/satb-voice-ranges", "Why a note out of range"),
    "large_leap": ("melody/leaps-and-leap-recovery", "Why"),
    "unresolved_leading_tone": (
        "voice-leading/resolving-the-leading-tone-and-chordal-seventh",
        "Why the leading tone",
    ),
    "out_of_key": ("melody/notes-outside-the-key", "Why"),
    "weak_cadence": ("cadences/perfect-and-imperfect-authentic-cadences", "Why G7 to C"),
    "rhythmic_monotony": ("melody/rhythm-in-melody", "Why a melody in one note value"),
    "melodic_monotony": ("melody/repetition-and-variety-in-melody", "Why a melody stuck"),
}
"""Each critic rule id → the article and the start of the heading of its *why* section."""


@lru_cache(maxsize=32)
def why_passage(rule: str) -> tuple[str, Citation] | None:
    """The text of the section that says why ``rule`` matters, with its citation, or None."""
    if rule not in RULE_SECTIONS:
        return None
    article_id, heading = RULE_SECTIONS[rule]
    path = ARTICLES_DIR / f"{article_id}.md"
    if not path.exists():
        return None
    for chunk in chunk_article(parse_article(path)):
        if chunk.section.startswith(heading):
            citation = Citation(
                article=chunk.article,
                title=chunk.title,
                section=chunk.section,
                chunk_id=chunk.id,
                score=1.0,  # chosen by rule, not by similarity: the section answers it
            )
            return chunk.text.split("\n", 1)[-1].strip(), citation
    return None
