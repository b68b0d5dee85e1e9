"""Questions about a tune pasted into the message, answered from the tune itself.

"In the following tune, what is the interval between the first two notes?\\nX:1\\n…" asks
about a score, not about theory in general: the answer needs the tune read as music21 reads
it. :func:`solve_tune` splits the ABC off the message (:mod:`etude.scores.abc_text`), loads it
with the same limits as an uploaded file, and answers

* what the tune states: its key (the ``K:`` field), time signature, number of bars, length
  in a note value ("how many eighth notes long");
* what its notes give: the interval or the semitones between the first two notes or between
  the lowest and the highest, the scale degree of the last (or first) note;
* the chord a bar outlines: named, its quality, its roman numeral in the tune's key, or
  transposed;
* any theory question about the tune's key ("the dominant of the relative major of the
  tune's key"): the key is put in the question's place and the theory engine's grammar reads
  the rest, with the tune's key as the key the question is asked in.

Every answer starts from what was read off the tune, as its first steps ("The tune is in A
major (K:A)." "Bar 1 holds A, C#, E."), then the engine's own steps. The critic may use the
theory engine; the engine never reads scores.

>>> solution = solve_tune("What key is this tune in?\\nX:1\\nM:3/4\\nL:1/8\\nK:Bm\\nB,2 D F |]")
>>> solution.sentence
'The key of the tune is B minor.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from music21 import interval, key, meter, note, stream

from etude.scores.abc_text import split_abc
from etude.scores.loading import ScoreError, load_score_text
from etude.theory.calculator import Solution, solution_fact, solve
from etude.theory.chains import read_plan
from etude.theory.choices import stem_of
from etude.theory.chords import find_chord
from etude.theory.facts import TheoryFact
from etude.theory.plan import (
    ChordFrom,
    Count,
    Degree,
    Interval,
    Key,
    Literal,
    Meter,
    NumeralOf,
    Plan,
    PlanError,
    Quality,
    Transpose,
    depth,
    describe,
    evaluate,
    key_name,
    signature_words,
)
from etude.theory.questions import phrases
from etude.theory.spelling import human, with_article

_UNITS = {"whole": 4.0, "half": 2.0, "quarter": 1.0, "eighth": 0.5, "sixteenth": 0.25}
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_TUNE_KEY = re.compile(
    r"\b(?:the|this) (?:tune|piece|melody|song)(?:'s|’s) (?:home )?key\b"
    r"|\bthe (?:home )?key (?:of|that) (?:the|this) (?:tune|piece|melody|song)(?: is in)?\b"
    r"|\bthe key (?:the|this) (?:tune|piece|melody|song) is in\b",
    re.I,
)
_BAR = re.compile(
    r"\b(?:bar|measure)\s+(?P<n>\d+)\b|\bthe (?P<ord>first|second|third|fourth|last) "
    r"(?:bar|measure)\b",
    re.I,
)
_OPERATIONS = (
    r"\b(?:relative|parallel|dominant|subdominant|tonic|supertonic|mediant|submediant|leading"
    r"|subtonic|enharmonic|above|below|transpos\w*|interval|scale|chord|numeral|degree)\b"
)
_DEGREE_NAMES = {
    1: "tonic",
    2: "supertonic",
    3: "mediant",
    4: "subdominant",
    5: "dominant",
    6: "submediant",
}


@dataclass(frozen=True)
class Tune:
    """What the questions need from a parsed tune."""

    key: Key
    key_field: str | None
    meter: str | None
    bars: tuple[tuple[note.Note, ...], ...]
    length_ql: float

    @property
    def notes(self) -> list[note.Note]:
        return [n for bar in self.bars for n in bar]


@lru_cache(maxsize=256)
def read_tune(abc: str) -> Tune | None:
    """The tune's key, meter, bars and notes, as music21 reads the ABC; None if unreadable."""
    try:
        score = load_score_text(abc).score
    except ScoreError:
        return None
    found = list(score.recurse().getElementsByClass(key.Key))
    field = re.search(r"^\s*K:\s*(\S+)", abc, re.MULTILINE)
    if found:
        k = Key(found[0].tonic.name, "minor" if found[0].mode == "minor" else "major")
    else:
        analysed = score.analyze("key")
        k = Key(analysed.tonic.name, "minor" if analysed.mode == "minor" else "major")
    meters = list(score.recurse().getElementsByClass(meter.TimeSignature))
    part = score.parts[0] if score.parts else score
    measures = list(part.getElementsByClass(stream.Measure))
    if not measures:  # music21 leaves a short tune unbarred: bar it by its meter
        measures = list(part.makeMeasures().getElementsByClass(stream.Measure))
    bars = []
    for measure in measures:
        pitched = tuple(n for n in measure.recurse().notes if isinstance(n, note.Note))
        if pitched:
            bars.append(pitched)
    if not bars:
        return None
    return Tune(
        key=k,
        key_field=field.group(1) if field else None,
        meter=meters[0].ratioString if meters else None,
        bars=tuple(bars),
        length_ql=float(score.highestTime),
    )


def solve_question(message: str) -> Solution | None:
    """A question about the tune in ``message`` if it holds one, else a theory question."""
    if split_abc(message) is not None:
        return solve_tune(message)
    return solve(message)


def asked_in(message: str) -> str:
    """The words of a question without its options or its tune: what to look up.

    >>> asked_in("What form is this?\\nX:1\\nK:G\\nGABc|]\\nA) binary\\nB) ternary")
    'What form is this?'
    """
    text = stem_of(message)
    found = split_abc(text)
    return (found[1] if found else text) or message


def answer_tune(message: str) -> TheoryFact | None:
    """The fact a question about the tune in ``message`` asks for, with its steps; None when
    the message holds no tune or the question is not one this module answers."""
    solution = solve_tune(message)
    return solution_fact(solution) if solution is not None else None


def solve_tune(message: str) -> Solution | None:
    """The answer to a question about the ABC tune in ``message``; None if there is no tune,
    it cannot be read, or the question is not one of those this module answers."""
    found = split_abc(message)
    if found is None:
        return None
    abc, question = found
    question = _asking(question)
    tune = read_tune(abc)
    if tune is None or not question.strip():
        return None
    for reader in (_bar_chord, _two_notes, _degree_of_note, _length, _stated, _about_key):
        try:
            solution = reader(question, tune)
        except PlanError:
            return None
        if solution is not None:
            return solution
    return None


def _asking(text: str) -> str:
    """The sentences that ask, without the ones that present the tune ("Consider the tune
    below.", "Here is a short tune in ABC."): their words are not part of the question.

    >>> _asking("Consider the tune below. What is the relative key of this tune's key?")
    "What is the relative key of this tune's key?"
    """
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    asking = [s for s in sentences if s.endswith("?") or not s.endswith(".")]
    return " ".join(asking) if asking else text


# ----------------------------------------------------------------------------- steps


def _key_step(tune: Tune) -> str:
    sharps = key.Key(tune.key.tonic, tune.key.mode).sharps
    where = f"its K: field reads {tune.key_field}" if tune.key_field else "by its notes"
    return (
        f"The tune is in {key_name(tune.key)}: {where} ({signature_words(sharps)} in the key "
        "signature)."
    )


def _with_steps(found: Solution, before: list[str], depth_added: int = 1) -> Solution:
    return Solution(
        found.value,
        (*before, *found.steps),
        found.subject,
        found.depth + depth_added,
        found.asks,
    )


def _solved(plan: Plan, before: list[str], subject: str | None = None) -> Solution:
    value, steps = evaluate(plan)
    asks = "quality" if isinstance(plan, Quality) else "value"
    what = subject or describe(plan)
    return Solution(
        value, (*before, *(s.text for s in steps)), what, depth(plan) + len(before), asks
    )


def _named(pitch: note.Note) -> str:
    return human(pitch.pitch.nameWithOctave)


# ----------------------------------------------------------------------------- readers


def _bar_chord(question: str, tune: Tune) -> Solution | None:
    """'which chord is outlined in bar 1', 'the roman numeral of bar 2 in the tune's key',
    'if bar 1 were transposed up a major seventh, which chord would it outline'."""
    match = _BAR.search(question)
    lowered = question.lower()
    if match is None or not re.search(r"chord|triad|harmony|numeral|quality|outlin", lowered):
        return None
    number = int(match["n"]) if match["n"] else _ORDINAL.get(match["ord"] or "", 0)
    if match["ord"] == "last":
        number = len(tune.bars)
    if not 1 <= number <= len(tune.bars):
        return None
    bar = tune.bars[number - 1]
    names = tuple(dict.fromkeys(n.pitch.name for n in bar))
    spec = find_chord(list(names))
    if spec is not None and set(spec.tones()) == set(names):
        names = tuple(spec.tones())  # a melody outlines a chord: named from its root
    held = ", ".join(_named(n) for n in bar)
    first = f"Bar {number} holds {held}: the notes {', '.join(human(n) for n in names)}."
    chord: Plan = ChordFrom(names)
    moved = [p for p in phrases(question) if p.kind == "interval" and p.interval]
    if moved and re.search(r"transpos|moved|shift", lowered):
        down = re.search(r"\b(?:down|downwards?|lower)\b", lowered) is not None
        chord = Transpose(chord, moved[0].interval or "", "below" if down else "above")
    if "numeral" in lowered or "roman" in lowered:
        subject = f"the roman numeral of bar {number} in the tune's key"
        return _solved(NumeralOf(chord, Literal(tune.key)), [_key_step(tune), first], subject)
    if "quality" in lowered or "kind of" in lowered or "major, minor" in lowered:
        return _solved(Quality(chord), [first], f"the chord of bar {number}")
    return _solved(chord, [first], f"the chord bar {number} outlines")


def _two_notes(question: str, tune: Tune) -> Solution | None:
    """The interval (or semitones) between the first two notes, or the lowest and highest."""
    lowered = question.lower()
    semitones = re.search(r"semitone|half[- ]?step", lowered) is not None
    if not (semitones or re.search(r"interval|span|range|distance", lowered)):
        return None
    notes = tune.notes
    if re.search(r"\bfirst two notes\b|\bfirst and second notes?\b", lowered):
        pair, what = (notes[0], notes[1]), "the first two notes"
        read = f"The first two notes are {_named(notes[0])} and {_named(notes[1])}."
    elif re.search(r"lowest|highest|range|span", lowered):
        low = min(notes, key=lambda n: n.pitch.ps)
        high = max(notes, key=lambda n: n.pitch.ps)
        pair, what = (low, high), "the lowest and the highest note"
        read = f"The lowest note is {_named(low)} and the highest {_named(high)}."
    elif re.search(r"\bfirst and (?:the )?last notes?\b", lowered):
        pair, what = (notes[0], notes[-1]), "the first and the last note"
        read = f"The first note is {_named(notes[0])} and the last {_named(notes[-1])}."
    else:
        return None
    low, high = sorted(pair, key=lambda n: n.pitch.ps)
    ivl = interval.Interval(low.pitch, high.pitch)
    size = int(ivl.semitones)
    if size == 0:
        return None
    how = (
        f"From {_named(low)} up to {_named(high)} is {with_article(ivl.niceName.lower())}: "
        f"{ivl.generic.undirected} letter names, {size} semitones."
    )
    if semitones:
        subject = f"the number of semitones between {what}"
        return Solution(Count(size, "semitones"), (read, how), subject, 2)
    subject = f"the interval between {what}"
    return Solution(Interval(ivl.name), (read, how), subject, 1 if "first" in what else 2)


def _degree_of_note(question: str, tune: Tune) -> Solution | None:
    """'which scale degree is the last note', 'what scale degree does the tune end on'."""
    lowered = question.lower()
    if "degree" not in lowered:
        return None
    if re.search(r"\blast note\b|\bend(?:s)? on\b|\bfinal note\b|\bending\b", lowered):
        chosen, which = tune.notes[-1], "last"
    elif re.search(r"\bfirst note\b|\bstart(?:s)? on\b|\bbegin(?:s)? on\b", lowered):
        chosen, which = tune.notes[0], "first"
    else:
        return None
    k = key.Key(tune.key.tonic, tune.key.mode)
    number = k.getScaleDegreeFromPitch(chosen.pitch)
    name = chosen.pitch.name
    leading = False
    if number is None and tune.key.mode == "minor" and name == k.getLeadingTone().name:
        number, leading = 7, True
    if number is None:
        raise PlanError(
            f"the {which} note, {human(name)}, lies outside the {key_name(tune.key)} scale"
        )
    if number == 7:
        leading = leading or tune.key.mode == "major"
        label = "leading tone" if leading else "subtonic"
    else:
        label = _DEGREE_NAMES[number]
    value = Degree(tune.key, number, name, label, leading=leading)
    step = (
        f"The {which} note is {_named(chosen)}: {human(name)} is degree {number} of "
        f"{key_name(tune.key)}, its {label}."
    )
    return Solution(value, (_key_step(tune), step), f"the scale degree of the {which} note", 2)


def _length(question: str, tune: Tune) -> Solution | None:
    """'how many eighth notes long is the tune', 'how many bars does it have'."""
    lowered = question.lower()
    unit = next((u for u in _UNITS if re.search(rf"\b{u}[- ]?notes?\b", lowered)), None)
    if unit is not None and re.search(r"long|length|lasts?|how many|count", lowered):
        size = _UNITS[unit]
        total = tune.length_ql / size
        if total != int(total):
            return None
        bars = len(tune.bars)
        per_bar = (
            meter.TimeSignature(tune.meter).barDuration.quarterLength / size if tune.meter else None
        )
        steps = []
        if tune.meter and per_bar is not None:
            steps.append(f"In {tune.meter} a full bar holds {per_bar:g} {unit} notes.")
        steps.append(
            f"The tune's {bars} bar{'s' if bars != 1 else ''} last {tune.length_ql:g} quarter "
            f"notes, which is {int(total)} {unit} notes."
        )
        return Solution(Count(int(total), f"{unit} notes"), tuple(steps), "the tune's length", 2)
    if re.search(r"how many (?:bars|measures)|(?:bars|measures) (?:long|does)", lowered):
        bars = len(tune.bars)
        step = f"The tune has {bars} bar{'s' if bars != 1 else ''} (music21 reads {bars} measures)."
        return Solution(Count(bars, "bars"), (step,), "the number of bars", 1)
    return None


def _stated(question: str, tune: Tune) -> Solution | None:
    """What the header says: the time signature."""
    lowered = question.lower()
    if tune.meter and re.search(r"time signature|\bmeter\b|\bmetre\b", lowered):
        step = f"The M: field reads {tune.meter}: the tune is in {tune.meter} time."
        return Solution(Meter(tune.meter), (step,), "the time signature", 1)
    return None


def _about_key(question: str, tune: Tune) -> Solution | None:
    """Any theory question about the tune's key, read by the engine's grammar with the key
    put in its place; or the key itself."""
    text = _TUNE_KEY.sub(key_name(tune.key), question)
    plan = read_plan(text, key=tune.key)
    if plan is not None and not isinstance(plan, Literal):
        return _solved(plan, [_key_step(tune)])
    lowered = question.lower()
    if re.search(_OPERATIONS, lowered):
        return None  # asks for something about the key that the grammar did not read
    if re.search(r"\bkey\b", lowered) and not re.search(r"signature", lowered):
        return Solution(tune.key, (_key_step(tune),), "the key of the tune", 1)
    if re.search(r"key signature", lowered):
        from etude.theory.plan import SignatureOf

        return _solved(SignatureOf(Literal(tune.key)), [_key_step(tune)])
    return None
