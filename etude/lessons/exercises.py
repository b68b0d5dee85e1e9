"""Exercises: what the learner is asked, with the answer computed before they see it.

An exercise is generated from a curriculum template and a random draw, and carries its own
answer (computed by the exact theory engine) and, for a composition, the constraints its
submission is checked against. Storing the answer with the exercise means a check never
depends on re-generating anything: the open exercise survives restarts exactly as asked.

Each exercise kind has one maker, registered in ``MAKERS`` with ``@maker("kind")``: it draws
the template's choices (``pick("roots")``, in a fixed order, so a seed always gives the same
exercise) and asks the theory engine for the answer.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from etude.lessons.coverage import family_of
from etude.lessons.curriculum import (
    Constraint,
    ExerciseKind,
    ExerciseTemplate,
    Skill,
    split_key,
)
from etude.theory.calculator import answer
from etude.theory.intervals import interval_words
from etude.theory.meter import meter_reading
from etude.theory.questions import (
    ChordQuery,
    IntervalBetweenQuery,
    KeySignatureQuery,
    NoteAtQuery,
    RelatedKeyQuery,
    RomanQuery,
    ScaleQuery,
)
from etude.theory.spelling import to_music21, with_article

AnswerKind = Literal["notes", "interval", "key_signature", "key", "count", "composition"]

TRIAD_SUFFIX = {"major": "", "minor": "m", "diminished": "dim", "augmented": "aug"}


class Exercise(BaseModel):
    """One question or task, with its computed answer; serialised as the open exercise."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:10])
    skill: str
    kind: ExerciseKind
    prompt: str
    answer_kind: AnswerKind
    expected: list[str] = Field(
        default_factory=list,
        description="Notes in order; or [interval code]; or [tonic, mode]; or accidentals.",
    )
    fact: str = Field(default="", description="The engine's statement, shown after answering.")
    key: str | None = Field(default=None, description="'G major' for tasks set in a key.")
    constraints: list[Constraint] = Field(default_factory=list)
    placement: bool = False
    review: bool = False
    family: str = Field(
        default="", description="Which case of the skill it practises (``coverage.py``)."
    )

    def item_key(self) -> str:
        """What identifies the fact practised, for spaced review (same question, same key).

        >>> Exercise(skill="triads", kind="triad_spell", prompt="Spell the E major triad.",
        ...          answer_kind="notes", expected=["E", "G#", "B"]).item_key()
        'triad_spell:E G# B'
        """
        return f"{self.kind}:{' '.join(self.expected) or self.prompt}"


class _Draw:
    """Draws a template's choices, remembering them: they name the exercise's family."""

    def __init__(self, template: ExerciseTemplate, rng: random.Random) -> None:
        self.template, self.rng, self.drawn = template, rng, dict[str, str]()

    def __call__(self, name: str) -> str:
        options = self.template.choices.get(name)
        if not options:
            raise ValueError(f"{self.template.kind} template needs choices.{name}")
        self.drawn[name] = self.rng.choice(options)
        return self.drawn[name]


Maker = Callable[[Skill, ExerciseTemplate, _Draw], Exercise]
"""Makes one exercise of a kind from its skill, its template and the template's draws."""

MAKERS: dict[ExerciseKind, Maker] = {}
"""Exercise kind → its maker; a new kind is one ``@maker`` function (and its name in
``curriculum.ExerciseKind``)."""


def maker(kind: ExerciseKind) -> Callable[[Maker], Maker]:
    """Register the function that makes exercises of ``kind``."""

    def register(make: Maker) -> Maker:
        MAKERS[kind] = make
        return make

    return register


def make_exercise(skill: Skill, template: ExerciseTemplate, rng: random.Random) -> Exercise:
    """Draw one exercise from a template; the answer comes from the theory engine.

    >>> from etude.lessons.curriculum import load_curriculum
    >>> triads = load_curriculum().skill("triads")
    >>> ex = make_exercise(triads, triads.exercises[0], random.Random(3))
    >>> ex.prompt, ex.expected, ex.family
    ('Spell the A major triad (root first).', ['A', 'C#', 'E'], 'major triads')
    """
    pick = _Draw(template, rng)
    made = MAKERS[template.kind](skill, template, pick)
    return made.model_copy(update={"family": family_of(template.kind, pick.drawn)})


@maker("interval_name")
def _interval_name(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    root = pick("roots")
    name = pick("intervals")
    top = answer(NoteAtQuery(start=to_music21(root), interval=name)).data["result"]
    fact = answer(IntervalBetweenQuery(first=to_music21(root), second=to_music21(top)))
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=f"Name the interval from {root} up to {top} (quality and number).",
        answer_kind="interval",
        expected=[fact.data["name"]],
        fact=fact.statement,
    )


@maker("interval_build")
def _interval_build(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    root = pick("roots")
    name = pick("intervals")
    fact = answer(NoteAtQuery(start=to_music21(root), interval=name))
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=f"Which note is {with_article(interval_words(name))} above {root}?",
        answer_kind="notes",
        expected=[fact.data["result"]],
        fact=fact.statement,
    )


@maker("scale_spell")
def _scale_spell(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    tonic = pick("tonics")
    scale = pick("scales")
    fact = answer(ScaleQuery(tonic=to_music21(tonic), scale=scale))
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=f"Spell the {tonic} {scale} scale, one note per letter.",
        answer_kind="notes",
        expected=list(fact.notes),
        fact=fact.statement,
        key=f"{tonic} {scale}",
    )


@maker("key_signature")
def _key_signature(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    tonic = pick("tonics")
    mode = pick("modes")
    fact = answer(KeySignatureQuery(tonic=to_music21(tonic), mode=mode))  # type: ignore[arg-type]
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=f"How many sharps or flats does {tonic} {mode} have, and which?",
        answer_kind="key_signature",
        expected=list(fact.data["accidentals"]),
        fact=fact.statement,
        key=f"{tonic} {mode}",
    )


@maker("relative_key")
def _relative_key(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    tonic = pick("tonics")
    mode = pick("modes")
    fact = answer(RelatedKeyQuery(tonic=to_music21(tonic), mode=mode, relation="relative"))  # type: ignore[arg-type]
    other = "minor" if mode == "major" else "major"
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=f"What is the relative {other} of {tonic} {mode}?",
        answer_kind="key",
        expected=list(split_key(fact.data["answer"])),
        fact=fact.statement,
    )


@maker("triad_spell")
def _triad_spell(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    root = pick("roots")
    quality = pick("qualities")
    fact = answer(ChordQuery(symbol=root + TRIAD_SUFFIX[quality]))
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=f"Spell the {root} {quality} triad (root first).",
        answer_kind="notes",
        expected=list(fact.notes),
        fact=fact.statement,
    )


@maker("chord_spell")
def _chord_spell(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    symbol = pick("symbols")
    fact = answer(ChordQuery(symbol=symbol))
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=f"Spell the chord {symbol} from the bass up.",
        answer_kind="notes",
        expected=list(fact.notes),
        fact=fact.statement,
    )


@maker("roman_numeral")
def _roman_numeral(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    figure = pick("figures")
    key_name = pick("keys")
    tonic, mode = split_key(key_name)
    fact = answer(RomanQuery(figure=figure, tonic=to_music21(tonic), mode=mode))  # type: ignore[arg-type]
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=f"Spell {figure} in {key_name} (root first).",
        answer_kind="notes",
        expected=list(fact.notes),
        fact=fact.statement,
        key=key_name,
    )


@maker("compose")
def _compose(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    """A composition task: no answer to compute, the template's constraints to check."""
    key_name = pick("keys")
    prompt = (template.prompt or "").format(key=key_name)
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=prompt + " Attach a MIDI, MusicXML or ABC file, or paste ABC in your message.",
        answer_kind="composition",
        fact="",
        key=key_name,
        constraints=list(template.constraints),
    )


@maker("meter_beats")
def _meter_beats(skill: Skill, template: ExerciseTemplate, pick: _Draw) -> Exercise:
    """How a time signature groups the bar, counted by music21's own reading of the meter:
    the beats in a bar, or the notes of the next shorter value that make one beat."""
    signature = pick("meters")
    question = pick("questions")
    reading = meter_reading(signature)
    if question == "beats":
        prompt = f"How many beats are in one bar of {signature}?"
        expected = reading.beats
    else:
        prompt = f"In {signature}, how many {reading.division_name} notes make one beat?"
        expected = reading.division
    return Exercise(
        skill=skill.id,
        kind=template.kind,
        prompt=prompt,
        answer_kind="count",
        expected=[str(expected)],
        fact=reading.statement(),
        key=signature,
    )


KIND_WORDS: dict[ExerciseKind, re.Pattern[str]] = {
    "interval_name": re.compile(r"\b(?:nam(?:e|ing)|identify(?:ing)?) (?:the )?intervals?\b", re.I),
    "interval_build": re.compile(r"\b(?:build(?:ing)?|writ(?:e|ing)) (?:the )?intervals?\b", re.I),
    "scale_spell": re.compile(r"\b(?:major |minor )?scales?\b(?! degrees?)", re.I),
    "key_signature": re.compile(
        r"\bkey[- ]?signatures?\b|\bsharps\b|\bflats\b|\bcircle of fifths\b", re.I
    ),
    "relative_key": re.compile(r"\brelatives?\b", re.I),
    "triad_spell": re.compile(r"\btriads?\b", re.I),
    "chord_spell": re.compile(r"\bseventh chords?\b|\bchord symbols?\b", re.I),
    "roman_numeral": re.compile(r"\broman numerals?\b|\bnumerals?\b", re.I),
    "meter_beats": re.compile(
        r"\brhythms?\b|\bmet(?:er|re)s?\b|\btime signatures?\b|\bbeats?\b|\b\d{1,2}/\d{1,2}\b",
        re.I,
    ),
}
"""The words that ask for one kind of exercise ("quiz me on key signatures" wants key
signatures asked, not a scale spelled, though both belong to one skill)."""


def requested_kinds(text: str) -> list[ExerciseKind]:
    """The exercise kinds a request names, most specific first (a key signature is also about
    sharps; "relative" outranks the scale it relates).

    >>> requested_kinds("quiz me on key signatures! like 5 questions")
    ['key_signature']
    >>> requested_kinds("quiz me on relative minor keys"), requested_kinds("rhythm in 6/8")
    (['relative_key'], ['meter_beats'])
    >>> requested_kinds("give me an exercise")
    []
    """
    named = [kind for kind, words in KIND_WORDS.items() if words.search(text)]
    if "relative_key" in named:
        named = [k for k in named if k not in ("scale_spell", "key_signature")] + [
            k for k in named if k in ("scale_spell", "key_signature")
        ]
        named.remove("relative_key")
        named.insert(0, "relative_key")
    return named


def requested_signature(text: str) -> str | None:
    """A time signature named in the request ('6/8'), if music21 reads it as one.

    >>> requested_signature("give me a rhythm exercise in 6/8 pls"), requested_signature("hi")
    ('6/8', None)
    """
    found = re.search(r"\b(\d{1,2}/\d{1,2})\b", text)
    if found is None:
        return None
    try:
        meter_reading(found[1])
    except Exception:  # music21 raises several types for impossible meters
        return None
    return found[1]
