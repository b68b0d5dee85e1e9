"""Roman-numeral labels in one comparable form, for measuring harmonic analysis.

Why: an expert RomanText analysis says ``V6/5/IV`` in G major where the critic says ``I65``
in C major; to score one against the other both must be reduced to the same four parts, the
usual *full-numeral* metric of harmonic-analysis research (AugmentedNet, RNBert):

- **key**: the local key's tonic pitch class and mode (enharmonic spellings are equal);
- **degree**: the chord root's distance above that tonic in semitones. A secondary numeral
  is resolved to its root: ``V/V`` in C is the chord on D, degree 2, the same as ``II``.
  (AugmentedNet keeps the secondary degree apart, so its metric is a little stricter);
- **quality**: one of the critic's chord templates (``TEMPLATES``) or ``"other"`` (augmented
  sixths, open fifths that no template names);
- **inversion**: 0 root position, 1 first, 2 second, 3 third (a seventh in the bass).

A numeral is fully right only when all four match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from music21 import pitch as m21pitch
from music21 import roman

from etude.critic.harmony import TEMPLATES

QUALITIES: tuple[str, ...] = (*TEMPLATES, "other")
"""Every quality a label can have, in a fixed order (a tagger's classes)."""

MODES: tuple[str, ...] = ("major", "minor")


@dataclass(frozen=True)
class NumeralLabel:
    """One beat's chord as key + degree + quality + inversion (see the module docstring)."""

    tonic: int
    """The local key's tonic pitch class, 0 = C."""
    mode: str
    degree: int
    """Semitones from the tonic up to the chord's root."""
    quality: str
    inversion: int

    @property
    def root(self) -> int:
        """The chord root's pitch class, whatever the key."""
        return (self.tonic + self.degree) % 12

    def parts(self) -> dict[str, bool | tuple[object, ...]]:
        """The components the metric compares, by name."""
        return {
            "key": (self.tonic, self.mode),
            "degree": (self.tonic, self.mode, self.degree),
            "quality": (self.quality,),
            "inversion": (self.inversion,),
            "root": (self.root,),
        }


def pitch_class(name: str) -> int:
    """A note name's pitch class; flats may be written 'b' as the critic writes them.

    >>> pitch_class("Bb"), pitch_class("F#"), pitch_class("E-"), pitch_class("B")
    (10, 6, 3, 11)
    """
    return m21pitch.Pitch(name[0] + name[1:].replace("b", "-")).pitchClass


def quality_of(pitch_classes: set[int], root: int) -> str:
    """The template whose notes above ``root`` are exactly these pitch classes, else 'other'.

    >>> quality_of({2, 6, 9, 0}, 2), quality_of({11, 2, 5, 8}, 11), quality_of({0, 7}, 0)
    ('dominant seventh', 'diminished seventh', 'other')
    """
    above = frozenset((pc - root) % 12 for pc in pitch_classes)
    for quality, intervals in TEMPLATES.items():
        if above == frozenset(intervals):
            return quality
    return "other"


def inversion_of_figure(figure: str) -> int:
    """The inversion a critic figure ('V65', 'viio6', 'ii/o7', 'bVII', 'III64') spells.

    >>> [inversion_of_figure(f) for f in ("V", "V6", "I64", "V7", "V65", "viio43", "V42")]
    [0, 1, 2, 0, 1, 2, 3]
    >>> inversion_of_figure("ii/o7"), inversion_of_figure("#iv6")
    (0, 1)
    """
    for suffix, inversion in (("64", 2), ("65", 1), ("43", 2), ("42", 3), ("6", 1)):
        if figure.endswith(suffix):
            return inversion
    return 0


_OMISSIONS = re.compile(r"\[[^\]]*\]")


def label_of_roman(numeral: roman.RomanNumeral) -> NumeralLabel:
    """The label of an analysis's Roman numeral (read from RomanText by music21).

    An omission or addition in brackets ('V[no3]') is the chord named without it: the
    analyst heard a V whose third is missing, and the critic's templates name V.

    >>> from music21 import key, roman
    >>> label_of_roman(roman.RomanNumeral("V65/V", key.Key("C")))
    NumeralLabel(tonic=0, mode='major', degree=2, quality='dominant seventh', inversion=1)
    >>> label_of_roman(roman.RomanNumeral("V[no3]", key.Key("F")))
    NumeralLabel(tonic=5, mode='major', degree=7, quality='major', inversion=0)
    >>> label_of_roman(roman.RomanNumeral("viio7", key.Key("a"))).quality
    'diminished seventh'
    >>> label_of_roman(roman.RomanNumeral("Ger65", key.Key("a"))).quality
    'other'
    """
    key = numeral.key
    chord = numeral
    stripped = _OMISSIONS.sub("", numeral.figure)
    if stripped != numeral.figure and stripped:
        chord = roman.RomanNumeral(stripped, key)
    root = chord.root()
    quality = quality_of({p.pitchClass for p in chord.pitches}, root.pitchClass)
    try:
        inversion = int(chord.inversion())
    except Exception:  # music21 cannot place some augmented sixths' bass in an inversion
        inversion = 0
    tonic = key.tonic.pitchClass if key is not None else 0
    mode = key.mode if key is not None else "major"
    return NumeralLabel(tonic, mode, (root.pitchClass - tonic) % 12, quality, min(inversion, 3))


def label_of_chord(root: str, quality: str, figure: str, tonic: int, mode: str) -> NumeralLabel:
    """The label of a critic chord (``HarmonySlice`` root, quality and figure) in a key.

    The critic names its numerals in the main key; giving another key here re-reads the same
    chord in it (a phrase that modulates).

    >>> label_of_chord("D", "dominant seventh", "V65", 7, "major")
    NumeralLabel(tonic=7, mode='major', degree=7, quality='dominant seventh', inversion=1)
    """
    return NumeralLabel(
        tonic, mode, (pitch_class(root) - tonic) % 12, quality, inversion_of_figure(figure)
    )
