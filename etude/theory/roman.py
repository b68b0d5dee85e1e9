"""Roman numerals: realising a numeral in a key, naming a chord's numeral, diatonic chords.

music21's ``roman.RomanNumeral`` realises figures (V7, viiø7, V7/V, N6, bVI); the reverse uses
``roman.romanNumeralFromChord``, with its figures rewritten in the notation learners see in
textbooks (° and ø instead of ``o`` and ``/o``, ``maj7`` for a major seventh).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from music21 import chord, pitch, roman
from music21.exceptions21 import Music21Exception

from etude.theory.chords import ChordSpec, find_chord, voiced
from etude.theory.facts import TheoryFact
from etude.theory.keys import Mode, key_label, make_key
from etude.theory.scales import scale_notes
from etude.theory.spelling import human

_NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII"]


def tidy_figure(figure: str) -> str:
    """Textbook notation for a music21 figure.

    >>> tidy_figure("viio7"), tidy_figure("vii/o7"), tidy_figure("iio")
    ('vii°7', 'viiø7', 'ii°')
    """
    return figure.replace("/o", "ø").replace("o", "°")


def music21_figure(figure: str) -> str:
    """music21's spelling of a typed figure (° → o, ø → /o, maj7 kept).

    >>> music21_figure("vii°7"), music21_figure("viiø7"), music21_figure("Imaj7")
    ('viio7', 'vii/o7', 'Imaj7')
    """
    return figure.replace("ø", "/o").replace("°", "o").replace("Δ", "maj")


def _symbol_for(pitches: list[pitch.Pitch]) -> ChordSpec | None:
    ordered = sorted(pitches, key=lambda p: p.ps)
    return find_chord([p.name for p in ordered])


@lru_cache(maxsize=4096)
def realised_pitches(figure: str, tonic: str, mode: Mode) -> tuple[str, ...]:
    """Pitches (with octaves, bass up) of a numeral in a key; cached since music21's numeral
    parser costs milliseconds and a 12-bar blues asks for the same few numerals many times.

    >>> realised_pitches("V7", "F", "major")
    ('C5', 'E5', 'G5', 'B-5')
    """
    rn = roman.RomanNumeral(music21_figure(figure), make_key(tonic, mode))
    return tuple(p.nameWithOctave for p in sorted(rn.pitches, key=lambda p: p.ps))


def realise(figure: str, tonic: str, mode: Mode) -> TheoryFact:
    """Notes of a roman numeral in a key, bass up.

    >>> realise("V7", "F", "major").statement
    'V7 in F major: C – E – G – Bb (C7, C dominant seventh chord).'
    >>> realise("viiø7", "C", "major").notes
    ['B', 'D', 'F', 'A']
    """
    rn = roman.RomanNumeral(music21_figure(figure), make_key(tonic, mode))
    ordered = sorted(rn.pitches, key=lambda p: p.ps)
    notes = [human(p) for p in ordered]
    label = key_label(tonic, mode)
    named = NAMED.get(figure)
    spec = None if named else _symbol_for(list(rn.pitches))
    name = (
        f" ({spec.symbol}, {rn.commonName if spec is None else _words(spec)})"
        if spec
        else (f" ({rn.commonName})")
    )
    if named:
        name = f" ({figure})"
    title = f"The {named} in {label}" if named else f"{tidy_figure(figure)} in {label}"
    statement = f"{title}: {' – '.join(notes)}{name}."
    return TheoryFact(
        kind="roman_numeral",
        query=f"{tidy_figure(figure)} in {label}",
        statement=statement,
        notes=notes,
        data={
            "figure": tidy_figure(figure),
            "key": label,
            "symbol": spec.symbol if spec else None,
            "root": human(rn.root().name),
        },
        steps=_chromatic_steps(figure, rn) if named else [],
    )


NAMED = {
    "It6": "Italian sixth",
    "Fr43": "French sixth",
    "Ger65": "German sixth",
    "N6": "Neapolitan sixth",
}
"""Figures textbooks name in words; their notes alone do not say what the chord is for."""


def _chromatic_steps(figure: str, rn: roman.RomanNumeral) -> list[str]:
    """How a named chromatic chord is built and where it goes, from its realised notes, so
    the learner can rebuild it in any key.

    >>> german = _chromatic_steps("Ger65", roman.RomanNumeral("Ger65", make_key("C", "minor")))
    >>> german[1]
    'Add the tonic, C, and the minor third above it, Eb.'
    >>> _chromatic_steps("N6", roman.RomanNumeral("N6", make_key("A", "minor")))[0]
    'Build a major triad on the lowered second degree, Bb: Bb – D – F.'
    """
    key = rn.key
    tonic = human(key.tonic.name)
    dominant = key.pitchFromDegree(5)
    fifth = human(dominant.name)
    if figure == "N6":
        root = human(rn.root().name)
        triad = " – ".join(human(p.name) for p in (rn.root(), rn.third, rn.fifth))
        in_bass = human(rn.bass().name)
        leading = human(key.getLeadingTone().name)
        return [
            f"Build a major triad on the lowered second degree, {root}: {triad}.",
            f"Sixth means first inversion: its third, {in_bass} (the fourth degree), is in the "
            "bass.",
            f"It moves to the dominant, {fifth}: {root} falls to {leading} (a diminished "
            f"third), often through the cadential 6/4 on {tonic}.",
        ]
    bass = rn.bass()
    upper = next(p for p in rn.pitches if (p.ps - bass.ps) % 12 == 10 and p.name != bass.name)
    sixth = "sixth degree" if key.mode == "minor" else "lowered sixth degree"
    steps = [
        f"Its bass is the {sixth}, {human(bass.name)}; the raised fourth degree, "
        f"{human(upper.name)}, sits an augmented sixth above it.",
    ]
    inner = [human(p.name) for p in rn.pitches if p.name not in (bass.name, upper.name)]
    others = [n for n in inner if n != tonic]
    if figure == "It6":
        steps.append(f"Add the tonic, {tonic} (doubled in four parts).")
    elif figure == "Fr43":
        steps.append(f"Add the tonic, {tonic}, and the second degree, {others[0]}.")
    else:
        steps.append(f"Add the tonic, {tonic}, and the minor third above it, {others[0]}.")
    steps.append(
        f"The augmented sixth opens a semitone each way to the octave on the dominant, "
        f"{fifth}, so the chord leads to V ({fifth} major)."
    )
    if figure == "Ger65":
        steps.append(
            f"Straight to V gives parallel fifths ({human(bass.name)}–{others[0]} to "
            f"{fifth}–{human(key.pitchFromDegree(2).name)}), so it usually goes through "
            f"the cadential 6/4 on {tonic} first."
        )
    return steps


def _words(spec: ChordSpec) -> str:
    from etude.theory.chords import chord_name

    return chord_name(spec)


def figure_for(spec: ChordSpec, tonic: str, mode: Mode) -> str:
    """The textbook numeral of a chord in a key (inversion figures included).

    >>> from etude.theory.chords import parse_symbol
    >>> figure_for(parse_symbol("Am"), "C", "major")
    'vi'
    >>> figure_for(parse_symbol("Bbmaj7"), "F", "major")
    'IVmaj7'
    """
    order = voiced(spec)
    octave_pitches = []
    previous = None
    for name in order:
        p = pitch.Pitch(name + "3")
        while previous is not None and p.ps <= previous.ps:
            p.octave = (p.octave or 3) + 1
        octave_pitches.append(p)
        previous = p
    rn = roman.romanNumeralFromChord(chord.Chord(octave_pitches), make_key(tonic, mode))
    figure = tidy_figure(rn.figure).replace("75#3", "7")  # music21's V7 with a raised third
    if spec.suffix.startswith("maj7") or spec.suffix == "augMaj7":
        figure = figure.replace("7", "maj7", 1) if "maj" not in figure else figure
    if mode == "minor":
        figure = _minor_sixth_seventh(figure, {p.name for p in octave_pitches}, tonic)
    return figure


def _minor_sixth_seventh(figure: str, names: set[str], tonic: str) -> str:
    """A minor key's numeral on the sixth or seventh degree as textbooks write it, and as
    :func:`realised_pitches` reads it back.

    music21 names Ab major in C minor "bVI" (a cautionary flat: the natural-minor sixth) but
    reads "bVI" back as Abb major, and names A major there "VI", which it reads back as Ab
    major. Textbooks write VI and #VI: the numeral is chosen here so that reading it back gives
    the chord's own notes.

    >>> from etude.theory.chords import parse_symbol
    >>> [figure_for(parse_symbol(s), "C", "minor") for s in ("Ab", "Bb", "A", "Abmaj7", "Eb")]
    ['VI', 'VII', '#VI', 'VImaj7', 'III']
    >>> figure_for(parse_symbol("Bb"), "C", "major"), figure_for(parse_symbol("F"), "A", "minor")
    ('bVII', 'VI')
    """
    bare = figure.lstrip("b#")
    candidates = [figure, bare, f"#{bare}", f"b{bare}"]
    for candidate in candidates:
        try:
            read = {pitch.Pitch(p).name for p in realised_pitches(candidate, tonic, "minor")}
        except (Music21Exception, ValueError):  # a spelling music21 refuses: try the next
            continue
        if read == names:
            return candidate
    return figure


def numeral_of(spec: ChordSpec, tonic: str, mode: Mode) -> TheoryFact:
    """The reverse question: which numeral a chord is in a key.

    >>> from etude.theory.chords import parse_symbol
    >>> numeral_of(parse_symbol("Am"), "C", "major").statement
    'In C major, Am (A – C – E) is vi.'
    """
    figure = figure_for(spec, tonic, mode)
    label = key_label(tonic, mode)
    notes = [human(n) for n in voiced(spec)]
    statement = f"In {label}, {spec.symbol} ({' – '.join(notes)}) is {figure}."
    return TheoryFact(
        kind="roman_numeral",
        query=f"{spec.symbol} in {label}",
        statement=statement,
        notes=notes,
        data={"figure": figure, "key": label, "symbol": spec.symbol},
    )


def _numeral_label(degree: int, spec: ChordSpec) -> str:
    """Numeral from a scale degree and a chord quality: case from the 3rd, ° ø + from the 5th."""
    base = _NUMERALS[degree]
    minor_third = "m3" in spec.intervals
    suffix = spec.suffix
    if minor_third:
        base = base.lower()
    marks = {
        "dim": "°",
        "dim7": "°7",
        "m7b5": "ø7",
        "aug": "+",
        "7": "7",
        "m7": "7",
        "maj7": "maj7",
        "mMaj7": "(maj7)",
        "augMaj7": "+maj7",
        "": "",
        "m": "",
    }
    return base + marks.get(suffix, suffix)


def diatonic_chords(tonic: str, mode: Mode, sevenths: bool = False) -> TheoryFact:
    """The chords built by stacking thirds on each degree of the key's scale.

    Minor keys use the natural minor and add the harmonic-minor V and vii° that cadences use.

    >>> print(diatonic_chords("G", "major").statement)  # doctest: +NORMALIZE_WHITESPACE
    Diatonic triads of G major: I G (G B D), ii Am (A C E), iii Bm (B D F#), IV C (C E G),
    V D (D F# A), vi Em (E G B), vii° F#dim (F# A C).
    >>> diatonic_chords("C", "major", sevenths=True).data["chords"][6]["symbol"]
    'Bm7b5'
    """
    scale_kind = "major" if mode == "major" else "natural minor"
    degrees = scale_notes(tonic, scale_kind)
    rows = _stack(degrees, sevenths)
    label = key_label(tonic, mode)
    kind_word = "seventh chords" if sevenths else "triads"
    parts = [f"{row['numeral']} {row['symbol']} ({' '.join(row['notes'])})" for row in rows]
    statement = f"Diatonic {kind_word} of {label}: {', '.join(parts)}."
    if mode == "minor":
        harmonic = _stack(scale_notes(tonic, "harmonic minor"), sevenths)
        extra = [harmonic[4], harmonic[6]]
        statement += (
            " With the raised leading tone of harmonic minor: "
            + ", ".join(
                f"{row['numeral']} {row['symbol']} ({' '.join(row['notes'])})" for row in extra
            )
            + "."
        )
        rows = rows + extra
    notes = [n for row in rows for n in row["notes"]]
    return TheoryFact(
        kind="diatonic_chords",
        query=f"diatonic {kind_word} of {label}",
        statement=statement,
        notes=notes,
        data={"key": label, "chords": rows},
    )


def _stack(degrees: list[str], sevenths: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for index in range(7):
        tones = [degrees[(index + step) % 7] for step in (0, 2, 4, 6)[: 4 if sevenths else 3]]
        spec = find_chord(tones)
        assert spec is not None, tones
        rows.append(
            {
                "degree": index + 1,
                "numeral": _numeral_label(index, spec),
                "symbol": spec.symbol,
                "notes": [human(t) for t in tones],
            }
        )
    return rows
