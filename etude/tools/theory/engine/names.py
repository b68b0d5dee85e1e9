"""Note names as learners type them, and as Etude prints them.

Learners write ``Eb``, ``E-flat``, ``E flat``, ``E♭``, ``e``, ``F sharp`` or ``mi bémol``;
music21 wants ``E-``; learners should read ``Eb``. Every module of the engine speaks music21
spelling internally and converts at the edges with the two functions here, so a spelling is
never lost (``D#`` and ``Eb`` stay different notes all the way through).
"""

from __future__ import annotations

import re

from music21 import pitch

LETTERS = "CDEFGAB"

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


def human(name: str | pitch.Pitch) -> str:
    """The ASCII spelling a learner reads: ``E-`` → ``Eb``, ``C##`` stays ``C##``.

    >>> human("E-"), human("B--"), human(pitch.Pitch("F#4"))
    ('Eb', 'Bbb', 'F#')
    """
    raw = name.name if isinstance(name, pitch.Pitch) else name
    return raw.replace("-", "b")


def pitch_class(name: str) -> int:
    """Pitch class 0–11 of a compact or music21 name, for enharmonic comparisons.

    >>> pitch_class("Eb") == pitch_class("D#")
    True
    """
    music21_name = name if ("-" in name or name in LETTERS) else to_music21(name)
    return pitch.Pitch(music21_name).pitchClass


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
