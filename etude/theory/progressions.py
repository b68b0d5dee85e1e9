"""Chord progressions in a key: named ones (ii–V–I, the "pop" I–V–vi–IV) or any numerals.

Named progressions are written for major keys; in a minor key each numeral is mapped to its
minor-key counterpart (ii → ii°, I → i, IV → iv, vi → VI) while V keeps the raised leading
tone, which is how the progressions are taught in minor.
"""

from __future__ import annotations

import re
from typing import Any

from music21 import chord, pitch

from etude.theory.chords import parse_symbol
from etude.theory.facts import TheoryFact
from etude.theory.keys import Mode, key_label
from etude.theory.roman import _symbol_for, realised_pitches, tidy_figure
from etude.theory.spelling import human, pitch_class

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


MINOR_POP = ("i", "VI", "III", "VII")
"""The pop progression as minor-key songs use it (Am – F – C – G in A minor): the same four
chords as I–V–vi–IV of the relative major, started from its vi."""

PLAIN = {"major": ("I", "vi", "IV", "V"), "minor": ("i", "iv", "V", "i")}
"""A first progression to write from when the request names no style: tonic, predominant,
dominant, in the key asked."""


def requested(tonic: str, mode: Mode, style: str | None) -> TheoryFact:
    """A progression written for a request ("help me write a progression in A minor for a pop
    song"): the named style's numerals (the pop progression in its minor form in a minor key),
    else tonic – predominant – dominant, realised in the key by music21.

    >>> requested("A", "minor", "pop").statement
    'i–VI–III–VII in A minor: Am (A C E) – F (F A C) – C (C E G) – G (G B D).'
    """
    if style == "pop" and mode == "minor":
        return progression(list(MINOR_POP), tonic, mode)
    if style in PROGRESSION_NICKNAMES:
        named = PROGRESSION_NICKNAMES[style]
        return progression(list(NAMED_PROGRESSIONS[named]), tonic, mode, named)
    return progression(list(PLAIN[mode]), tonic, mode)


def modulation(source: tuple[str, Mode], target: tuple[str, Mode], bars: int = 8) -> TheoryFact:
    """A progression that modulates through a pivot chord, one chord a bar: the home key's
    I–IV–V–I, a triad both keys share that is a predominant (ii or IV) of the new key, then
    the new key's V7–I, its tonic held to fill ``bars``.

    >>> fact = modulation(("C", "major"), ("G", "major"))
    >>> fact.statement
    'From C major to G major: C – F – G – C – Am – D7 – G – G.'
    >>> fact.data["pivot"]
    {'symbol': 'Am', 'in_source': 'vi', 'in_target': 'ii'}
    """
    from music21 import key, roman

    home, away = key.Key(source[0], source[1]), key.Key(target[0], target[1])
    pivot: tuple[str, str, str, list[str]] | None = None
    predominants = ("ii", "IV") if target[1] == "major" else ("iv", "ii°")
    for figure in predominants:  # a predominant of the new key, which the old key also owns
        there = roman.RomanNumeral(figure, away)
        names = {p.name for p in there.pitches}
        if names <= {p.name for p in home.getPitches()}:
            here = roman.romanNumeralFromChord(chord.Chord(there.pitches), home)
            pivot = (
                figure,
                here.figure,
                _symbol_name(there.pitches),
                [human(p) for p in there.pitches],
            )
            break
    if pivot is None:
        raise ValueError(f"no diatonic pivot between {source} and {target}")
    one = "I" if source[1] == "major" else "i"
    start = progression([one, "IV" if source[1] == "major" else "iv", "V", one], *source)
    end = progression(["V7", "I" if target[1] == "major" else "i"], *target)
    chords = [
        *start.data["chords"],
        {"figure": f"{pivot[1]} = {pivot[0]}", "symbol": pivot[2], "notes": pivot[3]},
        *end.data["chords"],
    ]
    while len(chords) < bars:
        chords.append(dict(chords[-1]))
    labels = key_label(*source), key_label(*target)
    symbols = " – ".join(str(c["symbol"]) for c in chords)
    return TheoryFact(
        kind="progression",
        query=f"modulation from {labels[0]} to {labels[1]}",
        statement=f"From {labels[0]} to {labels[1]}: {symbols}.",
        notes=[n for c in chords for n in c["notes"]],
        data={
            "key": labels[0],
            "target": labels[1],
            "chords": chords,
            "figures": [c["figure"] for c in chords],
            "pivot": {"symbol": pivot[2], "in_source": pivot[1], "in_target": pivot[0]},
        },
    )


def _symbol_name(pitches: Any) -> str:
    spec = _symbol_for([pitch.Pitch(p.nameWithOctave) for p in pitches])
    return spec.symbol if spec else chord.Chord(list(pitches)).commonName


def bass_line(symbols: list[str]) -> TheoryFact:
    """A walking-style bass, one note a beat in 4/4, for chords given by symbol: the root on
    beats 1 and 2, the fifth on beat 3, and on beat 4 a note a step from the next chord's root
    (a chord tone where there is one), so each bar leads into the next.

    >>> bass_line(["Am", "F", "C", "G"]).data["bass"][1]
    ['F', 'F', 'C', 'D']

    >>> bass_line(["C", "Am", "Dm", "G"]).statement
    'Bass for C – Am – Dm – G, one note a beat: C C G G | A A E C | D D A F | G G D D.'
    """
    specs = [parse_symbol(symbol) for symbol in symbols]
    if any(spec is None for spec in specs) or len(specs) < 2:
        raise ValueError(f"not chord symbols: {symbols}")
    tones = [spec.tones() for spec in specs if spec is not None]
    bars: list[list[str]] = []
    for index, notes in enumerate(tones):
        root, fifth = notes[0], notes[2] if len(notes) > 2 else notes[0]
        following = tones[index + 1][0] if index + 1 < len(tones) else None
        bars.append([human(root), human(root), human(fifth), _approach(fifth, following, notes)])
    shown = " | ".join(" ".join(bar) for bar in bars)
    return TheoryFact(
        kind="progression",
        query=f"bass line for {' – '.join(symbols)}",
        statement=f"Bass for {' – '.join(symbols)}, one note a beat: {shown}.",
        notes=[n for bar in bars for n in bar],
        data={
            "bass": bars,
            "chords": [
                {"figure": symbol, "symbol": symbol, "notes": [human(n) for n in notes]}
                for symbol, notes in zip(symbols, tones, strict=True)
            ],
        },
    )


def _approach(fifth: str, following: str | None, notes: list[str]) -> str:
    """Beat 4: a chord tone a step (one or two semitones) from the next root if the chord has
    one, else the note a whole step above the next root (a passing note into it); the last bar
    keeps its fifth."""
    if following is None:
        return human(fifth)
    target = pitch.Pitch(following)
    for name in notes:
        gap = (pitch.Pitch(name).pitchClass - target.pitchClass) % 12
        if gap in (1, 2, 10, 11):
            return human(name)
    return human(target.transpose("M2").name)


_PREFERENCE = (1, 4, 5, 6, 2, 3, 7)
"""Degrees in the order a first harmonisation reaches for them: the primary triads first."""


def harmonise(melody: list[str], tonic: str, mode: Mode) -> TheoryFact:
    """Chords from the key for each melody note, with a first choice that ends on a cadence.

    Every chord offered contains its melody note (the note is one of the chord's three);
    the choice takes the primary triads first, avoids repeating a chord, closes on the tonic
    when the last note belongs to it (else on vi, a deceptive close) and puts V, IV or ii
    before the last chord, the way a phrase ends.

    >>> fact = harmonise(["E", "D", "C"], "C", "major")
    >>> print(fact.statement)
    A harmonisation of E – D – C in C major: I C (C E G) – V G (G B D) – I C (C E G).
    >>> fact.steps[0], fact.steps[-1]  # doctest: +NORMALIZE_WHITESPACE
    ('E is a note of I C (C E G), vi Am (A C E) and iii Em (E G B).',
     'End the phrase with an authentic cadence: V – I under the last two notes.')
    >>> harmonise(["C#", "D"], "C", "major").data["outside"]
    ['C#']
    """
    from etude.theory.roman import diatonic_chords

    label = key_label(tonic, mode)
    rows = diatonic_chords(tonic, mode).data["chords"]
    if mode == "minor":  # the harmonic-minor V and vii° replace the natural ones
        rows = [r for r in rows[:7] if r["degree"] not in (5, 7)] + rows[7:]
    options: list[list[dict[str, Any]]] = []
    outside = []
    for note in melody:
        having = [r for r in rows if pitch_class(note) in {pitch_class(n) for n in r["notes"]}]
        having.sort(key=lambda r: _PREFERENCE.index(r["degree"]))
        options.append(having)
        if not having:
            outside.append(human(note))
    shown = " – ".join(human(n) for n in melody)
    if outside:
        return TheoryFact(
            kind="progression",
            query=f"harmonising {shown} in {label}",
            statement=(
                f"{', '.join(outside)} is not in {label}, so no chord of the key holds it: "
                "choose another key, or treat it as a chromatic passing note."
            ),
            data={"key": label, "melody": melody, "outside": outside},
        )
    chosen = _choose(options)
    name = " – ".join(_row_text(r) for r in chosen)
    steps = [
        f"{human(note)} is a note of {_listing([_row_text(r) for r in having])}."
        for note, having in zip(melody, options, strict=True)
    ]
    if len(chosen) >= 2:
        steps.append(_close(chosen[-2], chosen[-1]))
    return TheoryFact(
        kind="progression",
        query=f"harmonising {shown} in {label}",
        statement=f"A harmonisation of {shown} in {label}: {name}.",
        notes=[n for r in chosen for n in r["notes"]],
        steps=steps,
        data={
            "key": label,
            "melody": melody,
            "chords": chosen,
            "options": [[r["numeral"] for r in having] for having in options],
        },
    )


def _close(before: dict[str, Any], last: dict[str, Any]) -> str:
    """What the last two chords make, named as a cadence only where they are one."""
    pair = f"{before['numeral']} – {last['numeral']}"
    if last["degree"] == 1 and before["degree"] in (5, 7):
        return f"End the phrase with an authentic cadence: {pair} under the last two notes."
    if last["degree"] == 1 and before["degree"] == 4:
        return f"End the phrase with a plagal cadence: {pair} under the last two notes."
    if last["degree"] == 6 and before["degree"] == 5:
        return f"{pair} is a deceptive cadence: the last note is not in the tonic chord."
    if last["degree"] == 5:
        return f"{pair} ends on V, a half cadence: it sounds open, asking for more."
    return f"The last note is not in the tonic chord, so {pair} leaves the phrase unfinished."


def _choose(options: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One chord per note: the last chord first (the tonic, else vi), then the rest from the
    start (the tonic first), a dominant-side chord before the last, and no chord twice in a
    row where the note allows another."""
    final = sorted(options[-1], key=lambda r: (r["degree"] not in (1, 6), r["degree"] != 1))[0]
    chosen: list[dict[str, Any]] = []
    for index, having in enumerate(options[:-1]):
        ranked = list(having)
        if index == len(options) - 2:
            ranked.sort(key=lambda r: (r["degree"] not in (5, 4, 2, 7), r["degree"] != 5))
        elif index == 0:
            ranked.sort(key=lambda r: r["degree"] != 1)
        avoid = {chosen[-1]["numeral"]} if chosen else set()
        if index == len(options) - 2:
            avoid.add(final["numeral"])
        fresh = [r for r in ranked if r["numeral"] not in avoid]
        chosen.append((fresh or ranked)[0])
    return [*chosen, final]


def _row_text(row: dict[str, Any]) -> str:
    return f"{row['numeral']} {row['symbol']} ({' '.join(row['notes'])})"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
