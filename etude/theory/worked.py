"""Worked steps for every computed fact: how a learner finds the answer by hand.

A fact says *what* (C minor seventh: C – E♭ – G – B♭); a teacher also shows *how*, in steps
the learner can repeat on the next chord. The steps here are computed from the fact's own
data with music21 — letter names counted, semitones counted, degrees numbered — never
written per answer, so every chord, scale, interval, key, transposition and numeral gets
them. Each fact also gets a ``short`` form (one line, for advanced learners) and, for
beginners, the plain meaning of the words the steps use (``terms``).

>>> from etude.theory.calculator import compute_facts
>>> fact = with_worked_steps(compute_facts("spell Cm7")[0])
>>> fact.steps[1]
'Stack thirds by letter name, every other letter: C – E – G – B.'
>>> fact.steps[2].split("; ")[0]
'Eb is the minor 3rd: count 3 letter names up from C (C D E), then make it 3 semitones above C'
>>> fact.steps[2].split("; ")[1]
'plain E would be 4, so it is lowered to Eb.'
>>> fact.data["short"]
'above C: m3, P5, m7'
"""

from __future__ import annotations

import itertools
import logging
from typing import Any

from music21 import interval, key, pitch, roman

from etude.theory.facts import TheoryFact
from etude.theory.intervals import ORDINAL_WORDS
from etude.theory.spelling import human, to_music21

log = logging.getLogger(__name__)

LETTERS = "CDEFGAB"
_ORDINALS = {number: word for number, word in ORDINAL_WORDS.items() if number <= 13}
"""Interval numbers as words, up to the thirteenth (a larger one is written '14th')."""
_STEP_WORDS = {1: "half", 2: "whole", 3: "step and a half"}

TERMS = {
    "semitone": "a semitone is the smallest step on the piano, from one key to the very next "
    "(black or white)",
    "letter name": "the letter names are the seven white-key names C D E F G A B, which repeat",
    "root": "the root is the note a chord is built on and named after",
    "third": "a third spans three letter names, counting both ends; stacking thirds builds chords",
    "degree": "a degree is a note's number in the scale, counting the key note as 1",
    "key signature": "the key signature is the set of sharps or flats written at the start of "
    "each line, so they need not be written on every note",
    "leading tone": "the leading tone is the 7th degree a semitone below the key note; it pulls "
    "up to it",
    "whole": "a whole step (W) is two semitones, a half step (H) one",
}
"""Plain meanings for beginners, shown for the words a reply's steps actually use."""


def _p(name: str, octave: int = 4) -> pitch.Pitch:
    return pitch.Pitch(f"{to_music21(name)}{octave}")


def _above(low: str, high: str) -> interval.Interval:
    """The interval from ``low`` up to the next ``high`` (a unison stays a unison)."""
    first, second = _p(low), _p(high)
    if second.diatonicNoteNum < first.diatonicNoteNum:
        second.octave = 5
    return interval.Interval(first, second)


def letters_from(start: str, count: int) -> list[str]:
    """``count`` letter names from ``start``'s letter, both ends counted.

    >>> letters_from("Eb", 5)
    ['E', 'F', 'G', 'A', 'B']
    """
    first = LETTERS.index(start[0].upper())
    return [LETTERS[(first + i) % 7] for i in range(count)]


def _letter_fix(root: str, tone: str, semitones: int, number: int) -> str:
    """How the plain letter is altered to give the interval's size: "plain E would be 4, so it
    is lowered to Eb"."""
    natural = tone[0]
    if natural == tone:
        return f"plain {natural} is exactly that, so it stays as it is"
    plain = _above(root, natural).semitones % 12 if natural != root[0] else 0
    plain += 12 * ((number - 1) // 7)
    change = "raised" if plain < semitones else "lowered"
    return f"plain {natural} would be {plain}, so it is {change} to {tone}"


def _tone_step(root: str, tone: str, role: str, code: str) -> str:
    size = interval.Interval(code)
    number = size.generic.undirected
    letters = letters_from(root, number)
    semitones = int(size.semitones)
    shown = " ".join(letters) if number <= 8 else f"{letters[0]} … {letters[-1]}"
    return (
        f"{tone} is the {role}: count {number} letter names up from {root} ({shown}), then "
        f"make it {semitones} semitones above {root}; {_letter_fix(root, tone, semitones, number)}."
    )


def _chord_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    root = str(data.get("root") or (fact.notes[0] if fact.notes else ""))
    tones = [str(t) for t in (data.get("tones") or fact.notes)]
    if not root or len(tones) < 2:
        return [], ""
    codes = [str(c) for c in data.get("intervals") or []]
    if len(codes) != len(tones):
        codes = [_above(root, tone).simpleName for tone in tones]
    roles = [str(r) for r in data.get("roles") or []]
    if len(roles) != len(tones):
        roles = [interval.Interval(code).niceName.lower() for code in codes]
    numbers = [interval.Interval(code).generic.undirected for code in codes]
    steps = [f"Start on the root, {root}."]
    if kind_is_thirds(numbers):
        stacked = letters_from(root, max(numbers))[::2]
        steps.append(f"Stack thirds by letter name, every other letter: {' – '.join(stacked)}.")
    else:
        steps.append(f"Measure each note above {root} by letter names, then by semitones.")
    steps.extend(
        _tone_step(root, tone, role, code)
        for tone, role, code in zip(tones[1:], roles[1:], codes[1:], strict=True)
    )
    short = f"above {root}: {', '.join(codes[1:])}"
    return steps, short


def kind_is_thirds(numbers: list[int]) -> bool:
    """Whether a chord's tones are a stack of thirds (1, 3, 5, 7 …), with no gap.

    >>> kind_is_thirds([1, 3, 5, 7]), kind_is_thirds([1, 2, 5])
    (True, False)
    """
    ordered = sorted(set(numbers))
    return ordered == list(range(1, 2 * len(ordered), 2))


def interval_steps(low: str, high: str, code: str) -> tuple[list[str], str]:
    """Count the letters, count the semitones, name the quality, for ``low`` up to ``high``.

    >>> steps, short = interval_steps("C", "Ab", "m6")
    >>> steps[0]
    'Count the letter names from C up to A, both ends included: C D E F G A — 6 letters, a sixth.'
    >>> steps[2]
    'A major sixth spans 9 semitones; this one spans 8, one fewer, so it is a minor sixth.'
    >>> short
    '6 letters, 8 semitones: a minor sixth'
    """
    size = interval.Interval(code)
    number = size.generic.undirected
    semitones = int(size.semitones)
    name = size.niceName.lower()
    ordinal = _ORDINALS.get(number, f"{number}th")
    letters = " ".join(letters_from(low, number))
    count = [human(low)]
    start = _p(low)
    flats = "b" in low[1:] + high[1:] or "-" in low[1:] + high[1:]
    for shift in range(1, semitones + 1):
        here = pitch.Pitch()
        here.ps = start.ps + shift
        if flats and here.accidental is not None and here.accidental.alter > 0:
            here = here.getHigherEnharmonic(inPlace=False)  # C# is spelled Db: the letter above
        elif not flats and here.accidental is not None and here.accidental.alter < 0:
            here = here.getLowerEnharmonic(inPlace=False)  # Eb is spelled D#: the letter below
        count.append(human(here.name))
    count[-1] = human(high)
    ref = interval.Interval(_reference(number))
    ref_name = ref.niceName.lower()
    diff = semitones - int(ref.semitones)
    if diff == 0:
        verdict = f"this one spans {semitones} too, so it is {_a(name)}"
    else:
        more = "more" if diff > 0 else "fewer"
        verdict = (
            f"this one spans {semitones}, {_count_word(abs(diff))} {more}, so it is {_a(name)}"
        )
    steps = [
        f"Count the letter names from {human(low)} up to {high[0]}, both ends included: "
        f"{letters} — {number} letters, {_a(ordinal)}.",
        f"Count the semitones from {human(low)} up to {human(high)}, one key at a time: "
        f"{' – '.join(count)} — {semitones}.",
        f"{_a(ref_name).capitalize()} spans {int(ref.semitones)} semitones; {verdict}.",
    ]
    return steps, f"{number} letters, {semitones} semitones: {_a(name)}"


def _reference(number: int) -> str:
    """The interval of that number every other quality is counted from: perfect for unisons,
    fourths, fifths and octaves, major for the rest.

    >>> _reference(5), _reference(3), _reference(11)
    ('P5', 'M3', 'P11')
    """
    return f"{'P' if number % 7 in (1, 4, 5) else 'M'}{number}"


def _a(phrase: str) -> str:
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


def _count_word(n: int) -> str:
    return {1: "one", 2: "two", 3: "three"}.get(n, str(n))


def _interval_fact_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    code = str(data.get("name") or data.get("interval") or "")
    if not code:
        return [], ""
    if len(fact.notes) == 2:
        low, high = fact.notes if data.get("direction") != "below" else fact.notes[::-1]
    else:
        # a size asked without notes: worked from C, an example the learner can play
        low = "C"
        high = human(interval.Interval(code).transposePitch(_p("C")).name)
    steps, short = interval_steps(low, high, code)
    if len(fact.notes) != 2:
        size = interval.Interval(code)
        if size.name == _reference(size.generic.undirected):
            # the quality was given, not found, and it is the one the count is measured
            # against: "a major third spans 4; this one spans 4 too, so it is a major third"
            # only says the answer again
            steps.pop()
        steps.insert(0, f"Take C as the lower note: {_a(size.niceName.lower())} above C is {high}.")
    return steps, short


def _scale_steps(fact: TheoryFact) -> tuple[list[str], str]:
    notes = list(fact.notes)
    if len(notes) < 5:
        return [], ""
    tonic = notes[0]
    letters = letters_from(tonic, len(notes) + 1)
    ring = [*notes, tonic]
    moves = []
    for here, there in itertools.pairwise(ring):
        size = int(_above(here, there).semitones)
        moves.append(f"{here}–{there} {_STEP_WORDS.get(size, f'{size} semitones')}")
    altered = [note for note in notes if len(note) > 1]
    pattern = str(fact.data.get("steps") or "")
    steps = [
        f"Write the letter names from {tonic} to {tonic}: {' '.join(letters)}.",
        f"Fit the pattern {pattern} (W a whole step, H a half step) to them: "
        + ", ".join(moves)
        + ".",
    ]
    if altered:
        steps.append(f"The notes the pattern alters: {', '.join(altered)}.")
    else:
        steps.append("The pattern needs no sharps or flats here: white keys only.")
    return steps, f"{pattern} from {tonic}"


def _transposition_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    source = [str(n) for n in data.get("source") or []]
    code = str(data.get("interval") or "")
    if not source or not code or len(source) != len(fact.notes):
        return [], ""
    size = interval.Interval(code)
    words = size.niceName.lower()
    down = data.get("direction") == "below"
    way = "down" if down else "up"
    number = size.generic.undirected
    steps = [
        f"{_a(words).capitalize()} is {number} letter names and {int(size.semitones)} semitones: "
        f"move every note {way} by exactly that."
    ]
    for old, new in zip(source, fact.notes, strict=True):
        letters = letters_from(new if down else old, number)
        if down:
            letters = letters[::-1]
        steps.append(f"{old} {way} {_a(words)} ({' '.join(letters)}) is {new}.")
    return steps, f"every note {way} {_a(words)}"


def _roman_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    figure, label = str(data.get("figure") or ""), str(data.get("key") or "")
    if not figure or " " not in label:
        return [], ""
    tonic, mode = label.split(" ", 1)
    home = key.Key(to_music21(tonic), mode)
    from etude.theory.roman import music21_figure

    rn = roman.RomanNumeral(music21_figure(figure), home)
    degree = int(rn.scaleDegree)
    scale = [human(p.name) for p in home.getPitches()[:7]]
    root = human(rn.root().name)
    tones = [human(p.name) for p in rn.pitches]
    counted, short_key = _counted_to_root(rn, home, figure, label)
    steps = [*counted, f"Stack thirds on {root}: {' – '.join(tones)}."]
    outside = [t for t in tones if t not in scale]
    secondary = rn.secondaryRomanNumeralKey if "/" in figure else None
    borrowed = secondary is not None and all(
        t in (human(p.name) for p in secondary.getPitches()) for t in outside
    )
    if outside and borrowed and secondary is not None:
        steps.append(_altered(outside, f", from {short_key}, the key the chord points to"))
    elif outside and secondary is None and mode == "minor" and rn.scaleDegree in (5, 7):
        steps.append(
            f"{', '.join(outside)}: the 7th degree raised a semitone, as in harmonic minor, "
            "so it becomes the leading tone, pulling up to the key note."
        )
    elif outside:
        steps.append(_altered(outside))
    third = _above(root, tones[1]).niceName.lower() if len(tones) > 1 else ""
    quality = rn.commonName
    case = "upper-case" if figure[:1].isupper() else "lower-case"
    steps.append(
        f"{root} up to {tones[1]} is {_a(third)}: {_a(quality)}, written {case}: {figure}."
    )
    return steps, f"degree {degree} of {short_key}, {quality}: {figure}"


def _altered(notes: list[str], source: str = "") -> str:
    """Notes of a chord that the key lacks, said as altered notes.

    >>> _altered(["F#"])
    'F# lies outside the key: an altered note.'
    >>> _altered(["D#", "F#"], ", from E major")
    'D#, F# lie outside the key: altered notes, from E major.'

    """
    if len(notes) == 1:
        return f"{notes[0]} lies outside the key: an altered note{source}."
    return f"{', '.join(notes)} lie outside the key: altered notes{source}."


def _counted_to_root(
    rn: roman.RomanNumeral, home: key.Key, figure: str, label: str
) -> tuple[list[str], str]:
    """How to find a numeral's root by counting up a scale, and the key counted in. A
    secondary numeral (V/V, read "V of V") counts twice: up the home key to the chord after
    the slash, then up the key of that chord to the root; its degree is one of that key, not
    of the home key (C is degree 5 of F major, not of Bb major).

    >>> from music21 import key, roman
    >>> home = key.Key("B-")
    >>> steps, counted = _counted_to_root(roman.RomanNumeral("V/V", home), home, "V/V", "Bb major")
    >>> for step in steps: print(step)  # doctest: +NORMALIZE_WHITESPACE
    Count up the Bb major scale from Bb: Bb – C – D – Eb – F; F is degree 5, so V in Bb major
    is built on F.
    V/V reads "V of V": count up the F major scale from F: F – G – A – Bb – C; C is degree 5.
    >>> counted
    'F major'
    >>> _counted_to_root(roman.RomanNumeral("IV", home), home, "IV", "Bb major")[0]
    ['Count up the Bb major scale from Bb: Bb – C – D – Eb; Eb is degree 4.']
    """
    scale = [human(p.name) for p in home.getPitches()[:7]]
    degree, root = int(rn.scaleDegree), human(rn.root().name)
    secondary, there = rn.secondaryRomanNumeral, rn.secondaryRomanNumeralKey
    if secondary is None or there is None or "/" not in figure:
        return [
            f"Count up the {label} scale from {scale[0]}: {' – '.join(scale[:degree])}; "
            f"{root} is degree {degree}."
        ], label
    primary, after = figure.split("/", 1)
    there_label = f"{human(there.tonic.name)} {there.mode}"
    there_scale = [human(p.name) for p in there.getPitches()[:7]]
    on = human(secondary.root().name)
    at = int(secondary.scaleDegree)
    return [
        f"Count up the {label} scale from {scale[0]}: {' – '.join(scale[:at])}; {on} is "
        f"degree {at}, so {after} in {label} is built on {on}.",
        f'{figure} reads "{primary} of {after}": count up the {there_label} scale from {on}: '
        f"{' – '.join(there_scale[:degree])}; {root} is degree {degree}.",
    ], there_label


def _signature_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    sharps = data.get("sharps")
    if sharps is None:
        return [], ""
    count = int(sharps)
    signature = key.KeySignature(count)
    major = signature.asKey("major")
    minor = signature.asKey("minor")
    altered = [human(p.name) for p in signature.alteredPitches]
    major_label = f"{human(major.tonic.name)} major"
    minor_label = f"{human(minor.tonic.name)} minor"
    if count == 0:
        steps = ["No sharps or flats: C major, the white keys, and its relative minor A minor."]
    elif count > 0:
        steps = [
            f"Sharps always enter in the order F C G D A E B; {count}: {', '.join(altered)}.",
            f"The last sharp, {altered[-1]}, is the leading tone of the major key: a semitone up "
            f"is {human(major.tonic.name)}, so {major_label}.",
        ]
    else:
        steps = [f"Flats always enter in the order B E A D G C F; {-count}: {', '.join(altered)}."]
        if count <= -2:
            steps.append(
                f"The next-to-last flat, {altered[-2]}, names the major key: {major_label}."
            )
        else:
            steps.append("One flat is the one to remember: F major.")
    if count != 0:
        steps.append(
            f"The relative minor of {major_label} is {minor_label}, a minor third below, with "
            "the same signature."
        )
    return steps, f"{', '.join(altered) or 'no accidentals'}: {major_label} / {minor_label}"


def _related_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    label, other = str(data.get("key") or ""), str(data.get("answer") or "")
    if " " not in label or " " not in other:
        return [], ""
    tonic, mode = label.split(" ", 1)
    target, target_mode = other.split(" ", 1)
    here = key.Key(to_music21(tonic), mode)
    there = key.Key(to_music21(target), target_mode)

    def signature(k: key.Key) -> str:
        names = [human(p.name) for p in k.alteredPitches]
        if not names:
            return "no sharps or flats"
        kind = "sharp" if k.sharps > 0 else "flat"
        plural = "s" if len(names) > 1 else ""
        return f"{len(names)} {kind}{plural}: {', '.join(names)}"

    if data.get("relation") == "relative":
        down = mode == "major"
        way = "down" if down else "up"
        letters = letters_from(target if down else tonic, 3)
        if down:
            letters = letters[::-1]
        steps = [
            f"From {human(tonic)} go {way} a minor third — 3 letter names "
            f"({' '.join(letters)}) and 3 semitones — to {human(target)}.",
            f"{label} and {other} share every note of their signature; only the home note differs.",
        ]
        return steps, f"a minor third {way}, same signature"
    steps = [
        f"Keep the key note {human(tonic)} and change the mode to {target_mode}.",
        f"The signature changes: {label} has {signature(here)}.",
        f"{other} has {signature(there)}.",
    ]
    return steps, "same key note, other mode"


def _circle_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    label, dominant = str(data.get("key") or ""), str(data.get("dominant") or "")
    subdominant = str(data.get("subdominant") or "")
    if " " not in label or " " not in dominant:
        return [], ""
    tonic = label.split(" ", 1)[0]
    up = dominant.split(" ", 1)[0]
    down = subdominant.split(" ", 1)[0] if subdominant else ""
    steps = [
        f"Clockwise is up a perfect fifth — 5 letter names ({' '.join(letters_from(tonic, 5))})"
        f" and 7 semitones: {human(tonic)} → {human(up)}, and the signature gains a sharp "
        "(or loses a flat).",
    ]
    if down:
        steps.append(
            f"Anticlockwise is down a perfect fifth: {human(tonic)} → {human(down)}, one sharp "
            "fewer (or one flat more)."
        )
    return steps, "clockwise: up a fifth, one more sharp"


def _bass_steps(fact: TheoryFact) -> tuple[list[str], str]:
    bars = fact.data.get("bass") or []
    chords = fact.data.get("chords") or []
    if len(bars) < 2 or len(chords) != len(bars):
        return [], ""
    roots = ", ".join(bar[0] for bar in bars)
    fifths = ", ".join(bar[2] for bar in bars)
    leads = ", ".join(f"{bar[3]} to {nxt[0]}" for bar, nxt in itertools.pairwise(bars))
    steps = [
        f"Beat 1 of each bar is the chord's root, so the harmony is clear: {roots}.",
        f"Beat 3 is the chord's fifth, another chord tone: {fifths}.",
        f"Beat 4 is a note a step from the next root, so the line walks into the next bar: "
        f"{leads}.",
    ]
    return steps, "root, root, fifth, step into the next root"


def _modulation_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    pivot, chords = data.get("pivot") or {}, data.get("chords") or []
    source, target = str(data.get("key") or ""), str(data.get("target") or "")
    if not pivot or len(chords) < 7:
        return [], ""
    symbols = [str(c["symbol"]) for c in chords]
    tonic, mode = target.split(" ", 1)
    new = [human(p.name) for p in key.Key(to_music21(tonic), mode).getPitches()[:7]]
    old = str(source.split(" ", 1)[0])
    old_notes = {human(p.name) for p in key.Key(to_music21(old), source.split(" ")[1]).pitches}
    fresh = [n for n in new if n not in old_notes]
    dominant = chords[5]
    steps = [
        f"Establish {source} with I – IV – V – I: {' – '.join(symbols[:4])}.",
        f"Find a chord both keys own: {pivot['symbol']} ({' '.join(chords[4]['notes'])}) is "
        f"{pivot['in_source']} in {source} and {pivot['in_target']} in {target}, the pivot.",
        f"Go on as if already in {target}: {dominant['symbol']} "
        f"({' '.join(dominant['notes'])}) is its V7"
        + (f", and {', '.join(fresh)} is the note {source} does not have." if fresh else "."),
        f"Resolve to {symbols[6]} and stay there, so the new key sounds like home.",
    ]
    return steps, f"pivot {pivot['symbol']} ({pivot['in_source']} = {pivot['in_target']})"


def _progression_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    if data.get("bass"):
        return _bass_steps(fact)
    if data.get("pivot"):
        return _modulation_steps(fact)
    label = str(data.get("key") or "")
    chords = data.get("chords") or []
    if " " not in label or not chords:
        return [], ""
    tonic, mode = label.split(" ", 1)
    scale = [human(p.name) for p in key.Key(to_music21(tonic), mode).getPitches()[:7]]
    numbered = ", ".join(f"{n} {name}" for n, name in enumerate(scale, start=1))
    steps = [f"Number the scale of {label}: {numbered}."]
    built: set[str] = set()
    for chord in chords:
        figure = str(chord.get("figure") or chord.get("numeral") or "")
        notes = [str(n) for n in chord.get("notes") or []]
        if figure and notes and figure not in built:
            built.add(figure)
            steps.append(f"{figure} is built on {notes[0]}: stack thirds, {' – '.join(notes)}.")
    steps.append(
        "Upper-case numerals are major chords, lower-case minor, ° diminished: the thirds the "
        "key's notes give decide it."
    )
    outside = list(
        dict.fromkeys(
            str(n) for chord in chords for n in chord.get("notes") or [] if str(n) not in scale
        )
    )
    if mode == "minor":
        raised = human(_p(tonic).transpose("-m2").name)  # the leading tone of harmonic minor
        if raised in outside:
            outside.remove(raised)
            steps.append(f"{raised} is the raised 7th of harmonic minor, the leading tone.")
    if outside:
        style = (
            " (the blues makes every chord a dominant seventh)" if "blues" in fact.statement else ""
        )
        steps.append(f"Notes from outside {label}: {', '.join(outside)}{style}.")
    figures = " – ".join(str(c.get("figure") or c.get("numeral")) for c in chords)
    return steps, f"{figures} in {label}"


def _identification_steps(fact: TheoryFact) -> tuple[list[str], str]:
    data = fact.data
    root = str(data.get("root") or "")
    tones = [str(t) for t in data.get("tones") or []]
    if not root or len(tones) < 3:
        return [], ""
    ordered = [root, *[t for t in tones if t != root]]
    ordered.sort(key=lambda t: _above(root, t).semitones)
    steps, short = _chord_steps(
        TheoryFact(kind="chord", query=fact.query, statement="", notes=ordered, data={"root": root})
    )
    if not steps:
        return [], ""
    steps[0] = f"Arrange the notes so they stack from one note, {root}: {' – '.join(ordered)}."
    return steps, short


_WORKERS = {
    "chord": _chord_steps,
    "chord_identification": _identification_steps,
    "interval": _interval_fact_steps,
    "scale": _scale_steps,
    "transposition": _transposition_steps,
    "roman_numeral": _roman_steps,
    "key_signature": _signature_steps,
    "related_keys": _related_steps,
    "circle_of_fifths": _circle_steps,
    "progression": _progression_steps,
    "diatonic_chords": _progression_steps,
}


def terms_in(steps: list[str]) -> list[str]:
    """The plain meanings of the terms these steps use, for a beginner.

    >>> terms_in(["Count the semitones from C up to E"])[0][:14]
    'a semitone is '
    """
    text = " ".join(steps).lower()
    return [meaning for term, meaning in TERMS.items() if term in text]


def with_worked_steps(fact: TheoryFact) -> TheoryFact:
    """The fact with computed steps (when it had none), its one-line ``short`` form and the
    beginner's ``terms``; a fact the workers cannot read is returned as it was."""
    worker = _WORKERS.get(fact.kind)
    steps, short = list(fact.steps), ""
    if worker is not None:
        try:
            worked, short = worker(fact)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, ZeroDivisionError):
            log.debug("no worked steps for %s", fact.query, exc_info=True)
            worked = []
        if worked and not steps:  # a fact with its own steps (a chromatic chord) keeps them
            steps = worked
    elif fact.kind == "derivation" and fact.data.get("interval"):
        worked, short = _interval_fact_steps(
            TheoryFact(kind="interval", query=fact.query, statement="", data=fact.data)
        )
        steps = worked or steps
    if not steps:
        return fact
    data: dict[str, Any] = {**fact.data, "terms": terms_in(steps)}
    if short:
        data["short"] = short
    return fact.model_copy(update={"steps": steps, "data": data})
