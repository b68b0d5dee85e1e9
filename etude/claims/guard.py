"""Keeping the model's prose consistent with computed facts.

A small chat model will happily write "a G major triad is G, B and D#". Computed facts are shown
to the learner verbatim, and every sentence the model writes is checked against them: a sentence
that lists notes outside the computed set, or spells a computed note enharmonically (D# for Eb),
is dropped rather than shown. So is a sentence that puts the music in a key other than the
computed one.

:class:`SentenceGuard` streams the model's reply through the claim checker, sentence by
sentence. :class:`Grounding` is the older, narrower check (computed notes and keys only),
kept because the fine-tuning data and the claim benchmark compare against it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from etude.claims.check import ClaimContext, Verdict, check_sentence
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


Policy = Literal["strict", "lenient"]
"""``strict`` (a tiny embedded model): only verified sentences, or ones that say nothing
musical, pass. ``lenient`` (a strong model): unverifiable sentences pass too; refuted ones never
do, and the tutor may ask the model once more with their corrections."""


class SentenceGuard:
    """Buffers streamed model text into sentences and lets only checked, new ones through.

    Each sentence goes to the claim checker (:func:`etude.claims.check.check_sentence`) in the
    turn's context. A refuted sentence is dropped and its correction kept (``corrections``);
    under the strict policy an unverifiable one is dropped too. A sentence that repeats what
    the reply already says (``said``) adds nothing and is dropped; so is a sentence with no claim
    at all when ``plain`` is off (a tiny model's stock encouragement beside computed teaching).
    Small models fall into loops
    ("The notes are G, B and D." ten times): after ``LOOP_LIMIT`` repeats ``looping`` tells the
    tutor to stop reading.
    """

    def __init__(
        self,
        context: ClaimContext | None = None,
        *,
        policy: Policy = "strict",
        said: Iterable[str] = (),
        plain: bool = True,
    ) -> None:
        self.context = context or ClaimContext()
        self.policy = policy
        self.plain = plain
        self._buffer = ""
        self._seen: set[str] = set()
        self._said = [_words(text) for text in said]
        self.repeats = 0
        self.passed = 0
        self.dropped: list[str] = []
        self.verdicts: list[Verdict] = []

    @property
    def looping(self) -> bool:
        return self.repeats >= LOOP_LIMIT

    def corrections(self) -> list[str]:
        """The right facts for every refuted sentence so far."""
        return [fix for verdict in self.verdicts for fix in verdict.corrections()]

    def feed(self, piece: str) -> Iterator[str]:
        r"""Text safe to show so far, sentence by sentence with its original separator.

        >>> guard = SentenceGuard(ClaimContext.from_question("Spell the G major triad"))
        >>> "".join([*guard.feed("G major is G, B, D#. Play it"), *guard.feed(" slowly.\nNext")])
        'Play it slowly.\n'
        >>> "".join(guard.flush()), guard.dropped
        ('Next', ['G major is G, B, D#.'])
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

    def allows(self, sentence: str) -> bool:
        """Whether one whole sentence may be shown (and record why not)."""
        verdict = check_sentence(sentence, context=self.context)
        self.verdicts.append(verdict)
        passing = {"verified"}
        if self.plain or self.policy == "lenient":
            passing.add("no_claim")
        if self.policy == "lenient":
            passing.add("unverifiable")
        if verdict.status not in passing or self._repeats_reply(sentence):
            self.dropped.append(sentence.strip())
            return False
        return True

    def _repeats_reply(self, sentence: str) -> bool:
        words = _words(sentence)
        if len(words) < 4:
            return False
        return any(len(words & said) >= 0.7 * len(words) for said in self._said)

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
        if not self.allows(sentence):
            return
        self.passed += 1
        self._said.append(_words(sentence))
        yield sentence + ("\n" if "\n" in separator else " " if separator else "")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w#♯♭]+", text.lower()))


def sentences(text: str) -> list[str]:
    r"""A whole text cut into sentences, as the guard cuts a stream.

    >>> sentences("One. Two!\nThree")
    ['One.', 'Two!', 'Three']
    """
    return [part.strip() for part in _SENTENCE_END.split(text)[::2] if part.strip()]
