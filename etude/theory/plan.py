"""Questions as small typed plans of the engine's operations, computed step by step.

"The key signature of the relative minor of the dominant of E♭" is three operations, each
applied to what the one inside it computed. A plan is that nesting, as data:

    SignatureOf(Relative(DegreeOf(5, Literal(Key("E-", "major")))))

:func:`evaluate` computes it from the inside out and keeps one :class:`Step` per operation, in
the words a teacher would use, so the learner sees the reasoning, not only the result. The same
plans serve the claim checker: "the dominant of C is G" is the plan ``DegreeOf(5, C major)``
compared with the value ``G``.

Values are plain frozen dataclasses in music21 spelling (``E-``); :func:`show` prints them as
learners read them (``Eb``). A value of one kind is read as another where a musician would do
the same (a key where a note is needed is its tonic; the dominant of a key, where a key is
needed, is the key on that degree), and :func:`as_key`, :func:`as_note`, :func:`as_chord` say
exactly how.

>>> value, steps = evaluate(SignatureOf(Relative(DegreeOf(5, Literal(Key("E-", "major"))))))
>>> show(value)
'2 flats (Bb, Eb)'
>>> [step.text for step in steps]  # doctest: +NORMALIZE_WHITESPACE
['The dominant (5th degree) of Eb major is Bb: Eb – F – G – Ab – Bb; the key on it is Bb major.',
 'The relative minor of Bb major is G minor: its tonic is a minor third below Bb, and both
  keys have 2 flats.',
 'G minor has 2 flats: Bb, Eb.']
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field, is_dataclass
from functools import lru_cache
from typing import Literal as TypingLiteral

from music21 import interval, key, pitch, roman

from etude.theory.spelling import human, with_article

Mode = TypingLiteral["major", "minor"]
Direction = TypingLiteral["above", "below"]

# ----------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Note:
    """A pitch name without octave, music21 spelling (``E-``, ``F#``)."""

    name: str


@dataclass(frozen=True)
class Key:
    """A major or minor key."""

    tonic: str
    mode: Mode


@dataclass(frozen=True)
class Chord:
    """A chord: its root, its tones from the root up (music21 spelling), and what to call it.

    ``quality`` is the plain name ("major triad", "dominant seventh chord"); ``symbol`` the
    lead-sheet symbol ("G7").
    """

    root: str
    tones: tuple[str, ...]
    quality: str
    symbol: str


@dataclass(frozen=True)
class Interval:
    """A named interval, music21's code (``M3``, ``P5``, ``A4``)."""

    name: str


@dataclass(frozen=True)
class Count:
    """A number of something: semitones, sharps, notes."""

    value: int
    unit: str


@dataclass(frozen=True)
class Signature:
    """A key signature: positive for sharps, negative for flats."""

    sharps: int


@dataclass(frozen=True)
class Numeral:
    """A roman numeral in a key (textbook notation: ``V7``, ``vii°``), and the chord it names
    there when that is known (options are compared with the chord, not with the spelling of
    the figure: ``IV7`` and ``IVmaj7`` name the same chord)."""

    figure: str
    key: Key
    chord: Chord | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Notes:
    """Several notes in order: a scale, a transposed line, an enharmonic set."""

    names: tuple[str, ...]
    what: str = ""


@dataclass(frozen=True)
class Degree:
    """A scale degree of a key: the note, and the chord and key a musician may mean by it."""

    key: Key
    number: int
    note: str
    name: str
    leading: bool = False


@dataclass(frozen=True)
class Meter:
    """A time signature, as written (``6/8``)."""

    text: str


Value = Note | Key | Chord | Interval | Count | Signature | Numeral | Notes | Degree | Meter

# ----------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Literal:
    """A value named in the question itself."""

    value: Value


@dataclass(frozen=True)
class Relative:
    """The relative major or minor of a key; ``mode`` is the mode asked for, if named
    ("the relative *minor* of G": G is then read as G major)."""

    of: Plan
    mode: Mode | None = None


@dataclass(frozen=True)
class Parallel:
    """The parallel major or minor of a key; ``mode`` as for :class:`Relative`."""

    of: Plan
    mode: Mode | None = None


@dataclass(frozen=True)
class DegreeOf:
    """A scale degree of a key, by number (1–7) or function; ``form`` says whether the note,
    the chord or the key on that degree is meant ("auto": the note, read as chord or key by
    whatever uses it)."""

    number: int
    of: Plan
    form: TypingLiteral["auto", "note", "chord", "key"] = "auto"
    leading: bool = False
    """Degree 7 as the leading tone (raised in minor) rather than the subtonic."""
    seventh: bool = False
    """With ``form="chord"``: the diatonic seventh chord rather than the triad."""
    mode: Mode | None = None
    """With ``form="key"``: the mode asked for ("the *minor* key on the dominant of C")
    rather than the mode of the diatonic triad on that degree."""


@dataclass(frozen=True)
class IntervalFrom:
    """The note an interval above or below another; a key there, if a key was measured
    from ("the minor key a perfect fourth above D minor")."""

    interval: str
    of: Plan
    direction: Direction = "above"


@dataclass(frozen=True)
class Between:
    """The interval (or the number of semitones) from one note up to another."""

    first: Plan
    second: Plan
    unit: TypingLiteral["interval", "semitones"] = "interval"


@dataclass(frozen=True)
class Semitones:
    """The size of an interval in semitones."""

    of: Plan


@dataclass(frozen=True)
class Transpose:
    """A note, chord or key moved by an interval."""

    of: Plan
    interval: str
    direction: Direction = "above"


@dataclass(frozen=True)
class SignatureOf:
    """The key signature of a key."""

    of: Plan


@dataclass(frozen=True)
class Enharmonic:
    """The other common spellings of a note."""

    of: Plan


@dataclass(frozen=True)
class RomanIn:
    """The chord a roman numeral names in a key."""

    figure: str
    key: Plan


@dataclass(frozen=True)
class NumeralOf:
    """The roman numeral of a chord in a key."""

    chord: Plan
    key: Plan


@dataclass(frozen=True)
class ChordFrom:
    """The chord some notes make (identification)."""

    notes: tuple[str, ...]


@dataclass(frozen=True)
class Quality:
    """What kind of chord something is."""

    of: Plan


@dataclass(frozen=True)
class ScaleOf:
    """The notes of a key's scale; ``form`` names the scale when the question does ("the
    harmonic minor scale of D"), else the key's own (major, natural minor)."""

    of: Plan
    form: str | None = None


@dataclass(frozen=True)
class KeyOn:
    """The key whose tonic a note is ("the minor key built on G#", "the key of D"); ``mode``
    as asked, else major on a note, and a degree's closely related key on a degree."""

    of: Plan
    mode: Mode | None = None


@dataclass(frozen=True)
class KeyWith:
    """The key with a given signature ("the major key with three sharps")."""

    sharps: int
    mode: Mode = "major"


@dataclass(frozen=True)
class ChordOn:
    """A chord of a named quality built on a note ("the half-diminished seventh chord whose
    root is C#"); ``suffix`` is the chord symbol's suffix (``m7b5``)."""

    of: Plan
    suffix: str


Plan = (
    Literal
    | Relative
    | Parallel
    | DegreeOf
    | IntervalFrom
    | Between
    | Semitones
    | Transpose
    | SignatureOf
    | Enharmonic
    | RomanIn
    | NumeralOf
    | ChordFrom
    | Quality
    | ScaleOf
    | KeyOn
    | KeyWith
    | ChordOn
)


def depth(plan: Plan) -> int:
    """How many operations a plan chains (a literal is 0).

    >>> depth(SignatureOf(Relative(Literal(Key("C", "major")))))
    2
    """
    if isinstance(plan, Literal | ChordFrom):
        # naming the chord some notes make is reading the question, not a step of reasoning
        return 0
    if isinstance(plan, KeyOn):
        # "the key of D", "the minor key a fourth above D minor": a name, not an operation
        return depth(plan.of)
    inner = [depth(child) for child in children(plan)]
    return 1 + max(inner, default=0)


def children(plan: Plan) -> list[Plan]:
    """The plans an operation applies to."""
    found: list[Plan] = [
        value  # type: ignore[misc]
        for value in vars(plan).values()
        if is_dataclass(value) and not isinstance(value, Value) and not isinstance(value, type)
    ]
    return found


# ----------------------------------------------------------------------------- showing

DEGREE_NAMES = {
    1: "tonic",
    2: "supertonic",
    3: "mediant",
    4: "subdominant",
    5: "dominant",
    6: "submediant",
    7: "leading tone",
}
_ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", 6: "6th", 7: "7th"}


def chord_label(chord: Chord) -> str:
    """A triad by its name ("D major", "B diminished"), any other chord by its symbol.

    >>> chord_label(chord_of("Bdim")), chord_label(chord_of("G7"))
    ('B diminished', 'G7')
    """
    if chord.quality.endswith(" triad"):
        return f"{human(chord.root)} {chord.quality.split()[-2]}"
    return chord.symbol


def key_name(k: Key) -> str:
    return f"{human(k.tonic)} {k.mode}"


def signature_words(sharps: int) -> str:
    """``-2`` → ``2 flats``.

    >>> signature_words(0), signature_words(1), signature_words(-3)
    ('no sharps or flats', '1 sharp', '3 flats')
    """
    if sharps == 0:
        return "no sharps or flats"
    word = "sharp" if sharps > 0 else "flat"
    return f"{abs(sharps)} {word}{'s' if abs(sharps) != 1 else ''}"


def interval_words(name: str) -> str:
    from etude.theory.intervals import interval_words as words

    return words(name)


def show(value: Value) -> str:
    """A value as a learner reads it.

    >>> show(Note("B-")), show(Key("F#", "minor")), show(Interval("m6")), show(Signature(-2))
    ('Bb', 'F# minor', 'minor sixth', '2 flats (Bb, Eb)')
    """
    match value:
        case Note():
            return human(value.name)
        case Key():
            return key_name(value)
        case Chord():
            return f"{chord_label(value)} ({' – '.join(human(t) for t in value.tones)})"
        case Interval():
            return interval_words(value.name)
        case Count():
            return f"{value.value} {value.unit}"
        case Signature():
            altered = [human(p) for p in key.KeySignature(value.sharps).alteredPitches]
            words = signature_words(value.sharps)
            return f"{words} ({', '.join(altered)})" if altered else words
        case Numeral():
            return value.figure
        case Notes():
            return " – ".join(human(n) for n in value.names)
        case Degree():
            return human(value.note)
        case Meter():
            return value.text
    raise TypeError(f"not a value: {value!r}")


# ----------------------------------------------------------------------------- coercions


class PlanError(ValueError):
    """A plan that cannot be computed (a numeral music21 does not know, a key with 9 flats…);
    the message says why in a learner's words."""


class PremiseError(PlanError):
    """A plan whose own wording is wrong ("the relative major of E major": E major is already
    major). ``correction`` is the right fact, for the learner."""

    def __init__(self, message: str, correction: str) -> None:
        super().__init__(message)
        self.correction = correction


def _degree_chord_figure(number: int, mode: Mode, leading: bool, seventh: bool = False) -> str:
    """The diatonic chord on a degree, as music21 reads figures: in minor, the natural minor
    except on the dominant and the leading tone, which take the raised 7th (harmonic minor),
    as textbooks do.

    >>> _degree_chord_figure(5, "minor", False), _degree_chord_figure(7, "minor", True, True)
    ('V', 'viio7')
    >>> _degree_chord_figure(2, "minor", False, True), _degree_chord_figure(7, "minor", False)
    ('ii/o7', 'VII')
    """
    if seventh:
        major = {1: "I7", 2: "ii7", 3: "iii7", 4: "IV7", 5: "V7", 6: "vi7", 7: "vii/o7"}
        minor = {1: "i7", 2: "ii/o7", 3: "III7", 4: "iv7", 5: "V7", 6: "VI7"}
        minor[7] = "viio7" if leading else "VII7"
    else:
        major = {1: "I", 2: "ii", 3: "iii", 4: "IV", 5: "V", 6: "vi", 7: "viio"}
        minor = {1: "i", 2: "iio", 3: "III", 4: "iv", 5: "V", 6: "VI"}
        minor[7] = "viio" if leading else "VII"
    return (major if mode == "major" else minor)[number]


def _degree_key_mode(number: int, mode: Mode) -> Mode | None:
    """The mode of the key on a degree (closely related keys: the diatonic triad's quality,
    natural minor); None where that triad is diminished."""
    major: dict[int, Mode | None] = {
        1: "major",
        2: "minor",
        3: "minor",
        4: "major",
        5: "major",
        6: "minor",
        7: None,
    }
    minor: dict[int, Mode | None] = {
        1: "minor",
        2: None,
        3: "major",
        4: "minor",
        5: "minor",
        6: "major",
        7: "major",
    }
    return (major if mode == "major" else minor)[number]


def as_key(value: Value) -> Key:
    """The key a value names where a key is needed.

    >>> as_key(Note("C")), as_key(Degree(Key("A", "minor"), 5, "E", "dominant"))
    (Key(tonic='C', mode='major'), Key(tonic='E', mode='minor'))
    """
    match value:
        case Key():
            return value
        case Note():
            return Key(value.name, "major")
        case Degree():
            mode = _degree_key_mode(value.number, value.key.mode)
            if mode is None or (value.number == 7 and value.leading):
                raise PlanError(
                    f"the {value.name} of {key_name(value.key)} carries a diminished triad, "
                    "so no key is built on it"
                )
            return Key(value.note, mode)
        case Chord() if value.quality.endswith((" major triad", " minor triad")):
            # "Cm" where a key is needed; a chord's quality carries its root ("C minor triad")
            return Key(value.root, "major" if value.quality.endswith("major triad") else "minor")
    raise PlanError(f"{show(value)} is not a key")


def as_note(value: Value) -> str:
    """The note a value names where one note is needed (music21 spelling)."""
    match value:
        case Note():
            return value.name
        case Degree():
            return value.note
        case Key():
            return value.tonic
        case Chord():
            return value.root
    raise PlanError(f"{show(value)} is not a note")


def chord_of(symbol: str) -> Chord:
    """The :class:`Chord` of a lead-sheet symbol.

    >>> chord_of("Bbm7").tones
    ('B-', 'D-', 'F', 'A-')
    """
    from etude.theory.chords import chord_name, parse_symbol

    spec = parse_symbol(symbol)
    if spec is None:
        raise PlanError(f"{symbol} is not a chord symbol I know")
    return Chord(spec.root, tuple(spec.tones()), chord_name(spec), spec.symbol)


def chord_of_pitches(names: list[str]) -> Chord:
    """The chord some notes make, bass first (music21 spelling)."""
    from etude.theory.chords import chord_name, find_chord

    spec = find_chord(names)
    if spec is None:
        shown = " ".join(human(n) for n in names)
        raise PlanError(f"{shown} is not a chord I can name")
    return Chord(spec.root, tuple(spec.tones()), chord_name(spec), spec.symbol)


def chord_readings(names: list[str]) -> list[Chord]:
    """Every root-position chord some notes make, one per note that can be their root (F Ab
    C D is Fm6 and also Dø7): the first is the engine's reading (the bass as root if it can
    be).

    >>> [c.symbol for c in chord_readings(["F", "A-", "C", "D"])]
    ['Fm6', 'Dm7b5']
    """
    from etude.theory.chords import find_chord

    distinct = list(dict.fromkeys(names))
    found: list[Chord] = []
    for root in distinct:
        spec = find_chord([root, *(n for n in distinct if n != root)])
        if spec is not None and spec.root == root:
            found.append(chord_of(human(root) + spec.symbol[len(human(root)) :].split("/")[0]))
    return found


def chord_roles(chord: Chord) -> str:
    """Each tone of a chord by its interval above the root.

    >>> chord_roles(chord_of("Bm7b5"))
    'root B, minor 3rd D, diminished 5th F, minor 7th A'
    """
    from etude.theory.chords import degree_label, parse_symbol

    spec = parse_symbol(chord.symbol)
    if spec is None:
        return ", ".join(human(t) for t in chord.tones)
    pairs = zip(spec.intervals, spec.tones(), strict=True)
    return ", ".join(f"{degree_label(i)} {human(n)}" for i, n in pairs)


def _chord_on_degree(value: Degree, seventh: bool = False) -> Chord:
    figure = _degree_chord_figure(value.number, value.key.mode, value.leading, seventh)
    rn = roman.RomanNumeral(figure, _m21_key(value.key))
    return chord_of_pitches([p.name for p in sorted(rn.pitches, key=lambda p: p.ps)])


def as_chord(value: Value) -> Chord:
    """The chord a value names where a chord is needed.

    >>> as_chord(Degree(Key("A", "minor"), 5, "E", "dominant")).symbol
    'E'
    >>> as_chord(Key("D", "minor")).symbol
    'Dm'
    """
    match value:
        case Chord():
            return value
        case Degree():
            return _chord_on_degree(value)
        case Key():
            return chord_of(human(value.tonic) + ("" if value.mode == "major" else "m"))
        case Note():
            return chord_of(human(value.name))
        case Notes():
            return chord_of_pitches(list(value.names))
    raise PlanError(f"{show(value)} is not a chord")


@lru_cache(maxsize=512)
def _m21_key(k: Key) -> key.Key:
    return key.Key(k.tonic, k.mode)


# ----------------------------------------------------------------------------- evaluation


@dataclass
class Step:
    """One operation, computed: what was done, in a sentence, and what it gave."""

    text: str
    value: Value


@dataclass
class _Trace:
    steps: list[Step] = field(default_factory=list)

    def add(self, text: str, value: Value) -> Value:
        self.steps.append(Step(text, value))
        return value


def evaluate(plan: Plan) -> tuple[Value, list[Step]]:
    """Compute a plan from the inside out, one step per operation.

    >>> value, steps = evaluate(Between(DegreeOf(1, Literal(Key("D", "major"))),
    ...                                 DegreeOf(5, Literal(Key("D", "major"))), "semitones"))
    >>> show(value)
    '7 semitones'
    """
    trace = _Trace()
    try:
        value = _eval(plan, trace)
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        if isinstance(exc, PlanError):
            raise
        raise PlanError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from exc
    return value, trace.steps


def _eval(plan: Plan, trace: _Trace) -> Value:
    match plan:
        case Literal():
            return plan.value
        case Relative():
            return _relative(_related_source(plan, trace), trace)
        case Parallel():
            return _parallel(_related_source(plan, trace), trace)
        case DegreeOf():
            k = _eval_key(plan.of, trace)
            form = plan.of.form if isinstance(plan.of, ScaleOf) else None
            raised = form is not None and plan.number in _RAISED.get(form, ())
            if raised and form is not None and k.mode == "minor" and plan.form in ("auto", "note"):
                return _raised_degree(plan.number, k, form, trace)
            return _degree(plan, k, trace)
        case IntervalFrom():
            start = _eval(plan.of, trace)
            if isinstance(start, Key):
                return _interval_from(start.tonic, plan, trace, mode=start.mode)
            return _interval_from(as_note(start), plan, trace)
        case Between():
            first = as_note(_eval(plan.first, trace))
            second = as_note(_eval(plan.second, trace))
            return _between(first, second, plan.unit, trace)
        case Semitones():
            inner = _eval(plan.of, trace)
            if not isinstance(inner, Interval):
                raise PlanError(f"{show(inner)} is not an interval")
            size = int(abs(interval.Interval(inner.name).semitones))
            words = with_article(interval_words(inner.name)).capitalize()
            text = f"{words} spans {size} semitones."
            return trace.add(text, Count(int(size), "semitones"))
        case Transpose():
            return _transpose(_eval(plan.of, trace), plan, trace)
        case SignatureOf():
            k = _eval_key(plan.of, trace)
            sharps = _m21_key(k).sharps
            altered = [human(p) for p in _m21_key(k).alteredPitches]
            listing = f": {', '.join(altered)}" if altered else ""
            text = f"{key_name(k)} has {signature_words(sharps)}{listing}."
            return trace.add(text, Signature(sharps))
        case Enharmonic():
            name = as_note(_eval(plan.of, trace))
            others = sorted(
                (p.name for p in pitch.Pitch(name).getAllCommonEnharmonics() if p.name != name),
                key=lambda n: (len(n), n),
            )
            shown = " or ".join(human(n) for n in others)
            text = f"{human(name)} is the same pitch as {shown} (enharmonic spellings)."
            return trace.add(text, Notes(tuple(others), "enharmonics"))
        case RomanIn():
            return _roman_in(plan.figure, _eval_key(plan.key, trace), trace)
        case NumeralOf():
            chord = as_chord(_eval(plan.chord, trace))
            return _numeral_of(chord, _eval_key(plan.key, trace), trace)
        case ChordFrom():
            chord = chord_of_pitches(list(plan.notes))
            shown = " ".join(human(n) for n in plan.notes)
            return trace.add(f"{shown} is {with_article(chord.quality)} ({chord.symbol}).", chord)
        case Quality():
            chord = as_chord(_eval(plan.of, trace))
            tones = " – ".join(human(t) for t in chord.tones)
            return trace.add(f"{chord.symbol} ({tones}) is {with_article(chord.quality)}.", chord)
        case ScaleOf():
            return _scale(plan, _eval_key(plan.of, trace), trace)
        case KeyOn():
            return _key_on_plan(plan, trace)
        case KeyWith():
            k = Key(key.KeySignature(plan.sharps).asKey(plan.mode).tonic.name, plan.mode)
            altered = [human(p) for p in _m21_key(k).alteredPitches]
            listing = f" ({', '.join(altered)})" if altered else ""
            words = signature_words(plan.sharps)
            text = f"The {plan.mode} key with {words}{listing} is {key_name(k)}."
            return trace.add(text, k)
        case ChordOn():
            root = as_note(_eval(plan.of, trace))
            chord = chord_of(human(root) + plan.suffix)
            tones = " – ".join(human(t) for t in chord.tones)
            text = f"The {chord.quality.removeprefix(human(root) + ' ')} on {human(root)} is "
            return trace.add(f"{text}{tones} ({chord.symbol}).", chord)
    raise PlanError(f"unknown plan {plan!r}")


def _eval_key(plan: Plan, trace: _Trace) -> Key:
    """Evaluate ``plan`` where a key is needed; a degree's step then names the key on it."""
    if isinstance(plan, DegreeOf) and plan.form == "auto":
        inner = _eval_key(plan.of, trace)
        return as_key(_degree(plan, inner, trace, as_key_reading=True))
    if isinstance(plan, ScaleOf):
        return _eval_key(plan.of, trace)
    return as_key(_eval(plan, trace))


SCALE_FORMS = ("major", "natural minor", "harmonic minor", "melodic minor")
"""The scales a key question may name; the melodic minor ascending (descending, it is the
natural minor)."""


def _scale(plan: ScaleOf, k: Key, trace: _Trace) -> Value:
    from etude.theory.scales import scale_notes

    form = plan.form or ("major" if k.mode == "major" else "natural minor")
    if form not in SCALE_FORMS:
        raise PlanError(f"the {form} scale is not a scale of a major or minor key")
    names = scale_notes(k.tonic, form)
    shown = " – ".join(human(n) for n in names)
    label = f"{human(k.tonic)} {form}"
    if form == "melodic minor":
        label += " (ascending)"
    return trace.add(f"The {label} scale is {shown}.", Notes(tuple(names), "scale"))


def _key_on_plan(plan: KeyOn, trace: _Trace) -> Value:
    inner = _eval(plan.of, trace)
    if isinstance(inner, Key):
        if plan.mode is None or plan.mode == inner.mode:
            return inner
        return _key_on(Key(inner.tonic, plan.mode), trace)
    if isinstance(inner, Degree) and plan.mode is None:
        return _key_on(as_key(inner), trace)
    return _key_on(Key(as_note(inner), plan.mode or "major"), trace)


def _key_on(k: Key, trace: _Trace, *, quiet: bool = False) -> Key:
    """The key on a tonic, checked against the circle of fifths (no key of 8 sharps)."""
    sharps = _m21_key(k).sharps
    if abs(sharps) > 7:
        raise PlanError(
            f"{key_name(k)} would need {signature_words(sharps)}: it is a theoretical key"
        )
    if not quiet:
        trace.add(f"The {k.mode} key on {human(k.tonic)} is {key_name(k)}.", k)
    return k


def _related_source(plan: Relative | Parallel, trace: _Trace) -> Key:
    """The key whose relative/parallel is asked for. A bare note takes the other mode than the
    one asked for (the relative *minor* of G is of G major); a key of the asked-for mode is a
    wrong premise, answered with the right fact."""
    if plan.mode is not None and isinstance(plan.of, Literal) and isinstance(plan.of.value, Note):
        other: Mode = "minor" if plan.mode == "major" else "major"
        return Key(plan.of.value.name, other)
    k = _eval_key(plan.of, trace)
    if plan.mode is not None and k.mode == plan.mode:
        relation = "relative" if isinstance(plan, Relative) else "parallel"
        other = "minor" if k.mode == "major" else "major"
        answer = (
            (_m21_key(k).relative.tonic.name, other)
            if relation == "relative"
            else (
                k.tonic,
                other,
            )
        )
        correction = (
            f"{key_name(k)} is itself a {k.mode} key: it has a {relation} {other}, "
            f"{key_name(Key(answer[0], other))}, not a {relation} {k.mode}."
        )
        raise PremiseError(f"{key_name(k)} has no {relation} {k.mode}", correction)
    return k


def _relative(k: Key, trace: _Trace) -> Value:
    m21 = _m21_key(k).relative
    other: Mode = "minor" if k.mode == "major" else "major"
    result = Key(m21.tonic.name, other)
    direction = "below" if k.mode == "major" else "above"
    text = (
        f"The relative {other} of {key_name(k)} is {key_name(result)}: its tonic is a minor "
        f"third {direction} {human(k.tonic)}, and both keys have "
        f"{signature_words(_m21_key(k).sharps)}."
    )
    return trace.add(text, result)


def _parallel(k: Key, trace: _Trace) -> Value:
    other: Mode = "minor" if k.mode == "major" else "major"
    result = Key(k.tonic, other)
    text = (
        f"The parallel {other} of {key_name(k)} is {key_name(result)}: the same tonic, "
        f"with {signature_words(_m21_key(result).sharps)} instead of "
        f"{signature_words(_m21_key(k).sharps)}."
    )
    return trace.add(text, result)


_RAISED: dict[str, tuple[int, ...]] = {"harmonic minor": (7,), "melodic minor": (6, 7)}
"""The degrees a minor scale's named form raises: harmonic minor its 7th, melodic minor
(ascending) its 6th and 7th."""


def _raised_degree(number: int, k: Key, form: str, trace: _Trace) -> Value:
    """A degree of the harmonic or melodic minor scale that the form raises ("the 7th degree
    of G harmonic minor" is F#, not the F of G natural minor).

    >>> trace = _Trace()
    >>> _raised_degree(6, Key("A", "minor"), "melodic minor", trace).note
    'F#'
    >>> print(trace.steps[-1].text)  # doctest: +NORMALIZE_WHITESPACE
    The 6th degree of the A melodic minor scale is F#: A – B – C – D – E – F#
    (melodic minor, ascending, raises the 6th and 7th degrees a semitone).
    """
    from music21 import scale

    kind = scale.HarmonicMinorScale if form == "harmonic minor" else scale.MelodicMinorScale
    pitches = [p.name for p in kind(_m21_key(k).tonic).getPitches()][:7]
    note = pitches[number - 1]
    climb = " – ".join(human(n) for n in pitches[:number])
    why = (
        "harmonic minor raises the 7th degree a semitone"
        if form == "harmonic minor"
        else "melodic minor, ascending, raises the 6th and 7th degrees a semitone"
    )
    text = (
        f"The {_ORDINALS[number]} degree of the {human(k.tonic)} {form} scale is "
        f"{human(note)}: {climb} ({why})."
    )
    name = "leading tone" if number == 7 else "raised submediant (6th degree)"
    return trace.add(text, Degree(k, number, note, name, leading=number == 7))


def _degree(plan: DegreeOf, k: Key, trace: _Trace, *, as_key_reading: bool = False) -> Value:
    if plan.number == 7 and plan.leading and k.mode == "major":
        plan = DegreeOf(7, plan.of, plan.form, False, plan.seventh, plan.mode)
    m21 = _m21_key(k)
    leading = plan.leading or (plan.number == 7 and k.mode == "major")
    if plan.number == 7 and plan.leading:
        note = m21.getLeadingTone().name
    else:
        note = m21.pitchFromDegree(plan.number).name
    if plan.number == 7:
        name = "leading tone" if leading else "subtonic (7th degree)"
    else:
        name = DEGREE_NAMES[plan.number]
    value = Degree(k, plan.number, note, name, leading=leading)
    scale = [p.name for p in m21.getPitches()][: plan.number]
    if plan.number == 7 and plan.leading and k.mode == "minor":
        scale[-1] = note
        climb = " – ".join(human(n) for n in scale)
        how = f"{climb} (the 7th degree raised a semitone, as in harmonic minor)"
    else:
        how = " – ".join(human(n) for n in scale)
    label = name if plan.number == 7 else f"{name} ({_ORDINALS[plan.number]} degree)"
    text = f"The {label} of {key_name(k)} is {human(note)}: {how}"
    if plan.form == "chord":
        chord = _chord_on_degree(value, plan.seventh)
        figure = _degree_chord_figure(plan.number, k.mode, leading, plan.seventh)
        tones = " – ".join(human(t) for t in chord.tones)
        kind = "seventh chord" if plan.seventh else "triad"
        text += (
            f"; the diatonic {kind} on it is {tones}, {chord_label(chord)} "
            f"({figure.replace('/o', 'ø').replace('o', '°')})."
        )
        return trace.add(text, chord)
    if plan.form == "key":
        on = Key(note, plan.mode) if plan.mode else as_key(value)
        _key_on(on, trace, quiet=True)
        text += (
            f"; the {'key' if plan.mode is None else plan.mode + ' key'} on it is {key_name(on)}."
        )
        return trace.add(text, on)
    if plan.form == "auto" and as_key_reading:
        text += f"; the key on it is {key_name(as_key(value))}."
        return trace.add(text, value)
    return trace.add(text + ".", value)


def _interval_from(
    start: str, plan: IntervalFrom, trace: _Trace, *, mode: Mode | None = None
) -> Value:
    """The note an interval away; with ``mode``, the key of that mode on it (a key measured
    from a key)."""
    ivl = interval.Interval(plan.interval)
    if plan.direction == "below":
        ivl = ivl.reverse()
    result = ivl.transposePitch(pitch.Pitch(start + "4")).name
    words = interval_words(plan.interval)
    size = abs(interval.Interval(plan.interval).semitones)
    letters = interval.Interval(plan.interval).generic.undirected
    way = "up" if plan.direction == "above" else "down"
    value: Value = Note(result)
    origin, reached = human(start), human(result)
    if mode is not None:
        value = _key_on(Key(result, mode), trace, quiet=True)
        origin, reached = key_name(Key(start, mode)), key_name(value)
    text = (
        f"{with_article(words).capitalize()} {plan.direction} {origin} is "
        f"{reached}: count {letters} letter names {way} "
        f"from {human(start)} and make the distance {size} semitones."
    )
    return trace.add(text, value)


def _between(first: str, second: str, unit: str, trace: _Trace) -> Value:
    low = pitch.Pitch(first + "4")
    high = pitch.Pitch(second + "4")
    if high.diatonicNoteNum < low.diatonicNoteNum or (
        high.diatonicNoteNum == low.diatonicNoteNum and high.ps < low.ps
    ):
        high.octave = 5
    ivl = interval.Interval(low, high)
    size = ivl.semitones
    words = interval_words(ivl.semiSimpleName)
    if unit == "semitones":
        text = (
            f"From {human(first)} up to {human(second)} is {size} semitones "
            f"({with_article(words)})."
        )
        return trace.add(text, Count(int(size), "semitones"))
    text = (
        f"From {human(first)} up to {human(second)} is {with_article(words)}: "
        f"{ivl.generic.undirected} letter names, {size} semitones."
    )
    return trace.add(text, Interval(ivl.semiSimpleName))


def _shift(name: str, ivl_name: str, direction: Direction) -> str:
    ivl = interval.Interval(ivl_name)
    if direction == "below":
        ivl = ivl.reverse()
    return ivl.transposePitch(pitch.Pitch(name + "4")).name


def _transpose(value: Value, plan: Transpose, trace: _Trace) -> Value:
    phrase = f"{'up' if plan.direction == 'above' else 'down'} " + with_article(
        interval_words(plan.interval)
    )
    result: Value
    match value:
        case Key():
            result = Key(_shift(value.tonic, plan.interval, plan.direction), value.mode)
        case Chord():
            root = _shift(value.root, plan.interval, plan.direction)
            suffix = value.symbol[len(human(value.root)) :].split("/")[0]
            result = chord_of(human(root) + suffix)
        case Notes():
            result = Notes(tuple(_shift(n, plan.interval, plan.direction) for n in value.names))
        case _:
            result = Note(_shift(as_note(value), plan.interval, plan.direction))
    return trace.add(f"{show(value)} moved {phrase} is {show(result)}.", result)


def _roman_in(figure: str, k: Key, trace: _Trace) -> Value:
    from etude.theory.roman import music21_figure, tidy_figure

    rn = roman.RomanNumeral(music21_figure(figure), _m21_key(k))
    names = [p.name for p in sorted(rn.pitches, key=lambda p: p.ps)]
    chord = chord_of_pitches(names)
    text = (
        f"{tidy_figure(figure)} in {key_name(k)} is built on the "
        f"{_ORDINALS.get(rn.scaleDegree, str(rn.scaleDegree))} degree, {human(rn.root().name)}: "
        f"{' – '.join(human(n) for n in names)} ({chord.symbol})."
    )
    return trace.add(text, chord)


def _numeral_of(chord: Chord, k: Key, trace: _Trace) -> Value:
    from etude.theory.chords import parse_symbol
    from etude.theory.roman import figure_for

    spec = parse_symbol(chord.symbol)
    if spec is None:
        raise PlanError(f"{chord.symbol} is not a chord symbol I know")
    figure = figure_for(spec, k.tonic, k.mode)
    m21 = _m21_key(k)
    letters = "CDEFGAB"
    degree = (letters.index(chord.root[0]) - letters.index(k.tonic[0])) % 7 + 1
    root = human(chord.root)
    if m21.pitchFromDegree(degree).name == chord.root:
        where = f"its root {root} is the {_ORDINALS[degree]} degree of {key_name(k)}"
    elif k.mode == "minor" and degree == 7 and m21.getLeadingTone().name == chord.root:
        where = f"its root {root} is the leading tone of {key_name(k)}, the raised 7th degree"
    else:
        where = f"its root {root} lies outside the {key_name(k)} scale"
    text = (
        f"In {key_name(k)}, {chord.symbol} is {figure}: {where}, "
        f"and it is {with_article(chord.quality)}."
    )
    return trace.add(text, Numeral(figure, k, chord))


# ----------------------------------------------------------------------------- comparing


def same(value: Value, other: Value) -> bool | None:
    """Whether two values state the same thing; None when they cannot be compared.

    Spelling counts (``A#`` is not ``Bb``): a note claimed with the wrong letter is wrong even
    though it sounds the same. A scale degree matches its note, or the chord or key on it.

    >>> same(Note("G"), Degree(Key("C", "major"), 5, "G", "dominant"))
    True
    >>> same(Key("E", "major"), Degree(Key("A", "minor"), 5, "E", "dominant"))
    True
    >>> same(Note("A#"), Note("B-")), same(Count(4, "semitones"), Count(3, "semitones"))
    (False, False)
    """
    if isinstance(other, Degree) and not isinstance(value, Degree):
        value, other = other, value
    if isinstance(value, Degree):
        match other:
            case Note():
                return value.note == other.name
            case Key():
                readings = {as_chord(value).symbol}
                with suppress(PlanError):
                    on = as_key(value)
                    readings.add(chord_of(human(on.tonic) + _mode_suffix(on)).symbol)
                return (human(other.tonic) + _mode_suffix(other)) in readings
            case Chord():
                return as_chord(value).symbol == other.symbol or (
                    other.root == value.note and other.quality == as_chord(value).quality
                )
        return None
    if type(value) is not type(other):
        if isinstance(value, Key) and isinstance(other, Chord):
            return other.symbol == human(value.tonic) + _mode_suffix(value)
        if isinstance(value, Chord) and isinstance(other, Key):
            return value.symbol == human(other.tonic) + _mode_suffix(other)
        if isinstance(value, Notes) and isinstance(other, Chord):
            return set(value.names) == set(other.tones)
        if isinstance(value, Chord) and isinstance(other, Notes):
            return set(other.names) == set(value.tones)
        return None
    match value:
        case Chord():
            assert isinstance(other, Chord)
            return set(value.tones) == set(other.tones) and value.root == other.root
        case Notes():
            assert isinstance(other, Notes)
            return set(value.names) == set(other.names)
        case Count():
            assert isinstance(other, Count)
            return value.value == other.value
        case Numeral():
            assert isinstance(other, Numeral)
            return _figure_key(value.figure) == _figure_key(other.figure)
    return value == other


def _mode_suffix(k: Key) -> str:
    return "" if k.mode == "major" else "m"


def _figure_key(figure: str) -> str:
    return figure.replace("°", "o").replace("ø", "/o").replace(" ", "")


# ----------------------------------------------------------------------------- describing


def describe(plan: Plan) -> str:
    """The plan in words, as the subject of the answer sentence.

    >>> describe(SignatureOf(Relative(DegreeOf(5, Literal(Key("E-", "major"))))))
    'the key signature of the relative minor of the dominant of Eb major'
    >>> describe(RomanIn("V", RomanIn("V", Literal(Key("B-", "major")))))
    'V of V in Bb major'
    """
    match plan:
        case Literal():
            if isinstance(plan.value, Chord):
                return chord_label(plan.value)
            return show(plan.value)
        case Relative():
            return f"the relative {plan.mode or _flip(plan.of)} of {describe(plan.of)}"
        case Parallel():
            return f"the parallel {plan.mode or _flip(plan.of)} of {describe(plan.of)}"
        case DegreeOf():
            name = "leading tone" if plan.leading else DEGREE_NAMES[plan.number]
            if plan.number == 7 and not plan.leading:
                name = "7th degree"
            form = {"chord": " triad", "key": " key"}.get(plan.form, "")
            if plan.form == "chord" and plan.seventh:
                form = " seventh chord"
            if plan.form == "key" and plan.mode:
                return f"the {plan.mode} key on the {name} of {describe(plan.of)}"
            return f"the {name}{form} of {describe(plan.of)}"
        case IntervalFrom():
            distance = with_article(interval_words(plan.interval))
            return f"{distance} {plan.direction} {describe(plan.of)}"
        case Between():
            what = "the number of semitones" if plan.unit == "semitones" else "the interval"
            return f"{what} from {describe(plan.first)} up to {describe(plan.second)}"
        case Semitones():
            what = describe(plan.of)
            if isinstance(plan.of, Literal) and isinstance(plan.of.value, Interval):
                what = with_article(what)  # "the size of an augmented fourth", not "of augmented"
            return f"the size of {what} in semitones"
        case Transpose():
            way = "up" if plan.direction == "above" else "down"
            return f"{describe(plan.of)} moved {way} {with_article(interval_words(plan.interval))}"
        case SignatureOf():
            return f"the key signature of {describe(plan.of)}"
        case Enharmonic():
            return f"the enharmonic equivalent of {describe(plan.of)}"
        case RomanIn():
            # a numeral of a numeral is a secondary chord: "V of V" (V/V), never "V in V"
            joint = "of" if isinstance(plan.key, RomanIn) else "in"
            return f"{plan.figure} {joint} {describe(plan.key)}"
        case NumeralOf():
            return f"the roman numeral of {describe(plan.chord)} in {describe(plan.key)}"
        case ChordFrom():
            return " ".join(human(n) for n in plan.notes)
        case Quality():
            return f"the quality of {describe(plan.of)}"
        case ScaleOf():
            if plan.form and isinstance(plan.of, Literal) and isinstance(plan.of.value, Key):
                return f"the {human(plan.of.value.tonic)} {plan.form} scale"
            return f"the {plan.form + ' ' if plan.form else ''}scale of {describe(plan.of)}"
        case KeyOn():
            mode = f"{plan.mode} " if plan.mode else ""
            if isinstance(plan.of, Literal) and isinstance(plan.of.value, Note):
                return f"the {mode}key of {describe(plan.of)}"
            if isinstance(plan.of, IntervalFrom):
                return f"the {mode}key {describe(plan.of)}"
            return f"the {mode}key on {describe(plan.of)}"
        case KeyWith():
            return f"the {plan.mode} key with {signature_words(plan.sharps)}"
        case ChordOn():
            quality = chord_of("C" + plan.suffix).quality.removeprefix("C ")
            return f"the {quality} on {describe(plan.of)}"
    return "that"


def _flip(plan: Plan) -> str:
    """The mode a relative/parallel key of ``plan`` has, when the plan's own mode is plain."""
    try:
        value, _ = evaluate(plan)
        return "minor" if as_key(value).mode == "major" else "major"
    except PlanError:
        return "key"
