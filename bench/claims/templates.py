"""Template-written claims: many phrasings per claim type, true and false in about equal
shares, the false ones made the way models err.

A template only proposes a claim: a subject (``params``) and a claimed value (``value``),
either music21's answer or a mutation of it (off-by-one degree, dominant ↔ subdominant,
relative ↔ parallel, enharmonic respelling, a wrong semitone count, a wrong note in a list, a
wrong accidental count, a wrong numeral quality). The label is then *computed* by
:func:`verdict` against music21 — a mutation that happens to be right (an "enharmonic
respelling" of a natural note that is the answer) is labelled true — and ``--check`` recomputes
it with :mod:`arithmetic`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from typing import Any

import arithmetic as A
import truth as T

Item = dict[str, Any]

# -- the two engines, behind one interface ----------------------------------------------------


class Music21:
    chord = staticmethod(T.chord_notes)
    scale = staticmethod(T.scale_notes)
    semitones = staticmethod(T.semitones)
    note_at = staticmethod(T.note_at)
    relative = staticmethod(T.relative_key)
    parallel = staticmethod(T.parallel_key)
    signature = staticmethod(T.signature)
    signature_notes = staticmethod(T.signature_accidentals)
    roman = staticmethod(T.roman_chord)

    @staticmethod
    def interval(low: str, high: str) -> str:
        return T.interval_between(low, high)

    @staticmethod
    def degree(tonic: str, mode: str, which: str | int) -> str:
        if isinstance(which, int):
            return T.degree_note(tonic, mode, which)
        return T.role_note(tonic, mode, which)

    @staticmethod
    def quality(notes: list[str]) -> str:
        return T.chord_quality(notes).replace(" chord", "")

    @staticmethod
    def key_with(count: int, kind: str, mode: str) -> str:
        return T.key_with_signature(count, kind, mode)


class Arithmetic:
    chord = staticmethod(A.chord)
    scale = staticmethod(A.scale)
    semitones = staticmethod(A.semitones)
    relative = staticmethod(A.relative)
    parallel = staticmethod(A.parallel)
    signature = staticmethod(A.signature)
    signature_notes = staticmethod(A.signature_notes)
    roman = staticmethod(A.roman)
    interval = staticmethod(A.interval_code)

    @staticmethod
    def note_at(root: str, code: str, direction: str = "above") -> str:
        return A.up(root, code) if direction == "above" else A.down(root, code)

    @staticmethod
    def degree(tonic: str, mode: str, which: str | int) -> str:
        if which == "leading tone":
            return A.leading_tone(tonic, mode)
        n = which if isinstance(which, int) else T.ROLE_DEGREE[which]
        return A.degree(tonic, mode, n)

    @staticmethod
    def quality(notes: list[str]) -> str:
        return A.quality(notes).replace(" chord", "")

    @staticmethod
    def key_with(count: int, kind: str, mode: str) -> str:
        for tonic in (
            ([*T.MAJOR_TONICS, "Cb"]) if mode == "major" else ([*T.MINOR_TONICS, "A#", "Ab"])
        ):
            if A.signature(tonic, mode) == (count, kind if count else "none"):
                return tonic
        raise ValueError((count, kind, mode))


AUTHENTIC = {("V", "I"), ("V7", "I")}
CADENCE_OK: dict[str, set[tuple[str | None, str]]] = {
    "authentic": AUTHENTIC,
    "perfect": AUTHENTIC,
    "perfect authentic": AUTHENTIC,
    "plagal": {("IV", "I")},
    "deceptive": {("V", "vi"), ("V7", "vi")},
}


def verdict(kind: str, p: dict[str, Any], v: Any, E: Any) -> bool:
    """Whether the claimed value ``v`` about subject ``p`` holds, computed with engine ``E``."""
    form = p.get("form", "")
    if kind == "chord_notes":
        notes = E.chord(p["root"], p["kind"])
        if form == "has":
            return (v in notes) != p.get("negated", False)
        return sorted(v) == sorted(notes)
    if kind == "scale_notes":
        notes = E.scale(p["tonic"], p["kind"])
        if form == "has":
            return (v in notes) != p.get("negated", False)
        if form == "count":
            count, acc = v
            sharps = sum(n.count("#") for n in notes)
            flats = sum(n[1:].count("b") for n in notes)
            if acc == "none":
                return sharps == flats == 0
            return (sharps if acc == "sharps" else flats) == count
        return sorted(set(v)) == sorted(set(notes))
    if kind == "interval_semitones":
        return E.semitones(p["code"]) == v
    if kind == "interval_name":
        code = E.interval(p["low"], p["high"])
        return code in ("A4", "d5") if v == "tritone" else code == v
    if kind == "interval_note":
        return E.note_at(p["root"], p["code"], p["direction"]) == v
    if kind == "degree":
        return E.degree(p["tonic"], p["mode"], p["which"]) == v
    if kind == "relative_key":
        return tuple(E.relative(p["tonic"], p["mode"])) == tuple(v)
    if kind == "parallel_key":
        return tuple(E.parallel(p["tonic"], p["mode"])) == tuple(v)
    if kind == "key_signature":
        if form == "inverse":
            return E.key_with(p["count"], p["acc"], p["mode"]) == v
        if form == "list":
            return sorted(E.signature_notes(p["tonic"], p["mode"])) == sorted(v)
        return tuple(E.signature(p["tonic"], p["mode"])) == tuple(v)
    if kind == "roman_numeral":
        if form == "reverse":
            return sorted(E.roman(v, p["tonic"], p["mode"])) == sorted(
                E.chord(p["root"], p["chord"])
            )
        return sorted(E.chord(v[0], v[1])) == sorted(E.roman(p["figure"], p["tonic"], p["mode"]))
    if kind == "chord_quality":
        if form == "notes":
            return E.quality(p["notes"]) == v
        if form == "degree":
            # every major (or harmonic minor) key, built in thirds on the scale: the claim is
            # about all of them, so it holds only if it holds in each
            tonics = T.MAJOR_TONICS if p["scale"] == "major" else T.MINOR_TONICS
            out = set()
            for tonic in tonics:
                seven = E.scale(tonic, p["scale"])
                triad = [seven[(p["degree"] - 1 + s) % 7] for s in (0, 2, 4)]
                out.add(E.quality(triad))
            return out == {v}
        if form == "component":
            found = set()
            for root in ("C", "D", "Eb", "F#", "Bb"):
                notes = E.chord(root, p["chord"])
                member = notes[{"third": 1, "fifth": 2, "seventh": 3}[p["component"]]]
                found.add(E.interval(notes[0], member))
            return found == {v}
        raise ValueError(form)
    if kind == "cadence":
        first, last = v
        if form == "key":
            numerals = CADENCE_TABLE[p["cadence"]]
            want = [sorted(E.roman(n, p["tonic"], p["mode"])) for n in numerals]
            got = [sorted(E.chord(root, q)) for root, q in (first, last)]
            return want == got
        if p["cadence"] == "half":
            return last == "V"
        return (first, last) in CADENCE_OK[p["cadence"]]
    raise ValueError(kind)


CADENCE_TABLE = {
    "authentic": ("V", "I"),
    "perfect": ("V", "I"),
    "plagal": ("IV", "I"),
    "deceptive": ("V", "vi"),
}


def label(kind: str, params: dict[str, Any], value: Any) -> str:
    return "true" if verdict(kind, params, value, Music21) else "false"


# -- spelling things out ---------------------------------------------------------------------


class Writer:
    """Renders notes, keys and lists in the many ways learners and models write them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.style = "ascii"

    def pick_style(self) -> None:
        self.style = self.rng.choices(["ascii", "unicode", "words", "hyphen"], [6, 2, 3, 1])[0]

    def note(self, name: str) -> str:
        if len(name) == 1:
            return name
        acc = name[1:]
        if self.style == "unicode":
            return name[0] + acc.replace("##", "𝄪").replace("bb", "𝄫").replace("#", "♯").replace(
                "b", "♭"
            )
        if self.style in ("words", "hyphen"):
            word = {"#": "sharp", "b": "flat", "##": "double sharp", "bb": "double flat"}[acc]
            return f"{name[0]}{'-' if self.style == 'hyphen' else ' '}{word}"
        return name

    def key(self, tonic: str, mode: str) -> str:
        return f"{self.note(tonic)} {mode}"

    def listing(self, notes: list[str]) -> str:
        shown = [self.note(n) for n in notes]
        style = self.rng.choice(["and", "and", "comma", "dash", "oxford"])
        if style == "dash" and self.style in ("words", "hyphen"):
            style = "comma"  # "F-sharp-C-sharp" cannot be read
        if style == "comma":
            return ", ".join(shown)
        if style == "dash":
            return "–".join(shown) if self.rng.random() < 0.5 else "-".join(shown)
        if style == "oxford":
            return ", ".join(shown[:-1]) + ", and " + shown[-1]
        return ", ".join(shown[:-1]) + " and " + shown[-1]


def article(text: str) -> str:
    first = text.lstrip(" '\"")[:1]
    return ("an " if first in "AEFaeio" and text[:1] not in "u" else "a ") + text


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


NUM_WORDS = [
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
]


def count_text(n: int, word: str, rng: random.Random) -> str:
    if n == 0:
        return f"no {word}s"
    number = str(n) if rng.random() < 0.35 else NUM_WORDS[n]
    return f"{number} {word}{'s' if n != 1 else ''}"


# -- mutations: the ways models get it wrong ----------------------------------------------------


def enharmonic(note: str) -> str | None:
    """The same pitch under the neighbouring letter: A# ↔ Bb, E ↔ Fb, B ↔ Cb, C ↔ B#."""
    li, pc = A.parse(note)
    for shift in (1, -1):
        try:
            other = A.spell(li + shift, pc)
        except KeyError:  # would need a triple accidental
            continue
        if other != note and len(other) <= 2:
            if len(note) == 1 and other[1:] == "##":
                continue
            return other
    return None


def wrong_note(note: str, rng: random.Random) -> str:
    """A plausible wrong note: a semitone off by accidental, or the neighbouring letter."""
    choices = []
    li, pc = A.parse(note)
    for semis in (1, -1):
        if abs((pc + semis - A.NATURAL[note[0]] + 6) % 12 - 6) <= 2:
            choices.append(A.spell(li, pc + semis))
    for step in (1, -1):
        choices.append(A.LETTERS[(li + step) % 7] + note[1:])
    choices = [c for c in choices if c != note and len(c) <= 2 and "##" not in c and "bb" not in c]
    return rng.choice(choices)


Gen = Callable[[random.Random, Writer, bool], Iterator[Item]]

ROLES_MAJOR = list(T.ROLE_DEGREE)
ROLES_MINOR = ["tonic", "mediant", "subdominant", "dominant", "submediant", "leading tone"]


def item(
    kind: str,
    question: str,
    sentence: str,
    params: dict[str, Any],
    value: Any,
    truth_text: str,
    context: bool = False,
) -> Item:
    return {
        "type": kind,
        "question": question,
        "sentence": sentence,
        "label": label(kind, params, value),
        "truth": truth_text,
        "context": context,
        "claim": {"params": params, "value": value},
    }


# -- one generator per claim type -------------------------------------------------------------
# Each makes one sentence: `good` asks for the right value, otherwise a model-like mistake.
# The label is computed afterwards, whatever `good` was.

CHORD_SYMBOLS = {
    "major": ["", " major"],
    "minor": ["m", " minor"],
    "dominant seventh": ["7", " dominant seventh"],
    "major seventh": ["maj7", " major seventh"],
    "minor seventh": ["m7", " minor seventh"],
    "diminished": ["dim", "°", " diminished"],
    "augmented": ["aug", "+", " augmented"],
    "half-diminished seventh": ["ø7", "m7b5", " half-diminished seventh"],
    "diminished seventh": ["dim7", "°7", " diminished seventh"],
}
ROOTS = ["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb", "Ab", "Db", "F#", "C#", "Gb"]


def chord_label(
    w: Writer, root: str, kind: str, rng: random.Random, choices: list[str] | None = None
) -> str:
    """A chord's name: a symbol (``F#m7``, ``Bb°``) or words (``F sharp minor seventh``); a
    root spelled in words takes word suffixes, never ``F sharpm``."""
    suffix = rng.choice(choices or CHORD_SYMBOLS[kind])
    if w.style in ("words", "hyphen") and len(root) > 1 and not suffix.startswith(" ") and suffix:
        suffix = next(o for o in CHORD_SYMBOLS[kind] if o.startswith(" "))
    return w.note(root) + suffix


def gen_chord_notes(rng: random.Random, w: Writer, good: bool) -> Item:
    root, kind = rng.choice(ROOTS), rng.choice(list(CHORD_SYMBOLS))
    notes = T.chord_notes(root, kind)
    if any("##" in n or "bb" in n for n in notes) and rng.random() < 0.7:
        root = rng.choice(["C", "D", "G", "A", "E", "F"])
        notes = T.chord_notes(root, kind)
    name = chord_label(w, root, kind, rng)
    # "G minor" alone could be the key: word-named chords say "chord" where the phrase lacks it
    cname = name + " chord" if " " in name else name
    truth_text = f"{cap(article(name))} chord is {', '.join(notes)}."
    question = rng.choice(
        [
            f"What notes are in {article(name)} chord?",
            f"Spell {cname}.",
            f"How do I spell {article(name)} chord?",
            f"what's in {article(cname)}?",
        ]
    )
    if rng.random() < 0.25:  # membership
        member = rng.choice(notes[1:])
        negated = rng.random() < 0.3
        if not good:
            if negated:
                pass  # "doesn't have" a note it has
            else:
                member = (
                    enharmonic(member) or wrong_note(member, rng)
                    if rng.random() < 0.5
                    else wrong_note(member, rng)
                )
        elif negated:
            member = wrong_note(member, rng)
        p = {"root": root, "kind": kind, "form": "has", "negated": negated}
        if negated:
            s = rng.choice(
                [
                    f"{cap(article(name))} chord has no {w.note(member)} in it.",
                    f"There is no {w.note(member)} in {article(name)} chord.",
                    f"You won't find {w.note(member)} in {article(cname)}.",
                ]
            )
        else:
            s = rng.choice(
                [
                    f"{cap(article(name))} chord contains {w.note(member)}.",
                    f"You'll find {w.note(member)} in {article(name)} chord.",
                    f"{w.note(member)} is one of the notes of {article(cname)}.",
                    f"{cap(article(cname))} includes {article(w.note(member))}.",
                ]
            )
        return item("chord_notes", question, s, p, member, truth_text)
    claimed = list(notes)
    if not good:
        i = rng.randrange(1, len(notes))
        how = rng.random()
        if how < 0.35 and enharmonic(notes[i]):
            claimed[i] = enharmonic(notes[i])  # type: ignore[assignment]
        else:
            claimed[i] = wrong_note(notes[i], rng)
    if rng.random() < 0.2:
        rest = claimed[1:]
        rng.shuffle(rest)
        claimed = [claimed[0], *rest]
    listing = w.listing(claimed)
    p = {"root": root, "kind": kind}
    if rng.random() < 0.12:
        s = rng.choice(
            [f"The notes are {listing}.", f"It's spelled {listing}.", f"You play {listing}."]
        )
        return item("chord_notes", question, s, p, claimed, truth_text, context=True)
    s = rng.choice(
        [
            f"{cap(article(name))} chord is {listing}.",
            f"The notes of {article(name)} chord are {listing}.",
            f"{cap(article(name))} chord consists of {listing}.",
            f"{cap(article(cname))} is spelled {listing}.",
            f"To play {cname}, you'll need {listing}.",
            f"{cap(article(name))} chord (one worth memorising) is made of {listing}.",
            f"{listing} make up {article(name)} chord.",
            f"the notes in {article(cname)} are {listing}",
            f"{cap(listing)} form {article(name)} chord.",
        ]
    )
    return item("chord_notes", question, s, p, claimed, truth_text)


SCALE_KINDS = list(T.SCALES) + list(T.PENTATONIC_STEPS)


def gen_scale_notes(rng: random.Random, w: Writer, good: bool) -> Item:
    tonic = rng.choice(["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb", "Ab", "F#", "C#"])
    kind = rng.choice(SCALE_KINDS)
    notes = T.scale_notes(tonic, kind)
    if any("##" in n or "bb" in n for n in notes):
        tonic = rng.choice(["C", "D", "E", "F", "G", "A"])
        notes = T.scale_notes(tonic, kind)
    sname = f"{w.note(tonic)} {kind}"
    truth_text = f"The {tonic} {kind} scale is {', '.join(notes)}."
    question = rng.choice(
        [
            f"What notes are in the {sname} scale?",
            f"Spell the {sname} scale.",
            f"Can you tell me about the {sname} scale?",
            f"how does {sname} go?",
        ]
    )
    form = rng.choices(["list", "has", "count"], [4, 4, 3])[0]
    if form == "has":
        altered = [n for n in notes if len(n) > 1] or notes[1:]
        member = rng.choice(altered)
        negated = rng.random() < 0.25
        if good == negated:
            # a note that is not there: the natural or enharmonic of a member, or a neighbour
            member = (
                member[0]
                if len(member) > 1 and rng.random() < 0.6
                else enharmonic(member) or wrong_note(member, rng)
            )
        p = {"tonic": tonic, "kind": kind, "form": "has", "negated": negated}
        m = w.note(member)
        if negated:
            s = rng.choice(
                [
                    f"The {sname} scale has no {m}.",
                    f"There's no {m} in {sname}.",
                    f"{cap(sname)} doesn't contain {article(m)}.",
                ]
            )
        else:
            s = rng.choice(
                [
                    f"The {sname} scale has {article(m)}.",
                    f"{cap(sname)} contains {article(m)}.",
                    f"You'll find {article(m)} in the {sname} scale.",
                    f"{cap(article(m))} is part of {sname}.",
                    f"the {sname} scale uses {m}",
                ]
            )
        return item("scale_notes", question, s, p, member, truth_text)
    if form == "count":
        sharps = sum(n.count("#") for n in notes)
        flats = sum(n[1:].count("b") for n in notes)
        acc = "sharps" if sharps else "flats" if flats else "none"
        count = sharps or flats
        if not good:
            if acc == "none":
                acc, count = rng.choice(["sharps", "flats"]), rng.choice([1, 2])
            elif rng.random() < 0.3:
                acc = "flats" if acc == "sharps" else "sharps"
            else:
                count = max(0, count + rng.choice([-1, 1]))
                if count == 0:
                    count = 2
        p = {"tonic": tonic, "kind": kind, "form": "count"}
        real = "sharps" if sharps else "flats" if flats else "none"
        if rng.random() < 0.3:
            # "D dorian has no sharps" (true), "F major has no sharps" (true: it has a flat),
            # "A major has no sharps" (false)
            missing = (
                real
                if not good and real != "none"
                else (
                    "flats"
                    if real == "sharps"
                    else "sharps"
                    if real == "flats"
                    else rng.choice(["sharps", "flats"])
                )
            )
            s = rng.choice(
                [
                    f"The {sname} scale has no {missing}.",
                    f"There are no {missing} in {sname}.",
                    f"{cap(sname)} doesn't use any {missing}.",
                ]
            )
            return item("scale_notes", question, s, p, (0, missing), truth_text)
        if acc == "none" or count == 0:
            value = (0, "none")
            s = rng.choice(
                [
                    f"{cap(sname)} has no sharps or flats.",
                    f"The {sname} scale uses only white keys, with no sharps or flats.",
                    f"There are no sharps or flats in {sname}.",
                ]
            )
        else:
            value = (count, acc)
            word = acc[:-1]
            s = rng.choice(
                [
                    f"The {sname} scale has {count_text(count, word, rng)}.",
                    f"{cap(sname)} contains {count_text(count, word, rng)}.",
                    f"There {'is' if count == 1 else 'are'} "
                    f"{count_text(count, word, rng)} in {sname}.",
                ]
            )
        return item("scale_notes", question, s, p, value, truth_text)
    claimed = list(notes)
    if not good:
        i = rng.randrange(1, len(notes))
        if rng.random() < 0.35 and enharmonic(notes[i]):
            claimed[i] = enharmonic(notes[i])  # type: ignore[assignment]
        else:
            claimed[i] = wrong_note(notes[i], rng)
    listing = w.listing(claimed)
    p = {"tonic": tonic, "kind": kind, "form": "list"}
    if rng.random() < 0.12:
        return item(
            "scale_notes",
            question,
            f"The notes are {listing}.",
            p,
            claimed,
            truth_text,
            context=True,
        )
    s = rng.choice(
        [
            f"The {sname} scale is {listing}.",
            f"The notes of {sname} are {listing}.",
            f"{cap(sname)} goes {listing}.",
            f"Played from the tonic, {sname} is {listing}.",
            f"the {sname} scale: {listing}",
        ]
    )
    return item("scale_notes", question, s, p, claimed, truth_text)


STEP_NAMES = {"m2": ["half step"], "M2": ["whole step", "whole tone"]}


def gen_interval_semitones(rng: random.Random, w: Writer, good: bool) -> Item:
    code = rng.choice(T.INTERVALS)
    words = T.interval_words(code)
    if code == "A4" and rng.random() < 0.5:
        words = "tritone"
    elif code in STEP_NAMES and rng.random() < 0.3:
        words = rng.choice(STEP_NAMES[code])
    right = T.semitones(code)
    n = right
    if not good:
        n = (
            right + rng.choice([-1, 1, -1, 1, 2])
            if code not in ("M3", "m3")
            else (rng.choice([3, 6]) if code == "M3" else rng.choice([4, 2]))
        )
        n = max(1, n)
    unit = rng.choice(["semitones", "semitones", "half steps"]) if n != 1 else "semitone"
    num = str(n) if rng.random() < 0.5 else NUM_WORDS[n]
    p = {"code": code, "name": words}
    truth_text = f"{cap(article(words))} is {right} semitone{'s' if right != 1 else ''}."
    question = rng.choice(
        [
            f"How many semitones are in {article(words)}?",
            f"How big is {article(words)}?",
            f"how many half steps is {article(words)}",
        ]
    )
    if rng.random() < 0.12:
        return item(
            "interval_semitones",
            question,
            f"It spans {num} {unit}.",
            p,
            n,
            truth_text,
            context=True,
        )
    s = rng.choice(
        [
            f"{cap(article(words))} is {num} {unit}.",
            f"{cap(article(words))} spans {num} {unit}.",
            f"There are {num} {unit} in {article(words)}.",
            f"{cap(num)} {unit} make {article(words)}.",
            f"{cap(article(words))} (as measured on the keyboard) covers {num} {unit}.",
            f"you get {article(words)} by counting {num} {unit} up",
            f"{cap(article(words))} is made up of {num} {unit}.",
        ]
    )
    return item("interval_semitones", question, s, p, n, truth_text)


LOWS = ["C", "D", "E", "F", "G", "A", "B", "Bb", "Eb", "F#", "Ab", "C#", "Db"]


def gen_interval_name(rng: random.Random, w: Writer, good: bool) -> Item:
    low = rng.choice(LOWS)
    code = rng.choice([c for c in T.INTERVALS if c != "P8"])
    high = T.note_at(low, code)
    if len(high) > 2:
        low, high = "C", T.note_at("C", code)
    claimed = code
    if not good:
        alt = enharmonic(high)
        if rng.random() < 0.35 and alt:
            # the name for the sound, but the top note respelled: C to D# called a minor third
            high = alt
        else:
            swap = {"M": "m", "m": "M", "P": rng.choice(["A", "d"]), "A": "P", "d": "P"}
            claimed = swap[code[0]] + code[1:]
            if claimed not in A.INTERVALS or rng.random() < 0.3:
                number = int(code[1:]) + rng.choice([-1, 1])
                number = 3 if number < 2 else 6 if number > 7 else number
                claimed = ("P" if number in (4, 5, 8) else rng.choice("Mm")) + str(number)
    high_shown = high
    right = T.interval_between(low, high)
    words = (
        "tritone" if claimed in ("A4", "d5") and rng.random() < 0.3 else (A.interval_words(claimed))
    )
    value = "tritone" if words == "tritone" else claimed
    p = {"low": low, "high": high}
    lo, hi = w.note(low), w.note(high_shown)
    truth_text = f"{low} up to {high} is {article(T.interval_words(right))}."
    question = rng.choice(
        [
            f"What interval is {lo} to {hi}?",
            f"What's the interval from {lo} up to {hi}?",
            f"name the interval {lo}-{hi}",
        ]
    )
    if rng.random() < 0.12:
        return item(
            "interval_name",
            question,
            f"That's {article(words)}.",
            p,
            value,
            truth_text,
            context=True,
        )
    s = rng.choice(
        [
            f"{lo} to {hi} is {article(words)}.",
            f"The interval from {lo} up to {hi} is {article(words)}.",
            f"{lo} and {hi} form {article(words)} ({lo} below).",
            f"Going up from {lo} to {hi} gives you {article(words)}.",
            f"{cap(article(words))} separates {lo} from the {hi} above it.",
            f"from {lo} up to {hi} is {article(words)}",
        ]
    )
    return item("interval_name", question, s, p, value, truth_text)


def gen_interval_note(rng: random.Random, w: Writer, good: bool) -> Item:
    root = rng.choice(LOWS)
    code = rng.choice(["m2", "M2", "m3", "M3", "P4", "P5", "m6", "M6", "m7", "M7"])
    direction = "above" if rng.random() < 0.8 else "below"
    right = T.note_at(root, code, direction)
    if len(right) > 2:
        root = "D"
        right = T.note_at(root, code, direction)
    claimed = right
    if not good:
        alt = enharmonic(right)
        claimed = alt if alt and rng.random() < 0.4 else wrong_note(right, rng)
    words = T.interval_words(code)
    p = {"root": root, "code": code, "direction": direction}
    r, c = w.note(root), w.note(claimed)
    truth_text = f"{cap(article(words))} {direction} {root} is {right}."
    question = rng.choice(
        [
            f"What note is {article(words)} {direction} {r}?",
            f"What's {article(words)} {direction} {r}?",
            f"if I go {article(words)} {'up' if direction == 'above' else 'down'}"
            f" from {r}, where do I land?",
        ]
    )
    if rng.random() < 0.12:
        return item(
            "interval_note", question, f"You land on {c}.", p, claimed, truth_text, context=True
        )
    s = rng.choice(
        [
            f"{cap(article(words))} {direction} {r} is {c}.",
            f"{c} is {article(words)} {direction} {r}.",
            f"{cap(article(words))} {direction} {r} gives you {c}.",
            f"Count {article(words)} {'up' if direction == 'above' else 'down'} from {r}"
            f" and you reach {c}.",
            f"the note {article(words)} {direction} {r} is {c}",
        ]
    )
    return item("interval_note", question, s, p, claimed, truth_text)


def _random_key(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.65:
        return rng.choice(T.MAJOR_TONICS), "major"
    return rng.choice(T.MINOR_TONICS), "minor"


ROLE_SWAP = {
    "dominant": "subdominant",
    "subdominant": "dominant",
    "mediant": "submediant",
    "submediant": "mediant",
    "supertonic": "leading tone",
    "leading tone": "subtonic",
    "tonic": "dominant",
}


def gen_degree(rng: random.Random, w: Writer, good: bool) -> Item:
    tonic, mode = _random_key(rng)
    k = w.key(tonic, mode)
    if rng.random() < 0.7:
        role = rng.choice(ROLES_MAJOR if mode == "major" else ROLES_MINOR)
        which: str | int = role
        right = T.role_note(tonic, mode, role)
        label_text = f"the {role}"
        question = rng.choice(
            [
                f"What is the {role} of {k}?",
                f"What's the {role} in {k}?",
                f"which note is the {role} of {k}",
            ]
        )
    else:
        n = rng.randint(1, 7) if mode == "major" else rng.randint(1, 6)
        which = n
        right = T.degree_note(tonic, mode, n)
        ordinal = rng.choice(
            [T.ORDINALS[n - 1], f"{n}{['st', 'nd', 'rd'][n - 1] if n < 4 else 'th'}"]
        )
        label_text = f"the {ordinal} degree"
        question = rng.choice(
            [f"What is the {ordinal} degree of {k}?", f"What note is scale degree {n} in {k}?"]
        )
    claimed = right
    if not good:
        how = rng.random()
        if how < 0.4 and isinstance(which, str) and which in ROLE_SWAP:
            other = ROLE_SWAP[which]
            claimed = (
                T.role_note(tonic, mode, other)
                if other != "subtonic"
                else T.degree_note(tonic, mode, 7)
            )
        elif how < 0.6 and enharmonic(right):
            claimed = enharmonic(right)  # type: ignore[assignment]
        else:
            n = which if isinstance(which, int) else T.ROLE_DEGREE.get(which, 7)
            claimed = T.degree_note(
                tonic, mode, (n % 7) + 1 if rng.random() < 0.5 else ((n - 2) % 7) + 1
            )
        if claimed == right:
            claimed = wrong_note(right, rng)
    p = {"tonic": tonic, "mode": mode, "which": which}
    c = w.note(claimed)
    truth_text = f"{cap(label_text)} of {tonic} {mode} is {right}."
    if rng.random() < 0.15:
        s = rng.choice(
            [
                f"{cap(label_text)} is {c}.",
                f"Its {label_text[4:]} is {c}.",
                f"{c} is {label_text} here.",
            ]
        )
        return item("degree", question, s, p, claimed, truth_text, context=True)
    s = rng.choice(
        [
            f"{cap(label_text)} of {k} is {c}.",
            f"{c} is {label_text} of {k}.",
            f"In {k}, {label_text} is {c}.",
            f"{cap(label_text)} in {k} (the note we keep coming back to) is {c}.",
            f"{k}'s {label_text[4:]} is {c}.",
            f"in {k} {label_text} is {c}",
            f"You'll find that {label_text} of {k} is {c}.",
        ]
    )
    return item("degree", question, s, p, claimed, truth_text)


def gen_related_key(rng: random.Random, w: Writer, good: bool, kind: str) -> Item:
    tonic, mode = _random_key(rng)
    if mode == "minor" and tonic in ("D#",):
        tonic = "C#"
    rel = T.relative_key(tonic, mode)
    par = T.parallel_key(tonic, mode)
    right = rel if kind == "relative_key" else par
    word = "relative" if kind == "relative_key" else "parallel"
    other_mode = right[1]
    claimed = right
    if not good:
        how = rng.random()
        if how < 0.45:
            claimed = par if kind == "relative_key" else rel  # relative <-> parallel
        elif how < 0.65 and enharmonic(right[0]):
            claimed = (enharmonic(right[0]), right[1])  # type: ignore[assignment]
        elif how < 0.85:
            # the wrong direction: a minor third up instead of down (E major -> G minor)
            wrong = T.note_at(tonic, "m3", "above" if mode == "major" else "below")
            claimed = (wrong, other_mode)
        elif kind == "relative_key":
            claimed = (right[0], mode)  # right tonic, wrong mode: "C# major"
        else:
            claimed = rel
    k = w.key(tonic, mode)
    c = w.key(*claimed)
    p = {"tonic": tonic, "mode": mode}
    truth_text = f"The {word} {other_mode} of {tonic} {mode} is {right[0]} {right[1]}."
    question = rng.choice(
        [
            f"What is the {word} {other_mode} of {k}?",
            f"What's the {word} key of {k}?",
            f"Which key is the {word} {other_mode} of {k}?",
            f"{word} {other_mode} of {k}?",
        ]
    )
    if rng.random() < 0.12:
        s = rng.choice(
            [
                f"The {word} {other_mode} is {c}.",
                f"Its {word} {other_mode} is {c}.",
                f"That would be {c}.",
            ]
        )
        return item(kind, question, s, p, claimed, truth_text, context=True)
    s = rng.choice(
        [
            f"The {word} {other_mode} of {k} is {c}.",
            f"{cap(c)} is the {word} {other_mode} of {k}.",
            f"{cap(k)}'s {word} {other_mode} is {c}.",
            f"{cap(k)} and {c} are {word} keys.",
            f"The {word} {other_mode} of {k} (handy for modulating) is {c}.",
            f"the {word} {other_mode} of {k} is {c}",
        ]
    )
    return item(kind, question, s, p, claimed, truth_text)


def gen_relative(rng: random.Random, w: Writer, good: bool) -> Item:
    return gen_related_key(rng, w, good, "relative_key")


def gen_parallel(rng: random.Random, w: Writer, good: bool) -> Item:
    return gen_related_key(rng, w, good, "parallel_key")


def gen_key_signature(rng: random.Random, w: Writer, good: bool) -> Item:
    tonic, mode = _random_key(rng)
    count, acc = T.signature(tonic, mode)
    k = w.key(tonic, mode)
    sig_text = (
        "no sharps or flats" if acc == "none" else f"{count} {acc if count != 1 else acc[:-1]}"
    )
    truth_text = f"{tonic} {mode} has {sig_text}."
    question = rng.choice(
        [
            f"How many sharps or flats does {k} have?",
            f"What's the key signature of {k}?",
            f"how many sharps in {k}?",
            f"What key signature does {k} use?",
        ]
    )
    form = rng.choices(["count", "inverse", "list"], [6, 2, 2])[0]
    if form == "list" and acc != "none":
        accs = T.signature_accidentals(tonic, mode)
        claimed = list(accs)
        if not good:
            i = rng.randrange(len(accs))
            claimed[i] = rng.choice(
                [enharmonic(accs[i]) or accs[i][0], accs[i][0] + ("b" if acc == "sharps" else "#")]
            )
        p = {"tonic": tonic, "mode": mode, "form": "list"}
        if len(claimed) == 1:
            s = rng.choice(
                [
                    f"The only {acc[:-1]} in {k} is {w.note(claimed[0])}.",
                    f"{cap(k)} has one {acc[:-1]}, {w.note(claimed[0])}.",
                ]
            )
        else:
            s = rng.choice(
                [
                    f"The {acc} in {k} are {w.listing(claimed)}.",
                    f"{cap(k)}'s key signature has {w.listing(claimed)}.",
                ]
            )
        return item("key_signature", question, s, p, claimed, truth_text)
    if form == "inverse" and acc != "none":
        shown_count = count
        if not good:
            shown_count = count + rng.choice([-1, 1])
            if not 1 <= shown_count <= 7:
                shown_count = count - 1 if count == 7 else count + 1
        p = {"count": shown_count, "acc": acc, "mode": mode, "form": "inverse"}
        what = count_text(shown_count, acc[:-1], rng)
        question = f"Which {mode} key has {what}?"
        truth_text = (
            f"The {mode} key with {shown_count} {acc} is "
            f"{T.key_with_signature(shown_count, acc, mode)} {mode}."
        )
        s = rng.choice(
            [
                f"The {mode} key with {what} is {k}.",
                f"{cap(k)} is the {mode} key with {what}.",
                f"If you see {what} in a {mode} piece, it's {k}.",
            ]
        )
        return item("key_signature", question, s, p, tonic, truth_text)
    value: tuple[int, str] = (count, acc)
    if not good:
        how = rng.random()
        if acc == "none":
            value = (rng.choice([1, 2]), rng.choice(["sharps", "flats"]))
        elif how < 0.35:
            value = (count, "flats" if acc == "sharps" else "sharps")
        elif how < 0.55 and mode == "minor":
            # the parallel major's signature
            value = T.signature(tonic, "major")
            if value == (count, acc):
                value = (count + 1, acc)
        else:
            value = (max(0, count + rng.choice([-1, 1])), acc)
            if value[0] == 0:
                value = (0, "none")
    p = {"tonic": tonic, "mode": mode, "form": "count"}
    if value[1] == "none" or value[0] == 0:
        value = (0, "none")
        body = rng.choice(["no sharps or flats", "no sharps and no flats", "no accidentals"])
    else:
        body = count_text(value[0], value[1][:-1], rng)
    if rng.random() < 0.12:
        s = rng.choice([f"It has {body}.", f"The key signature has {body}."])
        return item("key_signature", question, s, p, value, truth_text, context=True)
    s = rng.choice(
        [
            f"{cap(k)} has {body}.",
            f"The key signature of {k} has {body}.",
            f"There {'is' if value[0] == 1 else 'are'} {body} in {k}.",
            f"{cap(k)} is written with {body}.",
            f"{cap(k)}'s key signature (which you'll see at the start of every line) has {body}.",
            f"in {k} there are {body}",
            f"You'll find {body} in the key signature of {k}.",
        ]
    )
    return item("key_signature", question, s, p, value, truth_text)


FIGURES_MAJOR = ["I", "ii", "iii", "IV", "V", "vi", "viio", "V7", "ii7"]
FIGURES_MINOR = ["i", "iio", "III", "iv", "V", "VI", "VII", "V7", "viio"]
TRIAD_KIND = {
    "major": "major",
    "minor": "minor",
    "diminished": "diminished",
    "augmented": "augmented",
}


def _kind_of(notes: list[str]) -> str | None:
    q = T.chord_quality(notes).replace(" chord", "")
    return q if q in T.CHORD_KINDS else None


def _degree_of(figure: str) -> int:
    numeral = figure.rstrip("7").rstrip("o°ø").lower()
    return ["i", "ii", "iii", "iv", "v", "vi", "vii"].index(numeral) + 1


def gen_roman(rng: random.Random, w: Writer, good: bool) -> Item:
    tonic, mode = _random_key(rng)
    figure = rng.choice(FIGURES_MAJOR if mode == "major" else FIGURES_MINOR)
    notes = T.roman_chord(figure, tonic, mode)
    kind = _kind_of(notes)
    if kind is None or any(len(n) > 2 for n in notes):
        tonic, mode, figure = "C", "major", rng.choice(FIGURES_MAJOR)
        notes = T.roman_chord(figure, tonic, mode)
        kind = _kind_of(notes)
    assert kind
    shown_fig = figure.replace("o", "°")
    k = w.key(tonic, mode)
    truth_text = f"{shown_fig} in {tonic} {mode} is {notes[0]} {kind} ({', '.join(notes)})."
    if rng.random() < 0.3:  # reverse: which numeral is this chord?
        fig = figure
        if not good:
            options = [
                f
                for f in (FIGURES_MAJOR if mode == "major" else FIGURES_MINOR)
                if f != figure and f.endswith("7") == figure.endswith("7")
            ]
            options = options or (["IV7", "vi7", "I7"] if mode == "major" else ["iv7", "VI7"])
            swap_case = figure.swapcase() if figure.isalpha() and "o" not in figure else None
            fig = swap_case if swap_case and rng.random() < 0.4 else rng.choice(options)
        chord_name = chord_label(
            w,
            notes[0],
            kind,
            rng,
            CHORD_SYMBOLS[kind][:1]
            if kind in ("major", "dominant seventh")
            else CHORD_SYMBOLS[kind][:2],
        )
        if " " in chord_name:
            chord_name += " chord"
        p = {"root": notes[0], "chord": kind, "tonic": tonic, "mode": mode, "form": "reverse"}
        sf = fig.replace("o", "°")
        question = rng.choice(
            [f"What numeral is {chord_name} in {k}?", f"In {k}, what is {chord_name}?"]
        )
        s = rng.choice(
            [
                f"In {k}, {chord_name} is the {sf}.",
                f"{chord_name} is the {sf} chord of {k}.",
                f"{chord_name} functions as {sf} in {k}.",
                f"in {k}, {chord_name} is {sf}",
            ]
        )
        return item("roman_numeral", question, s, p, fig, truth_text)
    claimed = (notes[0], kind)
    if not good:
        how = rng.random()
        flip = {
            "major": "minor",
            "minor": "major",
            "diminished": "minor",
            "dominant seventh": "major seventh",
            "minor seventh": "dominant seventh",
        }
        if how < 0.45 and kind in flip:
            claimed = (notes[0], flip[kind])  # wrong quality
        elif how < 0.65 and enharmonic(notes[0]):
            claimed = (enharmonic(notes[0]), kind)  # type: ignore[assignment]
        else:
            # the chord of a neighbouring degree, with its own quality
            figs = FIGURES_MAJOR if mode == "major" else FIGURES_MINOR
            other = rng.choice([f for f in figs if f != figure and not f.endswith("7")])
            onotes = T.roman_chord(other, tonic, mode)
            claimed = (onotes[0], _kind_of(onotes) or "major")
    p = {"figure": figure, "tonic": tonic, "mode": mode}
    kind_words = {
        "major": ["major", "major", ""],
        "minor": ["minor", "m"],
        "diminished": ["diminished", "°"],
        "dominant seventh": ["7", "dominant seventh"],
        "major seventh": ["major seventh", "maj7"],
        "minor seventh": ["minor seventh", "m7"],
        "augmented": ["augmented"],
        "half-diminished seventh": ["ø7"],
        "diminished seventh": ["°7"],
    }[claimed[1]]
    suffix = rng.choice(kind_words)
    chord_text = w.note(claimed[0]) + (
        f" {suffix}"
        if suffix and suffix[0].isalpha() and suffix not in ("m", "m7", "maj7")
        else suffix
    )
    # A bare root ("V in C major is G") is judged as that root's major triad, the usual reading.
    question = rng.choice(
        [
            f"What chord is {shown_fig} in {k}?",
            f"What's the {shown_fig} chord in {k}?",
            f"in {k} what is {shown_fig}",
        ]
    )
    if rng.random() < 0.12:
        s = rng.choice([f"The {shown_fig} chord is {chord_text}.", f"{shown_fig} is {chord_text}."])
        return item("roman_numeral", question, s, p, claimed, truth_text, context=True)
    s = rng.choice(
        [
            f"{shown_fig} in {k} is {chord_text}.",
            f"The {shown_fig} chord in {k} is {chord_text}.",
            f"In {k}, the {shown_fig} chord is {chord_text}.",
            f"{chord_text} is the {shown_fig} of {k}.",
            f"In {k}, {shown_fig} (the chord on scale degree {_degree_of(figure)}) is "
            f"{chord_text}.",
            f"in {k} the {shown_fig} is {chord_text}",
        ]
    )
    return item("roman_numeral", question, s, p, claimed, truth_text)


QUALITY_FLIP = {
    "major": "minor",
    "minor": "major",
    "diminished": "minor",
    "augmented": "major",
    "dominant seventh": "major seventh",
    "major seventh": "dominant seventh",
    "minor seventh": "half-diminished seventh",
    "half-diminished seventh": "diminished seventh",
    "diminished seventh": "half-diminished seventh",
}
COMPONENT_WORDS = {"third": 1, "fifth": 2, "seventh": 3}


def gen_chord_quality(rng: random.Random, w: Writer, good: bool) -> Item:
    form = rng.choices(["notes", "degree", "component"], [5, 3, 2])[0]
    if form == "notes":
        root = rng.choice(ROOTS[:11])
        kind = rng.choice(
            [
                "major",
                "minor",
                "diminished",
                "augmented",
                "dominant seventh",
                "major seventh",
                "minor seventh",
                "half-diminished seventh",
                "diminished seventh",
            ]
        )
        notes = T.chord_notes(root, kind)
        right = T.chord_quality(notes).replace(" chord", "")
        claimed = right if good else QUALITY_FLIP[right]
        listing = w.listing(notes) if rng.random() < 0.5 else " ".join(w.note(n) for n in notes)
        seventh = len(notes) == 4
        noun = "seventh chord" if seventh else "triad"
        shown = claimed.replace(" seventh", "") if seventh else claimed
        p = {"notes": notes, "form": "notes"}
        truth_text = f"{', '.join(notes)} is {article(right)}{' chord' if seventh else ' triad'}."
        question = rng.choice(
            [
                f"What kind of chord is {listing}?",
                f"What quality is {listing}?",
                f"is {listing} major or minor?",
            ]
        )
        s = rng.choice(
            [
                f"{listing} is {article(shown)} {noun}.",
                f"The chord {listing} is {article(shown)} {noun}.",
                f"Stacked up, {listing} makes {article(shown)} {noun}.",
                f"{listing} forms {article(shown)} {noun} (root position).",
            ]
        )
        return item("chord_quality", question, s, p, claimed, truth_text)
    if form == "degree":
        if rng.random() < 0.8:
            scale_kind, n = "major", rng.randint(1, 7)
            where = rng.choice(["a major key", "any major key", "major keys", "a major scale"])
        else:
            scale_kind, n = "harmonic minor", rng.choice([1, 4, 5, 6, 7])
            where = "a minor key (harmonic minor)"
        triads = {
            T.chord_quality(
                [
                    T.scale_notes("C" if scale_kind == "major" else "A", scale_kind)[
                        (n - 1 + s) % 7
                    ]
                    for s in (0, 2, 4)
                ]
            )
        }
        right = triads.pop()
        claimed = right if good else QUALITY_FLIP[right]
        # the usual diatonic numeral of a major key ("the ii chord in a major key is minor")
        numeral = ["I", "ii", "iii", "IV", "V", "vi", "vii°"][n - 1]
        ordinal = T.ORDINALS[n - 1]
        p = {"degree": n, "scale": scale_kind, "form": "degree"}
        truth_text = f"The triad on the {ordinal} degree of {where} is {right}."
        question = rng.choice(
            [
                f"Is the chord on the {ordinal} degree of {where} major or minor?",
                f"What quality is the triad on degree {n} of {where}?",
            ]
        )
        s = rng.choice(
            [
                f"The chord built on the {ordinal} degree of {where} is {claimed}.",
                f"In {where}, the triad on scale degree {n} is {claimed}.",
                f"The {numeral} chord in {where} is always {claimed}."
                if scale_kind == "major"
                else f"The chord on degree {n} in {where} is always {claimed}.",
                f"In {where} the triad on the {ordinal} degree is {claimed}",
            ]
        )
        return item("chord_quality", question, s, p, claimed, truth_text)
    kind = rng.choice(
        [
            "major",
            "minor",
            "diminished",
            "augmented",
            "dominant seventh",
            "major seventh",
            "minor seventh",
            "half-diminished seventh",
            "diminished seventh",
        ]
    )
    components = ["third", "fifth"] + (["seventh"] if "seventh" in kind else [])
    component = rng.choice(components)
    notes = T.chord_notes("C", kind)
    right = T.interval_between(notes[0], notes[COMPONENT_WORDS[component]])
    claimed = right
    if not good:
        swap = {"M": "m", "m": "M", "P": rng.choice("Ad"), "A": "P", "d": "P"}
        claimed = swap[right[0]] + right[1:]
        if claimed not in A.INTERVALS:
            claimed = {"d7": "m7", "A5": "P5"}.get(right, "M" + right[1:])
    words = A.interval_words(claimed)
    p = {"chord": kind, "component": component, "form": "component"}
    truth_text = (
        f"The {component} of {article(kind)} chord is {article(A.interval_words(right))}"
        " above the root."
    )
    question = rng.choice(
        [f"What makes {article(kind)} chord?", f"What's the {component} of {article(kind)} chord?"]
    )
    s = rng.choice(
        [
            f"{cap(article(kind))} chord has {article(words)}.",
            f"The {component} of {article(kind)} chord is {article(words)} above the root.",
            f"{cap(article(kind))} chord is built with {article(words)} from the root "
            f"to its {component}.",
        ]
    )
    if component != "third" and "has" in s:
        s = f"{cap(article(kind))} chord has {article(words)} between root and {component}."
    return item("chord_quality", question, s, p, claimed, truth_text)


CADENCE_NAMES = {
    "authentic": [
        "authentic cadence",
        "perfect cadence",
        "perfect authentic cadence",
        "full close",
    ],
    "plagal": ["plagal cadence", "'Amen' cadence"],
    "deceptive": ["deceptive cadence", "interrupted cadence"],
    "half": ["half cadence", "half close"],
}
CADENCE_WRONG = {
    "authentic": [("IV", "I"), ("V", "vi"), ("I", "V"), ("ii", "I")],
    "plagal": [("V", "I"), ("IV", "V"), ("ii", "I"), ("I", "IV")],
    "deceptive": [("V", "IV"), ("IV", "vi"), ("V", "I"), ("vi", "V")],
    "half": [(None, "I"), (None, "IV"), (None, "vi")],
}


def gen_cadence(rng: random.Random, w: Writer, good: bool) -> Item:
    cad = rng.choice(list(CADENCE_NAMES))
    name = rng.choice(CADENCE_NAMES[cad])
    key_cad = "perfect" if "perfect" in name else "authentic" if cad == "authentic" else cad
    if cad != "half" and rng.random() < 0.3:
        tonic, mode = rng.choice(T.MAJOR_TONICS[:12]), "major"
        first_fig, last_fig = CADENCE_TABLE[cad]
        if not good:
            first_fig, last_fig = rng.choice(CADENCE_WRONG[cad])
            first_fig = first_fig or "I"
        chords = []
        for fig in (first_fig, last_fig):
            notes = T.roman_chord(fig, tonic, mode)
            chords.append((notes[0], _kind_of(notes) or "major"))
        shown = [
            w.note(r) + ("" if q == "major" else " minor" if q == "minor" else "°")
            for r, q in chords
        ]
        p = {"cadence": cad, "tonic": tonic, "mode": mode, "form": "key"}
        right = [T.roman_chord(f, tonic, mode)[0] for f in CADENCE_TABLE[cad]]
        truth_text = f"In {tonic} major, {article(name)} goes {right[0]} to {right[1]}."
        k = w.key(tonic, mode)
        question = rng.choice(
            [f"What's {article(name)} in {k}?", f"How do I write {article(name)} in {k}?"]
        )
        s = rng.choice(
            [
                f"In {k}, {article(name)} goes from {shown[0]} to {shown[1]}.",
                f"{cap(article(name))} in {k} is {shown[0]} to {shown[1]}.",
                f"In {k} you'd write {article(name)} as {shown[0]} moving to {shown[1]}.",
            ]
        )
        return item("cadence", question, s, p, tuple(chords), truth_text)
    if cad == "half":
        value: tuple[str | None, str] = (None, "V")
        if not good:
            value = rng.choice(CADENCE_WRONG["half"])
        p = {"cadence": "half"}
        truth_text = f"{cap(article(name))} ends on V."
        question = rng.choice([f"What is {article(name)}?", f"Where does {article(name)} end?"])
        s = rng.choice(
            [
                f"{cap(article(name))} ends on {value[1]}.",
                f"{cap(article(name))} stops on the {value[1]} chord.",
                f"{cap(article(name))} (which sounds like a question) comes to rest on {value[1]}.",
            ]
        )
        return item("cadence", question, s, p, value, truth_text)
    first, last = CADENCE_TABLE[cad]
    if good and cad == "authentic" and rng.random() < 0.3:
        first = "V7"
    if not good:
        first, last = rng.choice(CADENCE_WRONG[cad])  # type: ignore[assignment]
    p = {"cadence": key_cad}
    truth_text = (
        f"{cap(article(name))} goes from {CADENCE_TABLE[cad][0]} to {CADENCE_TABLE[cad][1]}."
    )
    question = rng.choice(
        [
            f"What is {article(name)}?",
            f"Which chords make {article(name)}?",
            f"what's {article(name)} made of",
        ]
    )
    if rng.random() < 0.12:
        s = rng.choice([f"It goes from {first} to {last}.", f"It's {first} to {last}."])
        return item("cadence", question, s, p, (first, last), truth_text, context=True)
    s = rng.choice(
        [
            f"{cap(article(name))} goes from {first} to {last}.",
            f"{cap(article(name))} is {first} to {last}.",
            f"{cap(article(name))} is {first}–{last}.",
            f"{cap(article(name))} moves {first} to {last}.",
            f"The chords {first} and then {last} make {article(name)}.",
            f"{cap(article(name))} (you'll hear it at the ends of many phrases) is {first}"
            f" to {last}.",
        ]
    )
    return item("cadence", question, s, p, (first, last), truth_text)


GENERATORS: dict[str, Gen] = {
    "chord_notes": gen_chord_notes,  # type: ignore[dict-item]
    "scale_notes": gen_scale_notes,  # type: ignore[dict-item]
    "interval_semitones": gen_interval_semitones,  # type: ignore[dict-item]
    "interval_name": gen_interval_name,  # type: ignore[dict-item]
    "interval_note": gen_interval_note,  # type: ignore[dict-item]
    "degree": gen_degree,  # type: ignore[dict-item]
    "relative_key": gen_relative,  # type: ignore[dict-item]
    "parallel_key": gen_parallel,  # type: ignore[dict-item]
    "key_signature": gen_key_signature,  # type: ignore[dict-item]
    "roman_numeral": gen_roman,  # type: ignore[dict-item]
    "chord_quality": gen_chord_quality,  # type: ignore[dict-item]
    "cadence": gen_cadence,  # type: ignore[dict-item]
}


# -- sentences with no checkable claim -------------------------------------------------------

NONE_FIXED = [
    "Great question!",
    "Good thinking.",
    "Let's work through it together.",
    "Practise slowly with a metronome.",
    "Keep going, you're doing well!",
    "That's a really common point of confusion.",
    "Nice work on that exercise.",
    "Try singing it before you play it.",
    "Take a short break if your hands feel tired.",
    "Cadences give phrases a sense of ending.",
    "Composers use the dominant to build tension before a return home.",
    "Relative keys make smooth modulations possible.",
    "Key signatures save you from writing the same accidentals over and over.",
    "Listen for how the chord wants to resolve.",
    "Intervals are the building blocks of melody and harmony.",
    "Roman numerals let you describe a progression in any key.",
    "A deceptive cadence can keep a phrase going when the listener expects it to end.",
    "Scales are worth practising every day.",
    "Modes each have their own colour.",
    "The leading tone pulls strongly toward the tonic.",
    "Seventh chords add colour and tension to a progression.",
    "Playing chords in different inversions will train your ear.",
    "Write the notes out on staff paper first.",
    "Don't worry about speed yet.",
    "Record yourself and listen back.",
    "Say the note names out loud as you play.",
    "Start with hands separately, then put them together.",
    "Ear training takes time, so be patient with yourself.",
    "Try composing a short melody that uses this idea.",
    "Harmony is easier to hear when you play the bass line alone first.",
    "Let me know if you'd like another example.",
    "Does that make sense?",
    "Feel free to ask a follow-up question.",
    "You're on the right track.",
    "Here's a tip that helped many students.",
    "Let's take it one step at a time.",
    "Circle-of-fifths charts are handy for memorising key signatures.",
    "Chord qualities are easiest to learn by ear.",
    "Minor keys often sound darker than major keys.",
    "Every cadence is a kind of musical punctuation.",
    "Counterpoint rewards patient practice.",
    "Think of the tonic as home.",
    "The subdominant often feels like a step away from home.",
    "Borrowed chords can add surprising colour.",
    "Voice leading is about moving each part smoothly.",
    "Try analysing a simple hymn to see these ideas in action.",
    "Sight-reading improves with a little practice every day.",
    "Tap the rhythm before you play the pitches.",
    "Jazz musicians often extend these chords further.",
    "Bach chorales are full of great examples.",
    "Mozart used this trick a lot in his sonatas.",
    "Don't be afraid to experiment with different voicings.",
    "Theory describes what composers do; it doesn't dictate it.",
    "Learning the circle of fifths pays off quickly.",
    "Playing the scale in contrary motion is good for coordination.",
    "Melodies often end on a stable note.",
    "Tension and release drive most tonal music.",
    "Check your answer by playing it on a keyboard.",
    "Use a tuner if you're unsure of the pitch.",
    "A pencil and manuscript paper help a lot.",
    "The more you listen, the more you'll hear.",
    "Modulation keeps a long piece interesting.",
    "Pay attention to the bass line.",
    "Count out loud while you play.",
    "Keep your wrists relaxed.",
    "It's fine to make mistakes while learning.",
    "This is a topic many students find tricky at first.",
    "Let's build this up from the scale.",
    "Here is how you can work it out yourself.",
    "Thanks for the question!",
    "Happy practising!",
    "Intervals sound different in different registers.",
    "Chords sound fuller with the root doubled.",
    "Hearing the difference between major and minor takes practice.",
    "Key signatures appear at the start of each staff.",
    "Roman numeral analysis is a useful skill for composers.",
    "Scale degrees have names as well as numbers.",
    "The same chord can have different functions in different keys.",
    "Enharmonic spellings matter when you write music down.",
    "A metronome marking tells you the tempo.",
    "Try transposing the exercise into another key.",
    "Dynamics shape the character of a phrase.",
    "Phrases often come in pairs, like a question and an answer.",
    "Good voice leading avoids parallel fifths and octaves in chorale style.",
    "Many pop songs use only a handful of chords.",
    "The blues has its own set of conventions.",
    "Improvising over a drone is a good way to hear modes.",
    "Play the chord, then sing each note in turn.",
    "Arpeggiate the chord slowly to hear each note.",
    "You can find more examples in the knowledge articles.",
    "Let's come back to this after you've tried a few examples.",
    "A teacher can give you feedback on your posture.",
    "Warm up before long practice sessions.",
    "Learning theory will make composing faster.",
    "Spend a few minutes each day on ear training.",
    "Listen to how professional recordings shape this passage.",
]

NONE_SLOTS = [
    "Try playing the {scale} scale slowly, hands separately.",
    "Let's look at {key} next.",
    "Write a short melody in {key} and see how it feels.",
    "Play {chord} and listen to its colour.",
    "Practise {chord} in all its inversions.",
    "Compare {key} with {key2} by playing them one after the other.",
    "Can you hear the cadence at the end of the {key} example?",
    "Try improvising over the {chord} chord as a drone.",
    "Sing the {scale} scale up and down.",
    "A piece in {key} can still visit many other keys.",
    "Listen to a piece in {key} and notice the mood.",
    "Once you're comfortable with {key}, move on to {key2}.",
    "Write out the {scale} scale on manuscript paper.",
    "Play {chord} with your left hand and a melody with your right.",
    "Many famous pieces are written in {key}.",
    "Try resolving {chord} to a chord of your choice and listen.",
    "How does {chord} feel to you compared with {chord2}?",
    "We'll spell {chord} together in a moment.",
    "Let's figure out the notes of {chord} step by step.",
    "Think about which note of {key} feels most stable.",
]

NONE_QUESTIONS = [
    "How should I practise scales?",
    "Any tips for learning chords?",
    "I find theory hard.",
    "What is a cadence?",
    "Why do we learn key signatures?",
    "How do I get better at ear training?",
    "Can you help me with harmony?",
    "What's the point of roman numerals?",
    "How do I start composing?",
    "I'm confused about intervals.",
    "What is the dominant of G major?",
    "What notes are in a C major chord?",
    "How many sharps does D major have?",
    "What's the relative minor of F major?",
]


def gen_none(rng: random.Random, w: Writer) -> Item:
    if rng.random() < 0.6:
        sentence = rng.choice(NONE_FIXED)
    else:
        (t1, m1), (t2, m2) = _random_key(rng), _random_key(rng)
        r1, r2 = rng.choice(ROOTS[:11]), rng.choice(ROOTS[:11])
        k1, k2 = rng.choice(list(CHORD_SYMBOLS)), rng.choice(list(CHORD_SYMBOLS))
        sentence = rng.choice(NONE_SLOTS).format(
            scale=f"{w.note(rng.choice(ROOTS[:11]))} {rng.choice(SCALE_KINDS)}",
            key=w.key(t1, m1),
            key2=w.key(t2, m2),
            chord=chord_label(w, r1, k1, rng, CHORD_SYMBOLS[k1][:1]),
            chord2=chord_label(w, r2, k2, rng, CHORD_SYMBOLS[k2][:1]),
        )
    return {
        "type": "none",
        "question": rng.choice(NONE_QUESTIONS),
        "sentence": sentence,
        "label": "none",
        "truth": "",
        "context": False,
        "claim": None,
    }


def build(seed: int, per_type: int, n_none: int) -> list[Item]:
    """The template part of the set: ``per_type`` claims per type, half asked to be right
    (labels are computed, so the final shares differ a little), plus ``n_none`` sentences
    without a claim. Lower-cased "learner-ish" variants are mixed in."""
    rng = random.Random(seed)
    w = Writer(rng)
    items: list[Item] = []
    seen: set[tuple[str, str]] = set()
    for kind, gen in GENERATORS.items():
        made = 0
        attempts = 0
        while made < per_type and attempts < per_type * 50:
            attempts += 1
            w.pick_style()
            it = gen(rng, w, made % 2 == 0)  # type: ignore[call-arg]
            # learner-ish lower case, except where case carries meaning (V vs v, IV vs iv)
            # and where a lone note A would read as the article "a"
            if (
                kind not in ("roman_numeral", "cadence", "chord_quality")
                and not re.search(r"(?<!^)\bA\b", it["sentence"])
                and rng.random() < 0.1
            ):
                it["sentence"] = it["sentence"].lower()
                it["question"] = it["question"].lower()
            key = (it["question"], it["sentence"])
            if key in seen:
                continue
            seen.add(key)
            items.append(it)
            made += 1
    made = 0
    attempts = 0
    while made < n_none and attempts < n_none * 50:
        attempts += 1
        w.pick_style()
        it = gen_none(rng, w)
        if it["sentence"] in {i["sentence"] for i in items if i["type"] == "none"}:
            continue
        items.append(it)
        made += 1
    return items
