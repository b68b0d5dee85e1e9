"""Feedback on real scores: the critic's findings on music21 corpus pieces, taught as lessons.

The evidence is produced by the live critic tool on the corpus file, so the prompt is exactly
what the tutor sees when a learner attaches that score. The reply encourages first (a strength
the critic found), then teaches the most important finding with its location and fix, and ends
with a revision exercise. The critic is being written alongside this module: when it cannot be
imported the source is skipped with a logged note rather than failing the whole build.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from pathlib import Path

from etude.config import LEVELS, Settings
from etude.evidence import Evidence
from etude.finetune.examples import Example, build_example, sentences_of

log = logging.getLogger(__name__)

CORPUS_COMPOSERS = ("bach", "palestrina", "monteverdi", "schumann", "mozart", "haydn")
"""Corpus folders to draw pieces from, chorales first: the critic's rules are about voices."""

QUESTIONS = (
    "Can you check my piece?",
    "What should I fix first in this score?",
    "Here is my chorale. Any feedback?",
    "I wrote this. Is the voice leading OK?",
    "Please review my score and tell me what to improve.",
    "How can I make this better?",
)

RULE_REASONS: dict[str, str] = {
    "parallel_fifths": "Parallel fifths make two voices blend into one, so the texture loses "
    "a part.",
    "parallel_octaves": "Parallel octaves double one line, so the texture loses an independent "
    "voice.",
    "hidden_fifths": "A fifth reached in similar motion with a leap in the upper voice sounds "
    "almost like parallel fifths.",
    "hidden_octaves": "An octave reached in similar motion with a leap in the upper voice "
    "sounds almost like parallel octaves.",
    "voice_crossing": "When voices cross, the ear loses track of which line is which.",
    "voice_overlap": "An overlap blurs two lines, because one voice moves past where its "
    "neighbour just was.",
    "spacing": "Wide gaps between the upper voices make the chord sound hollow.",
    "range": "A note outside a voice's comfortable range is hard to sing or play well.",
    "large_leap": "A large leap is hard to sing and breaks the line unless it is recovered.",
    "unresolved_leading_tone": "The leading tone pulls strongly to the tonic, and leaving it "
    "unresolved sounds unfinished.",
    "out_of_key": "A note outside the key stands out, so it needs a reason such as a chromatic "
    "line or a modulation.",
    "weak_cadence": "A phrase that does not end with a clear cadence leaves the form unclear.",
    "rhythmic_monotony": "The same rhythm over and over makes the music lose momentum.",
    "melodic_monotony": "A melody that keeps circling the same notes loses the listener's "
    "interest.",
}


def corpus_pieces(limit: int, rng: random.Random) -> list[Path]:
    """Up to ``limit`` corpus files, mostly chorales, in a seed-determined order."""
    from music21 import corpus

    pieces: list[Path] = []
    for composer in CORPUS_COMPOSERS:
        found = [Path(p) for p in corpus.getComposer(composer)]
        found = [p for p in found if p.suffix in (".mxl", ".xml", ".musicxml", ".krn", ".mid")]
        pieces.extend(sorted(found))
    chorales = [p for p in pieces if "bach" in p.parts]
    others = [p for p in pieces if "bach" not in p.parts]
    rng.shuffle(chorales)
    rng.shuffle(others)
    share = max(1, limit // 4) if others else 0
    chosen = [*chorales[: limit - min(share, len(others))], *others[:share]]
    return chosen[:limit]


def fit(parts: list[tuple[int, str]], limit: int) -> str:
    """Parts in reading order, dropping the least important (highest rank) until ``limit`` fit.

    >>> fit([(2, "Nice."), (0, "Fix bar 2."), (1, "Why."), (0, "Try again.")], 3)
    'Fix bar 2. Why. Try again.'
    """
    kept = list(parts)
    while len(kept) > limit:
        worst = max(range(len(kept)), key=lambda i: (kept[i][0], i))
        kept.pop(worst)
    return " ".join(text for _, text in kept)


def lesson_reply(evidence: list[Evidence], limit: int) -> str:
    """Encourage, teach the first finding, explain why, give its fix, then set a revision."""
    strengths = [
        e.summary.removeprefix("Strength: ") for e in evidence if e.summary.startswith("Strength: ")
    ]
    findings = [(i, e) for i, e in enumerate(evidence, start=1) if "rule" in e.data]
    parts: list[tuple[int, str]] = []
    if strengths:
        first = strengths[0]
        parts.append((2, f"Good work: {first[0].lower()}{first[1:]}"))
    if not findings:
        parts.append((0, "I found nothing to correct at this level, which is a strong result."))
        parts.append(
            (
                0,
                "As a next step, write a four-bar continuation in the same style and send it "
                "to me.",
            )
        )
        return fit(parts, limit)
    index, item = findings[0]
    data = item.data
    rule = str(data["rule"])
    where = f"bar {data['bar']}, beat {float(data['beat']):g}"
    parts.append(
        (0, f"The main thing to fix is the {rule.replace('_', ' ')} at {where} [{index}].")
    )
    if rule in RULE_REASONS:
        parts.append((3, RULE_REASONS[rule]))
    fix = sentences_of(str(data["message"]))[1:]
    if fix and limit > 3:
        parts.append((1, fix[0]))
        parts.append(
            (
                0,
                f"Rewrite bar {data['bar']} with that change, then check the next bars for the "
                "same pattern.",
            )
        )
    else:
        parts.append(
            (
                0,
                f"Rewrite bar {data['bar']} so the problem disappears, then check the next bars "
                "for the same pattern.",
            )
        )
    return fit(parts, limit)


def critic_examples(
    rng: random.Random, pieces: int = 150, per_piece: int = 2, notes: list[str] | None = None
) -> Iterator[Example]:
    """Lessons on ``pieces`` corpus scores, ``per_piece`` questions and levels each.

    ``notes`` collects human-readable remarks for the data card (such as a skipped source).
    """
    try:
        from etude.tools.base import ToolRequest
        from etude.tools.critic import critic
    except ImportError as exc:
        message = f"critic source skipped: the critic cannot be imported ({exc})"
        log.warning(message)
        if notes is not None:
            notes.append(message)
        return
    settings = Settings.from_env()
    for path in corpus_pieces(pieces, rng):
        levels = rng.sample(LEVELS, min(per_piece, len(LEVELS)))
        for level in levels:
            question = rng.choice(QUESTIONS)
            try:
                evidence = critic(
                    ToolRequest(question=question, attachment=path, level=level), settings
                )
            except Exception as exc:  # a corpus file the critic cannot read is skipped, not fatal
                log.info("critic failed on %s: %s", path.name, exc)
                break
            if not evidence:
                break
            limit = rng.choice((3, 4, 5))
            rules = [str(e.data["rule"]) for e in evidence if "rule" in e.data]
            yield build_example(
                source="critic",
                group=f"critic:{path.parent.name}/{path.name}",
                kind=rules[0] if rules else "no_findings",
                level=level,
                evidence=evidence,
                question=f"{question}\n(I attached my score: {path.name})",
                reply=lesson_reply(evidence, limit),
                rng=rng,
                sentences=limit,
            )
