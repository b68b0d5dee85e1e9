"""Which key a list of chords is in, found the way a teacher shows it.

A learner who lists chords ("Bb F Gm Eb") and asks which key they are in wants the key
first, then how to find it: collect the chords' notes, read the key signature they make,
then choose between the major key and its relative minor by which chord sounds like home.
This module computes every one of those steps with music21 and the engine's own helpers;
nothing is written for a particular progression.

Every key with up to seven sharps or flats is tried (the 24 keys by sound, with both
spellings of F# / Gb major and the like, the one that matches the learner's spelling kept).
A chord belongs to a key when it is one of the key's diatonic triads or seventh chords
(:func:`etude.theory.roman.diatonic_chords`: in a minor key the natural-minor chords plus
the harmonic-minor V, V7, vii° and vii°7), or when all its notes are in the key's scale (a
sus, add9 or ninth chord). Keys are ranked by

1. how many of the chords belong to them;
2. the home chord at the edges: whether the first or the last chord is the key's tonic
   chord (each counts);
3. whether the key's V or V7, the chord that leads home, is among the chords.

Keys equal on all three are a tie, and said to be one: nothing in the chords decides
between them, the ear does. A chord that belongs to no ranked key is explained only as far
as it is computed here: borrowed from the parallel key, a secondary dominant, or the
Neapolitan; otherwise its notes outside the key are named, nothing more.

>>> found = find_key(["Bb", "F", "Gm", "Eb"])
>>> found.best[0].label, [c.figure for c in found.best[0].chords]
('Bb major', ['I', 'V', 'vi', 'IV'])
>>> [r.label for r in found.alternatives]
['G minor']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from music21 import key

from etude.theory.chords import ChordSpec, parse_symbol, voiced
from etude.theory.facts import TheoryFact
from etude.theory.keys import Mode, key_label, make_key
from etude.theory.roman import diatonic_chords, figure_for, realised_pitches
from etude.theory.scales import scale_notes
from etude.theory.spelling import human, pitch_class

_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII")
_LETTERS = "CDEFGAB"
_COUNT_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
}


def _word(number: int) -> str:
    return _COUNT_WORDS.get(number, str(number))


def _listed(items: list[str], last: str = "and") -> str:
    """'A, B and C'.

    >>> _listed(["G"]), _listed(["G", "D", "Em"]), _listed(["B", "B7"], "or")
    ('G', 'G, D and Em', 'B or B7')
    """
    return f"{', '.join(items[:-1])} {last} {items[-1]}" if len(items) > 1 else "".join(items)


# ----------------------------------------------------------------------------- keys


@lru_cache(maxsize=1)
def candidate_keys() -> tuple[tuple[str, Mode], ...]:
    """The major and minor keys with up to seven sharps or flats, music21-spelled tonics.

    >>> keys = candidate_keys()
    >>> len(keys), keys[7], keys[22]
    (30, ('C', 'major'), ('A', 'minor'))
    """
    found: list[tuple[str, Mode]] = []
    for mode in ("major", "minor"):
        for sharps in range(-7, 8):
            found.append((key.KeySignature(sharps).asKey(mode).tonic.name, mode))
    return tuple(found)


@dataclass(frozen=True)
class _Row:
    """One diatonic chord of a key: its pitch classes, numeral, degree and symbol."""

    classes: frozenset[int]
    numeral: str
    degree: int
    symbol: str
    notes: tuple[str, ...]


@lru_cache(maxsize=64)
def _rows(tonic: str, mode: Mode) -> tuple[_Row, ...]:
    """The key's diatonic triads, then its seventh chords."""
    rows: list[_Row] = []
    for sevenths in (False, True):
        for row in diatonic_chords(tonic, mode, sevenths).data["chords"]:
            notes = tuple(str(n) for n in row["notes"])
            rows.append(
                _Row(
                    frozenset(pitch_class(n) for n in notes),
                    str(row["numeral"]),
                    int(row["degree"]),
                    str(row["symbol"]),
                    notes,
                )
            )
    return tuple(rows)


@lru_cache(maxsize=64)
def _scale(tonic: str, mode: Mode) -> tuple[str, ...]:
    """The key's scale, music21-spelled; a minor key's natural minor then its raised 7th."""
    if mode == "major":
        return tuple(scale_notes(tonic, "major"))
    return (*scale_notes(tonic, "natural minor"), scale_notes(tonic, "harmonic minor")[6])


def _classes(names: list[str] | tuple[str, ...]) -> frozenset[int]:
    return frozenset(pitch_class(n) for n in names)


def tonic_chord(tonic: str, mode: Mode) -> str:
    """The symbol of a key's home chord.

    >>> tonic_chord("E", "minor"), tonic_chord("B-", "major")
    ('Em', 'Bb')
    """
    return _rows(tonic, mode)[0].symbol


def dominant_chords(tonic: str, mode: Mode) -> tuple[str, str]:
    """The symbols of a key's V and V7 (with the raised leading tone in minor).

    >>> dominant_chords("A", "minor")
    ('E', 'E7')
    """
    rows = _rows(tonic, mode)
    triad = next(r for r in rows if r.numeral == "V")
    seventh = next(r for r in rows if r.numeral == "V7")
    return triad.symbol, seventh.symbol


# ----------------------------------------------------------------------------- one key


@dataclass(frozen=True)
class Placed:
    """One chord read in one key: its numeral there, or None when it does not belong."""

    symbol: str
    notes: tuple[str, ...]
    """Its notes from the bass up, as learners read them ("Bb", "F#")."""
    figure: str | None
    degree: int | None
    home: bool
    """Whether it is the key's tonic chord (a tonic triad or seventh, or its add9 …)."""
    dominant: bool
    """Whether it is the key's V or V7 (or a V7 with colour tones, a V9): the chord that
    leads home."""


def _inverted(numeral: str, inversion: int, sevenths: bool) -> str:
    """A numeral with its inversion figure, as textbooks write it.

    >>> _inverted("V", 1, False), _inverted("V7", 2, True), _inverted("viiø7", 1, True)
    ('V6', 'V43', 'viiø65')
    """
    if not inversion:
        return numeral
    if not sevenths:
        return numeral + ("6" if inversion == 1 else "64")
    base = numeral.removesuffix("7").removesuffix("maj")
    return base + {1: "65", 2: "43", 3: "42"}[inversion]


_LOOSE_SUFFIXES = {"6": "add6", "m6": "add6"}


def _loose_figure(spec: ChordSpec, degree: int) -> str:
    """The numeral of a chord that is no diatonic triad or seventh but whose notes are all in
    the key: the degree of its root, upper-case unless its third is minor, and its colour.

    >>> _loose_figure(parse_symbol("Gsus4"), 5), _loose_figure(parse_symbol("Dm9"), 2)
    ('Vsus4', 'ii9')
    """
    minor = "m3" in spec.intervals and "M3" not in spec.intervals
    base = _NUMERALS[degree - 1].lower() if minor else _NUMERALS[degree - 1]
    suffix = _LOOSE_SUFFIXES.get(spec.suffix, spec.suffix)
    if minor and suffix.startswith("m") and not suffix.startswith("maj"):
        suffix = suffix[1:]
    return base + suffix


def place(symbol: str, tonic: str, mode: Mode) -> Placed:
    """A chord symbol read in a key.

    >>> place("E7", "A", "minor").figure, place("Em", "A", "minor").figure
    ('V7', 'v')
    >>> place("G/B", "C", "major").figure, place("Fm", "C", "major").figure
    ('V6', None)
    >>> place("Cadd9", "C", "major").home, place("G9", "C", "major").dominant
    (True, True)
    >>> place("Gsus4", "C", "major").dominant, place("Cadd9", "F", "major").dominant
    (False, False)
    """
    spec = parse_symbol(symbol)
    if spec is None:
        raise ValueError(f"not a chord symbol: {symbol!r}")
    notes = tuple(human(n) for n in voiced(spec))
    classes = _classes(notes)
    row = next((r for r in _rows(tonic, mode) if r.classes == classes), None)
    leading = (pitch_class(tonic) - 1) % 12
    major_third = "M3" in spec.intervals
    if row is not None:
        figure = _inverted(row.numeral, spec.inversion, len(spec.intervals) == 4)
        return Placed(
            spec.symbol,
            notes,
            figure,
            row.degree,
            home=row.degree == 1,
            dominant=row.degree == 5 and major_third and leading in classes,
        )
    scale = _scale(tonic, mode)
    degrees = [pitch_class(n) for n in scale[:7]]
    root = pitch_class(spec.root)
    degree = degrees.index(root) + 1 if root in degrees else None
    allowed = _classes(scale[:7])
    if mode == "minor" and degree in (5, 7):
        allowed = _classes(scale_notes(tonic, "harmonic minor"))
    if degree is None or not classes <= allowed:
        return Placed(spec.symbol, notes, None, None, home=False, dominant=False)
    third = "M3" if mode == "major" else "m3"
    return Placed(
        spec.symbol,
        notes,
        _loose_figure(spec, degree),
        degree,
        home=degree == 1 and third in spec.intervals,
        # a V7 with colour tones (V9, V13); a Vsus4 or Vadd9 is no V or V7
        dominant=degree == 5 and major_third and "m7" in spec.intervals,
    )


@dataclass(frozen=True)
class Reading:
    """A list of chords read in one key, with the evidence that the key is home."""

    tonic: str
    mode: Mode
    chords: tuple[Placed, ...]
    spelled: int
    """How many of the chords' notes are spelled as the key spells them (F# major or Gb)."""

    @property
    def label(self) -> str:
        return key_label(self.tonic, self.mode)

    @property
    def fits(self) -> int:
        """How many of the chords (each time it is played) belong to the key."""
        return sum(1 for c in self.chords if c.figure is not None)

    @property
    def first_home(self) -> bool:
        return self.chords[0].home

    @property
    def last_home(self) -> bool:
        return self.chords[-1].home

    @property
    def edges(self) -> int:
        """0, 1 or 2: whether the first and the last chord are the home chord."""
        return int(self.first_home) + int(self.last_home)

    @property
    def dominant(self) -> str | None:
        """The learner's chord that is this key's V or V7, if there is one."""
        return next((c.symbol for c in self.chords if c.dominant), None)

    @property
    def evidence(self) -> tuple[int, int, int]:
        """What ranks keys: chords that belong, home chord at the edges, a V present."""
        return self.fits, self.edges, int(self.dominant is not None)

    @property
    def sharps(self) -> int:
        return int(make_key(self.tonic, self.mode).sharps)


def read_in(symbols: list[str], tonic: str, mode: Mode) -> Reading:
    """Every chord placed in one key.

    >>> reading = read_in(["Em", "C", "G", "D"], "G", "major")
    >>> reading.fits, reading.edges, reading.dominant
    (4, 0, 'D')
    """
    chords = tuple(place(s, tonic, mode) for s in symbols)
    names = {human(n) for n in _scale(tonic, mode)}
    spelled = sum(1 for c in chords for n in c.notes if n in names)
    return Reading(tonic, mode, chords, spelled)


# ----------------------------------------------------------------------------- chords outside


@dataclass(frozen=True)
class Outsider:
    """A chord that does not belong to the key, and what it is there where that is computed."""

    symbol: str
    notes: tuple[str, ...]
    foreign: tuple[str, ...]
    """Its notes that the key does not have."""
    kind: Literal["borrowed", "secondary dominant", "neapolitan"] | None
    figure: str
    """Its numeral in the key: as borrowed, secondary or Neapolitan, else music21's reading."""
    source: str | None = None
    """The parallel key it is borrowed from, or the chord a secondary dominant leads to."""


def explain(symbol: str, tonic: str, mode: Mode) -> Outsider:
    """What a chord outside a key is there, as far as it is computed: a chord of the parallel
    key (borrowed), the V or V7 of one of the key's chords (a secondary dominant), or the
    major chord on the lowered second degree (the Neapolitan).

    >>> fm = explain("Fm", "C", "major")
    >>> fm.kind, fm.figure, fm.source, fm.foreign
    ('borrowed', 'iv', 'C minor', ('Ab',))
    >>> d7 = explain("D7", "C", "major")
    >>> d7.kind, d7.figure, d7.source
    ('secondary dominant', 'V7/V', 'G')
    >>> explain("Db", "C", "major").kind, explain("F#", "C", "major").kind
    ('neapolitan', None)
    """
    spec = parse_symbol(symbol)
    if spec is None:
        raise ValueError(f"not a chord symbol: {symbol!r}")
    notes = tuple(human(n) for n in voiced(spec))
    classes = _classes(notes)
    allowed = _classes(_scale(tonic, mode))
    foreign = tuple(n for n in notes if pitch_class(n) not in allowed)
    other: Mode = "minor" if mode == "major" else "major"
    borrowed = place(symbol, tonic, other)
    if borrowed.figure is not None:
        return Outsider(
            spec.symbol, notes, foreign, "borrowed", borrowed.figure, key_label(tonic, other)
        )
    for row in _rows(tonic, mode)[:7]:
        if row.degree == 1 or "°" in row.numeral or "+" in row.numeral:
            continue  # a secondary dominant leads to a major or minor chord other than I
        for dominant in ("V", "V7"):
            figure = f"{dominant}/{row.numeral}"
            if _classes(realised_pitches(figure, tonic, mode)) == classes:
                return Outsider(
                    spec.symbol, notes, foreign, "secondary dominant", figure, row.symbol
                )
    if _classes(realised_pitches("bII", tonic, mode)) == classes and len(classes) == 3:
        return Outsider(spec.symbol, notes, foreign, "neapolitan", "bII")
    return Outsider(spec.symbol, notes, foreign, None, figure_for(spec, tonic, mode))


# ----------------------------------------------------------------------------- all keys


def _ranked(reading: Reading) -> tuple[int, int, int, int, int]:
    return (*reading.evidence, reading.spelled, -abs(reading.sharps))


@dataclass(frozen=True)
class Finding:
    """The keys a list of chords is in, best first, with what the answer needs."""

    symbols: tuple[str, ...]
    best: tuple[Reading, ...]
    """The best key, or the keys tied with it on every count."""
    alternatives: tuple[Reading, ...]
    """Other keys that hold as many of the chords: the relative key of the best one first,
    then those with as strong a home chord at the edges, or with a V where it has none."""
    relative: Reading
    """The best key's relative key (same signature), however many chords it holds."""
    notes: tuple[str, ...]
    """Every note of the chords once, in scale order from the best key's tonic."""
    outsiders: tuple[Outsider, ...]
    """The chords outside the best key (each once), explained where computed."""
    near: Reading | None = None
    """A key that holds one chord fewer but has its home chord first or last where the best
    key has not, every chord outside it a borrowed chord, a secondary dominant or the
    Neapolitan ("C D7 G C": G major holds all four, C major starts and ends on C)."""

    @property
    def home(self) -> Reading:
        return self.best[0]

    @property
    def rival(self) -> Reading:
        """The key the best one is weighed against: a tied key, else the relative key when it
        holds as many chords, else the first alternative, else the relative key."""
        if len(self.best) > 1:
            return self.best[1]
        return self.alternatives[0] if self.alternatives else self.relative


def _relative_of(tonic: str, mode: Mode) -> tuple[str, Mode]:
    other = make_key(tonic, mode).relative
    return other.tonic.name, "minor" if mode == "major" else "major"


def _in_scale_order(notes: list[str], tonic: str) -> tuple[str, ...]:
    """Notes ordered by letter from the tonic's letter, then by accidental.

    >>> _in_scale_order(["G", "B", "D", "F#", "A", "E", "C"], "G")
    ('G', 'A', 'B', 'C', 'D', 'E', 'F#')
    """
    start = _LETTERS.index(tonic[0])

    def position(name: str) -> tuple[int, int]:
        shift = name.count("#") - name[1:].count("b")
        return (_LETTERS.index(name[0]) - start) % 7, shift

    return tuple(sorted(dict.fromkeys(notes), key=position))


def find_key(symbols: list[str]) -> Finding:
    """The key of a list of chord symbols: every key tried, ranked by the chords that belong
    to it, then by the home chord first or last, then by a V present.

    >>> found = find_key(["Em", "C", "G", "D"])
    >>> found.home.label, found.rival.label, found.home.evidence, found.rival.evidence
    ('E minor', 'G major', (4, 1, 0), (4, 0, 1))
    >>> found = find_key(["Am", "Dm", "E7", "Am"])
    >>> found.home.label, [c.figure for c in found.home.chords], found.alternatives
    ('A minor', ['i', 'iv', 'V7', 'i'], ())
    >>> found.notes
    ('A', 'B', 'C', 'D', 'E', 'F', 'G#')
    >>> [r.label for r in find_key(["Dm", "Em"]).best]
    ['C major', 'A minor']
    >>> found = find_key(["C", "F", "Fm", "C"])
    >>> found.home.label, [(o.symbol, o.kind, o.figure) for o in found.outsiders]
    ('C major', [('Fm', 'borrowed', 'iv')])
    """
    if len(set(symbols)) < 2:
        raise ValueError("a key is found from two different chords or more")
    for symbol in symbols:
        if parse_symbol(symbol) is None:
            raise ValueError(f"not a chord symbol: {symbol!r}")
    by_sound: dict[tuple[int, Mode], Reading] = {}
    for tonic, mode in candidate_keys():
        reading = read_in(symbols, tonic, mode)
        same = (pitch_class(tonic), mode)  # F# and Gb major: one key, the better spelling
        if same not in by_sound or _ranked(reading) > _ranked(by_sound[same]):
            by_sound[same] = reading
    readings = sorted(by_sound.values(), key=_ranked, reverse=True)
    top = readings[0]
    best = tuple(r for r in readings if r.evidence == top.evidence)
    relative_key = _relative_of(top.tonic, top.mode)
    relative = by_sound[(pitch_class(relative_key[0]), relative_key[1])]
    others = [
        r
        for r in readings
        if r not in best
        and r.fits == top.fits
        and (r is relative or r.edges >= top.edges or r.evidence[2] > top.evidence[2])
    ]
    others.sort(key=lambda r: r is not relative)  # stable: the relative key first
    near = next(
        (
            r
            for r in readings
            if r.fits == top.fits - 1
            and r.fits >= 2
            and r.edges > top.edges
            and all(explain(c.symbol, r.tonic, r.mode).kind for c in r.chords if c.figure is None)
        ),
        None,
    )
    notes = [n for placed in top.chords for n in placed.notes]
    outsiders = {
        c.symbol: explain(c.symbol, top.tonic, top.mode) for c in top.chords if c.figure is None
    }
    return Finding(
        symbols=tuple(c.symbol for c in top.chords),
        best=best,
        alternatives=tuple(others),
        relative=relative,
        notes=_in_scale_order(notes, human(top.tonic)),
        outsiders=tuple(outsiders.values()),
        near=near,
    )


# ----------------------------------------------------------------------------- the answer


def _each_once(reading: Reading) -> list[Placed]:
    """The chords of a reading, each once, in the order first played."""
    return list({c.symbol: c for c in reading.chords}.values())


def _numerals(reading: Reading) -> str:
    """'G is I, D is V, Em is vi': each chord that belongs, once, in order."""
    return ", ".join(f"{c.symbol} is {c.figure}" for c in _each_once(reading) if c.figure)


def _figures(reading: Reading) -> str:
    """The chords' numerals in the learner's order, a chord outside the key by its symbol.

    >>> _figures(read_in(["C", "F", "Fm", "C"], "F", "major"))
    'V – I – (Fm outside) – V'
    """
    return " – ".join(c.figure or f"({c.symbol} outside)" for c in reading.chords)


def _share(fits: int, total: int) -> str:
    """'all four', 'both', 'three of the four'."""
    if fits == total:
        return "both" if total == 2 else f"all {_word(total)}"
    return f"{_word(fits)} of the {_word(total)}"


def _is(items: list[str] | tuple[str, ...]) -> str:
    return "is" if len(items) == 1 else "are"


def _outsider_sentence(outsider: Outsider, label: str) -> str:
    """One sentence on a chord outside the key, saying only what ``explain`` computed."""
    head = f"{outsider.symbol} is not in {label}"
    if outsider.kind == "borrowed":
        return f"{head}: it is {outsider.figure}, borrowed from {outsider.source}."
    if outsider.kind == "secondary dominant":
        dominant = outsider.figure.split("/")[0]
        return (
            f"{head}: it is {outsider.figure}, the {dominant} of {outsider.source} "
            "(a secondary dominant)."
        )
    if outsider.kind == "neapolitan":
        return f"{head}: it is bII, the Neapolitan chord."
    if outsider.foreign:
        return f"{head}: {_listed(list(outsider.foreign))} {_is(outsider.foreign)} not in the key."
    return f"{head}: its notes are all in the key, but it is none of the key's chords."


def _close(found: Finding) -> bool:
    """Whether the rival holds as many chords and beats the best key on one count (a V
    present) while losing on the other (the home chord first or last)."""
    home, rival = found.home, found.rival
    return rival.fits == home.fits and (
        rival.edges > home.edges or rival.evidence[2] > home.evidence[2]
    )


def _challenger(found: Finding) -> Reading | None:
    """The key that makes the answer a close call, if one does."""
    if _close(found):
        return found.rival
    return found.near


def _answer(found: Finding) -> str:
    total = len(found.symbols)
    home = found.home
    if len(found.best) > 1:
        tied = found.best[:3]
        each = "; ".join(f"in {r.label}, {_numerals(r)}" for r in tied)
        return (
            f"These chords fit {_listed([r.label for r in tied])} equally: "
            f"{_share(home.fits, total)} belong to each ({each})."
        )
    share = _share(home.fits, total)
    if 2 * home.fits <= total:
        lead = f"No key holds most of these chords; the most, {share}, belong to {home.label}"
        sentence = f"{lead} ({_numerals(home)})."
    else:
        lead = home.label
        challenger = _challenger(found)
        if challenger is not None:
            lead = f"Most likely {home.label}, though {challenger.label} is close"
        sentence = f"{lead}: {share} chords belong to it ({_numerals(home)})."
    return " ".join([sentence, *(_outsider_sentence(o, home.label) for o in found.outsiders)])


def _signature_scale(sharps: int) -> set[str]:
    signature = key.KeySignature(sharps)
    return {human(p.name) for p in signature.asKey("major").getPitches()[:7]}


def _pair(sharps: int) -> str:
    """'G major and its relative minor, E minor'."""
    signature = key.KeySignature(sharps)
    major = key_label(signature.asKey("major").tonic.name, "major")
    minor = key_label(signature.asKey("minor").tonic.name, "minor")
    return f"{major} and its relative minor, {minor}"


def _signature_words(sharps: int) -> str:
    """'one sharp, F#', 'no sharps or flats'.

    >>> _signature_words(-2), _signature_words(0)
    ('two flats, Bb and Eb', 'no sharps or flats')
    """
    if sharps == 0:
        return "no sharps or flats"
    altered = [human(p.name) for p in key.KeySignature(sharps).alteredPitches]
    kind = "sharp" if sharps > 0 else "flat"
    plural = "s" if abs(sharps) > 1 else ""
    return f"{_word(abs(sharps))} {kind}{plural}, {_listed(altered)}"


def _signature_step(found: Finding) -> str:
    """The key signature the notes make, or the notes that keep them from making one."""
    home = found.home
    sharps = home.sharps
    scale = _signature_scale(sharps)
    notes = list(found.notes)
    outside = [n for n in notes if n not in scale]
    if not outside:
        marked = [n for n in notes if len(n) > 1]
        if marked:
            kind = "sharp" if "#" in marked[0] else "flat"
            many = len(marked) > 1
            lead = (
                f"The {kind}s among them are {_listed(marked)}"
                if many
                else f"The only {kind} among them is {marked[0]}"
            )
        else:
            lead = "None of them is sharp or flat"
        holders = [s for s in range(-7, 8) if set(notes) <= _signature_scale(s)]
        if holders == [sharps]:
            return (
                f"{lead}: that is the key signature of {_pair(sharps)} "
                f"({_signature_words(sharps)}); no other key signature holds them all."
            )
        missing = [letter for letter in _LETTERS if not any(n[0] == letter for n in notes)]
        options = "; ".join(f"{_signature_words(s)} ({_pair(s)})" for s in holders)
        return (
            f"{lead}. With no {' and no '.join(missing)} among them, more than one key "
            f"signature holds them all: {options}. The notes alone do not pick the key "
            "signature, so the chords' roles, below, have to."
        )
    lines = [
        f"All of them but {_listed(outside)} are in the key signature of {_pair(sharps)} "
        f"({_signature_words(sharps)})."
    ]
    leading = human(_scale(home.tonic, home.mode)[-1]) if home.mode == "minor" else None
    carried: dict[tuple[str, ...], list[str]] = {}
    respelled: list[tuple[str, str]] = []
    for note in outside:
        holding = [c for c in _each_once(home) if note in c.notes]
        sources = tuple(o.symbol for o in found.outsiders if note in o.notes)
        if note == leading and holding and all(c.figure for c in holding):
            shown = _listed([f"{c.symbol} ({c.figure})" for c in holding])
            verb = "brings" if len(holding) == 1 else "bring"
            lines.append(
                f"{note} is the raised 7th of {home.label} (harmonic minor), its leading tone, "
                f"which {shown} {verb}."
            )
        elif sources:
            carried.setdefault(sources, []).append(note)
        else:
            same = [n for n in scale if pitch_class(n) == pitch_class(note)]
            if same:
                respelled.append((note, same[0]))
    for sources, from_there in carried.items():
        verb = "comes" if len(from_there) == 1 else "come"
        chords = "the chord" if len(sources) == 1 else "the chords"
        lines.append(
            f"{_listed(from_there)} {verb} from {_listed(list(sources))}, {chords} outside the key."
        )
    if respelled:
        written = [written for written, _ in respelled]
        lines.append(
            f"{_listed(written)} {_is(written)} the key's "
            f"{_listed([usual for _, usual in respelled])}, spelled another way."
        )
    return " ".join(lines)


def _evidence(reading: Reading) -> str:
    """The home-chord evidence for one key, as a sentence."""
    homes = [c.symbol for c in reading.chords if c.home]
    name = homes[0] if homes else tonic_chord(reading.tonic, reading.mode)
    if reading.first_home and reading.last_home:
        where = "is the first and the last chord"
    elif reading.first_home:
        where = "is the first chord"
    elif reading.last_home:
        where = "is the last chord"
    elif homes:
        where = "is among the chords, but neither first nor last"
    else:
        where = "is not among the chords"
    dominant = reading.dominant
    if dominant:
        lead = f"its V, {dominant}, is among them"
    else:
        triad, seventh = dominant_chords(reading.tonic, reading.mode)
        lead = f"its V ({triad} or {seventh}) is not among them"
    return f"In {reading.label}, the home chord {name} {where}, and {lead}."


def _decide_step(found: Finding) -> str:
    """Major or relative minor (or whichever key ties): decided by the home-chord evidence."""
    home, rival = found.home, found.rival
    relative = (rival.tonic, rival.mode) == (found.relative.tonic, found.relative.mode)
    head = "Major or relative minor? " if relative else "Which key is home? "
    if rival.fits < home.fits:
        missing = [c.symbol for c in _each_once(rival) if c.figure is None]
        return (
            f"{head}{rival.label} has the same key signature, but {_listed(missing)} "
            f"{_is(missing)} not among its chords. {_evidence(home)} So {home.label}."
        )
    lines = [_evidence(home), _evidence(rival)]
    if rival.evidence == home.evidence:
        lines.append(
            "Nothing in the chords decides between them: both readings are right, and your "
            "ear decides which chord sounds like home."
        )
    elif _close(found):
        lines.append(
            f"A home chord at the start or the end counts for more than a V, so {home.label}; "
            f"but {rival.label} is close."
        )
    elif home.edges > rival.edges:
        lines.append(f"So {home.label} is home.")
    else:
        lines.append(
            f"Neither key's home chord starts or ends the chords; the V tips it to {home.label}."
        )
    return head + " ".join(lines)


def _outsider_step(outsider: Outsider, reading: Reading) -> str:
    """How a chord outside the key was placed, in steps the learner can repeat."""
    label = reading.label
    shown = f"{outsider.symbol} ({' – '.join(outsider.notes)})"
    if outsider.foreign:
        head = (
            f"{shown} does not belong to {label}: {_listed(list(outsider.foreign))} "
            f"{_is(outsider.foreign)} not in the key."
        )
    else:
        head = f"{shown} uses only notes of {label}, but it is none of the key's chords."
    if outsider.kind == "borrowed":
        other = "minor" if reading.mode == "major" else "major"
        return (
            f"{head} In {outsider.source}, the parallel {other} (the same home note), it is "
            f"{outsider.figure}: a chord borrowed from {outsider.source}."
        )
    if outsider.kind == "secondary dominant":
        dominant, target = outsider.figure.split("/")
        return (
            f"{head} It is the {dominant} of {outsider.source}, which is {target} in {label}: "
            f"a secondary dominant, {outsider.figure}."
        )
    if outsider.kind == "neapolitan":
        return f"{head} It is the major chord on the lowered second degree, bII: the Neapolitan."
    parallel = key_label(reading.tonic, "minor" if reading.mode == "major" else "major")
    return (
        f"{head} It is not a chord of {parallel} either, nor the V or V7 of one of "
        f"{label}'s chords."
    )


def _alternatives_step(found: Finding) -> str:
    """The other keys the chords fit as well, and a key that holds one fewer but starts or
    ends on its home chord, with the chord outside it explained."""
    total = len(found.symbols)
    home = found.home
    others = list(found.alternatives[:3])
    if not others:
        held = _share(home.fits, total) if home.fits == total else "as many"
        lines = [f"No other key holds {held} of these chords."]
    elif home.fits == total:
        parts = [f"{other.label}, as {_figures(other)}" for other in others]
        lines = [f"The same chords also fit {_listed(parts)}."]
    else:
        parts = [f"{other.label} ({_figures(other)})" for other in others]
        lines = [f"Other keys also hold {_share(home.fits, total)}: {_listed(parts)}."]
    near = found.near
    if near is not None:
        where = (
            "the first and the last chord"
            if near.edges == 2
            else "the first chord"
            if near.first_home
            else "the last chord"
        )
        homes = [c.symbol for c in near.chords if c.home]
        lines.append(
            f"{near.label} holds {_share(near.fits, total)} ({_figures(near)}), and its home "
            f"chord, {homes[0]}, is {where}."
        )
        lines.extend(
            _outsider_sentence(explain(c.symbol, near.tonic, near.mode), near.label)
            for c in _each_once(near)
            if c.figure is None
        )
    if others or near is not None:
        lines.append("What decides is which chord sounds like home.")
    return " ".join(lines)


def which_key(symbols: list[str]) -> TheoryFact:
    """The key of a list of chord symbols, answered first, then worked out: the notes the
    chords use, the key signature those make, the major key or its relative minor decided
    by the home chord, the chords outside the key, and the other keys they fit.

    >>> fact = which_key(["Bb", "F", "Gm", "Eb"])
    >>> fact.statement
    'Bb major: all four chords belong to it (Bb is I, F is V, Gm is vi, Eb is IV).'
    >>> print(fact.steps[2])  # doctest: +NORMALIZE_WHITESPACE
    The flats among them are Bb and Eb: that is the key signature of Bb major and its
    relative minor, G minor (two flats, Bb and Eb); no other key signature holds them all.
    >>> print(fact.steps[3])  # doctest: +NORMALIZE_WHITESPACE
    Major or relative minor? In Bb major, the home chord Bb is the first chord, and its V,
    F, is among them. In G minor, the home chord Gm is among the chords, but neither first
    nor last, and its V (D or D7) is not among them. So Bb major is home.
    >>> print(which_key(["C", "F", "Fm", "C"]).statement)  # doctest: +NORMALIZE_WHITESPACE
    C major: three of the four chords belong to it (C is I, F is IV). Fm is not in C major:
    it is iv, borrowed from C minor.
    """
    found = find_key(symbols)
    home = found.home
    outsiders = {o.symbol: o for o in found.outsiders}
    once = _each_once(home)
    steps = [
        "Collect each chord's notes: "
        + ", ".join(f"{' – '.join(c.notes)} ({c.symbol})" for c in once)
        + ".",
        f"Together they use {_word(len(found.notes))} different notes: {' '.join(found.notes)}.",
        _signature_step(found),
        _decide_step(found),
        *(_outsider_step(o, home) for o in found.outsiders),
        _alternatives_step(found),
    ]
    chords = [
        {
            "figure": c.figure or outsiders[c.symbol].figure,
            "symbol": c.symbol,
            "notes": list(c.notes),
        }
        for c in home.chords
    ]
    rival: Reading | None = _challenger(found) or found.rival
    if rival is not None and rival is not found.near and rival.fits < home.fits:
        rival = None  # no key holds as many chords: nothing to weigh the answer against
    dominant = next((c for c in home.chords if c.dominant), None)
    one = "I" if home.mode == "major" else "i"
    tonic_row = _rows(home.tonic, home.mode)[0]
    return TheoryFact(
        kind="progression",
        query=f"the key of {' – '.join(found.symbols)}",
        statement=_answer(found),
        notes=list(found.notes),
        steps=steps,
        data={
            "key": home.label,
            "keys": [r.label for r in found.best],
            "figures": [c["figure"] for c in chords],
            "chords": chords,
            "home": {
                "key": home.label,
                "symbol": tonic_row.symbol,
                "figure": one,
                "notes": list(tonic_row.notes),
            },
            "ends_home": home.last_home,
            "rival": (
                {"key": rival.label, "symbol": tonic_chord(rival.tonic, rival.mode)}
                if rival is not None
                else None
            ),
            "dominant": (
                {
                    "symbol": dominant.symbol,
                    "figure": dominant.figure,
                    "leading": human(_scale(home.tonic, home.mode)[-1]),
                    "tonic": human(home.tonic),
                }
                if dominant is not None
                else None
            ),
            "alternatives": [r.label for r in found.alternatives],
            "outside": list(outsiders),
        },
    )
