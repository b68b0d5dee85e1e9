"""Prosody: do the stressed syllables of the words land on the strong beats of the melody?

Setting "a-GAIN" so that "a" falls on the downbeat is the commonest mistake in a first song,
and it is checkable: music21 gives every note a metrical weight (``beatStrength``: 1 on the
downbeat, 0.5 on a 4/4 bar's third beat, less off the beat), CMU gives every syllable a
stress. Syllables are laid on the melody's notes one per note, in order (ties and rests are
skipped, as when a learner sings the words to the tune).
"""

from __future__ import annotations

from music21 import note, stream
from pydantic import BaseModel, Field

from etude_songwriting.phonetics import sound, words_of

STRONG = 0.5
"""``beatStrength`` at or above which a position counts as strong (beats 1 and 3 of 4/4,
beat 1 of 3/4 and 6/8)."""


class Misplaced(BaseModel):
    word: str
    syllable: int = Field(description="1-based syllable of the word that is wrongly placed.")
    bar: int
    beat: float
    problem: str


class ProsodyReport(BaseModel):
    syllables: int
    notes: int
    stressed_on_strong: float = Field(description="Share of stressed syllables on strong beats.")
    misplaced: list[Misplaced]


def melody_positions(score: stream.Score) -> list[tuple[int, float, float]]:
    """(bar, beat, beatStrength) of each sung note of the top part, in order."""
    part = score.parts[0] if score.parts else score
    positions = []
    for item in part.recurse().notes:
        if not isinstance(item, note.Note):
            item = item.notes[-1] if hasattr(item, "notes") and item.notes else item
        if item.tie is not None and item.tie.type in ("stop", "continue"):
            continue
        bar = item.measureNumber or 0
        positions.append((int(bar), float(item.beat), float(item.beatStrength)))
    return positions


def check_prosody(lyrics: str, score: stream.Score) -> ProsodyReport:
    """Lay the lyric's syllables on the melody and list the stresses that fight the metre."""
    syllables: list[tuple[str, int, bool, int]] = []  # word, syllable index, stressed, length
    for line in lyrics.splitlines():
        for word in words_of(line):
            stresses = sound(word).stress
            for index, mark in enumerate(stresses):
                syllables.append((word, index + 1, mark == "1", len(stresses)))
    positions = melody_positions(score)
    paired = list(zip(syllables, positions, strict=False))
    stressed = [(s, p) for s, p in paired if s[2]]
    on_strong = sum(1 for _, p in stressed if p[2] >= STRONG)
    misplaced: list[Misplaced] = []
    for i, ((word, index, is_stressed, length), (bar, beat, strength)) in enumerate(paired):
        if length < 2:
            continue  # a monosyllable's stress depends on the sentence, not the word
        others = [
            paired[j][1][2]
            for j in range(i - index + 1, i - index + 1 + length)
            if 0 <= j < len(paired) and j != i
        ]
        if is_stressed and others and strength < max(others):
            misplaced.append(
                Misplaced(
                    word=word,
                    syllable=index,
                    bar=bar,
                    beat=beat,
                    problem=f"the stressed syllable of '{word}' falls on a weaker beat than "
                    "its unstressed syllable; shift the word so the stress lands on the beat",
                )
            )
    share = on_strong / len(stressed) if stressed else 0.0
    return ProsodyReport(
        syllables=len(syllables),
        notes=len(positions),
        stressed_on_strong=round(share, 3),
        misplaced=misplaced,
    )
