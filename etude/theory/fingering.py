"""Piano fingerings for one-octave major and minor scales and for triads, in every key.

The table is the standard one printed in the scale books teachers use (Alfred's, Faber, the
ABRSM and RCM scale manuals): thumb-under after the third and fourth fingers, and for the black
-key scales the thumb placed only on white keys. Enharmonic keys (F#/Gb, C#/Db, B/Cb, D#/Eb,
A#/Bb, G#/Ab minor) share a keyboard pattern and so share a fingering. Minor fingerings are the
harmonic-minor ones; natural minor uses the same fingers.
"""

from __future__ import annotations

from typing import Literal

from music21 import pitch

from etude.theory.facts import TheoryFact
from etude.theory.keys import Mode, key_label
from etude.theory.scales import scale_notes
from etude.theory.spelling import human

Hand = Literal["right", "left"]

# Pitch class of the tonic → (right hand, left hand), one octave ascending.
_MAJOR: dict[int, tuple[str, str]] = {
    0: ("12312345", "54321321"),  # C
    7: ("12312345", "54321321"),  # G
    2: ("12312345", "54321321"),  # D
    9: ("12312345", "54321321"),  # A
    4: ("12312345", "54321321"),  # E
    11: ("12312345", "43214321"),  # B / Cb
    6: ("23412312", "43213214"),  # F# / Gb
    1: ("23123412", "32143213"),  # C# / Db
    8: ("34123123", "32143213"),  # Ab
    3: ("31234123", "32143213"),  # Eb
    10: ("41231234", "32143213"),  # Bb
    5: ("12341234", "54321321"),  # F
}

_MINOR: dict[int, tuple[str, str]] = {
    9: ("12312345", "54321321"),  # A
    4: ("12312345", "54321321"),  # E
    2: ("12312345", "54321321"),  # D
    7: ("12312345", "54321321"),  # G
    0: ("12312345", "54321321"),  # C
    11: ("12312345", "43214321"),  # B
    5: ("12341234", "54321321"),  # F
    6: ("34123123", "43213214"),  # F#
    1: ("34123123", "32143213"),  # C#
    8: ("34123123", "32143213"),  # G# / Ab
    3: ("31234123", "21432132"),  # D# / Eb
    10: ("41231234", "21321432"),  # A# / Bb
}

_TRIAD = {
    0: ("1-3-5", "5-3-1", "root position"),
    1: ("1-2-5", "5-3-1", "first inversion"),
    2: ("1-3-5", "5-2-1", "second inversion"),
}


def _dashed(fingers: str) -> str:
    return "-".join(fingers)


def scale_fingering(tonic: str, mode: Mode) -> TheoryFact:
    """Right- and left-hand fingering of a one-octave scale, ascending.

    >>> print(scale_fingering("C", "major").statement)  # doctest: +NORMALIZE_WHITESPACE
    Piano fingering, C major scale (one octave, ascending; reverse it descending):
    right hand 1-2-3-1-2-3-4-5 on C D E F G A B C; left hand 5-4-3-2-1-3-2-1.
    >>> scale_fingering("B-", "major").data["left"]
    '3-2-1-4-3-2-1-3'
    """
    table = _MAJOR if mode == "major" else _MINOR
    right, left = table[pitch.Pitch(tonic).pitchClass]
    notes = scale_notes(tonic, "major" if mode == "major" else "harmonic minor")
    shown = [human(n) for n in notes] + [human(tonic)]
    form = "" if mode == "major" else " (harmonic minor; natural minor uses the same fingers)"
    label = f"{key_label(tonic, mode)} scale"
    statement = (
        f"Piano fingering, {label}{form} (one octave, ascending; reverse it descending): "
        f"right hand {_dashed(right)} on {' '.join(shown)}; left hand {_dashed(left)}."
    )
    return TheoryFact(
        kind="fingering",
        query=f"fingering of the {label}",
        statement=statement,
        notes=shown,
        data={"subject": label, "right": _dashed(right), "left": _dashed(left)},
    )


def triad_fingering(tonic: str, mode: Mode, inversion: int = 0) -> TheoryFact:
    """Fingering of a major or minor triad, blocked or broken, in any inversion.

    The same in every key: the hand keeps its shape whatever mix of black and white keys.

    >>> triad_fingering("D", "minor").statement
    'Piano fingering, D minor triad in root position (D F A): right hand 1-3-5, left hand 5-3-1.'
    """
    from etude.theory.chords import parse_symbol, voiced

    spec = parse_symbol(human(tonic) + ("" if mode == "major" else "m"))
    assert spec is not None
    tones = spec.tones()
    order = tones[inversion:] + tones[:inversion]
    spec_notes = [human(n) for n in (order if inversion else voiced(spec))]
    right, left, position = _TRIAD[inversion]
    label = f"{key_label(tonic, mode)} triad"
    statement = (
        f"Piano fingering, {label} in {position} ({' '.join(spec_notes)}): "
        f"right hand {right}, left hand {left}."
    )
    return TheoryFact(
        kind="fingering",
        query=f"fingering of the {label} ({position})",
        statement=statement,
        notes=spec_notes,
        data={"subject": label, "right": right, "left": left, "inversion": inversion},
    )
