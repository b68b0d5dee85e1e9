"""The engine's entry point: a learner's question in, every computable fact it asks for out.

``questions.parse`` decides *what* is asked; this module only dispatches each typed query to
the module that computes it, so adding a kind of fact means one query class, one rule and one
branch here.
"""

from __future__ import annotations

from etude.theory import (
    chords,
    fingering,
    intervals,
    keys,
    progressions,
    roman,
    scales,
    transpose,
)
from etude.theory.facts import TheoryFact
from etude.theory.questions import (
    ChordQuery,
    CircleQuery,
    DiatonicQuery,
    EnharmonicQuery,
    FingeringQuery,
    IdentifyQuery,
    IntervalBetweenQuery,
    IntervalInversionQuery,
    IntervalSizeQuery,
    KeyFromSignatureQuery,
    KeySignatureQuery,
    NoteAtQuery,
    NumeralOfQuery,
    ProgressionQuery,
    Query,
    RelatedKeyQuery,
    RomanQuery,
    ScaleQuery,
    TransposeQuery,
    parse,
)


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
        case KeyFromSignatureQuery():
            return keys.keys_with(query.count, query.accidental)
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
        case FingeringQuery():
            if query.subject == "scale":
                return fingering.scale_fingering(query.tonic, query.mode)
            return fingering.triad_fingering(query.tonic, query.mode, query.inversion)
    raise TypeError(f"unknown query {query!r}")


def compute_facts(question: str) -> list[TheoryFact]:
    """Parse a free-phrased learner question; return every computable fact it asks for.

    Returns [] when nothing in it is computable. A query that music21 cannot realise (a
    numeral it does not know, a theoretical key beyond its tables) is skipped rather than
    guessed, since a missing fact only sends the tutor to the knowledge articles.

    >>> [f.statement for f in compute_facts("What is V7 in F major?")]
    ['V7 in F major: C – E – G – Bb (C7, C dominant seventh chord).']
    >>> compute_facts("Spell Bø7")[0].notes
    ['B', 'D', 'F', 'A']
    >>> compute_facts("why do composers avoid parallel fifths?")
    []
    """
    facts: list[TheoryFact] = []
    for query in parse(question):
        try:
            fact = answer(query)
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        if fact not in facts:
            facts.append(fact)
    return facts
