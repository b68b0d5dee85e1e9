"""Chords: spelling a chord from its name or symbol, and naming a chord from its notes.

music21's ``harmony.ChordSymbol`` is a good reader of simple symbols but it stacks a natural
11th under every 13th chord, rejects ``maj13``, ``6/9``, ``m(maj7)`` and ``alt``, and cannot
read words such as "half-diminished". So the engine has its own small chord grammar
(:func:`parse_symbol`) that yields a :class:`ChordSpec` — a root plus the intervals above it —
and lets music21's ``Interval.transposePitch`` do the spelling, which keeps every tone
key-correct (Bø7 = B D F A, C7♭9 = C E G B♭ D♭).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from music21 import chord, interval, pitch

from etude.theory.facts import TheoryFact
from etude.theory.spelling import human, to_music21, with_article

_DEGREE_ORDINALS = {
    1: "root",
    2: "2nd",
    3: "3rd",
    4: "4th",
    5: "5th",
    6: "6th",
    7: "7th",
    9: "9th",
    11: "11th",
    13: "13th",
}
_QUALITY_WORDS = {"P": "perfect", "M": "major", "m": "minor", "A": "augmented", "d": "diminished"}

# Canonical suffix → the words a teacher uses. Anything else is named by its symbol.
QUALITY_NAMES = {
    "": "major triad",
    "m": "minor triad",
    "dim": "diminished triad",
    "aug": "augmented triad",
    "sus2": "suspended second chord",
    "sus4": "suspended fourth chord",
    "5": "power chord",
    "7": "dominant seventh chord",
    "maj7": "major seventh chord",
    "m7": "minor seventh chord",
    "m7b5": "half-diminished seventh chord",
    "dim7": "diminished seventh chord",
    "mMaj7": "minor-major seventh chord",
    "aug7": "augmented seventh chord",
    "augMaj7": "augmented major seventh chord",
    "7sus4": "dominant seventh suspended fourth chord",
    "6": "major sixth chord",
    "m6": "minor sixth chord",
    "6/9": "six-nine chord",
    "9": "dominant ninth chord",
    "maj9": "major ninth chord",
    "m9": "minor ninth chord",
    "11": "dominant eleventh chord",
    "m11": "minor eleventh chord",
    "maj11": "major eleventh chord",
    "13": "dominant thirteenth chord",
    "maj13": "major thirteenth chord",
    "m13": "minor thirteenth chord",
    "add9": "major add-nine chord",
    "madd9": "minor add-nine chord",
    "7b9": "dominant seventh flat-nine chord",
    "7#9": "dominant seventh sharp-nine chord",
    "7#11": "dominant seventh sharp-eleven chord",
    "7b5": "dominant seventh flat-five chord",
    "7alt": "altered dominant chord",
}


@dataclass(frozen=True)
class ChordSpec:
    """A chord as theory sees it: a root, the intervals stacked above it, and what is in the bass.

    >>> spec = parse_symbol("G/B")
    >>> spec.root, spec.intervals, spec.bass
    ('G', ('P1', 'M3', 'P5'), 'B')
    """

    root: str
    intervals: tuple[str, ...]
    suffix: str
    bass: str | None = None
    inversion: int = 0

    @property
    def symbol(self) -> str:
        """Lead-sheet symbol, e.g. ``Bbm7`` or ``G/B``."""
        text = human(self.root) + self.suffix
        return text + (f"/{human(self.bass)}" if self.bass else "")

    def tones(self) -> list[str]:
        """Chord tones in stacked order from the root, music21 spelling."""
        root = pitch.Pitch(self.root + "3")
        return [interval.Interval(name).transposePitch(root).name for name in self.intervals]


@dataclass
class _Parts:
    """What the chord grammar has read so far; turned into intervals by :func:`_intervals`."""

    triad: str = "major"  # major, minor, dim, aug, halfdim, sus2, sus4, power
    seventh: str | None = None  # "m7", "M7", "d7"
    extension: int = 0  # 9, 11, 13
    sixth: bool = False
    adds: list[str] = field(default_factory=list)
    alterations: list[str] = field(default_factory=list)
    omits: list[int] = field(default_factory=list)
    maj: bool = False
    altered: bool = False


_SUFFIX_TOKEN = re.compile(
    r"(?P<minmaj>mMaj|mmaj|minmaj|mM|minMaj|m\+7|-maj)"
    r"|(?P<halfdim>ø|Ø|m7b5|m7-5|min7b5)"
    r"|(?P<omit>(?:no|omit)(?P<omitn>3|5))"
    r"|(?P<maj>maj|Maj|MAJ|ma(?!dd)|M|Δ|\^)"
    r"|(?P<dim>dim|°|o)"
    r"|(?P<aug>aug|\+(?!5|9|11|13))"
    r"|(?P<minor>min|mi|m|-(?![0-9]))"
    r"|(?P<sus>sus(?P<susn>2|4)?)"
    r"|(?P<add>add(?P<addn>2|4|6|9|11|13))"
    r"|(?P<alt>alt)"
    r"|(?P<alter>(?P<acc>b|#|-|\+)(?P<altn>5|9|11|13))"
    r"|(?P<sixnine>6/9|69)"
    r"|(?P<number>13|11|9|7|6|5)"
)

_SYMBOL = re.compile(
    r"^(?P<root>[A-G](?:##|bb|#|b|x)?)(?P<suffix>[^/]*)(?:/(?P<bass>[A-G](?:##|bb|#|b)?))?$"
)


def _read_suffix(suffix: str) -> _Parts | None:
    """Run the suffix grammar; ``None`` if any character is left unread."""
    parts = _Parts()
    text = suffix.replace("(", "").replace(")", "").replace(",", "").replace(" ", "")
    position = 0
    while position < len(text):
        match = _SUFFIX_TOKEN.match(text, position)
        if not match:
            return None
        position = match.end()
        if match.group("minmaj"):
            parts.triad, parts.maj = "minor", True
        elif match.group("halfdim"):
            parts.triad, parts.seventh = "halfdim", "m7"
        elif match.group("maj"):
            parts.maj = True
            if match.group("maj") in ("Δ", "^"):
                parts.seventh = "m7"
        elif match.group("dim"):
            parts.triad = "dim"
        elif match.group("aug"):
            parts.triad = "aug"
        elif match.group("minor"):
            parts.triad = "minor"
        elif match.group("sus"):
            parts.triad = "sus" + (match.group("susn") or "4")
        elif match.group("add"):
            parts.adds.append(match.group("addn"))
        elif match.group("omit"):
            parts.omits.append(int(match.group("omitn")))
        elif match.group("alt"):
            parts.altered = True
            parts.seventh = parts.seventh or "m7"
        elif match.group("alter"):
            accidental = "b" if match.group("acc") in ("b", "-") else "#"
            parts.alterations.append(accidental + match.group("altn"))
            if match.group("altn") != "5" and parts.seventh is None and not parts.sixth:
                parts.seventh = "m7"
        elif match.group("sixnine"):
            parts.sixth, parts.extension = True, 9
        elif match.group("number"):
            number = int(match.group("number"))
            if number == 5 and position == len(text) and parts == _Parts():
                parts.triad = "power"
            elif number == 5:
                return None
            elif number == 6:
                parts.sixth = True
            else:
                parts.seventh = "m7"
                parts.extension = max(parts.extension, number if number > 7 else 0)
    return parts


def _intervals(parts: _Parts) -> tuple[str, ...] | None:
    """Stack the intervals a parsed suffix stands for, applying alterations last."""
    third: str | None = {
        "major": "M3",
        "aug": "M3",
        "minor": "m3",
        "dim": "m3",
        "halfdim": "m3",
        "sus2": "M2",
        "sus4": "P4",
        "power": None,
    }[parts.triad]
    fifth: str | None = {"dim": "d5", "halfdim": "d5", "aug": "A5"}.get(parts.triad, "P5")
    seventh: str | None = None
    if parts.maj and (parts.seventh or parts.extension):
        seventh = "M7"
    elif parts.maj and not parts.seventh and parts.triad == "minor":
        seventh = "M7"  # "mMaj" without a number still means the minor-major seventh
    elif parts.seventh:
        seventh = "d7" if parts.triad == "dim" else "m7"
    tensions: dict[int, str] = {}
    if parts.sixth:
        tensions[6] = "M6"
    if parts.extension >= 9:
        tensions[9] = "M9"
    if parts.extension >= 11 and not parts.sixth:
        tensions[11] = "P11"
    if parts.extension >= 13:
        tensions[13] = "M13"
        # A natural 11th clashes with a major 3rd a minor 9th below it: 13th chords on a major
        # third leave it out, minor 13ths keep it.
        if third == "M3":
            tensions.pop(11, None)
    for add in parts.adds:
        number = int(add)
        tensions[number] = {2: "M2", 4: "P4", 6: "M6", 9: "M9", 11: "P11", 13: "M13"}[number]
    if parts.altered:
        fifth = None
        tensions = {9: "m9", 10: "A9", 11: "A11", 13: "m13"}
    for alteration in parts.alterations:
        accidental, number = alteration[0], int(alteration[1:])
        if number == 5:
            fifth = "d5" if accidental == "b" else "A5"
            continue
        base = {9: 9, 11: 11, 13: 13}[number]
        code = {
            ("b", 9): "m9",
            ("#", 9): "A9",
            ("b", 11): "d11",
            ("#", 11): "A11",
            ("b", 13): "m13",
            ("#", 13): "A13",
        }[(accidental, base)]
        # b9 and #9 can coexist in one chord; otherwise an alteration replaces the natural tone.
        if base == 9 and accidental == "#" and tensions.get(9) == "m9":
            tensions[10] = code
        else:
            tensions[base] = code
    if 3 in parts.omits:
        third = None
    if 5 in parts.omits:
        fifth = None
    stacked = ["P1"]
    for name in (third, fifth, seventh):
        if name:
            stacked.append(name)
    stacked.extend(tensions[key] for key in sorted(tensions))
    # Keep the order bass-up by generic size (a 6th sits below a 7th, an add2 below the 3rd).
    stacked.sort(
        key=lambda name: (
            interval.Interval(name).generic.undirected,
            interval.Interval(name).semitones,
        )
    )
    return tuple(dict.fromkeys(stacked))


def canonical_suffix(parts: _Parts, raw: str) -> str:
    """A tidy suffix for display: ``min7`` → ``m7``, ``ø`` → ``m7b5``; otherwise as typed."""
    triad_suffix = {
        "major": "",
        "minor": "m",
        "dim": "dim",
        "aug": "aug",
        "halfdim": "m7b5",
        "sus2": "sus2",
        "sus4": "sus4",
        "power": "5",
    }[parts.triad]
    plain = not (parts.adds or parts.alterations or parts.omits or parts.altered)
    if plain and not parts.sixth:
        if parts.triad == "halfdim":
            return "m7b5"
        if parts.seventh is None and not (parts.maj and parts.triad == "minor"):
            return triad_suffix
        number = str(parts.extension or 7)
        if parts.maj and parts.triad == "minor":
            return "mMaj7" if number == "7" else f"mMaj{number}"
        if parts.maj:
            return "augMaj7" if parts.triad == "aug" else f"maj{number}"
        if parts.triad == "dim":
            return "dim7"
        if parts.triad == "aug":
            return "aug7"
        if parts.triad == "sus4":
            return f"{number}sus4"
        return f"{triad_suffix}{number}"
    if plain and parts.sixth and not parts.seventh:
        return ("m" if parts.triad == "minor" else "") + ("6/9" if parts.extension else "6")
    if parts.altered:
        return "7alt"
    return raw.replace("(", "").replace(")", "")


def parse_symbol(symbol: str) -> ChordSpec | None:
    """Read a lead-sheet chord symbol; ``None`` if it is not one.

    >>> parse_symbol("Bø7").tones()
    ['B', 'D', 'F', 'A']
    >>> parse_symbol("C7b9").tones()
    ['C', 'E', 'G', 'B-', 'D-']
    >>> parse_symbol("Cmaj13").tones()
    ['C', 'E', 'G', 'B', 'D', 'A']
    >>> parse_symbol("hello") is None
    True
    """
    match = _SYMBOL.match(symbol.strip().replace("6/9", "69"))
    if not match:
        return None
    parts = _read_suffix(match.group("suffix"))
    if parts is None:
        return None
    return spec_from_parts(
        to_music21(match.group("root")),
        parts,
        match.group("suffix"),
        to_music21(match.group("bass")) if match.group("bass") else None,
    )


def spec_from_parts(
    root: str, parts: _Parts, raw_suffix: str, bass: str | None = None, inversion: int = 0
) -> ChordSpec | None:
    """Build a :class:`ChordSpec` from grammar output (used by the symbol and word parsers)."""
    stacked = _intervals(parts)
    if stacked is None:
        return None
    suffix = canonical_suffix(parts, raw_suffix)
    spec = ChordSpec(root=root, intervals=stacked, suffix=suffix, bass=bass, inversion=inversion)
    if bass and not inversion:
        tones = spec.tones()
        if bass in tones:
            spec = ChordSpec(
                root=root, intervals=stacked, suffix=suffix, bass=bass, inversion=tones.index(bass)
            )
    return spec


def degree_label(name: str) -> str:
    """``M3`` → ``major 3rd``; ``P1`` → ``root``; ``A11`` → ``augmented 11th``.

    >>> degree_label("P1"), degree_label("m7"), degree_label("A11")
    ('root', 'minor 7th', 'augmented 11th')
    """
    ivl = interval.Interval(name)
    number = ivl.generic.undirected
    if number == 1:
        return "root"
    quality = _QUALITY_WORDS[ivl.name.rstrip("0123456789")]
    return f"{quality} {_DEGREE_ORDINALS.get(number, f'{number}th')}"


def chord_name(spec: ChordSpec) -> str:
    """Words for a chord: ``G major triad``, ``B half-diminished seventh chord``.

    >>> chord_name(parse_symbol("F#m7"))
    'F# minor seventh chord'
    """
    words = QUALITY_NAMES.get(spec.suffix)
    if words is None:
        return f"{human(spec.root)}{spec.suffix} chord"
    return f"{human(spec.root)} {words}"


_INVERSION_WORDS = {1: "first inversion", 2: "second inversion", 3: "third inversion"}


def voiced(spec: ChordSpec) -> list[str]:
    """Notes from the bass up: an inversion rotates the stack, a foreign bass goes under it.

    >>> voiced(parse_symbol("C/E")), voiced(parse_symbol("C/D"))
    (['E', 'G', 'C'], ['D', 'C', 'E', 'G'])
    """
    tones = spec.tones()
    if spec.inversion:
        return tones[spec.inversion :] + tones[: spec.inversion]
    if spec.bass and spec.bass not in tones:
        return [spec.bass, *tones]
    return tones


def spell(spec: ChordSpec) -> TheoryFact:
    """The fact for "what notes are in …": chord tones bass-up with each tone's role.

    >>> spell(parse_symbol("G")).statement
    'G major triad (G): G – B – D (root, major 3rd, perfect 5th).'
    >>> spell(parse_symbol("Bbm7")).notes
    ['Bb', 'Db', 'F', 'Ab']
    >>> print(spell(parse_symbol("G/B")).statement)  # doctest: +NORMALIZE_WHITESPACE
    G major triad in first inversion (G/B): B – D – G
    (bass B; root G, major 3rd B, perfect 5th D).
    """
    tones = spec.tones()
    order = voiced(spec)
    name = chord_name(spec)
    symbol = spec.symbol
    roles = [degree_label(ivl) for ivl in spec.intervals]
    if spec.inversion:
        name += f" in {_INVERSION_WORDS.get(spec.inversion, f'inversion {spec.inversion}')}"
    elif spec.bass and spec.bass not in tones:
        name += f" over {human(spec.bass)}"
    line = " – ".join(human(n) for n in order)
    if spec.inversion or spec.bass:
        detail = ", ".join(f"{role} {human(n)}" for role, n in zip(roles, tones, strict=True))
        bass = order[0]
        statement = f"{name} ({symbol}): {line} (bass {human(bass)}; {detail})."
    else:
        statement = f"{name} ({symbol}): {line} ({', '.join(roles)})."
    if spec.suffix in ("11",):
        statement += " In practice the 3rd is often left out."
    if spec.suffix in ("13", "maj13"):
        statement += " The natural 11th is left out, as usual."
    return TheoryFact(
        kind="chord",
        query=name,
        statement=statement,
        notes=[human(n) for n in order],
        data={
            "symbol": symbol,
            "root": human(spec.root),
            "tones": [human(n) for n in tones],
            "intervals": list(spec.intervals),
            "roles": roles,
            "bass": human(order[0]),
            "inversion": spec.inversion,
        },
    )


# Qualities the identifier tries, simplest first: the first match wins a tie.
_IDENTIFY_SUFFIXES = (
    "",
    "m",
    "dim",
    "aug",
    "7",
    "maj7",
    "m7",
    "m7b5",
    "dim7",
    "mMaj7",
    "aug7",
    "augMaj7",
    "sus4",
    "sus2",
    "6",
    "m6",
    "7sus4",
    "add9",
    "madd9",
    "9",
    "maj9",
    "m9",
    "7b9",
    "7#9",
    "7#11",
    "7b5",
    "7#5",
    "6/9",
    "11",
    "m11",
    "13",
    "maj13",
    "m13",
    "5",
)


def _signature(names: tuple[str, ...]) -> frozenset[str]:
    """Interval set reduced to within an octave (M9 → M2), the shape notes can be matched by."""
    return frozenset(interval.Interval(n).semiSimpleName for n in names)


_IDENTIFY_TABLE: list[tuple[str, frozenset[str]]] = []


def _identify_table() -> list[tuple[str, frozenset[str]]]:
    if not _IDENTIFY_TABLE:
        for suffix in _IDENTIFY_SUFFIXES:
            spec = parse_symbol("C" + suffix)
            assert spec is not None, suffix
            _IDENTIFY_TABLE.append((suffix, _signature(spec.intervals)))
    return _IDENTIFY_TABLE


def find_chord(notes: list[str]) -> ChordSpec | None:
    """Best chord reading of some notes (music21 spelling), bass first; ``None`` if none fits.

    Root position is preferred: C E G A is C6, A C E G is Am7.

    >>> find_chord(["C", "E", "G", "B-"]).symbol
    'C7'
    >>> find_chord(["E", "G", "C"]).symbol
    'C/E'
    """
    distinct = list(dict.fromkeys(notes))
    for candidate_root in distinct:
        root_pitch = pitch.Pitch(candidate_root + "4")
        shape = set()
        for note in distinct:
            other = pitch.Pitch(note + "4")
            if other.diatonicNoteNum < root_pitch.diatonicNoteNum:
                other.octave = 5
            shape.add(interval.Interval(root_pitch, other).semiSimpleName)
        for suffix, signature in _identify_table():
            if frozenset(shape) == signature:
                bass = distinct[0] if distinct[0] != candidate_root else None
                spec = parse_symbol(
                    human(candidate_root) + suffix + (f"/{human(bass)}" if bass else "")
                )
                if spec is not None:
                    return spec
    return None


def identify(notes: list[str]) -> TheoryFact:
    """Name the chord some notes make (music21 spelling, bass first).

    >>> identify(["C", "E", "G", "B-"]).statement
    'C E G Bb is a C dominant seventh chord (C7): root C, major 3rd E, perfect 5th G, minor 7th Bb.'
    >>> identify(["B", "D", "F", "A"]).data["symbol"]
    'Bm7b5'
    """
    shown = " ".join(human(n) for n in notes)
    spec = find_chord(notes)
    if spec is None:
        common = chord.Chord([n + "4" for n in notes]).pitchedCommonName
        return TheoryFact(
            kind="chord_identification",
            query=shown,
            notes=[human(n) for n in notes],
            statement=f"{shown} is not a standard tertian chord; music21 names it '{common}'.",
            data={"symbol": None, "common_name": common},
        )
    tones = spec.tones()
    roles = ", ".join(
        f"{degree_label(i)} {human(n)}" for i, n in zip(spec.intervals, tones, strict=True)
    )
    name = chord_name(spec)
    if spec.inversion:
        name += f" in {_INVERSION_WORDS.get(spec.inversion, 'inversion')}"
    return TheoryFact(
        kind="chord_identification",
        query=shown,
        notes=[human(n) for n in notes],
        statement=f"{shown} is {with_article(name)} ({spec.symbol}): {roles}.",
        data={
            "symbol": spec.symbol,
            "root": human(spec.root),
            "inversion": spec.inversion,
            "tones": [human(n) for n in tones],
        },
    )
