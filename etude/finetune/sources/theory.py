"""Theory Q&A grounded in the exact engine: questions, computed facts, and replies built on them.

Each *subject* (a chord, a scale, a key...) is asked in several phrasings. Every phrasing is run
through ``compute_facts`` exactly as the live theory tool runs it, and kept only when the engine
computes the same single fact we meant to ask about, so the prompt's evidence is what the tutor
would really see. The reply restates the fact, explains why it is so, and ends with an exercise;
a reply the tutor's grounding guard would reject is discarded, never repaired by hand.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from etude.config import LEVELS, Level
from etude.finetune.examples import Example, build_example, join_sentences, reply_is_grounded
from etude.theory.calculator import compute_facts
from etude.theory.facts import TheoryFact
from etude.theory.intervals import interval_words
from etude.theory.spelling import human
from etude.theory.transpose import shift as music21_shift
from etude.tools.theory import fact_evidence

log = logging.getLogger(__name__)

ROOTS = ("C", "C#", "Db", "D", "Eb", "E", "F", "F#", "Gb", "G", "Ab", "A", "Bb", "B")
MAJOR_KEYS = ("C", "G", "D", "A", "E", "B", "F#", "Db", "Ab", "Eb", "Bb", "F")
MINOR_KEYS = ("A", "E", "B", "F#", "C#", "G#", "D", "G", "C", "F", "Bb", "Eb")
CHORD_SUFFIXES = {
    "": "major triad",
    "m": "minor triad",
    "dim": "diminished triad",
    "aug": "augmented triad",
    "7": "dominant seventh chord",
    "maj7": "major seventh chord",
    "m7": "minor seventh chord",
    "m7b5": "half-diminished seventh chord",
    "dim7": "diminished seventh chord",
    "sus4": "suspended fourth chord",
    "sus2": "suspended second chord",
    "6": "major sixth chord",
    "m6": "minor sixth chord",
    "9": "dominant ninth chord",
}
SCALE_TYPES = (
    "major",
    "natural minor",
    "harmonic minor",
    "melodic minor",
    "dorian",
    "mixolydian",
    "lydian",
    "phrygian",
    "major pentatonic",
    "minor pentatonic",
    "blues",
    "whole-tone",
)
INTERVALS = {
    "m2": "minor second",
    "M2": "major second",
    "m3": "minor third",
    "M3": "major third",
    "P4": "perfect fourth",
    "A4": "augmented fourth",
    "d5": "diminished fifth",
    "P5": "perfect fifth",
    "m6": "minor sixth",
    "M6": "major sixth",
    "m7": "minor seventh",
    "M7": "major seventh",
    "P8": "perfect octave",
}
MAJOR_FIGURES = ("I", "ii", "iii", "IV", "V", "vi", "vii°", "V7", "ii7", "Imaj7", "IVmaj7")
MINOR_FIGURES = ("i", "ii°", "III", "iv", "V", "VI", "vii°", "V7", "vii°7", "iv7")
PROGRESSIONS = ("ii-V-I", "I-IV-V-I", "I-V-vi-IV", "I-vi-IV-V", "vi-ii-V-I", "ii7-V7-Imaj7")
INVERSION_WORDS = {1: "first inversion", 2: "second inversion", 3: "third inversion"}


@dataclass(frozen=True)
class Subject:
    """One thing to ask about, in several phrasings, and the fact kind it must produce."""

    kind: str
    phrasings: tuple[str, ...]


def listing(items: list[str]) -> str:
    """Items as prose: ``G, B and D``.

    >>> listing(["G", "B", "D"]), listing(["C"])
    ('G, B and D', 'C')
    """
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def shift(note: str, interval: str) -> str:
    """The note ``interval`` above ``note``, spelled the way learners write it.

    >>> shift("Bb", "P5")
    'F'
    """
    return human(music21_shift(note, interval))


def article(phrase: str) -> str:
    """``a`` or ``an`` before a phrase, by its first sound.

    >>> article("augmented fourth"), article("major third")
    ('an', 'a')
    """
    return "an" if phrase[:1].lower() in "aeio" or phrase.startswith(("F ", "E ")) else "a"


# --- subjects ----------------------------------------------------------------------------------


def chord_subjects() -> Iterator[Subject]:
    for root in ROOTS:
        for suffix, name in CHORD_SUFFIXES.items():
            symbol = root + suffix
            yield Subject(
                "chord",
                (
                    f"Spell the {root} {name}.",
                    f"What notes are in {symbol}?",
                    f"Which notes make up a {root} {name}?",
                    f"Can you spell {symbol} for me?",
                    f"what are the notes of {symbol}",
                ),
            )
            if suffix in ("", "m", "7", "maj7", "m7"):
                for inversion in (1, 2):
                    words = INVERSION_WORDS[inversion]
                    yield Subject(
                        "chord",
                        (
                            f"Spell {symbol} in {words}.",
                            f"What is the {root} {name} in {words}?",
                            f"How do I voice {symbol} in {words}?",
                        ),
                    )


def identification_subjects() -> Iterator[Subject]:
    for root in ROOTS:
        for suffix in ("", "m", "dim", "aug", "7", "maj7", "m7"):
            facts = compute_facts(f"Spell {root}{suffix}")
            if not facts or not facts[0].notes:
                continue
            notes = " ".join(facts[0].notes)
            yield Subject(
                "chord_identification",
                (
                    f"What chord is {notes}?",
                    f"Identify the chord {notes}.",
                    f"Which chord has the notes {notes}?",
                    f"I played {notes} - what chord is that?",
                ),
            )


def scale_subjects() -> Iterator[Subject]:
    for tonic in ROOTS:
        for kind in SCALE_TYPES:
            yield Subject(
                "scale",
                (
                    f"Spell the {tonic} {kind} scale.",
                    f"What are the notes of the {tonic} {kind} scale?",
                    f"Which notes are in {tonic} {kind}?",
                    f"Can you write out the {tonic} {kind} scale?",
                ),
            )


def interval_subjects(rng: random.Random) -> Iterator[Subject]:
    for first in ROOTS:
        for second in rng.sample(ROOTS, 5):
            if first[0] == second[0]:
                continue
            yield Subject(
                "interval",
                (
                    f"What is the interval from {first} to {second}?",
                    f"What interval is {first} up to {second}?",
                    f"Name the interval between {first} and {second}.",
                ),
            )
        for code in rng.sample(sorted(INTERVALS), 6):
            words = INTERVALS[code]
            for direction in ("above", "below"):
                yield Subject(
                    "interval",
                    (
                        f"What is {article(words)} {words} {direction} {first}?",
                        f"What note is {article(words)} {words} {direction} {first}?",
                        f"Which note lies {article(words)} {words} {direction} {first}?",
                    ),
                )
    for words in INTERVALS.values():
        yield Subject(
            "interval",
            (
                f"How many semitones are in {article(words)} {words}?",
                f"How many half steps does {article(words)} {words} span?",
            ),
        )
        if words != "perfect octave":
            yield Subject(
                "interval",
                (
                    f"What is the inversion of {article(words)} {words}?",
                    f"What does {article(words)} {words} become when inverted?",
                ),
            )


def key_subjects() -> Iterator[Subject]:
    for mode, tonics in (("major", MAJOR_KEYS), ("minor", MINOR_KEYS)):
        for tonic in tonics:
            key = f"{tonic} {mode}"
            other = "minor" if mode == "major" else "major"
            yield Subject(
                "key_signature",
                (
                    f"What is the key signature of {key}?",
                    f"How many sharps or flats does {key} have?",
                    f"What's in the key signature for {key}?",
                ),
            )
            yield Subject(
                "related_keys",
                (
                    f"What is the relative {other} of {key}?",
                    f"Which key is the relative {other} of {key}?",
                ),
            )
            yield Subject(
                "related_keys",
                (
                    f"What is the parallel {other} of {key}?",
                    f"Which key is the parallel {other} of {key}?",
                ),
            )
            yield Subject(
                "circle_of_fifths",
                (
                    f"Where is {key} on the circle of fifths?",
                    f"What are the neighbours of {key} on the circle of fifths?",
                ),
            )
            yield Subject(
                "diatonic_chords",
                (
                    f"List the diatonic chords of {key}.",
                    f"What are the diatonic triads in {key}?",
                ),
            )
            yield Subject(
                "diatonic_chords",
                (
                    f"List the diatonic seventh chords of {key}.",
                    f"What are the diatonic seventh chords in {key}?",
                ),
            )
    for count in range(1, 8):
        for accidental in ("sharps", "flats"):
            unit = accidental if count > 1 else accidental[:-1]
            yield Subject(
                "key_signature",
                (
                    f"Which key has {count} {unit}?",
                    f"Name the key with {count} {unit}.",
                    f"Which keys have {count} {unit} in the key signature?",
                ),
            )


def harmony_subjects() -> Iterator[Subject]:
    for mode, tonics, figures in (
        ("major", MAJOR_KEYS, MAJOR_FIGURES),
        ("minor", MINOR_KEYS, MINOR_FIGURES),
    ):
        for tonic in tonics:
            key = f"{tonic} {mode}"
            for figure in figures:
                yield Subject(
                    "roman_numeral",
                    (
                        f"What is {figure} in {key}?",
                        f"Spell {figure} in {key}.",
                        f"Which chord is {figure} in {key}?",
                    ),
                )
            for name in PROGRESSIONS:
                spaced = name.replace("-", " ")
                yield Subject(
                    "progression",
                    (
                        f"Spell {spaced} in {key}.",
                        f"What are the chords of a {name} in {key}?",
                        f"Write out {name} in {key}.",
                    ),
                )
    for tonic in MAJOR_KEYS:
        for step in ("P4", "P5", "M2", "M6"):
            symbol = shift(tonic, step)
            yield Subject(
                "roman_numeral",
                (
                    f"What numeral is {symbol} in {tonic} major?",
                    f"Which numeral is {symbol} in {tonic} major?",
                ),
            )


def transposition_subjects(rng: random.Random) -> Iterator[Subject]:
    for root in ROOTS:
        for suffix in ("", "m", "7", "m7", "maj7"):
            code = rng.choice(sorted(INTERVALS))
            words = INTERVALS[code]
            direction = rng.choice(("up", "down"))
            symbol = root + suffix
            yield Subject(
                "transposition",
                (
                    f"Transpose {symbol} {direction} {article(words)} {words}.",
                    f"What is {symbol} transposed {direction} {article(words)} {words}?",
                ),
            )
        facts = compute_facts(f"Spell {root}")
        if facts:
            notes = " ".join(facts[0].notes)
            code = rng.choice(sorted(INTERVALS))
            words = INTERVALS[code]
            yield Subject(
                "transposition",
                (
                    f"Transpose {notes} up {article(words)} {words}.",
                    f"Move {notes} up {article(words)} {words}.",
                ),
            )


def misc_subjects() -> Iterator[Subject]:
    for note in ROOTS:
        yield Subject(
            "enharmonic",
            (
                f"What is the enharmonic of {note}?",
                f"Which note is the enharmonic equivalent of {note}?",
            ),
        )
    for mode, tonics in (("major", MAJOR_KEYS), ("minor", MINOR_KEYS)):
        for tonic in tonics:
            yield Subject(
                "fingering",
                (
                    f"What is the fingering for the {tonic} {mode} scale?",
                    f"Which fingers do I use for the {tonic} {mode} scale on piano?",
                ),
            )
            yield Subject(
                "fingering",
                (
                    f"What is the fingering for the {tonic} {mode} triad?",
                    f"How should I finger the {tonic} {mode} triad?",
                ),
            )


# --- replies -----------------------------------------------------------------------------------


def _chord_name(fact: TheoryFact) -> str:
    return fact.query.split(" in ")[0]


def _quality(fact: TheoryFact) -> str:
    return _chord_name(fact)[len(fact.data.get("root", "")) :].strip()


def explain_chord(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    tones, roles, root = data["tones"], data["roles"], data["root"]
    name, quality = _chord_name(fact), _quality(fact)
    added = listing([f"{article(r)} {r}" for r in roles[1:]])
    parts = [f"The {name} is {listing(tones)}."]
    inversion = data.get("inversion", 0)
    if inversion:
        parts.append(
            f"In {INVERSION_WORDS[inversion]} {data['bass']} goes in the bass, but {root} is still "
            "the root, so the chord keeps its name."
        )
    parts.append(
        f"Start on {root} and add {added} above it: those intervals make it "
        f"{article(quality)} {quality}."
    )
    if level == "beginner":
        parts.append(f"The root, {root}, is the note the chord is built on and named after.")
    elif level == "advanced" and len(tones) >= 4:
        parts.append(f"The {roles[-1]} is the colour note: listen for it against the root.")
    return parts


def explain_identification(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    statement = fact.statement
    name = statement.split(" is ", 1)[1].split(" (")[0] if " is " in statement else data["symbol"]
    parts = [f"{listing(data['tones'])} make {name}."]
    parts.append(
        f"Stack the notes in thirds and the bottom of the stack, {data['root']}, is the root that "
        "names the chord."
    )
    if level == "beginner":
        parts.append("Stacking in thirds means skipping one letter name between neighbours.")
    return parts


def explain_scale(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    parts = [f"The {fact.query} is {listing(fact.notes)}."]
    parts.append(
        f"Every {data['type']} scale follows the pattern {data['steps']}, so starting on "
        f"{data['tonic']} gives exactly these notes."
    )
    if level != "advanced":
        parts.append("W means a whole step (two semitones) and H a half step (one semitone).")
    if "W+H" in data["steps"]:
        parts.append("W+H is an augmented second, the scale's characteristic gap.")
    return parts


def explain_interval(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    if "result" in data:
        return [
            f"Counting {article(data['words'])} {data['words']} {data['direction']} the starting "
            f"note gives {data['result']}.",
            f"It spans {data['semitones']} semitones, and the letter names must be the right "
            "distance apart too, which is why it is spelled this way.",
        ]
    if "semitones" in data and "inversion" in data:
        low, high = [*fact.notes, "", ""][:2]
        return [
            f"From {low} up to {high} is {article(data['words'])} {data['words']}.",
            "Count the letter names from the lower note to the upper one, both included, to get "
            f"the number; the {data['semitones']} semitones then give the quality.",
            f"Turned upside down it becomes {article(interval_words(data['inversion']))} "
            f"{interval_words(data['inversion'])}.",
        ]
    if "inversion" in data:
        original = interval_words(data["name"])
        return [
            f"The inversion of {article(original)} {original} is {article(data['words'])} "
            f"{data['words']}.",
            "Inverting moves the lower note up an octave: the two numbers add up to nine, major "
            "and minor swap, augmented and diminished swap, and perfect stays perfect.",
        ]
    words = interval_words(data["name"])
    parts = [f"{article(words).capitalize()} {words} spans {data['semitones']} semitones."]
    if level == "beginner":
        parts.append("A semitone is the step from one piano key to the very next one.")
    return parts


def explain_key_signature(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    sharps = data["sharps"]
    unit = "sharps" if sharps > 0 else "flats"
    if "key" in data:
        count = abs(sharps)
        head = (
            f"{data['key']} has no sharps or flats."
            if count == 0
            else f"Its key signature has {count} {unit if count > 1 else unit[:-1]}: "
            f"{listing(data['accidentals'])}."
        )
        parts = [head]
        if count:
            parts.append(
                f"{unit.capitalize()} always enter in the same order, each a fifth from the last, "
                f"so a key with {count} uses the first {count} of them."
            )
        if level == "beginner":
            parts.append(
                "The key signature sits at the start of every line, so those notes stay altered "
                "without writing the accidental again."
            )
        return parts
    return [
        f"That signature belongs to {data['major']} and to its relative minor, {data['minor']}.",
        "A relative major and minor share every note, so one signature serves both; the "
        "opening and final chords tell you which one a piece is in.",
    ]


def explain_related(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    relation = data["relation"]
    parts = [f"The {fact.query.split(' of ')[0]} of {data['key']} is {data['answer']}."]
    if relation == "relative":
        parts.append(
            "Relative keys share a key signature, and the relative minor's tonic lies a minor "
            "third below the major tonic."
        )
    else:
        parts.append(
            "Parallel keys share a tonic but not a key signature, so switching between them "
            "changes the colour while the home note stays."
        )
    return parts


def explain_roman(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    figure, key = data["figure"], data["key"]
    if "root" in data:
        parts = [f"Here {figure} is {data['symbol']}, built from {listing(fact.notes)}."]
    else:
        parts = [f"In {key}, {data['symbol']} is {figure}."]
    parts.append(
        "The numeral counts the scale degree the chord's root sits on; upper case means a "
        "major chord and lower case a minor one."
    )
    if "°" in figure or "ø" in figure:
        parts.append("The small circle marks a diminished chord.")
    if "7" in figure:
        parts.append("The 7 adds a seventh above the root.")
    return parts


def explain_transposition(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    source = data["source"] if isinstance(data["source"], str) else listing(data["source"])
    words = interval_words(data["interval"])
    way = "up" if data["direction"] == "above" else "down"
    result = data.get("result")
    target = f"{result} ({listing(fact.notes)})" if result else listing(fact.notes)
    subject = source if result else "the result"
    verb = "becomes" if result else "is"
    return [
        f"Moved {way} {article(words)} {words}, {subject} {verb} {target}.",
        "Every note moves by the same interval, so the chord keeps its shape and quality; only "
        "the letters and accidentals change.",
    ]


def explain_enharmonic(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    return [
        f"Those {len(data['equivalents']) + 1} spellings are the same key on the piano, written "
        "with different letter names.",
        "Which spelling is right depends on the key: a scale uses each letter name once, so "
        "the key decides the name.",
    ]


def explain_circle(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    return [
        f"{data['key']} sits between {data['subdominant']} and {data['dominant']} on the "
        "circle of fifths.",
        "Each step clockwise adds a sharp or removes a flat, so neighbours differ by a single "
        "note and modulate to each other smoothly.",
    ]


def explain_diatonic(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    key = data["key"]
    chords = [f"{c['numeral']} {c['symbol']}" for c in data["chords"]]
    parts = [f"The diatonic chords of {key} are {listing(chords)}."]
    if key.endswith("major"):
        parts.append(
            "Every major key has the same pattern: major on I, IV and V, minor on ii, iii and vi, "
            "and diminished on vii°."
        )
    else:
        parts.append(
            "In minor, the raised leading tone of harmonic minor makes the dominant major, "
            "which is why a major V appears."
        )
    return parts


def explain_progression(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    symbols = [c["symbol"] for c in data["chords"]]
    parts = [f"In {data['key']}, {'–'.join(data['figures'])} is {listing(symbols)}."]
    parts.append(
        "The numerals describe the progression in any key: rebuild each chord on the new "
        "tonic and the same motion returns."
    )
    if level == "beginner":
        parts.append("I is home, V builds tension, and returning to I releases it.")
    return parts


def explain_fingering(fact: TheoryFact, level: Level) -> list[str]:
    data = fact.data
    parts = [
        f"For the {data['subject']}, use {data['right']} in the right hand and {data['left']} in "
        "the left."
    ]
    if "triad" in data["subject"]:
        parts.append("Keep the hand shaped over the chord so that the fingers land together.")
    else:
        parts.append(
            "The thumb passes under after the third or fourth finger, so the hand never runs "
            "out of fingers; practise that crossing slowly."
        )
    return parts


EXPLAIN: dict[str, Callable[[TheoryFact, Level], list[str]]] = {
    "chord": explain_chord,
    "chord_identification": explain_identification,
    "scale": explain_scale,
    "interval": explain_interval,
    "key_signature": explain_key_signature,
    "related_keys": explain_related,
    "roman_numeral": explain_roman,
    "transposition": explain_transposition,
    "enharmonic": explain_enharmonic,
    "circle_of_fifths": explain_circle,
    "diatonic_chords": explain_diatonic,
    "progression": explain_progression,
    "fingering": explain_fingering,
}


def exercises(fact: TheoryFact) -> list[str]:
    """Candidate closing exercises for a fact, most specific first.

    Exercises name at most one new note (a starting point), so the learner does the work and
    the reply never states an uncomputed answer.
    """
    data = fact.data
    kind = fact.kind
    found: list[str] = []
    root = data.get("root") or data.get("tonic")
    if kind == "chord" and root:
        for step in ("P5", "P4", "M2"):
            other = shift(root, step)
            found.append(
                f"Now build the {other} {_quality(fact)} yourself: start on {other}, stack the "
                "same intervals, then play both chords and compare."
            )
    if kind == "scale" and root:
        for step in ("P5", "P4"):
            other = shift(root, step)
            found.append(
                f"Play it slowly up and down, then write out the {other} {data['type']} scale with "
                "the same step pattern."
            )
    if kind == "interval" and "words" in data and "result" in data:
        found.append(
            f"Now find {article(data['words'])} {data['words']} {data['direction']} "
            f"{data['result']} and check it by counting semitones."
        )
    if kind == "roman_numeral":
        found.append(
            f"Spell V and IV in {data['key']} the same way, using only notes of its scale."
        )
    if kind == "related_keys":
        found.append("Name the relative and the parallel key of a piece you are playing.")
    if kind == "progression":
        found.append("Play it, then move it to a key a fifth higher by rebuilding each numeral.")
    found.extend(
        [
            "Write it out on a staff from memory, then check your answer against the notes above.",
            "Play it on your instrument and sing the notes as you go.",
            "Close the page and work it out again tomorrow without help.",
        ]
    )
    return found


@dataclass
class TheoryStats:
    """What the builder dropped and why, for the data card."""

    subjects: int = 0
    phrasings_kept: int = 0
    parse_mismatch: int = 0
    ungrounded: int = 0


def all_subjects(rng: random.Random) -> list[Subject]:
    return [
        *chord_subjects(),
        *identification_subjects(),
        *scale_subjects(),
        *interval_subjects(rng),
        *key_subjects(),
        *harmony_subjects(),
        *transposition_subjects(rng),
        *misc_subjects(),
    ]


def reply_for(fact: TheoryFact, level: Level, sentences: int, rng: random.Random) -> str | None:
    """A grounded reply to a question about ``fact``, or None when none passes the guard."""
    evidence = [fact_evidence(fact)]
    explanation = EXPLAIN[fact.kind](fact, level)
    for exercise in exercises(fact):
        reply = join_sentences([*explanation, exercise], sentences)
        if reply_is_grounded(reply, evidence):
            return reply
    return None


def theory_examples(
    rng: random.Random, per_subject: int = 2, stats: TheoryStats | None = None
) -> Iterator[Example]:
    """Examples for every subject: ``per_subject`` phrasings each, at varied levels."""
    stats = stats if stats is not None else TheoryStats()
    kinds: Counter[str] = Counter()
    for subject in all_subjects(rng):
        stats.subjects += 1
        phrasings = list(subject.phrasings)
        rng.shuffle(phrasings)
        kept = 0
        for question in phrasings:
            if kept >= per_subject:
                break
            facts = compute_facts(question)
            if len(facts) != 1 or facts[0].kind != subject.kind:
                stats.parse_mismatch += 1
                continue
            fact = facts[0]
            level = rng.choice(LEVELS)
            sentences = rng.choice((3, 3, 4, 5))
            reply = reply_for(fact, level, sentences, rng)
            if reply is None:
                stats.ungrounded += 1
                continue
            kept += 1
            kinds[fact.kind] += 1
            yield build_example(
                source="theory",
                group=f"theory:{fact.kind}:{fact.query}",
                kind=fact.kind,
                level=level,
                evidence=[fact_evidence(fact)],
                question=question,
                reply=reply,
                rng=rng,
                sentences=sentences,
            )
        stats.phrasings_kept += kept
    log.info("theory examples by kind: %s", dict(kinds))
