"""Chords that can stand in for another: the computed answer to "what could I use instead of
F?", "something more dramatic than G before C", "what else could go under this E?".

Advice like this has no single right answer, but its candidates are computable: a chord can be
replaced by one with the same harmonic function (tonic, pre-dominant, dominant), by its
counterpart borrowed from the parallel minor, or by a chord that pushes harder towards where it
goes next; a melody note can sit under any chord that contains it. Each candidate is realised
in the key by music21, with the notes it shares with the chord it replaces, so the learner can
hear and check why it works. Without this module the engine answered such questions by spelling
the chord the learner already had.
"""

from __future__ import annotations

from music21 import pitch, roman

from etude.theory.facts import TheoryFact
from etude.theory.keys import Mode, key_label, make_key
from etude.theory.roman import music21_figure, realised_pitches, tidy_figure
from etude.theory.spelling import human

_FUNCTIONS = {1: "tonic", 3: "tonic", 6: "tonic", 2: "pre-dominant", 4: "pre-dominant"}
_FUNCTIONS |= {5: "dominant", 7: "dominant"}

_OPTIONS: dict[tuple[Mode, str], tuple[tuple[str, str], ...]] = {
    ("major", "tonic"): (
        ("vi", "the same tonic job with a softer, minor colour"),
        ("iii", "a gentler tonic colour that still holds the melody's third"),
        ("bVI", "borrowed from the parallel minor: a bright surprise (the deceptive sound)"),
    ),
    ("major", "pre-dominant"): (
        ("ii", "the same pre-dominant job, leading just as well to V"),
        ("IV", "the same pre-dominant job, leading just as well to V"),
        ("iv", "borrowed from the parallel minor: a darker, bittersweet colour"),
        ("V7/V", "a secondary dominant: it pushes hard towards V"),
    ),
    ("major", "dominant"): (
        ("V7", "the seventh adds a tritone that needs to resolve"),
        ("vii°7", "borrowed diminished seventh: the most tension, every voice a step from I"),
        ("bIIb7", "the tritone substitute: its bass slides down a semitone to the tonic"),
        ("iv", "a plagal ending borrowed from minor: soft, cinematic"),
    ),
    ("minor", "tonic"): (
        ("VI", "the same tonic job, shares two notes with i"),
        ("III", "the relative major's tonic: brighter"),
        ("I", "the Picardy third: a major tonic to end brightly"),
    ),
    ("minor", "pre-dominant"): (
        ("ii°", "the same pre-dominant job, leading just as well to V"),
        ("iv", "the same pre-dominant job, leading just as well to V"),
        ("N6", "the Neapolitan sixth: a dramatic pre-dominant"),
        ("Ger65", "the German sixth: its augmented sixth opens onto V"),
    ),
    ("minor", "dominant"): (
        ("V7", "with the raised leading tone and a seventh: the strongest pull to i"),
        ("vii°7", "the diminished seventh: the most tension, every voice a step from i"),
        ("bIIb7", "the tritone substitute: its bass slides down a semitone to the tonic"),
    ),
}
"""Candidates by the key's mode and the function of the chord replaced, best first."""


def _shown(figure: str) -> str:
    """The figure as textbooks print it (``bIIb7``, music21's dominant seventh on bII, is
    written bII7)."""
    return tidy_figure(figure.replace("IIb7", "II7"))


def _degree(figure: str, tonic: str, mode: Mode) -> int:
    return int(roman.RomanNumeral(music21_figure(figure), make_key(tonic, mode)).scaleDegree)


def function_of(figure: str, tonic: str, mode: Mode) -> str:
    """The harmonic function of a diatonic numeral: what job the chord does in its phrase.

    >>> function_of("IV", "C", "major"), function_of("vii°", "C", "major")
    ('pre-dominant', 'dominant')
    """
    return _FUNCTIONS[_degree(figure, tonic, mode)]


_NAMED_BY = {"tonic": 1, "dominant": 5}
"""Functions named after a scale degree: "a dominant chord" reads as the chord on that degree."""


def function_phrase(figure: str, tonic: str, mode: Mode) -> str:
    """The chord's function as a phrase that cannot be read as another chord's name.

    "Tonic" and "dominant" also name the chords on degrees 1 and 5, so "G is VII in A minor, a
    dominant chord" reads as "G is the V chord". Only I and V are *the* tonic and dominant
    chords; any other chord has their function. "Pre-dominant" names no degree.

    >>> function_phrase("VII", "A", "minor"), function_phrase("V", "A", "minor")
    ('a chord of dominant function', 'the dominant chord')
    >>> function_phrase("vi", "C", "major"), function_phrase("ii", "C", "major")
    ('a chord of tonic function', 'a pre-dominant chord')
    """
    function = function_of(figure, tonic, mode)
    if function not in _NAMED_BY:
        return f"a {function} chord"
    if _degree(figure, tonic, mode) == _NAMED_BY[function]:
        return f"the {function} chord"
    return f"a chord of {function} function"


def _names(figure: str, tonic: str, mode: Mode) -> list[str]:
    return [human(pitch.Pitch(p).name) for p in realised_pitches(figure, tonic, mode)]


def _symbol(figure: str, tonic: str, mode: Mode) -> str:
    from etude.theory.roman import NAMED, _symbol_for

    if figure in NAMED:
        return f"the {NAMED[figure]}"
    spec = _symbol_for([pitch.Pitch(p) for p in realised_pitches(figure, tonic, mode)])
    if spec is None:
        return tidy_figure(figure)
    return spec.symbol.split("/")[0]


def _listed(items: list[str], last: str) -> str:
    """'A, B or C': items joined as a sentence reads them."""
    return f"{', '.join(items[:-1])} {last} {items[-1]}" if len(items) > 1 else items[0]


def _shared(first: list[str], second: list[str]) -> list[str]:
    """The notes of ``first`` also in ``second``, by spelling (Cb and B are different notes
    to read, so they are not "kept")."""
    return [n for n in first if n in second]


def instead_of(figure: str, tonic: str, mode: Mode) -> TheoryFact:
    """Chords that can replace the chord on ``figure`` in a key, each with its notes, why it
    works, and the notes it keeps.

    >>> fact = instead_of("IV", "C", "major")
    >>> fact.statement
    'Instead of F (IV in C major), try Dm (ii), Fm (iv) or D7 (V7/V).'
    >>> fact.steps[1]
    'Dm (ii): D – F – A. The same pre-dominant job, leading just as well to V; it keeps F \
and A.'
    >>> instead_of("V", "C", "major").statement
    'Instead of G (V in C major), try G7 (V7), Bdim7 (vii°7), Db7 (bII7) or Fm (iv).'
    """
    label = key_label(tonic, mode)
    function = function_of(figure, tonic, mode)
    target = _names(figure, tonic, mode)
    symbol = _symbol(figure, tonic, mode)
    lines = [
        f"{symbol} is {tidy_figure(figure)} in {label}, {function_phrase(figure, tonic, mode)}; "
        "chords that do the same job, or push harder towards the next chord, can take its place."
    ]
    picks: list[str] = []
    for option, why in _OPTIONS[(mode, function)]:
        notes = _names(option, tonic, mode)
        if _shown(option) == tidy_figure(figure) or set(notes) == set(target):
            continue
        kept = _shared(notes, target)
        keeps = f"; it keeps {_listed(kept, 'and')}" if kept else ""
        name = _symbol(option, tonic, mode)
        picks.append(f"{name} ({_shown(option)})")
        lines.append(
            f"{name} ({_shown(option)}): {' – '.join(notes)}. {why[0].upper()}{why[1:]}{keeps}."
        )
    listed = _listed(picks, "or")
    return TheoryFact(
        kind="substitution",
        query=f"chords instead of {symbol} in {label}",
        statement=f"Instead of {symbol} ({tidy_figure(figure)} in {label}), try {listed}.",
        notes=target,
        data={
            "figure": tidy_figure(figure),
            "key": label,
            "function": function,
            "replaces": symbol,
            "options": [pick.split(" (")[0] for pick in picks],
        },
        steps=lines,
    )


def chords_containing(note: str, tonic: str, mode: Mode) -> TheoryFact:
    """The diatonic triads and sevenths of a key that contain a melody note, with the note's
    place in each: any of them can sit under it.

    >>> chords_containing("E", "C", "major").statement
    'Under E in C major, these chords contain it: C (I), Em (iii), Am (vi) and Fmaj7 (IVmaj7).'
    >>> chords_containing("E", "C", "major").steps[3]
    'Am (vi): A – C – E, with E as its fifth.'
    """
    label = key_label(tonic, mode)
    wanted = pitch.Pitch(note).pitchClass
    roles = ("root", "third", "fifth", "seventh")
    picks: list[str] = []
    lines = [f"Any chord that contains {human(note)} can sit under it; in {label} these do."]
    triads = (
        ("I", "ii", "iii", "IV", "V", "vi") if mode == "major" else ("i", "III", "iv", "V", "VI")
    )
    sevenths = ("IVmaj7", "ii7", "V7") if mode == "major" else ("iv7", "VImaj7", "V7")
    for figure in (*triads, *sevenths):
        pitches = [pitch.Pitch(p) for p in realised_pitches(figure, tonic, mode)]
        classes = [p.pitchClass for p in pitches]
        if wanted not in classes:
            continue
        if figure in sevenths and wanted in classes[:3]:
            continue  # a seventh chord only adds a colour when the note is its seventh
        role = roles[classes.index(wanted)]
        name = _symbol(figure, tonic, mode)
        picks.append(f"{name} ({tidy_figure(figure)})")
        notes = " – ".join(human(p.name) for p in pitches)
        lines.append(f"{name} ({tidy_figure(figure)}): {notes}, with {human(note)} as its {role}.")
    listed = _listed(picks, "and")
    return TheoryFact(
        kind="substitution",
        query=f"chords under {human(note)} in {label}",
        statement=f"Under {human(note)} in {label}, these chords contain it: {listed}.",
        notes=[human(note)],
        data={
            "key": label,
            "melody_note": human(note),
            "options": [pick.split(" (")[0] for pick in picks],
        },
        steps=lines,
    )


def key_of_chords(symbols: list[str], home: str | None = None) -> tuple[str, Mode] | None:
    """The key all the named chords belong to, for advice about a progression that names no
    key: the chord the phrase ends on (``home``) or else the first chord is tried as tonic,
    major then minor (harmonic minor, so its V is major).

    >>> key_of_chords(["C", "Am", "F", "G"])
    ('C', 'major')
    >>> key_of_chords(["G", "C"], home="C")
    ('C', 'major')
    >>> key_of_chords(["Am", "Dm", "E"])
    ('A', 'minor')
    """
    from etude.theory.chords import parse_symbol, voiced
    from etude.theory.scales import scale_notes

    specs = [parse_symbol(s) for s in symbols]
    if not specs or any(s is None for s in specs):
        return None
    classes = [{pitch.Pitch(n).pitchClass for n in voiced(s)} for s in specs if s]
    order = [home] if home else []
    order += [s for s in symbols if s != home]
    for candidate in order:
        spec = parse_symbol(candidate) if candidate else None
        if spec is None or spec.suffix not in ("", "m"):
            continue
        mode: Mode = "minor" if spec.suffix == "m" else "major"
        scale = "major" if mode == "major" else "harmonic minor"
        tonic = pitch.Pitch(spec.root).name
        allowed = {pitch.Pitch(n).pitchClass for n in scale_notes(tonic, scale)}
        if all(c <= allowed for c in classes):
            return tonic, mode
    return None


def figure_of(symbol: str, tonic: str, mode: Mode) -> str | None:
    """The numeral of a chord symbol in a key, or None when it is no chord.

    >>> figure_of("F", "C", "major"), figure_of("G", "C", "major")
    ('IV', 'V')
    """
    from etude.theory.chords import parse_symbol
    from etude.theory.roman import figure_for

    spec = parse_symbol(symbol)
    return figure_for(spec, tonic, mode) if spec else None
