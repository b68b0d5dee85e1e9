"""Keeping the model's prose consistent with computed facts.

A small chat model will happily write "a G major triad is G, B and D#". Computed facts are shown
to the learner verbatim, and every sentence the model writes is checked against them: a sentence
that lists notes outside the computed set, or spells a computed note enharmonically (D# for Eb),
is dropped rather than shown. So is a sentence that puts the music in a key other than the
computed one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_ACCIDENTAL_WORDS = {
    "double sharp": "##",
    "double-sharp": "##",
    "double flat": "bb",
    "double-flat": "bb",
    "sharp": "#",
    "flat": "b",
    "♯": "#",
    "♭": "b",
    "𝄪": "##",
    "𝄫": "bb",
    "#": "#",
    "b": "b",
    "##": "##",
    "bb": "bb",
    "x": "##",
}
# A note name ends the word, or starts a chord symbol: "Bb7", "F#m7b5", "Cmaj7", "Asus4" name
# their root, and a root spelled against the computed facts is as wrong as a bare note.
_CHORD_SUFFIX = r"\d|maj|min|dim|aug|sus|add|m(?![a-z])"
_NOTE = re.compile(
    r"(?<![\w#♯♭])(?P<letter>[A-G])"
    r"(?P<acc>##|bb|#|b|♯|♭|𝄪|𝄫|-(?:double-)?(?:sharp|flat)|\s(?:double\s)?(?:sharp|flat))?"
    rf"(?:(?![\w#♯♭'’])|(?={_CHORD_SUFFIX}))"
)
_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_ACC = r"(?:##|bb|#|b|♯|♭|-sharp|-flat|\s(?:sharp|flat))?"
_KEY = re.compile(rf"(?<![\w#♯♭])(?P<letter>[A-G])(?P<acc>{_ACC})\s+(?P<mode>major|minor)\b")
# A claim about which key the music is in. Any capital counts as a tonic here, so that a key
# no score can be in ("H minor", planted in a file's part name) is caught as well.
_KEY_CLAIM = re.compile(
    r"(?:\b(?i:key|tonality)\s+(?i:is|was)|\b(?i:is|was|are)\s+(?:written\s+|set\s+)?in)\s+"
    rf"(?:the\s+key\s+of\s+)?(?P<letter>[A-Z])(?P<acc>{_ACC})\s+(?P<mode>major|minor)\b"
)
_SENTENCE_END = re.compile(r"((?<=[.!?])[ \t]+|\s*\n\s*)")


def normalise_note(letter: str, accidental: str | None) -> str:
    """ASCII spelling of a note name: ``E♭`` and ``E flat`` become ``Eb``.

    >>> normalise_note("E", "♭"), normalise_note("F", " sharp"), normalise_note("B", None)
    ('Eb', 'F#', 'B')
    """
    if not accidental:
        return letter
    word = accidental.strip(" -").replace("-", " ")
    return letter + _ACCIDENTAL_WORDS.get(word, word)


def pitch_class(note: str) -> int:
    """Pitch class 0-11 of an ASCII note name.

    >>> pitch_class("Eb"), pitch_class("D#"), pitch_class("B#")
    (3, 3, 0)
    """
    value = _PITCH_CLASS[note[0]] + note.count("#") - note[1:].count("b")
    return value % 12


def notes_in(text: str) -> list[str]:
    """Note names mentioned in ``text``; a bare capital "A" opening a phrase is an article.

    >>> notes_in("The chord G, B♭ and D. A triad has three notes.")
    ['G', 'Bb', 'D']
    """
    found = []
    for match in _NOTE.finditer(text):
        letter, acc = match["letter"], match["acc"]
        if letter == "A" and not acc:
            after = text[match.end() : match.end() + 12]
            if re.match(r"\s+[a-z]", after) and not re.match(
                r"\s+(?:major|minor|and|or|to|is|in|on|over|at|with|dim|aug|diminished)\b", after
            ):
                continue
        found.append(normalise_note(letter, acc))
    return found


def keys_in(text: str) -> list[str]:
    """Keys named in ``text``, spelled "Eb major".

    >>> keys_in("The score is in E♭ major; its relative is C minor.")
    ['Eb major', 'C minor']
    """
    return [f"{normalise_note(m['letter'], m['acc'])} {m['mode']}" for m in _KEY.finditer(text)]


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
        tonic = normalise_note(letter, claim["acc"]) if letter in _PITCH_CLASS else letter
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


LOOP_LIMIT = 2
"""Repeated sentences after which the model is considered stuck in a loop and stopped."""


def _fingerprint(sentence: str) -> str:
    return re.sub(r"\W+", " ", sentence.lower()).strip()


class SentenceGuard:
    """Buffers streamed text into sentences and lets only consistent, new ones through.

    Small models fall into loops ("The notes are G, B and D." ten times); a repeated sentence
    is dropped, and after ``LOOP_LIMIT`` repeats ``looping`` tells the tutor to stop reading.
    """

    def __init__(self, allowed_notes: Iterable[str], keys: Iterable[str] = ()) -> None:
        self.allowed = set(allowed_notes)
        self.keys = set(keys)
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

        >>> guard = SentenceGuard({"G", "B", "D"})
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
        if contradicts(sentence, self.allowed) or misstates_key(sentence, self.keys):
            self.dropped.append(sentence.strip())
            return
        self.passed += 1
        yield sentence + ("\n" if "\n" in separator else " " if separator else "")
