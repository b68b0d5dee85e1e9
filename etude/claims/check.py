"""The claim checker: read the musical claims in a sentence and verify each with the engine.

A reply may only teach what is true. :func:`check_sentence` reads a sentence's claims — the
notes of chords and scales, intervals and their sizes, scale degrees and functions, relative
and parallel keys, key signatures, roman numerals in a key, chord qualities, what a cadence is
made of — computes each one with the theory engine (:mod:`etude.theory.plan`), and says:

- ``verified``: it makes at least one claim and every claim it makes holds;
- ``refuted``: a claim is false (the verdict carries the right fact, to correct with);
- ``unverifiable``: it talks music, but no claim in it could be read, so nothing vouches for it;
- ``no_claim``: it says nothing musical.

The tutor shows the embedded model's sentences only when they are verified (or say nothing
musical); a stronger model gets one retry for a refuted sentence, with the right fact.

>>> check_sentence("The dominant of C major is G.").status
'verified'
>>> verdict = check_sentence("The dominant of C major is C.")
>>> verdict.status, verdict.corrections()
('refuted', ['The dominant of C major is G.'])
>>> check_sentence("A major third is 6 semitones.").corrections()
['A major third spans 4 semitones.']
>>> check_sentence("The relative major of E major is C# minor.").status
'refuted'
>>> check_sentence("Cadences give phrases a sense of ending.").status
'unverifiable'
>>> check_sentence("Practise it slowly.").status
'no_claim'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from etude.claims.vocabulary import has_music_terms
from etude.evidence import Evidence
from etude.theory.chains import _FILLER, _Item, _items, _Parser, correct_words
from etude.theory.intervals import ORDINAL_WORDS as INTERVAL_ORDINALS
from etude.theory.plan import (
    Between,
    Chord,
    ChordFrom,
    Count,
    Interval,
    Key,
    Literal,
    Note,
    Notes,
    Numeral,
    Plan,
    PlanError,
    PremiseError,
    Semitones,
    Signature,
    SignatureOf,
    Value,
    as_chord,
    as_key,
    children,
    chord_of,
    depth,
    describe,
    evaluate,
    interval_words,
    key_name,
    same,
    show,
    signature_words,
)
from etude.theory.questions import EXAMPLE_KEYS, NUMBER_WORDS, ORDINAL_WORDS, _Reader, tokenize
from etude.theory.spelling import human, keys_in, normalise_text, pitch_class, with_article

Status = TypingLiteral["verified", "refuted", "unverifiable", "no_claim"]


@dataclass(frozen=True)
class Claim:
    """One claim read from a sentence, and whether it holds.

    ``truth`` is the computed fact in a sentence, what a correction would say.
    """

    text: str
    kind: str
    holds: bool
    truth: str
    steps: tuple[str, ...] = ()
    """How the truth is computed, step by step (for plans of one or more operations)."""


@dataclass(frozen=True)
class Verdict:
    """What the checker found in one sentence."""

    sentence: str
    status: Status
    claims: tuple[Claim, ...] = ()

    def corrections(self) -> list[str]:
        """The right facts for the claims that did not hold."""
        return [claim.truth for claim in self.claims if not claim.holds]


@dataclass(frozen=True)
class ClaimContext:
    """What a sentence is read against: the key the conversation is about (for "the dominant
    is D"), the key computed for the learner's score (for "your piece is in …"), and the notes
    computed this turn (a note respelled against them, D# for E♭, is wrong)."""

    key: Key | None = None
    score_keys: frozenset[str] = field(default_factory=frozenset)
    notes: frozenset[str] = field(default_factory=frozenset)
    topic: str | None = None
    """The musical thing the question asks about ("an F# major chord", "a major third"), for
    sentences that only point at it ("The notes are …", "It spans 4 semitones.")."""

    @classmethod
    def of(cls, question: str | None, evidence: Iterable[Evidence] = ()) -> ClaimContext:
        """A turn's context: the key in question (named by the learner, else by a computed
        fact), the key the critic computed for the learner's score, the notes computed this
        turn. The tutor, the training-data filter and the benchmarks all read sentences in it.

        >>> fact = Evidence(tool="theory", kind="fact", summary="D major has 2 sharps: F#, C#.",
        ...                 authoritative=True, notes=["F#", "C#"])
        >>> context = ClaimContext.of("how many sharps?", [fact])
        >>> context.key, sorted(context.notes)
        (Key(tonic='D', mode='major'), ['C#', 'F#'])
        """
        key = cls.from_question(question).key
        facts = [item for item in evidence if item.authoritative]
        score_keys = frozenset(
            k for item in facts if item.tool == "critic" for k in keys_in(item.summary)[:1]
        )
        if key is None:
            key = next((k for item in facts if (k := _first_key(item.summary))), None)
        notes = frozenset(note for item in facts for note in item.notes)
        return cls(key=key, score_keys=score_keys, notes=notes, topic=_topic(question or ""))

    @classmethod
    def from_question(cls, question: str | None) -> ClaimContext:
        """The key a learner's question names, if it names one.

        >>> ClaimContext.from_question("What's the dominant in G major?").key
        Key(tonic='G', mode='major')
        """
        if not question:
            return cls()
        return cls(key=_first_key(question), topic=_topic(question))


def _topic(question: str) -> str | None:
    """The words of the first chord, scale, key, interval or note list a question names.

    >>> _topic("What notes are in an F# major seventh chord?"), _topic("How big is a tritone?")
    ('F# major seventh chord', 'tritone')
    """
    tokens = tokenize(normalise_text(question))
    for phrase in _Reader(tokens).read_all():
        if phrase.kind in ("chord", "key", "scale", "interval", "notes"):
            return " ".join(t.text for t in tokens[phrase.start : phrase.end])
    return None


def _first_key(text: str) -> Key | None:
    """The key a text names: "G major" outright, else the key a question's plan starts from
    ("the dominant of G?" is about G major)."""
    found = keys_in(normalise_text(text))
    if found:
        tonic, mode = found[0].split()
        return Key(tonic.replace("b", "-") if len(tonic) > 1 else tonic, mode)  # type: ignore[arg-type]
    from etude.theory.chains import read_plan

    plan = read_plan(text)
    while plan is not None and not isinstance(plan, Literal):
        inner = children(plan)
        plan = inner[0] if inner else None
    if plan is not None and isinstance(plan.value, Key):
        return plan.value
    if plan is not None and isinstance(plan.value, Note):
        return Key(plan.value.name, "major")
    return None


# ----------------------------------------------------------------------------- clauses

_CLAUSE_BREAK = re.compile(r"\s*(?:;|\bbut\b|\bwhile\b|\bwhereas\b)\s*")
_SOFT_BREAK = re.compile(r"\s*(?::|, and\b|, which\b|, so\b|\bso\b)\s*")
_VERB = re.compile(
    r"\b(?:is|are|was|has|have|had|contains?|includes?|uses?|spans?|goes|go|resolves?|"
    r"means|makes?|gives?|becomes?|consists?|forms?|needs?)\b|'s\b",
    re.IGNORECASE,
)
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s|^>\s")


def clauses(sentence: str) -> list[str]:
    """A sentence cut where one claim ends and another may begin.

    A soft break (", and", ":", "so") only cuts where a claim follows it, so a list of notes
    ("G, Bb, and D") or an elaboration ("2 flats: Bb, Eb") stays with its clause.

    >>> clauses("The dominant of C is G, and the subdominant is F; both are major.")
    ['The dominant of C is G', 'the subdominant is F', 'both are major.']
    >>> clauses("The notes of Gm are G, Bb, and D.")
    ['The notes of Gm are G, Bb, and D.']
    """
    found: list[str] = []
    for part in _CLAUSE_BREAK.split(sentence):
        if not part or not part.strip():
            continue
        pieces = _SOFT_BREAK.split(part)
        current = pieces[0]
        separators = _SOFT_BREAK.findall(part)
        for separator, piece in zip(separators, pieces[1:], strict=True):
            if _VERB.search(piece) and _VERB.search(current):
                found.append(current)
                current = piece
            else:
                current = current + separator + piece
        found.append(current)
    return [part for part in found if part.strip()]


# ----------------------------------------------------------------------------- reading

_HEDGES = {
    "just",
    "only",
    "exactly",
    "always",
    "called",
    "actually",
    "indeed",
    "really",
    "usually",
    "also",
    "simply",
    "therefore",
    "then",
    "still",
}
_COPULAS = {"is", "are", "'s", "equals", "=", "makes", "gives", "becomes", "means"}
_HAS = {"has", "have", "contains", "contain", "includes", "include", "spans", "span"}
_DEGREE_WORDS = ("tonic", "supertonic", "mediant", "subdominant", "dominant", "submediant")
_QUALITIES = {
    "major": "major",
    "minor": "minor",
    "diminished": "diminished",
    "augmented": "augmented",
    "dim": "diminished",
    "aug": "augmented",
}
_COUNT_WORDS = {**NUMBER_WORDS, "a": 1, "an": 1, "single": 1}
_QUALITY_WORDS = {
    *_QUALITIES,
    "half-diminished",
    "fully",
    "dominant",
    "seventh",
    "7th",
    "ninth",
    "sixth",
    "suspended",
    "triad",
    "chord",
}


def _quality_phrase(items: list[_Item], pos: int) -> str | None:
    """'minor', 'a diminished seventh chord', 'major triad': a chord's kind without a root."""
    words: list[str] = []
    while pos < len(items) and items[pos].phrase is None and items[pos].word in _QUALITY_WORDS:
        words.append(_QUALITIES.get(items[pos].word, items[pos].word).replace("7th", "seventh"))
        pos += 1
    if not words or words[0] not in (*_QUALITIES.values(), "half-diminished", "dominant"):
        return None
    if words == ["dominant"] or (pos < len(items) and items[pos].word in ("of", "in")):
        return None  # "the dominant of C major" is a scale degree, not a kind of chord
    return " ".join(words)


_GENERIC_ARTICLE = re.compile(
    r"^(\s*)A(?=\s+(?:(?:major|minor)\s+(?:second|third|sixth|seventh|ninth|tenth)\b"
    r"|(?:perfect|augmented|diminished|dominant|half|plagal|deceptive|authentic|imperfect|"
    r"whole|tritone|semitone|chord|triad|scale|key|note|cadence)\b"
    r"|[A-G](?:#|b|♯|♭)?(?:maj7|m7b5|m7|7|m|dim7|dim|aug|sus2|sus4|6|9|°|ø)?\s+(?:chord|triad)\b"
    r"|[A-G](?:#|b|♯|♭)?(?:maj7|m7b5|m7|7|dim7|dim|aug|sus2|sus4|6|9|°|ø)(?=[\s,.;:]|$)"
    # "A secondary dominant …", "A lowercase m …": any other lower-case word
    r"|(?!(?:major|minor|flat|sharp|natural|dorian|phrygian|lydian|mixolydian|aeolian|locrian|"
    r"ionian|harmonic|melodic|pentatonic|blues|and|or|to|is|in|up|down|above|below|over|with|"
    r"on|at|from|was)\b)[a-z]))"
)


_NOTE_CHAIN = re.compile(
    r"(?<![\w#♯♭–—])(?<![–—]\s)[A-G][#b♯♭x]{0,2}(?:\s*[–—]\s*[A-G][#b♯♭x]{0,2})+"
    r"(?![\w#♯♭])(?!\s*[–—])"
)
"""A dashed chain of plain note names ("F#–A#–C#–E"), not of chord symbols ("C–F–Dm–E7")."""


def _normalised(text: str) -> str:
    text = _MARKDOWN.sub("", text)
    # "F#–A#–C#–E#" is a list of notes, read like "F#, A#, C#, E#" (as a dash it cut the list
    # after its first note, and the first note alone was checked)
    text = _NOTE_CHAIN.sub(lambda m: re.sub(r"\s*[–—]\s*", ", ", m.group(0)), text)
    text = text.replace("–", " - ").replace("—", " - ")
    # "the I chord in a major scale": any major scale, not the A major one
    text = re.sub(r"\b(in|of|for|from|on|to) a (major|minor) (scale|key)\b", r"\1 any \2 \3", text)
    # "A major third …", "A perfect fifth …": the article, not the note A
    text = _GENERIC_ARTICLE.sub(lambda m: m.group(1) + "a", text)
    return normalise_text(correct_words(text, fuzzy=False))


def _with_context_key(text: str, key: Key | None) -> str:
    """'the dominant is D' read in the conversation's key: 'the dominant of G major is D';
    'its relative minor' is the relative minor of that key. A degree that already names its
    key ("the dominant seventh of F major") is left alone.

    >>> _with_context_key("the dominant seventh of F major is C E G Bb", Key("F", "major"))
    'the dominant seventh of F major is C E G Bb'
    """
    if key is None:
        return text
    text = re.sub(
        r"\bits\s+((?:relative|parallel)(?:\s+(?:major|minor))?|tonic|supertonic|mediant|"
        r"subdominant|dominant|submediant|leading tone|key signature|signature)\b",
        lambda m: f"the {m.group(1)} of {key_name(key)}",
        text,
        flags=re.IGNORECASE,
    )
    words = "|".join(
        (
            *_DEGREE_WORDS,
            "leading tone",
            "leading note",
            r"relative\s+(?:major|minor)",
            r"parallel\s+(?:major|minor)",
        )
    )
    pattern = re.compile(
        rf"\b({words})(\s+(?:chord|triad|note|key))?\b"
        r"(?!\s+(?:(?:seventh|7th)\s+)?(?:chord\s+|triad\s+)?(?:of|in)\b)",
        re.IGNORECASE,
    )
    text = pattern.sub(lambda m: f"{m.group(0)} of {key_name(key)}", text, count=1)
    # "the V7 chord is …" / "ii° is …" with the key left implicit
    return re.sub(
        r"^(\s*(?:the\s+)?b?#?(?:VII|VI|IV|V|III|II|I|vii|vi|iv|iii|ii)[°ø+0-9]*"
        r"(?:\s+chord|\s+triad)?)\s+(?=is\b|are\b)(?!.*\b(?:in|of)\s+[A-G])",
        lambda m: f"{m.group(1)} in {key_name(key)} ",
        text,
    )


@dataclass
class _Side:
    """One side of a claim: a plan to compute, or a value stated."""

    plan: Plan | None = None
    value: Value | None = None
    quality: str | None = None
    no_accidentals: str | None = None  # "sharps", "flats" or "both" for "has no sharps"


def _count_before(items: list[_Item], pos: int) -> int | None:
    word = items[pos - 1].word if pos else ""
    phrase = items[pos - 1].phrase if pos else None
    if phrase is not None and phrase.kind == "number" and phrase.number is not None:
        return phrase.number
    if word.isdigit():
        return int(word)
    return _COUNT_WORDS.get(word)


def _value_side(items: list[_Item], start: int) -> _Side | None:
    """The stated value in ``items[start:]``: a note, key, chord, notes, interval, count…"""
    parser = _Parser(items)
    pos = parser.skip(start, _HEDGES)
    words = [item.word for item in items[pos:]]
    # counts: "4 semitones", "two sharps", "no sharps or flats" — at the head of the value
    # ("… is a perfect fifth (5 + 7 = 12 semitones)" states an interval, not 12 semitones)
    for offset, item in enumerate(items[pos : pos + 3], start=pos):
        if item.word in ("semitones", "semitone", "half-steps", "steps"):
            count = _count_before(items, offset)
            if count is not None and (item.word != "steps" or items[offset - 2 : offset - 1]):
                return _Side(value=Count(count, "semitones"))
        if item.word in ("sharps", "sharp", "flats", "flat", "accidentals"):
            count = _count_before(items, offset)
            if count == 0 or words[:1] == ["no"]:
                both = {"flats", "flat"} & set(words) and {"sharps", "sharp"} & set(words)
                if both or item.word == "accidentals":
                    return _Side(value=Signature(0))
                return _Side(no_accidentals="sharps" if "sharp" in item.word else "flats")
            if count is not None:
                sign = 1 if item.word.startswith("sharp") else -1
                return _Side(value=Signature(sign * count))
    if pos >= len(items):
        return None
    phrase = items[pos].phrase
    if phrase is None:
        quality = _quality_phrase(items, pos)
        if quality is not None:
            return _Side(quality=quality)
        found = parser.expr(pos)
        if found is not None and depth(found[0]) >= 1:
            return _Side(plan=found[0])
        return None
    if phrase.kind == "notes" and len(phrase.notes) >= 2:
        return _Side(value=Notes(tuple(phrase.notes)))
    if phrase.kind == "figures" and len(phrase.figures) == 1:
        found = parser.expr(pos)
        if found is not None and depth(found[0]) >= 1:
            return _Side(plan=found[0])
        return _Side(value=Numeral(phrase.figures[0], Key("C", "major")))
    found = parser.expr(pos)
    if found is None:
        return None
    plan = found[0]
    if depth(plan) >= 1:
        return _Side(plan=plan)
    if isinstance(plan, Literal):
        return _Side(value=plan.value)
    if isinstance(plan, ChordFrom):
        return _Side(value=Notes(plan.notes))
    return None


_NOT_A_SUBJECT = {
    "these",
    "those",
    "this",
    "that",
    "above",
    "below",
    "over",
    "under",
    "after",
    "before",
    "with",
    "without",
    "against",
    "beside",
    "besides",
    "if",
    "when",
    "unlike",
    "from",
}
"""Clauses whose subject is something else than the music they name: "these notes are …",
"above G7 the next thirds are …", "over a C major chord, a melody …", "from C major to A
minor a simple route is …"."""


def _subject_side(items: list[_Item]) -> _Side | None:
    parser = _Parser(items)
    first = next((item.word for item in items if item.word not in _FILLER), "")
    if first in _NOT_A_SUBJECT:
        return None
    for pos in range(len(items)):
        if items[pos].word in _FILLER or items[pos].word in ("in", "that", "so", "and"):
            continue
        if items[pos].word == "notes" and parser.word(pos + 1) in ("of", "in"):
            found = parser.expr(pos + 2)
            if found is not None:
                return _Side(plan=found[0], quality="tones")
        found = parser.expr(pos)
        if found is None:
            continue
        plan = found[0]
        if isinstance(plan, Literal):
            return _Side(value=plan.value, plan=plan)
        if isinstance(plan, ChordFrom):
            return _Side(value=Notes(plan.notes), plan=plan)
        return _Side(plan=plan)
    return None


# ----------------------------------------------------------------------------- verifying


def sentence_case(text: str) -> str:
    """Capitalise a sentence's first letter, unless it starts with a roman numeral.

    >>> sentence_case("ii in F major is G minor."), sentence_case("the dominant is G.")
    ('ii in F major is G minor.', 'The dominant is G.')
    """
    first = text.split(" ", 1)[0]
    if re.fullmatch(r"b?#?(?:vii|vi|iv|v|iii|ii|i)[°ø+0-9]*", first):
        return text
    return text[:1].upper() + text[1:]


def _fact(plan: Plan, value: Value) -> str:
    shown = with_article(show(value)) if isinstance(value, Interval) else show(value)
    return sentence_case(f"{describe(plan)} is {shown}.")


def _implied(subject: _Side, stated: _Side) -> _Side:
    """A subject named plainly whose stated value implies the operation: "D major has two
    sharps" is about D major's signature, "a major third is 4 semitones" about its size."""
    plan = subject.plan
    if not isinstance(plan, Literal):
        return subject
    if isinstance(stated.value, Signature) and isinstance(plan.value, Key | Note):
        return _Side(plan=SignatureOf(plan))
    if isinstance(stated.value, Count) and isinstance(plan.value, Interval):
        return _Side(plan=Semitones(plan))
    if subject.quality == "tones" or (
        isinstance(stated.value, Notes | Note) and isinstance(plan.value, Chord)
    ):
        return _Side(plan=plan, quality="tones")
    if isinstance(stated.value, Notes) and isinstance(plan.value, Key):
        return _Side(plan=plan, quality="tones")
    return subject


def _compare(subject: _Side, stated: _Side, text: str, *, inclusion: bool = False) -> Claim | None:
    """One claim: the subject's computed value against the stated value. ``inclusion``: the
    stated notes are some of the subject's ("has a G#"), not all of them ("is G, B, D")."""
    subject = _implied(subject, stated)
    plan = subject.plan
    if subject.quality == "tones" and plan is not None and stated.value is not None:
        try:
            computed = evaluate(plan)[0]
        except PlanError:
            return None
        return _tones_claim(computed, stated.value, plan, text, inclusion=inclusion)
    if plan is not None and not isinstance(plan, Literal | ChordFrom) and stated.value is not None:
        try:
            computed, steps = evaluate(plan)
        except PremiseError as wrong:
            return Claim(text, type(plan).__name__, False, wrong.correction)
        except PlanError:
            return None
        if isinstance(stated.value, Numeral) and isinstance(computed, Numeral):
            stated_value: Value = Numeral(stated.value.figure, computed.key)
        else:
            stated_value = stated.value
        verdict = same(computed, stated_value)
        if _tritone(stated_value, computed, text):
            verdict = True  # "tritone" names the augmented fourth and the diminished fifth
        if verdict is None:
            return None
        truth = steps[-1].text if steps else _fact(plan, computed)
        return Claim(
            text,
            type(plan).__name__,
            verdict,
            _short(truth, plan, computed),
            tuple(step.text for step in steps),
        )
    if stated.plan is not None and subject.value is not None and depth(stated.plan) >= 1:
        return _compare(_Side(plan=stated.plan), _Side(value=subject.value), text)
    if plan is not None and stated.quality is not None and subject.quality != "tones":
        return _quality_claim(plan, stated.quality, text)
    if plan is not None and stated.no_accidentals is not None:
        return _no_accidentals_claim(plan, stated.no_accidentals, text)
    if subject.value is not None and stated.value is not None:
        return _literal_claim(subject.value, stated.value, text)
    return None


def _tritone(stated: Value, computed: Value, text: str) -> bool:
    return (
        isinstance(stated, Interval)
        and isinstance(computed, Interval)
        and computed.name in ("A4", "d5")
        and "tritone" in text.lower()
    )


def _short(truth: str, plan: Plan, computed: Value) -> str:
    """The correction: one plain sentence with the right value."""
    if isinstance(plan, SignatureOf | Semitones):
        return truth
    return _fact(plan, computed)


def _tones_claim(
    computed: Value, stated: Value, plan: Plan, text: str, *, inclusion: bool = False
) -> Claim | None:
    if isinstance(stated, Note):
        stated, inclusion = Notes((stated.name,)), True
    if not isinstance(stated, Notes):
        return None
    if isinstance(computed, Key) and len(set(stated.names)) >= 5:
        return _key_scale_claim(computed, stated, text, inclusion=inclusion)
    try:
        chord = as_chord(computed)
    except PlanError:
        return None
    if inclusion:
        holds = set(stated.names) <= set(chord.tones)
    else:
        holds = set(stated.names) == set(chord.tones)
    truth = f"The notes of {describe(plan)} are {' – '.join(human(t) for t in chord.tones)}."
    return Claim(text, "chord_notes", holds, truth)


def _key_scale_claim(key: Key, stated: Notes, text: str, *, inclusion: bool) -> Claim:
    """ "G natural minor is G, A, Bb, C, D, Eb, F": the notes of a key's scale (a minor key's
    harmonic and melodic forms count as its scale too)."""
    from etude.theory.scales import scale_notes

    forms = (
        ["major"] if key.mode == "major" else ["natural minor", "harmonic minor", "melodic minor"]
    )
    scales = [set(scale_notes(key.tonic, form)) for form in forms]
    names = set(stated.names)
    holds = any(names <= s if inclusion else names == s for s in scales)
    listing = " – ".join(human(n) for n in scale_notes(key.tonic, forms[0]))
    return Claim(text, "scale_notes", holds, f"The {key_name(key)} scale is {listing}.")


def _accidentals_claim(text: str) -> Claim | None:
    """'The sharps in A major are F#, C# and G#': which notes a key signature alters."""
    match = re.match(
        r"^\s*the\s+(?P<what>sharps|flats|accidentals)\s+(?:in|of)\s+(?P<key>.+?)\s+"
        r"(?:are|is)\s+(?P<notes>.+)$",
        text,
        re.IGNORECASE,
    )
    if match is None:
        return None
    key = _first_key(match.group("key"))
    stated = [n.replace("b", "-") if len(n) > 1 else n for n in _notes_of(match.group("notes"))]
    if key is None or not stated:
        return None
    from music21 import key as m21key

    altered = [p.name for p in m21key.Key(key.tonic, key.mode).alteredPitches]
    holds = set(stated) == set(altered)
    shown = ", ".join(human(n) for n in altered) or "no sharps or flats"
    return Claim(text, "key_signature", holds, f"The key signature of {key_name(key)}: {shown}.")


_KEY_WORDS = r"[A-G][#b]?\s+(?:major|minor)"
_DEGREE_INTERVAL = re.compile(
    rf"^\s*(?:in\s+(?P<key1>{_KEY_WORDS}),?\s+)?the\s+(?P<degree>[a-z0-9]+)"
    r"(?:\s+(?:scale\s+)?(?:note|degree))?"
    rf"(?:\s+(?:of|in)\s+(?:the\s+)?(?P<key2>{_KEY_WORDS})(?:\s+scale)?)?\s+is\s+(?:an?\s+)?"
    r"(?P<quality>perfect|major|minor|augmented|diminished)\s+(?P<size>[a-z0-9]+)"
    r"(?:\s+above\s+(?P<above>the\s+(?:tonic|key\s*note)|it|[A-G][#b]?))?"
    rf"(?:\s+in\s+(?P<key3>{_KEY_WORDS}))?\s*\.?\s*$",
    re.IGNORECASE,
)


def _degree_interval_claim(text: str) -> Claim | None:
    """'The sixth of C major is a major sixth (above the tonic)': how far a degree of the
    scale lies above its tonic (natural minor for a minor key).

    >>> _degree_interval_claim("the sixth of C major is minor sixth").truth
    'The 6th degree of C major, A, is a major sixth above the tonic C.'
    >>> _degree_interval_claim("the 3rd note of A minor is minor third above the tonic").holds
    True
    >>> _degree_interval_claim("the sixth of C major is minor third") is None  # not its size
    True
    """
    match = _DEGREE_INTERVAL.match(text)
    if match is None:
        return None
    keys = [k for k in (match["key1"], match["key2"], match["key3"]) if k]
    degree, size = _degree_number(match["degree"]), _degree_number(match["size"])
    if len(keys) != 1 or degree is None or degree != size:
        return None
    key = _first_key(keys[0])
    if key is None:
        return None
    from music21 import interval, pitch
    from music21 import key as m21key

    home = m21key.Key(key.tonic, key.mode)
    tonic = pitch.Pitch(key.tonic)
    above = match["above"] or "it"
    named = above.lower() == "it" or above.lower().startswith("the")
    if not named and pitch.Pitch(above[0] + above[1:].replace("b", "-")).name != tonic.name:
        return None  # above another note: not the degree's distance from the tonic
    scale = home.getPitches()  # from the tonic upwards
    note = scale[degree - 1]
    nice = interval.Interval(scale[0], note).niceName
    holds = nice.lower() == f"{match['quality']} {INTERVAL_ORDINALS[degree]}".lower()
    ordinal = {2: "2nd", 3: "3rd"}.get(degree, f"{degree}th")
    return Claim(
        text,
        "degree_interval",
        holds,
        f"The {ordinal} degree of {key_name(key)}, {human(note.name)}, is a {nice.lower()} "
        f"above the tonic {human(tonic.name)}.",
    )


def _degree_number(word: str) -> int | None:
    """A scale degree above the tonic named as an ordinal ("sixth", "6th"), 2 to 7, or None.

    >>> _degree_number("sixth"), _degree_number("6th"), _degree_number("first")
    (6, 6, None)
    """
    word = word.lower()
    number = ORDINAL_WORDS.get(word)
    if number is None and re.fullmatch(r"\d(?:st|nd|rd|th)", word):
        number = int(word[0])
    return number if number is not None and 2 <= number <= 7 else None


def _notes_of(text: str) -> list[str]:
    from etude.theory.spelling import notes_in

    return notes_in(text)


def _quality_claim(plan: Plan, quality: str, text: str) -> Claim | None:
    try:
        value, _ = evaluate(plan)
        chord = value if isinstance(value, Chord) else as_chord(value)
    except PlanError:
        return None
    kind = chord.quality.split(" ", 1)[1] if " " in chord.quality else chord.quality
    # the stated words must all belong to the chord's kind ("diminished" fits a diminished
    # seventh chord, "diminished triad" does not); "chord" fits any chord
    stated = set(quality.split()) - {"chord"}
    holds = stated <= set(kind.split())
    truth = sentence_case(f"{describe(plan)} is {with_article(kind)}.")
    return Claim(text, "chord_quality", holds, truth)


def _no_accidentals_claim(plan: Plan, which: str, text: str) -> Claim | None:
    try:
        key = as_key(evaluate(plan)[0])
    except PlanError:
        return None
    sharps = evaluate(SignatureOf(Literal(key)))[0]
    assert isinstance(sharps, Signature)
    holds = sharps.sharps <= 0 if which == "sharps" else sharps.sharps >= 0
    return Claim(
        text, "key_signature", holds, f"{key_name(key)} has {signature_words(sharps.sharps)}."
    )


def _literal_claim(subject: Value, stated: Value, text: str) -> Claim | None:
    """Claims between two stated values: a chord and its notes, notes and their chord, an
    interval and its size."""
    if isinstance(subject, Chord) and isinstance(stated, Notes):
        holds = set(stated.names) == set(subject.tones)
        tones = " – ".join(human(t) for t in subject.tones)
        return Claim(text, "chord_notes", holds, f"{subject.symbol} is {tones}.")
    if isinstance(subject, Key) and isinstance(stated, Notes) and len(stated.names) == 3:
        chord = as_chord(subject)
        holds = set(stated.names) == set(chord.tones)
        tones = " – ".join(human(t) for t in chord.tones)
        return Claim(text, "chord_notes", holds, f"The {key_name(subject)} triad is {tones}.")
    if isinstance(subject, Notes) and isinstance(stated, Chord | Key):
        try:
            chord = as_chord(subject)
        except PlanError:
            return None
        holds = bool(same(chord, stated if isinstance(stated, Chord) else as_chord(stated)))
        return Claim(
            text, "chord_identification", bool(holds), f"{show(subject)} is {show(chord)}."
        )
    if isinstance(subject, Interval) and isinstance(stated, Count):
        computed, steps = evaluate(Semitones(Literal(subject)))
        return Claim(text, "interval_semitones", same(computed, stated) is True, steps[-1].text)
    return None


_CADENCE_KINDS: dict[str, tuple[set[str] | None, set[str], str]] = {
    "authentic": ({"V", "V7"}, {"I", "i"}, "An authentic (perfect) cadence goes from V to I."),
    "perfect": ({"V", "V7"}, {"I", "i"}, "A perfect (authentic) cadence goes from V to I."),
    "full close": ({"V", "V7"}, {"I", "i"}, "A full close (perfect cadence) goes from V to I."),
    "plagal": ({"IV", "iv"}, {"I", "i"}, "A plagal cadence goes from IV to I."),
    "amen": ({"IV", "iv"}, {"I", "i"}, "An 'Amen' (plagal) cadence goes from IV to I."),
    "deceptive": (
        {"V", "V7"},
        {"vi", "VI"},
        "A deceptive cadence goes from V to vi (VI in minor).",
    ),
    "interrupted": ({"V", "V7"}, {"vi", "VI"}, "An interrupted (deceptive) cadence goes V to vi."),
    "half": (None, {"V"}, "A half cadence ends on V."),
    "half close": (None, {"V"}, "A half close (half cadence) ends on V."),
    "imperfect": (None, {"V"}, "An imperfect (half) cadence ends on V."),
}
_CADENCE_NAME = re.compile(
    r"\b(?P<kind>imperfect authentic|perfect authentic|authentic|perfect|plagal|amen|deceptive|"
    r"interrupted|half|imperfect|full)['’]?\s*(?:cadence|close)\b",
    re.IGNORECASE,
)
_FIGURE_WORD = r"(?<![\w/])(VII|VI|IV|V7|V|III|II|I|vii|vi|iv|iii|ii|i)(?![\w/])"


def _cadence_claim(text: str) -> Claim | None:
    """'a plagal cadence is IV to I', 'a half cadence ends on V', 'an Amen cadence in Eb major
    is Ab to Eb' — only a sentence that says what the cadence *is* ("is", "goes", "moves",
    "ends on", "from … to …"); one that only mentions a cadence makes no claim about it."""
    named = _CADENCE_NAME.search(text)
    if named is None:
        return None
    kind = named.group("kind").lower()
    kind = {"imperfect authentic": "authentic", "perfect authentic": "authentic"}.get(kind, kind)
    if kind in ("half", "full") and named.group(0).lower().endswith("close"):
        kind = f"{kind} close"
    if kind not in _CADENCE_KINDS:
        return None
    rest = text[named.end() :]
    if not re.match(
        r"^\s*(?:in\s+[A-G](?:#|b)?\s+(?:major|minor)\s+)?(?:is|goes|moves|ends|stops|"
        r"comes|lands|=|:|resolves|consists|means)\b",
        rest,
        re.IGNORECASE,
    ):
        return None
    earlier = _IN_KEY.search(text[: named.start()])
    if earlier is not None and _IN_KEY.search(rest) is None:
        rest = f"{rest} {earlier.group(0)}"  # "Try it in D major: a deceptive cadence goes …"
    figures = _cadence_figures(rest)
    if not figures:
        return None
    first, last, truth = _CADENCE_KINDS[kind]
    before, _, after = _split_motion(figures)
    if first is None:
        holds = bool(after or before) and (after or before)[-1] in last
    else:
        holds = bool(before) and bool(after) and bool(set(before) & first) and after[0] in last
    return Claim(text, "cadence", holds, truth)


_IN_KEY = re.compile(r"\bin\s+(?P<tonic>[A-G](?:#|b)?)\s+(?P<mode>major|minor)\b")


def _cadence_figures(text: str) -> list[str]:
    """The chords a cadence sentence names, as numerals: written as numerals, or as note names
    in the key the sentence names ("in Eb major is Ab to Eb").

    The key is the one introduced by "in": "from D major to E minor in G major" names the
    chords D and E of G major (V and vi), not chords of D major.

    >>> _cadence_figures(" is from D major to Em in G major.")
    ['V', 'VI']
    >>> _cadence_figures(" is Ab to Eb in Eb major.")
    ['IV', 'I']
    >>> _cadence_figures(" moves from E major to F major in A minor.")
    ['V', 'VI']
    """
    figures = re.findall(_FIGURE_WORD, text)
    if figures:
        return [*figures, "|" if re.search(r"\bto\b|–|->|→", text) else ""]
    named = _IN_KEY.search(text)
    key = _first_key(named.group(0)) if named else _first_key(text)
    if key is None:
        return []
    from etude.theory.chords import parse_symbol
    from etude.theory.roman import figure_for

    chords = _IN_KEY.sub(" ", text) if named else text
    found = []
    start = max(chords.find(" is "), 0)
    for root in re.findall(
        r"(?<![\w#])([A-G](?:#|b)?)(?:m7|maj7|m|7|dim7|dim)?(?![\w#])", chords[start:]
    ):
        spec = parse_symbol(root)
        if spec is not None:
            figure = figure_for(spec, key.tonic, key.mode)
            if key.mode == "minor" and figure in ("bIII", "bVI", "bVII"):
                figure = figure[1:]  # the natural minor's own III, VI and VII
            found.append(figure.upper() if figure.lower() in ("v", "iv", "i") else figure)
    return found


def _split_motion(figures: list[str]) -> tuple[list[str], str, list[str]]:
    """Figures before and after the motion: 'V to I' → (['V'], 'to', ['I'])."""
    chords = [f for f in figures if f not in ("", "|")]
    if len(chords) >= 2:
        return chords[:-1], "to", chords[-1:]
    return [], "", chords


_SECONDARY_OF = re.compile(
    r"\bsecondary dominant (?:of|to|for)\s+(?:the\s+)?(?P<target>[A-G](?:#|b)?)(?![\w#])"
)


def _secondary_of_tonic(sentence: str, context: ClaimContext) -> Claim | None:
    """'In G major, the secondary dominant of G is D': the dominant of the tonic is the
    primary dominant; a secondary dominant tonicises another degree. The chord named is right,
    the teaching wrong.

    >>> _secondary_of_tonic("In G major, the secondary dominant of G is D.", ClaimContext()).holds
    False
    >>> _secondary_of_tonic("In G major, the secondary dominant of C is G7.", ClaimContext())
    """
    named = _SECONDARY_OF.search(sentence)
    key = _first_key(sentence) or context.key
    if named is None or key is None:
        return None
    tonic = key.tonic.replace("-", "b")
    if named.group("target") != tonic:
        return None
    truth = (
        f"The dominant of {tonic} {key.mode} is its own dominant (V), not a secondary one: a "
        "secondary dominant is the dominant of another degree, such as V/V or V/IV."
    )
    return Claim(sentence, "secondary_dominant", False, truth)


def _score_key_claim(text: str, score_keys: frozenset[str]) -> Claim | None:
    from etude.claims.grounding import misstates_key

    if not score_keys:
        return None
    claimed = re.search(r"\b(?:key\s+(?:is|was)|(?:is|was|are)\s+(?:written\s+|set\s+)?in)\b", text)
    if claimed is None:
        return None
    wrong = misstates_key(text, set(score_keys))
    if not wrong and not keys_in(text[claimed.end() :]):
        return None
    shown = " or ".join(sorted(score_keys))
    return Claim(text, "score_key", not wrong, f"The score is in {shown}.")


def _spelling_claim(text: str, notes: frozenset[str]) -> Claim | None:
    """A computed note respelled (D# where the fact says Eb) is wrong even though it sounds
    the same: a learner must never read a wrong spelling.

    Only a short statement about notes is read this way — one that names no key and at most
    three notes ("the third, D#, is bright" beside E♭ – G – B♭); a list such as the order of
    the flats, or "three flats: Eb major" beside E major's sharps, is about something else.
    """
    from etude.theory.spelling import notes_in

    named = notes_in(text)
    if not named or keys_in(text) or len(set(named)) > 3:
        return None
    # "Bb3" in a critic finding is the note Bb: spellings are compared without octaves
    notes = frozenset(re.sub(r"-?\d+$", "", n) for n in notes)
    classes = {pitch_class(n): n for n in notes}
    for note in named:
        twin = classes.get(pitch_class(note))
        if twin is not None and note not in notes and twin != note:
            return Claim(text, "spelling", False, f"The note here is spelled {twin}, not {note}.")
    return None


_LEADING_KEY = re.compile(
    r"^\s*in\s+(?:the\s+key\s+of\s+)?(?P<key>[A-G](?:#|b)?\s+(?:major|minor))\s*,?\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_TRAILING_KEY = re.compile(
    r"^(?P<subject>(?:the\s+)?b?#?(?:VII|VI|IV|V|III|II|I|vii|vi|iv|iii|ii|i)[°ø+0-9]*"
    r"(?:\s+chord|\s+triad)?)\s+(?P<verb>is|are)\s+(?P<value>[\w ]+?)\s+in\s+"
    r"(?P<key>[A-G](?:#|b)?\s+(?:major|minor))[.?!]*$"
)
_GENERIC_KEY = re.compile(
    r"\b(?:(?P<prep>in|of)\s+)?(?:(?:(?-i:a)|any|every)\s+(?P<a>major|minor)\s+(?:key|scale)"
    r"|(?P<b>major|minor)\s+(?:keys|scales))\b",
    re.IGNORECASE,
)


GENERIC_EXAMPLES = ((EXAMPLE_KEYS["major"], EXAMPLE_KEYS["minor"]), ("Eb major", "F# minor"))
"""The keys a claim about every major (minor) key is checked in: the plain example a reply
names, then one with accidentals, where a claim true of C major alone ("the tonic of a major
scale is C", "a major key has no sharps") fails."""


def generic_mode(text: str) -> str | None:
    """The mode a claim speaks of in general ("in a major key", "minor scales"), or None.

    >>> generic_mode("the 6th in a major scale is minor"), generic_mode("V in minor keys")
    ('major', 'minor')
    >>> generic_mode("the 6th in A major is F#") is None
    True
    """
    match = _GENERIC_KEY.search(text)
    return None if match is None else (match.group("a") or match.group("b")).lower()


def _key_last(text: str, examples: tuple[str, str] = GENERIC_EXAMPLES[0]) -> str:
    """'In G major, D7 is the V7' → 'D7 is the V7 in G major'; a generic 'in minor keys' is
    read in A minor (and 'in major keys' in C major), or in ``examples`` (a major key, a minor
    key): the claim must hold in every key alike (``_clause_claims`` checks two)."""

    def generic(match: re.Match[str]) -> str:
        mode = (match.group("a") or match.group("b")).lower()
        prep = (match.group("prep") or "in").lower()
        return f"{prep} {examples[0] if mode == 'major' else examples[1]}"

    text = _GENERIC_KEY.sub(generic, text)
    trailing = _TRAILING_KEY.match(text)
    if trailing is not None:
        return (
            f"{trailing.group('subject')} in {trailing.group('key')} "
            f"{trailing.group('verb')} {trailing.group('value')}."
        )
    leading = _LEADING_KEY.match(text) or _LEADING_KEY.match(
        re.sub(r"^(\s*in\s+[A-G](?:#|b)?\s+(?:major|minor))\s+(?=the\b)", r"\1, ", text)
    )
    if leading is None:
        return text
    rest = leading.group("rest").rstrip(". ")
    figure_first = re.match(
        r"^(?P<subject>(?:the\s+)?(?:b?#?(?:VII|VI|IV|V|III|II|I|vii|vi|iv|iii|ii|i)[°ø+0-9]*"
        r"|\w+\s+degree|degree\s+[1-7]|tonic|supertonic|mediant|subdominant|dominant|submediant"
        r"|leading tone)"
        r"(?:\s+chord|\s+triad)?)\s+(?P<verb>is|are)\b(?P<tail>.*)$",
        rest,
    )
    if figure_first is not None:
        return (
            f"{figure_first.group('subject')} in {leading.group('key')} "
            f"{figure_first.group('verb')}{figure_first.group('tail')}."
        )
    return f"{rest} in {leading.group('key')}."


def _scale_claim(items: list[_Item], verb: int, text: str) -> Claim | None:
    """'the A harmonic minor scale has a G#', 'D dorian has no sharps'."""
    from etude.theory.scales import scale_notes

    phrase = next((item.phrase for item in items[:verb] if item.phrase is not None), None)
    if phrase is None or phrase.kind != "scale" or not phrase.root or not phrase.scale:
        return None
    notes = scale_notes(phrase.root, phrase.scale)
    label = f"{human(phrase.root)} {phrase.scale}"
    listing = " – ".join(human(n) for n in notes)
    stated = _value_side(items, verb + 1)
    if stated is None:
        return None
    sharps = sum(n.count("#") for n in notes)
    flats = sum(n.count("-") for n in notes)
    truth = f"The {label} scale is {listing}."
    if stated.no_accidentals is not None:
        holds = sharps == 0 if stated.no_accidentals == "sharps" else flats == 0
        return Claim(text, "scale_notes", holds, truth)
    if isinstance(stated.value, Signature):
        # "G harmonic minor contains 1 sharp" counts the sharps (F#), whatever else it has
        count = stated.value.sharps
        if count > 0:
            holds = sharps == count
        elif count < 0:
            holds = flats == -count
        else:
            holds = not (sharps or flats)
        return Claim(text, "scale_notes", holds, truth)
    if isinstance(stated.value, Key):
        # "the common G major scales are D major, E minor …" names keys, not notes of the
        # scale: reading only the first key's tonic as a scale note verified nonsense
        return None
    if isinstance(stated.value, Note | Notes):
        names = stated.value.names if isinstance(stated.value, Notes) else (stated.value.name,)
        listing_verb = items[verb].word not in _HAVING
        if isinstance(stated.value, Notes) and listing_verb and len(names) >= 3:
            # "is C, Eb, F, F, Bb" lists the whole scale: every degree, each once, in order
            listed = list(names)
            if len(listed) == len(notes) + 1 and listed[-1] == listed[0]:
                listed = listed[:-1]  # "A–B–C–D–E–F–G#–A" closes on the octave
            holds = listed == notes or listed == [notes[0], *reversed(notes[1:])]
            return Claim(text, "scale_notes", holds, truth)
        return Claim(text, "scale_notes", all(n in notes for n in names), truth)
    return None


_HAVING = {"has", "have", "contains", "contain", "includes", "include", "uses", "use", "features"}


def _chord_type_claim(text: str) -> Claim | None:
    """'a dominant seventh chord has a minor seventh': the intervals of a kind of chord."""
    from etude.theory.questions import phrases

    match = re.match(
        r"^\s*(?:[Aa]n?|[Ee]very|[Tt]he)\s+(?P<kind>[a-z\- ]+?(?:chord|triad))s?\s+"
        r"(?:has|have|contains|contain|includes)\s+(?P<rest>.+)$",
        text,
    )
    if match is None:
        return None
    found = [p for p in phrases(f"C {match.group('kind')}") if p.kind in ("chord", "key")]
    if not found or not found[0].symbol:
        return None
    try:
        chord = chord_of(found[0].symbol)
    except PlanError:
        return None
    from etude.theory.chords import parse_symbol

    spec = parse_symbol(chord.symbol)
    if spec is None:
        return None
    stated = [
        p.interval for p in phrases(match.group("rest")) if p.kind == "interval" and p.interval
    ]
    if not stated:
        return None
    from music21 import interval as m21_interval

    have = {m21_interval.Interval(name).semiSimpleName for name in spec.intervals}
    holds = all(m21_interval.Interval(name).semiSimpleName in have for name in stated)
    kind = match.group("kind")
    parts = ", ".join(with_article(interval_words(name)) for name in spec.intervals if name != "P1")
    return Claim(
        text, "chord_quality", holds, sentence_case(f"a {kind} has {parts} above its root.")
    )


_ENHARMONIC = re.compile(
    r"\b(?:are|is)\s+(?:the\s+same\s+(?:pitch|note|key)|enharmonic(?:ally\s+equivalent|\s+"
    r"equivalents?|s)?|enharmonically\s+the\s+same)\b",
    re.IGNORECASE,
)


def _enharmonic_claim(text: str) -> Claim | None:
    """'C and B# are enharmonic', 'F# is the same pitch as Gb'."""
    from etude.theory.spelling import notes_in

    if not _ENHARMONIC.search(text):
        return None
    named = notes_in(text)
    if len(named) != 2:
        return None
    first, second = named
    holds = pitch_class(first) == pitch_class(second) and first != second
    if holds:
        truth = f"{first} and {second} are the same pitch, spelled two ways (enharmonic)."
    else:
        truth = f"{first} and {second} are different pitches, so they are not enharmonic."
    return Claim(text, "enharmonic", holds, truth)


_SAME_INTERVAL = re.compile(
    r"\b(?:is|are)\s+(?:just\s+|really\s+|basically\s+)?(?:the\s+same(?:\s+(?:thing|interval|"
    r"size|sound|distance))?(?:\s+as)?|enharmonic(?:ally\s+equivalent)?(?:\s+(?:to|with))?|"
    r"equivalent\s+to|another\s+name\s+for)\b",
    re.IGNORECASE,
)


def _interval_equivalence_claim(text: str) -> Claim | None:
    """'a diminished fifth is the same as an augmented fourth': the same size, two spellings.

    >>> claim = _interval_equivalence_claim("a d5 is the same as an augmented fourth")
    >>> claim.holds, claim.truth.split(",")[0]
    (True, 'A diminished fifth and an augmented fourth are the same size')
    >>> claim.truth.split(": ")[-1]
    'above C, Gb is a diminished fifth and F# an augmented fourth.'
    >>> _interval_equivalence_claim("a major sixth is the same as a minor seventh").truth
    'A major sixth spans 9 semitones and a minor seventh 10, so they are different intervals.'
    """
    if not _SAME_INTERVAL.search(text):
        return None
    from music21 import interval as m21_interval
    from music21 import pitch as m21_pitch

    from etude.theory.questions import phrases

    named = [p.interval for p in phrases(text) if p.kind == "interval" and p.interval]
    if len(named) != 2 or named[0] == named[1]:
        return None
    first, second = (m21_interval.Interval(name) for name in named)
    words = [interval_words(name) for name in named]
    if first.semitones != second.semitones:
        truth = (
            f"{with_article(words[0])} spans {first.semitones} semitones and "
            f"{with_article(words[1])} {second.semitones}, so they are different intervals."
        )
        return Claim(text, "interval_name", False, sentence_case(truth))
    tops = [human(i.transposePitch(m21_pitch.Pitch("C4")).name) for i in (first, second)]
    truth = (
        f"{with_article(words[0])} and {with_article(words[1])} are the same size, "
        f"{first.semitones} semitones, so they sound the same on a keyboard; they are spelled "
        f"differently (enharmonic intervals): above C, {tops[0]} is {with_article(words[0])} "
        f"and {tops[1]} {with_article(words[1])}."
    )
    return Claim(text, "interval_name", True, sentence_case(truth))


_ARTICLE = r"(?:(?:a|an|the|any)\s+)?"
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in (
        # asides and openers carry no claim: "(one worth memorising)", "Played from the tonic,"
        (r"\s*\((?:one|a|an|which|that|the one)\b[^)]*\)", ""),
        (
            r"^\s*(?:played from the tonic|stacked up|in short|so|well|remember|yes|no|in fact|"
            r"note that|of course|put simply|in other words)\s*,\s*",
            "",
        ),
        # possessives: "F# minor's key signature" → "the key signature of F# minor"
        (
            r"\b(?P<owner>[A-G](?:#|b)?(?:\s+(?:major|minor))?)'s\s+(?P<what>key signature|"
            r"relative (?:major|minor)|parallel (?:major|minor)|dominant|subdominant|tonic|"
            r"mediant|submediant|supertonic|leading tone|signature)\b",
            "the \\g<what> of \\g<owner>",
        ),
        (r"\bgives you\b|\blands you on\b|\bbrings you to\b|\btakes you to\b", "is"),
        (r"\b(?:functions|serves|acts|works)\s+as\b", "is"),
        (r"\bis\s+written\s+with\b|\bcovers\b|\bmeasures\b", "has"),
        (
            r"\s*\((?:harmonic|natural|melodic) minor\)|\s*\(root position\)|\s*\(as [^)]*\)"
            r"|\s*\((?:and|or|also|e\.g\.|for example|that is|i\.e\.)\b[^)]*\)",
            "",
        ),
        (
            r"^\s*in\s+(?P<key>[A-G](?:#|b)?\s+(?:major|minor))\s+there\s+(?:is|are)\s+",
            "\\g<key> has ",
        ),
        # "eight semitones make a perfect fifth" → "a perfect fifth is eight semitones"
        (
            r"^\s*(?P<n>\w+)\s+semitones?\s+(?:make|makes|form|forms|give|gives)\s+"
            r"(?P<ivl>(?:a|an)\s+.+?)\.?$",
            "\\g<ivl> is \\g<n> semitones",
        ),
        (
            r"^\s*you\s+get\s+(?P<ivl>(?:a|an)\s+.+?)\s+by\s+counting\s+(?P<n>\w+)\s+"
            r"semitones?(?:\s+up)?\.?$",
            "\\g<ivl> is \\g<n> semitones",
        ),
        (
            r"\b(?:the\s+)?(?:chord|triad)\s+(?:built\s+)?on\s+scale\s+degree\s+(?P<n>[1-7])\b",
            "the degree \\g<n> chord",
        ),
        # "if I go up a perfect fifth from B I get F#" → "a perfect fifth above B is F#"
        (
            r"^\s*(?:if\s+)?(?:i|you|we)\s+(?:go|move|count)\s+(?P<way>up|down)\s+"
            r"(?P<ivl>(?:a|an)\s+.+?)\s+from\s+(?P<start>[A-G](?:#|b)?)\s*,?\s*(?:then\s+)?"
            r"(?:i|you|we)\s+(?:get|land on|reach|end up on|arrive at)\s+(?P<end>.+)$",
            "\\g<ivl> \\g<way> from \\g<start> is \\g<end>",
        ),
        # "the chord on the 5th degree of a major key" → "the 5th degree chord of …"
        (
            r"\b(?:the\s+)?(?:chord|triad)\s+(?:built\s+)?on\s+the\s+(?P<n>\w+)\s+"
            r"(?:scale\s+)?degree\b",
            "the \\g<n> degree chord",
        ),
        (r"\bhalf[- ]steps?\b", "semitones"),
        # "there is no F in X" → "X has no F"; "there are 3 sharps in X" → "X has 3 sharps"
        (
            rf"^\s*there(?:\s+is|\s+are|'s|'re)\s+(?P<what>.+?)\s+in\s+{_ARTICLE}(?P<where>.+?)\.?$",
            "\\g<where> has \\g<what>",
        ),
        (
            rf"^\s*you(?:'ll|\s+will)\s+find\s+(?P<what>.+?)\s+in\s+{_ARTICLE}(?P<where>.+?)\.?$",
            "\\g<where> has \\g<what>",
        ),
        (
            rf"^\s*you\s+(?:won't|will\s+not|don't|do\s+not)\s+find\s+(?:an?\s+|any\s+)?"
            rf"(?P<what>.+?)\s+in\s+{_ARTICLE}(?P<where>.+?)\.?$",
            "\\g<where> has no \\g<what>",
        ),
        (
            rf"^\s*to\s+play\s+{_ARTICLE}(?P<what>.+?),\s*you(?:'ll|\s+will)?\s+need\s+(?P<notes>.+)$",
            "\\g<what> is \\g<notes>",
        ),
        (
            rf"^(?P<notes>.+?)\s+(?:make|makes)\s+up\s+{_ARTICLE}(?P<what>.+?)\.?$",
            "\\g<what> is \\g<notes>",
        ),
        (
            rf"^(?P<notes>(?:[A-G][#b]?[,\s]+(?:and\s+)?)+[A-G][#b]?)\s+forms?\s+{_ARTICLE}(?P<what>.+?)\.?$",
            "\\g<what> is \\g<notes>",
        ),
        (
            rf"^(?P<note>.+?)\s+is\s+(?:one\s+)?of\s+the\s+notes\s+(?:of|in)\s+{_ARTICLE}(?P<what>.+?)\.?$",
            "\\g<what> has \\g<note>",
        ),
        (
            r"\b(?:doesn't|does\s+not|don't|do\s+not)\s+(?:contain|include|use|have)\s+(?:an?\s+|any\s+)?",
            "has no ",
        ),
        (
            r"\b(?:consists\s+of|is\s+made\s+(?:up\s+)?of|is\s+spelled|is\s+spelt|is\s+built\s+from|"
            r"comprises|goes)\b",
            "is",
        ),
        (r"\b(?:includes|contains|uses|features)\b", "has"),
        (
            r"^(?P<what>.{3,60}?\b(?:scale|chord|triad|mode))\s*:\s*(?P<notes>.+)$",
            "\\g<what> is \\g<notes>",
        ),
    )
)


_KIND_ARTICLE = re.compile(
    r"\b(?P<verb>is|are|makes|make|forms|form|'s)\s+an?\s+(?=(?:major|minor|diminished|"
    r"augmented|dominant|half-diminished|fully)\b)"
)
"""The lower-case article before a kind of chord ("is a major seventh chord"), which the
phrase reader would otherwise take for the note A ("A major seventh")."""


def _canonical(text: str, topic: str | None) -> tuple[str, bool]:
    """A clause rewritten into the few shapes the reader knows ("X is Y", "X has Y"), and
    whether it is negated ("has no F", "is not G").

    >>> _canonical("There is no F in a Db+ chord.", None)
    ('Db+ chord has F', True)
    >>> _canonical("The notes are F#, A# and C#.", "F# major chord")
    ('the notes of F# major chord are F#, A# and C#.', False)
    """
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    text = _KIND_ARTICLE.sub(r"\g<verb> ", text)
    if topic:
        text = re.sub(
            r"^\s*the\s+notes\s+(are|is)\b", rf"the notes of {topic} \1", text, flags=re.I
        )
        text = re.sub(
            r"^\s*(?:it|this|that)\s+(?=is\b|spans\b|has\b|'s\b)", f"{topic} ", text, flags=re.I
        )
    # "has no sharps" is a count (zero), not a negated claim
    has_no = r"\bhas no\b(?!\s+(?:sharps?|flats?|accidentals)\b)"
    negated = bool(re.search(rf"{has_no}|\bis not\b|\bisn't\b|\baren't\b|\bare not\b", text, re.I))
    if negated:
        text = re.sub(has_no, "has", text, flags=re.I)
        text = re.sub(r"\b(?:is not|isn't)\b", "is", text, flags=re.I)
        text = re.sub(r"\b(?:are not|aren't)\b", "are", text, flags=re.I)
    return text, negated


def _negate(claim: Claim) -> Claim:
    """A negated claim ("has no F") holds exactly when its positive form does not."""
    return Claim(claim.text, claim.kind, not claim.holds, claim.truth, claim.steps)


def _clause_claims(clause: str, context: ClaimContext) -> list[Claim]:
    """The claims of one clause, each checked; a claim about every major (minor) key is
    checked in two keys, and fails where either refutes it (the failing key's truth is the
    counterexample).

    >>> [c.holds for c in _clause_claims("the tonic of a major scale is C", ClaimContext())]
    [False]
    >>> [c.holds for c in _clause_claims("the 5th chord of a major key is major", ClaimContext())]
    [True]
    """
    text, negated = _canonical(_normalised(clause), context.topic)
    keyed = _with_context_key(text, context.key)
    found = _positive_claims(clause, _key_last(keyed), context)
    if found and generic_mode(keyed) is not None:
        other = _positive_claims(clause, _key_last(keyed, GENERIC_EXAMPLES[1]), context)
        wrong = [c for c in other if not c.holds]
        if wrong and all(c.holds for c in found):
            found = wrong
    if negated:
        return [_negate(c) if c.kind != "score_key" else c for c in found]
    return found


_TENDENCY = re.compile(
    r"\b(?:the\s+)?(?P<tone>(?:chordal\s+)?(?:7th|seventh)|leading[- ](?:tone|note))\b[^.]*?"
    r"\b(?:should|must|usually|normally|tends? to|wants? to|has to|will)?\s*"
    r"(?:resolves?|moves?|goes?|falls?|rises?)\s+(?P<way>up|down|upward|downward)",
    re.IGNORECASE,
)
_MINOR_FORM = re.compile(
    r"\b(?P<form>harmonic|melodic)\s+minor\s+(?:scale\s+)?raises\s+(?:both\s+)?(?:only\s+)?"
    r"(?:the\s+)?(?P<first>6th|sixth|7th|seventh)(?:\s+(?:and|&)\s+(?:the\s+)?"
    r"(?P<second>6th|sixth|7th|seventh))?",
    re.IGNORECASE,
)
_METER_KIND = re.compile(
    r"\b(?P<top>\d{1,2})/(?P<bottom>\d{1,2})\s+(?:is|counts as)\s+(?:a\s+)?"
    r"(?P<kind>simple|compound)\s+(?:meter|metre|time)",
    re.IGNORECASE,
)
_SAME_AS = re.compile(
    r"\b(?:a|the)\s+tritone\s+is\s+(?:just\s+|really\s+)?(?:the\s+same(?:\s+thing)?\s+as|"
    r"another\s+name\s+for)\s+(?:an?\s+)?(?P<other>[a-z ]+?)(?:[.,?!]|$)",
    re.IGNORECASE,
)


_MODE_AS_ALTERED = re.compile(
    r"\b(?:(?P<tonic>[A-G][#b]?)\s+)?(?P<mode>ionian|dorian|phrygian|lydian|mixolydian|aeolian|"
    r"locrian)(?:\s+(?:mode|scale))?\s+(?:is|=|equals|means|is\s+like)\s+(?:(?:just|basically|"
    r"really|simply|like|the\s+same\s+as)\s+)*(?:(?:a|the)\s+)?(?:(?P=tonic)\s+)?"
    r"(?P<base>major|(?:natural\s+)?minor)(?:\s+scale)?\s*,?\s+(?:but\s+)?(?:with|plus)\s+"
    r"(?P<change>[^.?!]+)",
    re.IGNORECASE,
)
_DEGREE_NUMBERS = {"2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7}
for _word, _number in (
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
):
    _DEGREE_NUMBERS[_word] = _number
    _DEGREE_NUMBERS[f"{_number}{'nd' if _number == 2 else 'rd' if _number == 3 else 'th'}"] = (
        _number
    )
_ALTERED_DEGREE = re.compile(
    r"(?:an?\s+)?(?P<way>raised|lowered|sharp(?:ened)?|flat(?:ted|tened)?|#|♯|b|♭)\s*"
    r"(?P<degree>[2-7](?:st|nd|rd|th)?|second|third|fourth|fifth|sixth|seventh)\b",
    re.IGNORECASE,
)
_SWAPPED_NOTE = re.compile(
    r"(?P<new>[A-G](?:#|b|♯|♭)?)(?:\s+natural)?\s+instead\s+of\s+(?:an?\s+)?"
    r"(?P<old>[A-G](?:#|b|♯|♭)?)(?![a-z])"
)


_NOTE = r"[A-G](?:#|b|♯|♭|[ -](?:sharp|flat)\b)?"
_KEY_WITH = re.compile(
    rf"\b(?P<tonic>{_NOTE})\s+(?P<mode>major|minor)\s+is\s+the\s+(?:only\s+)?(?:major|minor)\s+"
    r"key\s+(?:with|that has)\s+(?P<count>\w+)\s+(?P<acc>sharps?|flats?)\b"
    rf"|\bthe\s+(?P<mode2>major|minor)\s+key\s+(?:with|that has)\s+(?P<count2>\w+)\s+"
    rf"(?P<acc2>sharps?|flats?)\s+is\s+(?P<tonic2>{_NOTE})(?![\w#♯♭])",
    re.IGNORECASE,
)
_NAMED_ACCIDENTALS = re.compile(
    rf"\b(?P<tonic>{_NOTE})\s+(?P<mode>major|minor)\s+has\s+(?P<count>\w+)\s+(?:sharps?|flats?)"
    rf"\s*[,:(]\s*(?:namely\s+)?(?P<notes>{_NOTE}(?:\s*(?:,|and|,\s*and)\s*{_NOTE})*)",
)


def _signature_claims(text: str) -> list[Claim]:
    """'B major is the major key with six sharps', 'F major has one flat, B#': which key has
    how many accidentals, and which ones, checked against the key's own signature.

    >>> [c.holds for c in _signature_claims("B major is the major key with five sharps.")]
    [True]
    >>> [c.holds for c in _signature_claims("F major has one flat, B#.")]
    [False]
    """
    from music21 import key as m21key

    def count_of(word: str) -> int | None:
        word = word.lower()
        return int(word) if word.isdigit() else NUMBER_WORDS.get(word)

    def spelled(name: str) -> str:
        name = re.sub(r"[ -]sharp", "#", re.sub(r"[ -]flat", "b", name))
        return human(name.replace("♯", "#").replace("♭", "b"))

    found: list[Claim] = []
    for match in _KEY_WITH.finditer(text):
        tonic = match.group("tonic") or match.group("tonic2")
        mode = (match.group("mode") or match.group("mode2")).lower()
        count = count_of(match.group("count") or match.group("count2"))
        accidental = (match.group("acc") or match.group("acc2")).lower()
        if count is None:
            continue
        name = spelled(tonic)
        real = m21key.Key(name[0] + name[1:].replace("b", "-"), mode)
        sharps = real.sharps
        stated = count if accidental.startswith("sharp") else -count
        truth = f"{spelled(tonic)} {mode} has {signature_words(sharps)}."
        found.append(Claim(text, "key_signature", sharps == stated, truth))
    for match in _NAMED_ACCIDENTALS.finditer(text):
        tonic, mode = match.group("tonic"), match.group("mode").lower()
        name = spelled(tonic)
        real = m21key.Key(name[0] + name[1:].replace("b", "-"), mode)
        altered = {human(p.name) for p in real.alteredPitches}
        named = {spelled(n) for n in re.findall(_NOTE, match.group("notes"))}
        truth = f"{spelled(tonic)} {mode} has {signature_words(real.sharps)}" + (
            f": {', '.join(sorted(altered))}." if altered else "."
        )
        found.append(Claim(text, "key_signature", named <= altered and bool(named), truth))
    return found


def _mode_claim(text: str) -> Claim | None:
    """'Dorian is minor with a raised sixth', 'G mixolydian is G major with F instead of F#':
    a mode described as major or minor with altered degrees, checked against the two scales
    spelled on one tonic (C when none is named).

    >>> _mode_claim("dorian is minor with a raised sixth").holds
    True
    >>> claim = _mode_claim("phrygian is minor with a flat 2 and a flat 6")
    >>> claim.holds
    False
    >>> claim.truth
    'The Phrygian mode is the natural minor scale with a lowered second: on C, Db instead of D.'

    """
    from music21 import pitch

    from etude.theory.scales import scale_notes

    match = _MODE_AS_ALTERED.search(text)
    if match is None:
        return None
    mode = match.group("mode").lower()
    base = "major" if match.group("base").lower() == "major" else "natural minor"
    tonic = (match.group("tonic") or "C").replace("b", "-")
    ours = scale_notes(tonic, mode)
    theirs = scale_notes(tonic, base)
    real = {
        degree + 1: int(pitch.Pitch(mine).ps - pitch.Pitch(other).ps + 6) % 12 - 6
        for degree, (mine, other) in enumerate(zip(ours, theirs, strict=True))
        if mine != other
    }
    stated: dict[int, int] = {}
    change = match.group("change")
    for altered in _ALTERED_DEGREE.finditer(change):
        way = altered.group("way").lower()
        up = way.startswith(("raised", "sharp")) or way in ("#", "♯")
        stated[_DEGREE_NUMBERS[altered.group("degree").lower()]] = 1 if up else -1
    for swap in _SWAPPED_NOTE.finditer(change):
        new, old = (human(n.replace("♯", "#").replace("♭", "b")) for n in swap.groups())
        names = [human(n) for n in theirs]
        if old in names:
            shift = (
                int(
                    pitch.Pitch(new.replace("b", "-")).ps
                    - pitch.Pitch(old.replace("b", "-")).ps
                    + 6
                )
                % 12
                - 6
            )
            stated[names.index(old) + 1] = shift
    if not stated:
        return None
    changes = [
        f"a {'raised' if shift > 0 else 'lowered'} {INTERVAL_ORDINALS[degree]}"
        for degree, shift in real.items()
    ]
    swaps = " and ".join(f"{human(ours[d - 1])} instead of {human(theirs[d - 1])}" for d in real)
    where = f"on {human(tonic)}" if match.group("tonic") else "on C"
    subject = f"the {mode.capitalize()} mode"  # never opens on a note name, which reads as "a"
    described = " and ".join(changes)
    truth = (
        f"{subject} is the {base} scale with {described}: {where}, {swaps}."
        if changes
        else f"{subject} has the same notes as the {base} scale."
    )
    return Claim(text, "scale_notes", stated == real, sentence_case(truth))


def _rule_claims(text: str) -> list[Claim]:
    """Claims about how tones behave and what things are called, read from a small table of
    settled facts: the chordal seventh falls and the leading tone rises; harmonic minor raises
    the seventh only, melodic minor (ascending) the sixth and the seventh; a metre whose beat
    divides in three is compound; the tritone is the augmented fourth (or diminished fifth)."""
    found: list[Claim] = []
    mode = _mode_claim(text)
    if mode is not None:
        found.append(mode)
    found.extend(_signature_claims(text))
    for match in _TENDENCY.finditer(text):
        seventh = "7th" in match.group("tone").lower() or "seventh" in match.group("tone").lower()
        way = "down" if match.group("way").lower().startswith("down") else "up"
        right = "down" if seventh else "up"
        truth = (
            "The chordal seventh resolves down by step (in G7 to C, F falls to E)."
            if seventh
            else "The leading tone resolves up by a semitone to the tonic (B to C in C major)."
        )
        found.append(Claim(text, "voice_leading", way == right, truth))
    form = _MINOR_FORM.search(text)
    if form is not None:
        raised = {
            "7" if "7" in d or "seventh" in d.lower() else "6"
            for d in (form.group("first"), form.group("second") or "")
            if d
        }
        raises = {"7"} if form.group("form").lower() == "harmonic" else {"6", "7"}
        truth = (
            "Harmonic minor raises only the seventh degree (A – B – C – D – E – F – G#)."
            if raises == {"7"}
            else "Melodic minor, going up, raises the sixth and the seventh (A – B – C – D – E – "
            "F# – G#)."
        )
        found.append(Claim(text, "scale_notes", raised == raises, truth))
    meter = _METER_KIND.search(text)
    if meter is not None:
        top = int(meter.group("top"))
        compound = top in (6, 9, 12, 15, 18, 24)
        kind = "compound" if compound else "simple"
        truth = (
            f"{top}/{meter.group('bottom')} is a {kind} metre: its beats divide into "
            f"{'three' if compound else 'two'} (the top number says it, not the bottom one)."
        )
        found.append(Claim(text, "meter", meter.group("kind").lower() == kind, truth))
    same = _SAME_AS.search(text)
    if same is not None:
        other = same.group("other").strip().lower()
        holds = other in ("augmented fourth", "diminished fifth", "six semitones", "6 semitones")
        truth = "A tritone spans 6 semitones: spelled as an augmented fourth or a diminished fifth."
        found.append(Claim(text, "interval_name", holds, truth))
    return found


def _positive_claims(clause: str, text: str, context: ClaimContext) -> list[Claim]:
    found: list[Claim] = []
    if (cadence := _cadence_claim(text)) is not None:
        return [cadence]
    if (kind_claim := _chord_type_claim(text)) is not None:
        return [kind_claim]
    if (same_pitch := _enharmonic_claim(text)) is not None:
        return [same_pitch]
    if (same_size := _interval_equivalence_claim(text)) is not None:
        return [same_size]
    if (signature := _accidentals_claim(text)) is not None:
        return [signature]
    if (distance := _degree_interval_claim(text)) is not None:
        return [distance]
    if rules := _rule_claims(text):
        return rules
    if (key_claim := _score_key_claim(text, context.score_keys)) is not None:
        found.append(key_claim)
        if not key_claim.holds:
            return found
    tokens = tokenize(text)
    items = _items(tokens)
    words = [item.word for item in items]
    verb = next((i for i, w in enumerate(words) if w in _COPULAS | _HAS), None)
    if verb is not None and (scale := _scale_claim(items, verb, clause.strip())) is not None:
        return [*found, scale]
    if verb is not None:
        subject = _subject_side(items[:verb])
        stated = _value_side(items, verb + 1)
        if subject is not None and stated is not None:
            claim = _compare(subject, stated, clause.strip(), inclusion=words[verb] in _HAS)
            if claim is not None:
                found.append(claim)
    between = _between_claim(items, clause.strip())
    if between is not None and not found:
        found.append(between)
    return found


def _between_claim(items: list[_Item], text: str) -> Claim | None:
    """'from C up to A flat is a minor sixth', 'C to E is 4 semitones'."""
    parser = _Parser(items)
    words = [item.word for item in items]
    for opener, joiner in (("from", "to"), ("between", "and"), ("", "to")):
        starts = [i + 1 for i, w in enumerate(words) if w == opener] if opener else [0]
        for start in starts:
            first = parser.expr(start, postfix=False)
            if first is None:
                continue
            cursor = first[1]
            while parser.word(cursor) in ("up", "down"):
                cursor += 1
            if parser.word(cursor) != joiner:
                continue
            second = parser.expr(cursor + 1, postfix=False)
            if second is None:
                continue
            verb = next((i for i in range(second[1], len(words)) if words[i] in _COPULAS), None)
            if verb is None:
                continue
            stated = _value_side(items, verb + 1)
            if stated is None or not isinstance(stated.value, Interval | Count):
                continue
            unit = "semitones" if isinstance(stated.value, Count) else "interval"
            plan = Between(first[0], second[0], unit)  # type: ignore[arg-type]
            return _compare(_Side(plan=plan), stated, text)
    return None


def check_sentence(
    sentence: str, question: str | None = None, context: ClaimContext | None = None
) -> Verdict:
    """Read and verify every claim in ``sentence``; see the module docstring for the verdicts.

    ``question`` (or ``context``) supplies the key a sentence may leave implicit.

    >>> check_sentence("The dominant is D.", question="What is the dominant of G major?").status
    'verified'
    >>> check_sentence("D major has two sharps, and its relative minor is B minor.").status
    'verified'
    >>> check_sentence("G B D F is a D minor triad.").status
    'refuted'
    """
    context = context or ClaimContext.from_question(question)
    claims: list[Claim] = []
    carried = context
    for clause in clauses(sentence):
        claims.extend(_clause_claims(clause, carried))
        named = _first_key(clause)
        if named is not None:
            carried = ClaimContext(named, context.score_keys, context.notes)
    if context.notes and (spelled := _spelling_claim(sentence, context.notes)) is not None:
        claims.append(spelled)
    if (secondary := _secondary_of_tonic(sentence, context)) is not None:
        claims.append(secondary)
    if any(not claim.holds for claim in claims):
        return Verdict(sentence, "refuted", tuple(claims))
    if claims:
        return Verdict(sentence, "verified", tuple(claims))
    return Verdict(sentence, "unverifiable" if has_music_terms(sentence) else "no_claim")


def check_all(sentences: Iterable[str], context: ClaimContext) -> list[Verdict]:
    """Verdicts for several sentences read in one context (a whole reply)."""
    return [check_sentence(sentence, context=context) for sentence in sentences]


__all__ = [
    "Claim",
    "ClaimContext",
    "Verdict",
    "check_all",
    "check_sentence",
    "clauses",
]
