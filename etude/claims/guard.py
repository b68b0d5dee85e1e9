"""Streaming a model's reply through the claim checker, sentence by sentence.

:class:`SentenceGuard` buffers streamed text into sentences and lets through only those the
claim checker (:mod:`etude.claims.check`) accepts under the turn's policy, never a repeat, and
stops a model stuck in a loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from etude.claims.check import ClaimContext, Verdict, check_sentence

_SENTENCE_END = re.compile(r"((?<=[.!?])[ \t]+|\s*\n\s*)")


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
        # sentence by sentence: a passage of 150 words holds most words of any short sentence
        # about its topic, so comparing with whole blocks called every new claim a repeat
        self._said = [_Said.of(part) for text in said for part in sentences(text)]
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
        """Whether one sentence the reply already holds has most of this sentence's word pairs.

        Pairs and content words, not single words: a 150-word passage holds most words of any
        short sentence about its topic, and "the dominant of G major is D" and "the dominant of
        D major is A" share every word and say different things.

        >>> guard = SentenceGuard(said=["In C major the dominant is G. The relative minor "
        ...                              "of D major is B minor."])
        >>> guard._repeats_reply("The dominant of G major is D.")
        False
        >>> guard._repeats_reply("In C major, the dominant is G.")
        True
        >>> SentenceGuard(said=["C major triad (C): C – E – G (root, major 3rd)."])._repeats_reply(
        ...     "The C major triad is C, E, and G.")
        True
        """
        if len(_words(sentence)) < 4:
            return False
        new = _Said.of(sentence)
        return any(new.repeats(said) for said in self._said)

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
        self._said.append(_Said.of(sentence))
        yield sentence + ("\n" if "\n" in separator else " " if separator else "")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[\w#♯♭]+", text.lower()))


_FILLER_WORDS = frozenset((
    "the", "a", "an", "and", "or", "of", "in", "on", "to", "is", "are", "was", "be", "it",
    "its", "this", "that", "with", "as", "at", "by", "for", "from", "so", "then", "than",
    "also", "just", "which", "there", "their", "they", "you", "your",
))  # fmt: skip
"""Words that carry no claim: a sentence made of another's other words says nothing new."""


@dataclass(frozen=True)
class _Said:
    """A sentence as the repeat check reads it: its word pairs and its content words."""

    pairs: frozenset[tuple[str, str]]
    content: frozenset[str]

    @classmethod
    def of(cls, text: str) -> _Said:
        words = re.findall(r"[\w#♯♭]+", text.lower())
        content = frozenset(w for w in words if w not in _FILLER_WORDS)
        return cls(frozenset(_pairs(text)), content)

    def repeats(self, said: _Said) -> bool:
        """Most of the word pairs of ``said``, or nothing but its content words in another
        order ("C major triad: C – E – G" said, "The C major triad is C, E and G" adds
        nothing)."""
        if self.pairs and len(self.pairs & said.pairs) >= 0.7 * len(self.pairs):
            return True
        return len(self.content) >= 3 and self.content <= said.content


def _pairs(text: str) -> set[tuple[str, str]]:
    """Neighbouring words, in order: what a sentence says, more than which words it uses.

    >>> sorted(_pairs("G major is"))
    [('g', 'major'), ('major', 'is')]
    """
    words = re.findall(r"[\w#♯♭]+", text.lower())
    return set(pairwise(words))


def sentences(text: str) -> list[str]:
    r"""A whole text cut into sentences, as the guard cuts a stream.

    >>> sentences("One. Two!\nThree")
    ['One.', 'Two!', 'Three']
    """
    return [part.strip() for part in _SENTENCE_END.split(text)[::2] if part.strip()]
