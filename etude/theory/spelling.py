"""Note names as learners type them, as Etude prints them, and as they appear in prose.

Learners write ``Eb``, ``E-flat``, ``E flat``, ``E♭``, ``e``, ``F sharp`` or ``mi bémol``;
music21 wants ``E-``; learners should read ``Eb``. Every module of the engine speaks music21
spelling internally and converts at the edges with the functions here, so a spelling is never
lost (``D#`` and ``Eb`` stay different notes all the way through). Reading note and key names
out of a sentence (:func:`notes_in`, :func:`keys_in`) lives here too: the claim checker, the
drills and the exercises all read notes the same way.

Nothing here imports music21, so reading a sentence costs no heavy import.
"""

from __future__ import annotations

import re
from typing import Any

LETTERS = "CDEFGAB"
_LETTER_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

_UNICODE = {"♭": "b", "♯": "#", "𝄫": "bb", "𝄪": "##", "♮": ""}

_SOLFEGE = {"do": "C", "ré": "D", "re": "D", "mi": "E", "fa": "F", "sol": "G", "la": "A", "si": "B"}

_ACCIDENTAL_WORDS = {
    "double flat": "bb",
    "double-flat": "bb",
    "double sharp": "##",
    "double-sharp": "##",
    "flat": "b",
    "sharp": "#",
    "bémol": "b",
    "bemol": "b",
    "dièse": "#",
    "diese": "#",
    "natural": "",
}

_WORD_ACCIDENTAL_RE = re.compile(
    r"(?<![\w#])([A-Ga-g])[\s-]?(double[\s-]flat|double[\s-]sharp|flat|sharp|natural)\b",
)
_SOLFEGE_RE = re.compile(
    r"\b(do|ré|re|mi|fa|sol|la|si)\s+(bémol|bemol|dièse|diese|majeur|mineur)\b",
    re.IGNORECASE,
)

_ALTERATION_AFTER = re.compile(
    r"\s+(nine|ninth|9|five|fifth|5|eleven|eleventh|11|thirteen|thirteenth|13|third|sixth"
    r"|seventh|key|sign|note|symbol)\b",
)

COMPACT_NOTE_RE = re.compile(r"^([A-Ga-g])(##|bb|#|b|x)?$")


def normalise_text(text: str) -> str:
    """Rewrite accidentals spelled in words or Unicode as compact ASCII note names.

    The tokenizer then only has to know one spelling per note.

    >>> normalise_text("What is the E-flat major scale?")
    'What is the Eb major scale?'
    >>> normalise_text("F sharp minor and B♭ and C double sharp")
    'F# minor and Bb and C##'
    >>> normalise_text("la gamme de mi bémol majeur")
    'la gamme de Eb major'
    """
    for symbol, ascii_spelling in _UNICODE.items():
        text = text.replace(symbol, ascii_spelling)

    def solfege(match: re.Match[str]) -> str:
        letter = _SOLFEGE[match.group(1).lower()]
        word = match.group(2).lower()
        if word in ("majeur", "mineur"):
            return f"{letter} {'major' if word == 'majeur' else 'minor'}"
        return letter + _ACCIDENTAL_WORDS[word]

    text = _SOLFEGE_RE.sub(solfege, text)
    text = re.sub(r"\b(majeur)\b", "major", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(mineur)\b", "minor", text, flags=re.IGNORECASE)

    def word_accidental(match: re.Match[str]) -> str:
        # "a flat nine", "a sharp eleventh": the article, not the note A.
        if match.group(1) == "a" and _ALTERATION_AFTER.match(text, match.end()):
            return match.group(0)
        word = match.group(2).lower().replace("-", " ")
        return match.group(1).upper() + _ACCIDENTAL_WORDS[word]

    return _WORD_ACCIDENTAL_RE.sub(word_accidental, text)


def to_music21(name: str) -> str:
    """Convert a compact ASCII note name to music21's spelling.

    >>> to_music21("Eb"), to_music21("f#"), to_music21("Bbb"), to_music21("Cx")
    ('E-', 'F#', 'B--', 'C##')
    """
    match = COMPACT_NOTE_RE.match(name.strip())
    if not match:
        raise ValueError(f"not a note name: {name!r}")
    letter, accidental = match.group(1).upper(), match.group(2) or ""
    accidental = {"x": "##", "b": "-", "bb": "--"}.get(accidental, accidental)
    return letter + accidental


def human(name: Any) -> str:
    """The ASCII spelling a learner reads: ``E-`` → ``Eb``, ``C##`` stays ``C##``.

    A music21 ``Pitch`` gives its name without the octave.

    >>> from music21 import pitch
    >>> human("E-"), human("B--"), human(pitch.Pitch("F#4"))
    ('Eb', 'Bbb', 'F#')
    """
    raw = name if isinstance(name, str) else str(name.name)
    return raw.replace("-", "b")


def pitch_class(name: str) -> int:
    """Pitch class 0–11 of a compact or music21 name, for enharmonic comparisons.

    >>> pitch_class("Eb") == pitch_class("D#"), pitch_class("B#"), pitch_class("E--")
    (True, 0, 2)
    >>> pitch_class("Cx"), pitch_class("f#")
    (2, 6)
    """
    letter, accidental = name[:1].upper(), name[1:]
    if letter not in _LETTER_CLASS:
        raise ValueError(f"not a note name: {name!r}")
    shift = (
        accidental.count("#")
        + 2 * accidental.count("x")
        - accidental.count("b")
        - accidental.count("-")
    )
    return (_LETTER_CLASS[letter] + shift) % 12


def with_article(phrase: str) -> str:
    """Prefix "a" or "an" as spoken: an augmented fourth, an A minor triad, a unison.

    Letter names count by their sound (an F, a G), so generated sentences read naturally.

    >>> with_article("augmented fourth"), with_article("F# minor triad"), with_article("unison")
    ('an augmented fourth', 'an F# minor triad', 'a unison')
    """
    first = phrase.split(" ", 1)[0]
    if COMPACT_NOTE_RE.match(first) and first[0].isupper():
        vowel_sound = first[0] in "AEF"
    else:
        vowel_sound = first[:1].lower() in "aeio" or (
            first[:1].lower() == "u" and not first.lower().startswith("uni")
        )
    return f"{'an' if vowel_sound else 'a'} {phrase}"


# ----------------------------------------------------------------- note names in prose

_PROSE_ACCIDENTALS = {
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
ACCIDENTAL_RE = r"(?:##|bb|#|b|♯|♭|-sharp|-flat|\s(?:sharp|flat))?"
"""An accidental as prose spells it after a letter (for patterns that read key names)."""
_KEY = re.compile(
    rf"(?<![\w#♯♭])(?P<letter>[A-G])(?P<acc>{ACCIDENTAL_RE})\s+(?P<mode>major|minor)\b"
)


def normalise_note(letter: str, accidental: str | None) -> str:
    """ASCII spelling of a note name: ``E♭`` and ``E flat`` become ``Eb``.

    >>> normalise_note("E", "♭"), normalise_note("F", " sharp"), normalise_note("B", None)
    ('Eb', 'F#', 'B')
    """
    if not accidental:
        return letter
    word = accidental.strip(" -").replace("-", " ")
    return letter + _PROSE_ACCIDENTALS.get(word, word)


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
