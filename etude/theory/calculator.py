"""The engine's entry point: a learner's question in, every computable fact it asks for out.

``questions.parse`` decides *what* is asked; this module only dispatches each typed query to
the module that computes it, so adding a kind of fact means one query class, one rule and one
branch here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from etude.theory import (
    chords,
    fingering,
    intervals,
    key_finding,
    keys,
    meter,
    progressions,
    roman,
    scales,
    substitutes,
    transpose,
)
from etude.theory.chains import correct_words, read_plan, value_kind
from etude.theory.facts import TheoryFact
from etude.theory.plan import (
    Chord,
    ChordFrom,
    ChordOn,
    DegreeOf,
    Enharmonic,
    Interval,
    IntervalFrom,
    KeyOn,
    KeyWith,
    Literal,
    NumeralOf,
    Plan,
    PlanError,
    Quality,
    Semitones,
    Transpose,
    Value,
    chord_readings,
    depth,
    describe,
    evaluate,
    show,
)
from etude.theory.questions import (
    BassLineQuery,
    ChordQuery,
    CircleQuery,
    CompareScalesQuery,
    DiatonicQuery,
    EnharmonicQuery,
    FingeringQuery,
    HarmoniseQuery,
    IdentifyQuery,
    IntervalBetweenQuery,
    IntervalInversionQuery,
    IntervalSizeQuery,
    KeyFromSignatureQuery,
    KeyOfChordsQuery,
    KeySignatureQuery,
    MeterQuery,
    ModulationQuery,
    NoteAtQuery,
    NumeralOfQuery,
    ProgressionQuery,
    Query,
    RelatedKeyQuery,
    RomanQuery,
    ScaleQuery,
    SubstituteQuery,
    TransposeQuery,
    WriteProgressionQuery,
    example_key,
    parse,
)
from etude.theory.spelling import human, notes_in, with_article
from etude.theory.worked import with_worked_steps


def _chord_spec(symbol: str, inversion: int = 0) -> chords.ChordSpec:
    spec = chords.parse_symbol(symbol)
    if spec is None:
        raise ValueError(f"not a chord symbol: {symbol!r}")
    if inversion and inversion < len(spec.intervals):
        spec = chords.ChordSpec(
            root=spec.root,
            intervals=spec.intervals,
            suffix=spec.suffix,
            bass=spec.tones()[inversion],
            inversion=inversion,
        )
    return spec


def answer(query: Query) -> TheoryFact:
    """Compute the fact for one typed query.

    >>> answer(ScaleQuery(tonic="E-", scale="major")).notes
    ['Eb', 'F', 'G', 'Ab', 'Bb', 'C', 'D']
    """
    match query:
        case ChordQuery():
            return chords.spell(_chord_spec(query.symbol, query.inversion))
        case IdentifyQuery():
            return chords.identify(query.notes)
        case ScaleQuery():
            return scales.spell_scale(query.tonic, query.scale)
        case IntervalBetweenQuery():
            return intervals.interval_between(query.first, query.second)
        case NoteAtQuery():
            return intervals.note_at(query.start, query.interval, query.direction)
        case IntervalInversionQuery():
            return intervals.inversion(query.interval)
        case IntervalSizeQuery():
            return intervals.describe(query.interval)
        case KeySignatureQuery():
            return keys.key_signature(query.tonic, query.mode)
        case MeterQuery():
            return meter.describe_meter(query.signature)
        case KeyFromSignatureQuery():
            return keys.keys_with(query.count, query.accidental)
        case KeyOfChordsQuery():
            return key_finding.which_key(query.chords)
        case RelatedKeyQuery():
            if query.relation == "relative":
                return keys.relative_key(query.tonic, query.mode)
            return keys.parallel_key(query.tonic, query.mode)
        case RomanQuery():
            return roman.realise(query.figure, query.tonic, query.mode)
        case NumeralOfQuery():
            return roman.numeral_of(_chord_spec(query.symbol), query.tonic, query.mode)
        case TransposeQuery():
            if query.symbol:
                return transpose.transpose_chord(
                    _chord_spec(query.symbol), query.interval, query.direction
                )
            return transpose.transpose_notes(query.notes, query.interval, query.direction)
        case EnharmonicQuery():
            return keys.enharmonic(query.note, query.tonic, query.mode)
        case CircleQuery():
            return keys.circle_of_fifths(query.tonic, query.mode)
        case DiatonicQuery():
            return roman.diatonic_chords(query.tonic, query.mode, query.sevenths)
        case ProgressionQuery():
            return progressions.progression(query.figures, query.tonic, query.mode, query.name)
        case WriteProgressionQuery():
            return progressions.requested(query.tonic, query.mode, query.style)
        case ModulationQuery():
            return progressions.modulation(query.source, query.target, query.bars)
        case BassLineQuery():
            return progressions.bass_line(query.symbols)
        case HarmoniseQuery():
            return progressions.harmonise(query.melody, query.tonic, query.mode)
        case CompareScalesQuery():
            return scales.compare_scales(query.first, query.second)
        case SubstituteQuery():
            if query.note:
                return substitutes.chords_containing(query.note, query.tonic, query.mode)
            figure = substitutes.figure_of(str(query.target), query.tonic, query.mode)
            return substitutes.instead_of(str(figure), query.tonic, query.mode)
        case FingeringQuery():
            if query.subject == "scale":
                return fingering.scale_fingering(query.tonic, query.mode)
            return fingering.triad_fingering(query.tonic, query.mode, query.inversion)
    raise TypeError(f"unknown query {query!r}")


def _wants_plan(plan: Plan) -> bool:
    """Whether a question needs the plan reader: a chain of operations, or an operation the
    single-step rules do not know (scale degrees and functions, semitone counts, the key on a
    note, a chord of a quality on a note, a chord's quality, a key measured from a key)."""
    if depth(plan) >= 2:
        return True
    if isinstance(plan, IntervalFrom | Transpose) and value_kind(plan) == "key":
        return True
    if isinstance(plan, NumeralOf) and not isinstance(plan.chord, Literal):
        return True  # the numeral of notes ("F## A# C# E in G# minor"), not of a symbol
    unknown = DegreeOf | Semitones | Enharmonic | KeyOn | KeyWith | ChordOn | Quality
    return isinstance(plan, unknown) and depth(plan) == 1


@dataclass(frozen=True)
class Solution:
    """A question's computed answer, kept as a value so that given answers (the options of
    a multiple-choice question) can be compared with it; with the steps that found it."""

    value: Value
    steps: tuple[str, ...]
    subject: str
    """What was asked, as the subject of the answer sentence ("the relative minor of C")."""
    depth: int = 1
    asks: str = "value"
    """ "quality" when the question asks what kind of chord the value is."""
    readings: tuple[Value, ...] = ()
    """Other values the same answer can be read as: the other chords some given notes make
    (F Ab C D is Fm6, and Dø7 in first inversion)."""

    @property
    def sentence(self) -> str:
        """The answer as a sentence: "The relative minor of C major is A minor."

        >>> solve("what kind of chord is the mediant triad of E major?").sentence
        'The mediant triad of E major is G# – B – D#, a minor triad.'
        """
        subject = self.subject[:1].upper() + self.subject[1:]
        if self.asks == "quality" and isinstance(self.value, Chord):
            tones = " – ".join(human(t) for t in self.value.tones)
            kind = self.value.quality.removeprefix(human(self.value.root) + " ")
            subject = subject.removeprefix("The quality of ")
            subject = subject[:1].upper() + subject[1:]
            return f"{subject} is {tones}, {with_article(kind)}."
        if isinstance(self.value, Chord) and self.subject == f"the {self.value.quality}":
            return f"{subject} is {' – '.join(human(t) for t in self.value.tones)}."
        return f"{subject} is {stated(self.value)}."


def stated(value: Value) -> str:
    """A value as the end of "… is ___": an interval with its article, enharmonic spellings
    as alternatives.

    >>> from etude.theory.plan import Interval, Notes
    >>> stated(Interval("m3")), stated(Notes(("G-", "E##"), "enharmonics"))
    ('a minor third', 'Gb or E##')
    """
    from etude.theory.plan import Interval, Notes

    if isinstance(value, Interval):
        return with_article(show(value))
    if isinstance(value, Notes) and value.what == "enharmonics":
        return " or ".join(human(n) for n in value.names)
    return show(value)


def solve(question: str) -> Solution | None:
    """The computed answer to a question read as a plan (a bare subject too: "which notes
    make up Cmaj7?"), or None when it cannot be read or computed.

    >>> solve("What's the 5th of the rel. minor of C?").sentence
    'The dominant of the relative minor of C is E.'
    >>> solve("Which notes are in D dorian?").value.names
    ('D', 'E', 'F', 'G', 'A', 'B', 'C')
    """
    plan = read_plan(question, literal=True)
    if plan is None:
        return _single_step(question)
    try:
        value, steps = evaluate(plan)
    except PlanError:
        return None
    subject = describe(plan)
    lines = tuple(step.text for step in steps)
    asks = "quality" if isinstance(plan, Quality) else "value"
    if isinstance(plan, Quality):
        subject = describe(plan.of)
    if isinstance(plan, Literal) and isinstance(value, Chord | Interval):
        # the question names its answer's subject outright: say what it is made of
        subject, lines = _named(value)
    notes = plan.of if isinstance(plan, Quality) else plan
    readings = chord_readings(list(notes.notes))[1:] if isinstance(notes, ChordFrom) else []
    what = subject if asks == "value" else f"the quality of {subject}"
    return Solution(value, lines, what, depth(plan), asks, tuple(readings))


def _single_step(question: str) -> Solution | None:
    """A question only the single-step rules read (a mode's scale, a chord in inversion), as
    a value: the notes of its one fact."""
    from etude.theory.plan import Notes
    from etude.theory.spelling import to_music21

    facts = compute_facts(question)
    if len(facts) != 1 or facts[0].kind not in ("scale", "chord", "transposition"):
        return None
    fact = facts[0]
    names = tuple(to_music21(n) for n in fact.notes)
    subject = fact.query if fact.query.lower().startswith("the ") else f"the {fact.query}"
    return Solution(Notes(names, fact.kind), (fact.statement,), subject, 1)


def _named(value: Chord | Interval) -> tuple[str, tuple[str, ...]]:
    """A chord or interval the question names outright: its name, and what it is made of."""
    from music21 import interval

    from etude.theory.plan import chord_roles

    if isinstance(value, Chord):
        return f"the {value.quality}", (f"The {value.quality}: {chord_roles(value)}.",)
    size = interval.Interval(value.name)
    words = with_article(show(value))
    letters = size.generic.undirected
    spans = f"{words[:1].upper()}{words[1:]} spans {letters} letter names and "
    return "the interval", (f"{spans}{abs(int(size.semitones))} semitones.",)


def solution_fact(solution: Solution) -> TheoryFact:
    """A computed answer as the fact the tutor states, its steps kept for the reply."""
    statement = solution.sentence
    lines = list(solution.steps)
    return TheoryFact(
        kind="derivation",
        query=solution.subject,
        statement=statement,
        notes=list(dict.fromkeys(notes_in(" ".join([statement, *lines])))),
        data={"answer": show(solution.value), "depth": solution.depth},
        steps=lines,
    )


def derivation(question: str) -> TheoryFact | None:
    """The fact for a chained question, with one computed step per operation, or None.

    >>> fact = derivation("the dominant of the relative minor of C major")
    >>> fact.statement
    'The dominant of the relative minor of C major is E.'
    >>> len(fact.steps)
    2
    """
    plan = read_plan(question)
    if plan is None or not _wants_plan(plan):
        return None
    value, steps = evaluate(plan)
    subject = describe(plan)
    statement = f"{subject[0].upper()}{subject[1:]} is {stated(value)}."
    lines = [step.text for step in steps]
    data: dict[str, Any] = {"answer": show(value), "depth": depth(plan), "plan": repr(plan)}
    literal = plan.of if isinstance(plan, Semitones) else None
    if isinstance(literal, Literal) and isinstance(literal.value, Interval):
        data["interval"] = literal.value.name  # "how many semitones in a fifth": worked from C
    return TheoryFact(
        kind="derivation",
        query=subject,
        statement=statement,
        notes=list(dict.fromkeys(notes_in(" ".join([statement, *lines])))),
        data=data,
        steps=lines,
    )


def compute_facts(question: str) -> list[TheoryFact]:
    """Parse a free-phrased learner question; return every computable fact it asks for.

    Returns [] when nothing in it is computable. A query that music21 cannot realise (a
    numeral it does not know, a theoretical key beyond its tables) is skipped rather than
    guessed, since a missing fact only sends the tutor to the knowledge articles. A chained
    question ("the dominant of the relative minor of C") is answered whole, with its steps,
    and never by its first step alone.

    >>> [f.statement for f in compute_facts("What is V7 in F major?")]
    ['V7 in F major: C – E – G – Bb (C7, C dominant seventh chord).']
    >>> compute_facts("Spell Bø7")[0].notes
    ['B', 'D', 'F', 'A']
    >>> compute_facts("why do composers avoid parallel fifths?")
    []
    """
    try:
        chained = derivation(question)
    except PlanError:
        chained = None
    example = example_key(question)
    if chained is not None:
        return [_as_example(with_worked_steps(chained), example)]
    facts: list[TheoryFact] = []
    for query in parse(correct_words(question)):
        try:
            fact = answer(query)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        if fact not in facts:
            facts.append(fact)
    return [_as_example(with_worked_steps(fact), example) for fact in facts]


def _as_example(fact: TheoryFact, key: str | None) -> TheoryFact:
    """A fact about every major (minor) scale, computed in ``key`` (``example_key`` of the
    question: C major, A minor), says so: the learner asked about any such scale, and another
    key gives other notes.

    >>> [f.statement for f in compute_facts("what's the 5th note of a major scale?")]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['The dominant of the C major scale is G. C major is only an example: in another major
    key the same steps give other notes.']
    """
    if key is None:
        return fact
    tonic, mode = key.split()
    if not re.search(rf"\b{tonic} (?:natural |harmonic |melodic )?{mode}\b", fact.statement):
        return fact
    said = f"{key} is only an example: in another {mode} key the same steps give other notes."
    return fact.model_copy(update={"statement": f"{fact.statement} {said}"})


_TRUTH_KINDS = ("chord", "chord_identification", "interval", "related_keys", "roman_numeral")


_DEGREE_QUALITY = re.compile(
    r"^the (?P<degree>[a-z -]+?)(?: triad)? of (?P<key>[A-G][#b]? (?:major|minor)) is an? "
    r"(?P<quality>major|minor|diminished|augmented) triad\.?$",
    re.IGNORECASE,
)
"""A verdict on the quality of a degree's triad, worked out as the question it answers."""

_DEGREE_DISTANCE = re.compile(
    r", (?P<note>[A-G][#b]?), is an? (?P<name>[a-z]+ [a-z]+) above the tonic (?P<tonic>[A-G][#b]?)"
    r"\.?$"
)
"""A verdict on a degree's distance above the tonic, worked out as that interval above it."""


def fact_behind(truth: str) -> TheoryFact | None:
    """The computed fact that a verdict's true statement states, with its worked steps, or
    None. Accepted only when the fact is about exactly the statement's notes (or, for a size
    in semitones, gives the same count): a fact read off a paraphrase must not wander.

    >>> fact_behind("The notes of A minor are A – C – E.").kind
    'chord_identification'
    >>> fact_behind("A minor third spans 3 semitones.").data["answer"]
    '3 semitones'
    >>> fact_behind("A perfect fifth above B is F#.") is None  # read as "above A": refused
    True
    >>> fact_behind("D minor has 1 flat: Bb.").steps[1]  # the fact states exactly the truth
    'One flat is the one to remember: F major.'
    >>> fact_behind("The submediant of C major is a minor triad.").data["answer"]
    'A minor (A – C – E)'
    >>> fact_behind("The 6th degree of C major, A, is a major sixth above the tonic C.").notes
    ['C', 'A']
    """
    named = set(notes_in(truth))
    size = re.match(r"^(an? [a-z ]+?) spans \d+ semitones", truth, re.I)
    asked = f"how many semitones in {size[1].lower()}" if size else truth
    if size:
        named = set()  # "A minor third …": the article, not a note
    distance = _DEGREE_DISTANCE.search(truth)
    if distance is not None:  # "The 6th degree of C major, A, is a major sixth above the tonic C."
        asked = f"what is a {distance['name']} above {distance['tonic']}?"
    quality = _DEGREE_QUALITY.match(truth)
    if quality is not None:  # "The submediant of C major is a minor triad."
        asked = f"what quality is the {quality['degree']} triad of {quality['key']}?"
        named = set()
    for fact in compute_facts(asked):
        if not fact.steps:
            continue
        if quality is not None:
            said = str(fact.data.get("answer") or "")
            if fact.kind == "derivation" and re.search(rf"\b{quality['quality']}\b", said):
                return fact
            continue
        if fact.statement == truth:
            return fact
        if named and fact.kind in _TRUTH_KINDS and set(fact.notes) == named:
            return fact
        answer = str(fact.data.get("answer") or "")
        if not named and fact.data.get("interval") and answer and answer in truth:
            return fact
    return None


def worked_verdict(truth: str, steps: list[str]) -> dict[str, Any]:
    """A verdict's ``steps``, and the fact behind its truth (``data`` with the short form and
    the terms, ``fact`` for an example to hear): the truth worked out as a direct question
    would be, when that gives more steps than the verdict had.

    >>> len(worked_verdict("A minor third spans 3 semitones.", ["It spans 3."])["steps"])
    4
    """
    behind = fact_behind(truth)
    if behind is None:
        return {"steps": steps}
    return {
        "steps": list(behind.steps) if len(behind.steps) > len(steps) else steps,
        "data": behind.data,
        "fact": behind.model_dump(mode="json"),
    }
