"""Chord progressions in a key: named ones (ii–V–I, the "pop" I–V–vi–IV) or any numerals.

Named progressions are written for major keys; in a minor key each numeral is mapped to its
minor-key counterpart (ii → ii°, I → i, IV → iv, vi → VI) while V keeps the raised leading
tone, which is how the progressions are taught in minor.
"""

from __future__ import annotations

import re

from music21 import chord, pitch

from etude.theory.chords import parse_symbol
from etude.theory.facts import TheoryFact
from etude.theory.keys import Mode, key_label
from etude.theory.roman import _symbol_for, realised_pitches, tidy_figure
from etude.theory.spelling import human

NAMED_PROGRESSIONS: dict[str, tuple[str, ...]] = {
    "ii-V-I": ("ii", "V", "I"),
    "ii7-V7-Imaj7": ("ii7", "V7", "Imaj7"),
    "I-IV-V-I": ("I", "IV", "V", "I"),
    "I-IV-V": ("I", "IV", "V"),
    "I-V-vi-IV": ("I", "V", "vi", "IV"),
    "I-vi-IV-V": ("I", "vi", "IV", "V"),
    "vi-ii-V-I": ("vi", "ii", "V", "I"),
    "I-vi-ii-V": ("I", "vi", "ii", "V"),
    "12-bar blues": ("I7", "I7", "I7", "I7", "IV7", "IV7", "I7", "I7", "V7", "IV7", "I7", "V7"),
}

PROGRESSION_NICKNAMES = {
    "pop": "I-V-vi-IV",
    "axis": "I-V-vi-IV",
    "doo-wop": "I-vi-IV-V",
    "50s": "I-vi-IV-V",
    "fifties": "I-vi-IV-V",
    "turnaround": "I-vi-ii-V",
    "blues": "12-bar blues",
    "twelve-bar": "12-bar blues",
    "12-bar": "12-bar blues",
    "circle": "vi-ii-V-I",
    "jazz": "ii7-V7-Imaj7",
}

_MINOR_COUNTERPARTS = {
    "I": "i",
    "ii": "ii°",
    "iii": "III",
    "IV": "iv",
    "vi": "VI",
    "vii": "vii°",
    "I7": "i7",
    "ii7": "iiø7",
    "IV7": "iv7",
    "Imaj7": "i7",
    "IVmaj7": "iv7",
    "vi7": "VImaj7",
    "iii7": "IIImaj7",
}

_FIGURE = re.compile(r"^(b|#)?(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)")
_NAMED_FIGURE = re.compile(r"It6|Fr43|Ger65|N6")
"""The chromatic chords textbooks name rather than number: the Italian, French and German
augmented sixths and the Neapolitan sixth (music21 realises each of these figures)."""


def for_mode(figures: tuple[str, ...] | list[str], mode: Mode) -> list[str]:
    """Adapt major-key numerals to a minor key (numerals already minor-correct are kept).

    >>> for_mode(("ii", "V", "I"), "minor")
    ['ii°', 'V', 'i']
    """
    if mode == "major":
        return list(figures)
    return [_MINOR_COUNTERPARTS.get(f, f) for f in figures]


def progression(figures: list[str], tonic: str, mode: Mode, name: str | None = None) -> TheoryFact:
    """Each numeral of a progression realised in a key, as chord symbols with their notes.

    >>> progression(["ii", "V", "I"], "B-", "major").statement
    'ii–V–I in Bb major: Cm (C Eb G) – F (F A C) – Bb (Bb D F).'
    >>> progression(["ii", "V", "I"], "A", "minor").statement
    'ii°–V–i in A minor: Bdim (B D F) – E (E G# B) – Am (A C E).'
    """
    figures = for_mode(figures, mode)
    label = key_label(tonic, mode)
    chords: list[dict[str, object]] = []
    for figure in figures:
        ordered = [pitch.Pitch(p) for p in realised_pitches(figure, tonic, mode)]
        spec = _symbol_for(ordered)
        if name == "12-bar blues" and spec is not None:
            # Blues "I7" and "IV7" are dominant sevenths, not the diatonic major sevenths
            # music21 (rightly, for common-practice harmony) builds from those figures.
            spec = parse_symbol(human(spec.root) + "7")
            assert spec is not None
            ordered = [pitch.Pitch(n) for n in spec.tones()]
        chords.append(
            {
                "figure": tidy_figure(figure),
                "symbol": spec.symbol if spec else chord.Chord(ordered).commonName,
                "notes": [human(p) for p in ordered],
            }
        )
    shown_figures = "–".join(str(c["figure"]) for c in chords)
    named = name and (name[0].isdigit() or name.endswith("cadence"))
    title = f"{name[0].upper()}{name[1:]} ({shown_figures})" if name and named else shown_figures
    body = " – ".join(f"{c['symbol']} ({' '.join(c['notes'])})" for c in chords)  # type: ignore[arg-type]
    notes = [n for c in chords for n in c["notes"]]  # type: ignore[attr-defined]
    return TheoryFact(
        kind="progression",
        query=f"{shown_figures} in {label}",
        statement=f"{title} in {label}: {body}.",
        notes=notes,
        data={"key": label, "figures": [c["figure"] for c in chords], "chords": chords},
    )


def is_figure(token: str) -> bool:
    """Whether a token reads as a roman numeral figure.

    >>> is_figure("viiø7"), is_figure("V7/V"), is_figure("bVI"), is_figure("Vivaldi")
    (True, True, True, False)
    >>> is_figure("Ger65"), is_figure("N6"), is_figure("Germany")
    (True, True, False)
    """
    if _NAMED_FIGURE.fullmatch(token):
        return True
    match = _FIGURE.match(token)
    if not match:
        return False
    rest = token[match.end() :]
    return (
        re.fullmatch(
            r"(°|ø|o|\+|maj7|M7)?(7|9|6|64|65|43|42|2)?(/(b|#)?"
            r"(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i))?",
            rest,
        )
        is not None
    )
