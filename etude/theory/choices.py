"""Multiple-choice questions: the options found and set apart, the stem computed, one picked.

A question pasted with its options ("What is the relative minor of Bb?\\nA) G minor\\nB) D
minor …", or on one line "A) 6 B) 5 C) 4 D) 3") is two things: a question the engine can
compute, and a list of given answers. The options must never reach the question readers as
part of the question — "A) 6" would be read as the chord A6, "A) C B) Bb" as the notes A C B
Bb — so :func:`read_choices` splits them off first. The stem is then computed as any question
is (:func:`etude.theory.calculator.solve`, or a solver the caller hands in, such as the
critic's for a tune in the message), and every option is read as a value
(:mod:`etude.theory.options`) and compared with the answer *by value*: the option "G – B – D"
matches the chord G major however the question named it.

>>> choices = read_choices("What is the relative minor of Bb major?\\nA) D minor\\nB) G minor"
...                        "\\nC) C minor\\nD) G major")
>>> choices.stem, [label for label, _ in choices.options]
('What is the relative minor of Bb major?', ['A', 'B', 'C', 'D'])
>>> print(answer_choices("What is the relative minor of Bb major? A) D minor B) G minor "
...                      "C) C minor D) G major").statement)
Answer: B) G minor
The relative minor of Bb major is G minor.

The answer is exactly one option: its first line is ``Answer: B) …`` and the computed steps
travel in the fact's ``steps``. When no option matches, the fact says so plainly; when the
stem cannot be computed, there is no fact at all (and nothing is picked).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from etude.theory.calculator import Solution, solve
from etude.theory.facts import TheoryFact
from etude.theory.options import Reading, read_option
from etude.theory.plan import (
    Chord,
    Count,
    Degree,
    Interval,
    Key,
    Meter,
    Note,
    Notes,
    Numeral,
    Signature,
    Value,
    chord_of,
    chord_roles,
    show,
)
from etude.theory.spelling import human, notes_in, pitch_class

Solver = Callable[[str], Solution | None]

_LINE = re.compile(r"^\s*(?:\((?P<a>[A-Ha-h1-8])\)|(?P<b>[A-Ha-h1-8])[).:])\s+(?P<text>\S.*?)\s*$")
_INLINE = {
    "paren": r"(?:(?<=^)|(?<=[\s|,;]))\(?(?P<label>[A-Ha-h1-8])\)\s*",
    "dot": r"(?:(?<=^)|(?<=[\s|,;]))(?P<label>[A-Ha-h1-8])[.:]\s+",
}
_SEQUENCES = ("ABCDEFGH", "abcdefgh", "12345678")
_OPTIONS_WORD = re.compile(r"\b(?:options|choices|answers)\s*:\s*$", re.I)
_NEGATIVE = re.compile(
    r"\b(?:not|isn't|isnt|doesn't|doesnt|outside|except|foreign to|does not|is not)\b", re.I
)
_MEMBERSHIP = re.compile(
    r"\b(?:not in|n't in|is in|are in|belongs?|belonging|diatonic|part of|outside|found in"
    r"|contained in|occurs? in|appears? in|of these notes|of these chords)\b",
    re.I,
)


@dataclass(frozen=True)
class Choices:
    """A multiple-choice question: the stem, and the options as (label, text) in order."""

    stem: str
    options: tuple[tuple[str, str], ...]


def read_choices(text: str) -> Choices | None:
    """The options of a multiple-choice question and its stem, or None if there are none.

    Options stand one per line (``A) …``, ``A. …``, ``(A) …``, ``a) …``, ``1) …``) or on
    one line (``A) 6 B) 5 C) 4 D) 3``, ``A) 6 | B) 5 | …``), after the stem or after
    "Options:". Labels must run in order from the first (A, B, C…), and numbered lines count
    as options only after a question, so a numbered list in a message is not taken for one.

    >>> read_choices("Which is the dominant of C? (A) G (B) F (C) D").options
    (('A', 'G'), ('B', 'F'), ('C', 'D'))
    >>> read_choices("Semitones in a tritone? Options: a. six | b. five | c. four").options
    (('a', 'six'), ('b', 'five'), ('c', 'four'))
    >>> read_choices("My plan:\\n1. write a melody\\n2. harmonise it") is None
    True
    """
    lines = text.splitlines()
    found = _by_lines(lines) or _inline(lines)
    if found is None:
        return None
    stem, options = found
    stem = _OPTIONS_WORD.sub("", stem.rstrip()).rstrip()
    numbered = options[0][0] == "1"
    if numbered and not re.search(r"\?|\b(?:which|what|how|choose|pick)\b", stem, re.I):
        return None
    if not stem.strip():
        return None
    return Choices(stem.strip(), tuple(options))


def _by_lines(lines: list[str]) -> tuple[str, list[tuple[str, str]]] | None:
    for start, line in enumerate(lines):
        match = _LINE.match(line)
        if match is None:
            continue
        label = match["a"] or match["b"]
        sequence = next((s for s in _SEQUENCES if s[0] == label), None)
        if sequence is None:
            continue
        options = [(label, match["text"])]
        for later in lines[start + 1 :]:
            if not later.strip():
                continue
            following = _LINE.match(later)
            expected = sequence[len(options)] if len(options) < len(sequence) else None
            if following is None or (following["a"] or following["b"]) != expected:
                break
            options.append((expected, following["text"]))
        if len(options) >= 2:
            return "\n".join(lines[:start]), options
    return None


def _inline(lines: list[str]) -> tuple[str, list[tuple[str, str]]] | None:
    for index, line in enumerate(lines):
        for pattern in _INLINE.values():
            marks = list(re.finditer(pattern, line))
            for first, mark in enumerate(marks):
                sequence = next((s for s in _SEQUENCES if s[0] == mark["label"]), None)
                if sequence is None:
                    continue
                chosen = [mark]
                for later in marks[first + 1 :]:
                    if len(chosen) < len(sequence) and later["label"] == sequence[len(chosen)]:
                        chosen.append(later)
                if len(chosen) < 3:
                    continue
                options = []
                for number, item in enumerate(chosen):
                    end = chosen[number + 1].start() if number + 1 < len(chosen) else len(line)
                    options.append((item["label"], line[item.end() : end].strip(" |,;\t")))
                if all(text for _, text in options):
                    stem = "\n".join([*lines[:index], line[: chosen[0].start()]])
                    return stem, options
    return None


# ----------------------------------------------------------------------------- matching


def _suffix(chord: Chord) -> str:
    return chord.symbol[len(human(chord.root)) :].split("/")[0]


def _chord_match(answer: Chord, reading: Reading) -> int:
    """3: the same notes in the same order from the bass (an inversion, "C/E" as E G C);
    2: the same chord spelled the same; 1: the same sound; 0: another chord."""
    from etude.theory.chords import parse_symbol, voiced

    if reading.chord is not None:
        other = reading.chord
        spec = parse_symbol(answer.symbol)
        if len(reading.notes) >= 3 and spec is not None and list(reading.notes) == voiced(spec):
            return 3
        if set(other.tones) == set(answer.tones) and other.root == answer.root:
            return 2
        if {pitch_class(t) for t in other.tones} == {pitch_class(t) for t in answer.tones}:
            return 1
    return 0


def _figure_match(answer: Numeral, reading: Reading) -> int:
    figure = reading.numeral
    chord = answer.chord
    if figure is None or chord is None:
        return 0
    letters = "CDEFGAB"
    degree = (letters.index(chord.root[0]) - letters.index(answer.key.tonic[0])) % 7 + 1
    return 2 if degree == figure.degree and _suffix(chord) in figure.qualities else 0


def _value_match(value: Value, reading: Reading, solution: Solution) -> int:
    """How well an option names the computed answer: 2 exactly, 1 by sound only, 0 not."""
    match value:
        case Degree() if reading.degree is not None:
            number, leading = reading.degree
            return 2 if number == value.number and (number != 7 or leading == value.leading) else 0
        case Note() | Degree():
            name = value.name if isinstance(value, Note) else value.note
            if len(reading.notes) == 1:
                if reading.notes[0] == name:
                    return 2
                return 1 if pitch_class(reading.notes[0]) == pitch_class(name) else 0
            return 0
        case Key():
            if reading.key is not None:
                if reading.key == value:
                    return 2
                same_sound = pitch_class(reading.key.tonic) == pitch_class(value.tonic)
                return 1 if same_sound and reading.key.mode == value.mode else 0
            return 0
        case Chord():
            if solution.asks == "quality":
                return 2 if reading.quality == _suffix(value) else 0
            return _chord_match(value, reading)
        case Interval():
            if len(reading.notes) == 2:  # "C-F#": the interval from the first up to the second
                return 2 if _interval_of(*reading.notes) == value.name else 0
            return 2 if reading.interval == value.name else 0
        case Count():
            return 2 if reading.number == value.value else 0
        case Signature():
            if reading.signature is None and reading.number is not None:  # "how many sharps"
                return 2 if reading.number == abs(value.sharps) else 0
            return 2 if reading.signature == value.sharps else 0
        case Numeral():
            return _figure_match(value, reading)
        case Meter():
            return 2 if reading.meter == value.text else 0
        case Notes() if value.what == "enharmonics":
            return 2 if len(reading.notes) == 1 and reading.notes[0] in value.names else 0
        case Notes():
            if len(reading.notes) >= 2 and len(reading.notes) == len(value.names):
                if list(reading.notes) == list(value.names):
                    return 2
                return 1 if set(reading.notes) == set(value.names) else 0
    return 0


def _interval_of(low: str, high: str) -> str:
    from etude.theory.plan import Between, Literal, evaluate

    value, _ = evaluate(Between(Literal(Note(low)), Literal(Note(high))))
    return value.name if isinstance(value, Interval) else ""


def _members(value: Value) -> tuple[str, ...] | None:
    """The notes a membership question tests against: a scale, a key's scale, a chord."""
    from etude.theory.scales import scale_notes

    match value:
        case Notes() if value.what != "enharmonics":
            return value.names
        case Key():
            form = "major" if value.mode == "major" else "natural minor"
            return tuple(scale_notes(value.tonic, form))
        case Chord():
            return value.tones
    return None


def _membership(
    solution: Solution, stem: str, readings: list[Reading]
) -> tuple[list[int], str] | None:
    """For "which of these notes is not in …" (or "… is in …"): the options that fit, and
    why. Spelling counts first (A# is not in D minor); sound breaks a tie."""
    members = _members(solution.value)
    if members is None or not _MEMBERSHIP.search(stem):
        return None
    asks_chords = re.search(r"\b(?:chords?|triads?|harmon(?:y|ies))\b", stem, re.I) is not None
    single_notes = all(len(r.notes) == 1 for r in readings)
    chords = all(r.chord is not None and r.key is None for r in readings) or all(
        len(r.notes) >= 3 for r in readings
    )
    if not (single_notes or (chords and asks_chords and not isinstance(solution.value, Chord))):
        return None
    negative = bool(_NEGATIVE.search(stem))

    def inside(reading: Reading, by_sound: bool) -> bool:
        names = reading.notes
        if reading.chord is not None and len(reading.notes) != 1:
            names = reading.chord.tones
        elif asks_chords and len(reading.notes) == 1:  # "which chord …? A) F#": F# major
            names = chord_of(human(reading.notes[0])).tones
        if by_sound:
            sounds = {pitch_class(m) for m in members}
            return all(pitch_class(n) in sounds for n in names)
        return all(n in members for n in names)

    for by_sound in (False, True):
        fit = [i for i, r in enumerate(readings) if inside(r, by_sound) != negative]
        if len(fit) == 1 or (fit and by_sound):
            break
    outside = [r.text for r in readings if not inside(r, False)]
    within = [r.text for r in readings if inside(r, False)]
    where = show(solution.value) if isinstance(solution.value, Notes) else None
    shown = where or ", ".join(human(m) for m in members)
    reason = f"{solution.subject[:1].upper()}{solution.subject[1:]}: {shown}. "
    if negative:
        reason += f"Not in it: {', '.join(outside) or 'none'}; in it: {', '.join(within)}."
    else:
        reason += f"In it: {', '.join(within) or 'none'}; not in it: {', '.join(outside)}."
    return fit, reason


# ----------------------------------------------------------------------------- answering


def pick(choices: Choices, solution: Solution) -> TheoryFact:
    """The option that names the computed answer, as a fact whose first line is
    ``Answer: X) text``; or, if none does, a fact that says so and gives the answer.

    >>> from etude.theory.calculator import solve
    >>> choices = read_choices("How many semitones is a P5? A) 6 B) 5 C) 7 D) 8")
    >>> pick(choices, solve(choices.stem)).statement.splitlines()[0]
    'Answer: C) 7'
    """
    readings = [read_option(text) for _, text in choices.options]
    membership = _membership(solution, choices.stem, readings)
    if membership is not None:
        fit, reason = membership
        chosen = fit[:1]
        extra = fit[1:]
    else:
        reason = solution.sentence
        chosen, extra, best = _best(solution.value, readings, solution)
        for other in solution.readings if best < 2 else ():
            found = _best(other, readings, solution)
            if found[2] > best:
                chosen, extra, best = found
                reason += f" The same notes also make {_reading(other)}."
        if chosen and best == 3:
            reason += f" From the bass up: {choices.options[chosen[0]][1]}."
        if chosen and best == 1:
            reason += f" Option {choices.options[chosen[0]][0]} names the same sound."
    if not chosen:
        statement = f"None of the options matches: {_lower_first(solution.sentence)}"
        letter, text = None, None
    else:
        letter, text = choices.options[chosen[0]]
        statement = f"Answer: {letter}) {text}\n{reason}"
        if extra:
            others = " and ".join(f"option {choices.options[i][0]}" for i in extra)
            statement += f" ({others} also fits; the first is given.)"
    lines = list(solution.steps)
    if isinstance(solution.value, Chord) and chosen and solution.asks == "value":
        named = readings[chosen[0]]
        if named.chord is not None and not named.notes:  # "C major": name it from its root
            lines.append(f"{_reading(solution.value)}: {chord_roles(solution.value)}.")
    return TheoryFact(
        kind="choice",
        query=solution.subject,
        statement=statement,
        notes=list(dict.fromkeys(notes_in(" ".join([reason, *lines])))),
        data={
            "choice": letter,
            "option": text,
            "answer": show(solution.value),
            "depth": solution.depth,
            "options": dict(choices.options),
        },
        steps=lines,
    )


def _best(
    value: Value, readings: list[Reading], solution: Solution
) -> tuple[list[int], list[int], int]:
    """The options that name ``value`` best: (the first, the others as good, how well)."""
    scores = [_value_match(value, r, solution) for r in readings]
    best = max(scores)
    fit = [i for i, score in enumerate(scores) if score == best and best > 0]
    return fit[:1], fit[1:], best


def _reading(value: Value) -> str:
    """A chord as its notes and its name ("D – F – Ab – C, the half-diminished seventh chord
    on D (Dm7b5)"); any other value as shown."""
    if isinstance(value, Chord):
        tones = " – ".join(human(t) for t in value.tones)
        kind = value.quality.removeprefix(human(value.root) + " ")
        return f"{tones}, the {kind} on {human(value.root)} ({value.symbol})"
    return show(value)


def _lower_first(text: str) -> str:
    """A sentence continued after a colon: "The relative…" → "the relative…" (a note name
    or a key keeps its capital)."""
    return "t" + text[1:] if text.startswith("The ") else text


def stem_of(question: str) -> str:
    """The question without its options (itself if it has none): what to look up.

    >>> stem_of("Which is a fifth? A) C-G B) C-E C) C-D")
    'Which is a fifth?'
    """
    choices = read_choices(question)
    return choices.stem if choices is not None else question


def answer_choices(question: str, solver: Solver | None = None) -> TheoryFact | None:
    """The picked option of a multiple-choice question, or None: when it has no options, or
    when its stem cannot be computed (then nothing is picked; the tutor answers from what it
    knows). ``solver`` computes the stem instead of the theory engine (the critic's, for a
    tune in the message).

    >>> answer_choices("What is the relative minor of C?") is None
    True
    >>> answer_choices("Why do we avoid parallel fifths? A) weak B) loud C) old") is None
    True
    """
    choices = read_choices(question)
    if choices is None:
        return None
    solution = (solver or solve)(choices.stem)
    if solution is None:
        return None
    return pick(choices, solution)
