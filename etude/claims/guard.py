"""Keeping the model's prose consistent with computed facts.

A small chat model will happily write "a G major triad is G, B and D#". Computed facts are shown
to the learner verbatim, and every sentence the model writes is checked against them: a sentence
that lists notes outside the computed set, or spells a computed note enharmonically (D# for Eb),
is dropped rather than shown. So is a sentence that puts the music in a key other than the
computed one.

:class:`Grounding` is the one place where that check is assembled from a turn's evidence; the
tutor's :class:`SentenceGuard`, the fine-tuning data filter, the evaluation and the benchmarks
all ask it, so they can never disagree about what counts as grounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
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
_SENTENCE_END = re.compile(r"((?<=[.!?])[ \t]+|\s*\n\s*)")


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


LOOP_LIMIT = 2
"""Repeated sentences after which the model is considered stuck in a loop and stopped."""


def _fingerprint(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence.lower()).strip()


class SentenceGuard:
    """Buffers streamed text into sentences and lets only consistent, new ones through.

    Small models fall into loops ("The notes are G, B and D." ten times); a repeated sentence
    is dropped, and after ``LOOP_LIMIT`` repeats ``looping`` tells the tutor to stop reading.
    """

    def __init__(self, grounding: Grounding) -> None:
        self.grounding = grounding
        self._buffer = ""
        self._seen: set[str] = set()
        self.repeats = 0
        self.passed = 0
        self.dropped: list[str] = []

    @property
    def looping(self) -> bool:
        return self.repeats >= LOOP_LIMIT

    def feed(self, piece: str) -> Iterator[str]:
        r"""Text safe to show so far, sentence by sentence with its original separator.

        >>> guard = SentenceGuard(Grounding(notes=frozenset({"G", "B", "D"})))
        >>> "".join([*guard.feed("It is G, B, D#. Play it"), *guard.feed(" slowly.\nNext")])
        'Play it slowly.\n'
        >>> "".join(guard.flush()), guard.dropped
        ('Next', ['It is G, B, D#.'])
        >>> _ = list(guard.feed("Play it slowly. Play it slowly. Play it slowly. "))
        >>> guard.looping
        True
        """
        self._buffer += piece
        parts = _SENTENCE_END.split(self._buffer)
        self._buffer = parts.pop()
        for sentence, separator in zip(parts[::2], parts[1::2], strict=True):
            yield from self._check(sentence, separator)

    def flush(self) -> Iterator[str]:
        rest, self._buffer = self._buffer, ""
        yield from self._check(rest, "")

    def _check(self, sentence: str, separator: str) -> Iterator[str]:
        if not sentence.strip():
            if "\n" in separator:
                yield "\n"
            return
        fingerprint = _fingerprint(sentence)
        if fingerprint in self._seen:
            self.repeats += 1
            return
        self._seen.add(fingerprint)
        if self.grounding.contradicted_by(sentence):
            self.dropped.append(sentence.strip())
            return
        self.passed += 1
        yield sentence + ("\n" if "\n" in separator else " " if separator else "")
