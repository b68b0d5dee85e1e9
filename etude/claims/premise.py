"""Questions that carry a claim: "the relative minor of F major is A minor, right?"

A learner who asks for confirmation must hear first whether they are right: a plain "No —"
and the right fact when the premise is false, "Yes —" when it holds. :func:`read_premise`
finds the claim inside such a question (tag questions, "is it true that …", "I was told …",
and inverted yes/no questions such as "is a major third 4 semitones?" or "does D major have
two sharps?") and checks it with the claim checker.

>>> premise = read_premise("The relative minor of F major is A minor, right?")
>>> premise.holds, premise.reply
(False, 'No — the relative minor of F major is D minor, not A minor.')
>>> read_premise("is a major third 4 semitones?").reply
'Yes — a major third spans 4 semitones.'
>>> read_premise("What is the relative minor of F major?") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etude.claims.check import (
    GENERIC_EXAMPLES,
    Claim,
    check_sentence,
    generic_mode,
    sentence_case,
)

_TAG = re.compile(
    r"^(?P<claim>.+?)[\s,;:.!-]*\b(?:right|correct|yes|yeah|no|true|isn'?t it|aren'?t they|"
    r"doesn'?t it|don'?t they|am i right|is that (?:right|correct|true|so)|innit|ok)\s*[?!.]*\s*$",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^\s*(?:is it (?:true|correct|right) (?:that\s+)?|am i (?:right|correct) (?:that|in "
    r"thinking(?: that)?)\s+|i (?:think|thought|believe|heard|read|was told|learned|learnt)"
    r"(?: that)?\s+|(?:my|our) (?:teacher|tutor|friend|book) (?:says|said|told me)(?: that)?\s+|"
    r"someone (?:said|told me)(?: that)?\s+|so\s+)(?P<claim>.+?)[?.!]*\s*$",
    re.IGNORECASE,
)
_INVERTED = re.compile(r"^\s*(?P<verb>is|are|does|do|has|have)\s+(?P<body>.+?)[?.!]*\s*$", re.I)
_ASKS = re.compile(
    r"^\s*(?:what|which|who|whom|whose|when|where|why|how|can|could|would|will|should|shall|"
    r"please|spell|give|show|name|list|tell|explain|write|help|transpose|play|find|check|"
    r"is|are|does|do|did|has|have)\b",
    re.IGNORECASE,
)
_ASKS_IF_TRUE = re.compile(r"^\s*is it (?:true|correct|right)\b", re.IGNORECASE)
_HAVE = re.compile(r"^(?P<subject>.+?)\s+(?:have|contain|include)\s+(?P<rest>.+)$", re.I)
_THERE = re.compile(r"^there\s+(?P<what>.+?)\s+in\s+(?P<where>.+)$", re.I)


@dataclass(frozen=True)
class Premise:
    """A claim the learner asked us to confirm, and the verdict on it."""

    claim: str
    holds: bool
    truth: str
    stated: str
    steps: tuple[str, ...] = ()
    general: str | None = None
    """The mode the claim spoke of in general ("in a major key"): checked in two keys of it,
    and the reply says which key its truth is from."""

    @property
    def reply(self) -> str:
        """The opening of the reply: "No — …, not …." or "Yes — …".

        >>> print(Premise("…", True, "The submediant of C major is a minor triad.", "minor",
        ...               general="major").reply)  # doctest: +NORMALIZE_WHITESPACE
        Yes — the submediant of C major is a minor triad. The same holds in every major key;
        C major is the example here.
        >>> print(Premise("…", False, "The tonic of Eb major is Eb.", "C", general="major").reply)
        ... # doctest: +NORMALIZE_WHITESPACE
        No — the tonic of Eb major is Eb, not C. What you said holds in C major but not in
        every major key: Eb major is a counterexample.
        """
        truth = self.truth.rstrip(".")
        if self.holds:
            return f"Yes — {_lower_first(truth)}.{self._in_general()}"
        head, colon, tail = truth.partition(": ")
        named = self.stated and re.search(rf"(?<![\w#]){re.escape(self.stated)}(?![\w#])", head)
        shown = f", not {self.stated}" if self.stated and not named else ""
        return f"No — {_lower_first(head)}{shown}{colon}{tail}.{self._in_general()}"

    def _in_general(self) -> str:
        """For a claim about every key of a mode: which key the truth comes from."""
        if self.general is None:
            return ""
        index = 0 if self.general == "major" else 1
        plain, other = GENERIC_EXAMPLES[0][index], GENERIC_EXAMPLES[1][index]
        if other in self.truth and not self.holds:
            return (
                f" What you said holds in {plain} but not in every {self.general} key: {other} "
                "is a counterexample."
            )
        if plain in self.truth:
            return f" The same holds in every {self.general} key; {plain} is the example here."
        return ""


def _lower_first(text: str) -> str:
    """Lower-case a sentence's first letter for use after a dash, unless it is a name."""
    first = text.split(" ", 1)[0]
    if first in ("A", "An", "The", "From", "In", "Its") or (
        first[:1].isupper() and first[1:].islower() and len(first) > 2
    ):
        return text[:1].lower() + text[1:]
    return text


def _claims_in(question: str) -> list[str]:
    """Candidate claim sentences the question may carry, the likeliest first."""
    text = question.strip()
    candidates: list[str] = []
    for pattern in (_TAG, _LEAD):
        match = pattern.match(text)
        if match:
            candidates.append(match.group("claim").strip(" ,"))
    if not _ASKS.match(text):
        # a plain statement is a claim to confirm too: "the leading note in C major is B"
        candidates.append(text.rstrip("?!. "))
    inverted = _INVERTED.match(text)
    if inverted is None or _ASKS_IF_TRUE.match(text):
        # "is it true that X is Y?" carries the claim X is Y, read above; split as an inverted
        # question it made "it true that … is a minor is third …", misread as a chord's quality
        return candidates
    verb, body = inverted.group("verb").lower(), inverted.group("body")
    there = _THERE.match(body)
    if there is not None:
        candidates.append(f"{there.group('where')} has {there.group('what')}")
    elif verb in ("does", "do"):
        has = _HAVE.match(body)
        if has is not None:
            candidates.append(f"{has.group('subject')} has {has.group('rest')}")
    else:
        words = body.split()
        splits = [(words[:cut], words[cut:]) for cut in range(len(words) - 1, 0, -1)]
        # the likeliest split first: the stated value starts with a note or a number, and
        # the subject is as long as it can be ("the relative minor of F major | A minor")
        splits.sort(key=lambda pair: (not _value_start(pair[1][0]), -len(pair[0])))
        candidates.extend(f"{' '.join(a)} is {' '.join(b)}" for a, b in splits)
    return candidates


def _value_start(word: str) -> bool:
    return bool(
        re.match(r"^(?:[A-G](?:#|b|♯|♭)?(?![a-z])|\d|no\b|one\b|two\b|three\b|four\b)", word)
    )


def read_premise(question: str) -> Premise | None:
    """The claim inside a confirmation question, checked; None if the question carries none
    (or none the checker can read)."""
    for candidate in _claims_in(question):
        verdict = check_sentence(candidate, question=question)
        if verdict.status not in ("verified", "refuted"):
            continue
        claim: Claim = next((c for c in verdict.claims if not c.holds), verdict.claims[0])
        stated = _stated_part(candidate)
        return Premise(
            claim=sentence_case(candidate),
            holds=verdict.status == "verified",
            truth=claim.truth,
            stated=stated,
            steps=claim.steps,
            general=generic_mode(candidate),
        )
    return None


def _stated_part(claim: str) -> str:
    """What the learner said the answer is: the words after the last 'is'/'has'.

    >>> _stated_part("the tonic of a major scale is always C"), _stated_part("G has 1 sharp")
    ('C', '1 sharp')
    """
    found = re.split(r"\b(?:is|are|has|have|equals)\b", claim, flags=re.IGNORECASE)
    stated = found[-1].strip(" ,.?") if len(found) > 1 else ""
    # "is always C": the learner's value is C, the adverb says how sure they are
    return _HEDGES.sub("", stated)


_HEDGES = re.compile(
    r"^(?:(?:always|usually|normally|generally|typically|just|really|still|basically)\s+)+",
    re.IGNORECASE,
)
