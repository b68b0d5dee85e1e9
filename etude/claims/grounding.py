"""The narrow, older check: a sentence against the notes and keys computed this turn.

Before the claim checker, this was the whole grounding guard: a sentence that lists notes
outside the computed set, spells a computed note enharmonically (D# for Eb), or puts the music
in a key other than the computed one was dropped. The claim checker still uses
:func:`misstates_key` for claims about the score's key; :class:`Grounding` is kept because the
fine-tuning data filter and the claim benchmark compare against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from etude.evidence import Evidence
from etude.theory.spelling import (
    ACCIDENTAL_RE,
    LETTERS,
    keys_in,
    normalise_note,
    notes_in,
    pitch_class,
)

# A claim about which key the music is in. Any capital counts as a tonic here, so that a key
# no score can be in ("H minor", planted in a file's part name) is caught as well.
_KEY_CLAIM = re.compile(
    r"(?:\b(?i:key|tonality)\s+(?i:is|was)|\b(?i:is|was|are)\s+(?:written\s+|set\s+)?in)\s+"
    rf"(?:the\s+key\s+of\s+)?(?P<letter>[A-Z])(?P<acc>{ACCIDENTAL_RE})\s+(?P<mode>major|minor)\b"
)


def misstates_key(sentence: str, keys: set[str]) -> bool:
    """Whether a sentence says the music is in a key other than the computed ``keys``.

    Only claims count ("the key is ...", "it is in ..."): naming another key to compare or to
    modulate to ("the dominant, G major") is teaching, not a contradiction.

    >>> misstates_key("The key is H minor, written in C major.", {"C major"})
    True
    >>> misstates_key("Your piece is in C major; try a turn to G major.", {"C major"})
    False
    """
    if not keys:
        return False
    for claim in _KEY_CLAIM.finditer(sentence):
        letter = claim["letter"]
        tonic = normalise_note(letter, claim["acc"]) if letter in LETTERS else letter
        if f"{tonic} {claim['mode']}" not in keys:
            return True
    return False


def contradicts(sentence: str, allowed: set[str]) -> bool:
    """Whether a sentence misstates the computed notes ``allowed``.

    >>> contradicts("It is G, B and D#.", {"G", "B", "D"})
    True
    >>> contradicts("Play G, B and D together.", {"G", "B", "D"})
    False
    >>> contradicts("The third, D#, is bright.", {"Eb", "G", "Bb"})
    True
    >>> contradicts("Bbb sounds like A.", {"A", "Bbb", "C"})
    False
    """
    if not allowed:
        return False
    mentioned = notes_in(sentence)
    # A note sounding like a computed one but spelled otherwise (D# for Eb) is wrong. Allowed
    # sets may hold two spellings of one pitch (A and Bbb), so compare by set membership, not
    # against one "twin" per pitch class picked in set order (which made this vary by run).
    allowed_classes = {pitch_class(n) for n in allowed}
    for note in mentioned:
        if note not in allowed and pitch_class(note) in allowed_classes:
            return True
    if len(set(mentioned)) >= 2:
        return any(note not in allowed for note in mentioned)
    return False


@dataclass(frozen=True)
class Grounding:
    """What a turn's computed facts let a sentence say: their notes and the keys they name.

    >>> fact = Evidence(tool="theory", kind="fact", summary="E♭ major triad: Eb – G – Bb.",
    ...                 authoritative=True, notes=["Eb", "G", "Bb"])
    >>> grounding = Grounding.of([fact])
    >>> grounding.contradicted_by("Its third is G."), grounding.contradicted_by("Play D#.")
    (False, True)
    """

    notes: frozenset[str] = field(default_factory=frozenset)
    keys: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, evidence: Iterable[Evidence]) -> Grounding:
        """The grounding of the authoritative items among ``evidence``."""
        facts = [item for item in evidence if item.authoritative]
        return cls(
            notes=frozenset(note for item in facts for note in item.notes),
            keys=frozenset(key for item in facts for key in keys_in(item.summary)),
        )

    def contradicted_by(self, sentence: str) -> bool:
        """Whether ``sentence`` misstates a computed note or the computed key."""
        return contradicts(sentence, set(self.notes)) or misstates_key(sentence, set(self.keys))
