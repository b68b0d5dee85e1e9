"""Keys: signatures, relative and parallel keys, the circle of fifths, key-aware enharmonics.

All counts and accidentals come from music21's ``key.Key`` / ``key.KeySignature``; this module
only words them the way a teacher would ("E major has 4 sharps: F#, C#, G#, D#").
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from music21 import key, pitch

from etude.theory.facts import TheoryFact
from etude.theory.scales import scale_notes
from etude.theory.spelling import human

Mode = Literal["major", "minor"]
Accidental = Literal["sharp", "flat"]


@lru_cache(maxsize=256)
def make_key(tonic: str, mode: Mode) -> key.Key:
    """music21 key from a music21-spelled tonic (lower-case tonic = minor in music21).

    >>> make_key("E-", "minor").sharps
    -6
    """
    return key.Key(tonic, mode)


def key_label(tonic: str, mode: str) -> str:
    """``E-``, ``major`` → ``Eb major``.

    >>> key_label("F#", "minor")
    'F# minor'
    """
    return f"{human(tonic)} {mode}"


def _count(sharps: int) -> str:
    if sharps == 0:
        return "no sharps or flats"
    word = "sharp" if sharps > 0 else "flat"
    number = abs(sharps)
    return f"{number} {word}{'s' if number != 1 else ''}"


def key_signature(tonic: str, mode: Mode) -> TheoryFact:
    """How many sharps or flats a key has, and which, in signature order.

    >>> key_signature("E", "major").statement
    'E major has 4 sharps: F#, C#, G#, D#.'
    >>> key_signature("D", "minor").notes
    ['Bb']
    """
    k = make_key(tonic, mode)
    altered = [human(p) for p in k.alteredPitches]
    label = key_label(tonic, mode)
    statement = f"{label} has {_count(k.sharps)}"
    statement += f": {', '.join(altered)}." if altered else "."
    if abs(k.sharps) > 7:
        statement = statement[:-1] + " (a theoretical key, normally written enharmonically)."
    return TheoryFact(
        kind="key_signature",
        query=f"key signature of {label}",
        statement=statement,
        notes=altered,
        data={"key": label, "sharps": k.sharps, "accidentals": altered},
    )


def keys_with(count: int, accidental: Accidental) -> TheoryFact:
    """Which major and minor key have a given signature.

    >>> print(keys_with(3, "flat").statement)  # doctest: +NORMALIZE_WHITESPACE
    The key signature with 3 flats (Bb, Eb, Ab) belongs to Eb major
    and its relative minor C minor.
    """
    sharps = count if accidental == "sharp" else -count
    signature = key.KeySignature(sharps)
    major = signature.asKey("major")
    minor = signature.asKey("minor")
    altered = [human(p) for p in signature.alteredPitches]
    shown = f" ({', '.join(altered)})" if altered else ""
    statement = (
        f"The key signature with {_count(sharps)}{shown} belongs to "
        f"{key_label(major.tonic.name, 'major')} and its relative minor "
        f"{key_label(minor.tonic.name, 'minor')}."
    )
    return TheoryFact(
        kind="key_signature",
        query=f"key with {_count(sharps)}",
        statement=statement,
        notes=[human(major.tonic.name), human(minor.tonic.name)],
        data={
            "sharps": sharps,
            "major": key_label(major.tonic.name, "major"),
            "minor": key_label(minor.tonic.name, "minor"),
            "accidentals": altered,
        },
    )


def relative_key(tonic: str, mode: Mode) -> TheoryFact:
    """The relative major/minor: same signature, tonic a minor third apart.

    >>> relative_key("F", "major").statement
    'The relative minor of F major is D minor (both have 1 flat).'
    """
    k = make_key(tonic, mode)
    other = k.relative
    other_mode = "minor" if mode == "major" else "major"
    label, other_label = key_label(tonic, mode), key_label(other.tonic.name, other_mode)
    statement = (
        f"The relative {other_mode} of {label} is {other_label} (both have {_count(k.sharps)})."
    )
    return TheoryFact(
        kind="related_keys",
        query=f"relative {other_mode} of {label}",
        statement=statement,
        notes=[human(tonic), human(other.tonic.name)],
        data={"relation": "relative", "key": label, "answer": other_label},
    )


def parallel_key(tonic: str, mode: Mode) -> TheoryFact:
    """The parallel major/minor: same tonic, different signature.

    >>> print(parallel_key("C", "major").statement)  # doctest: +NORMALIZE_WHITESPACE
    The parallel minor of C major is C minor
    (C major has no sharps or flats; C minor has 3 flats).
    """
    other_mode: Mode = "minor" if mode == "major" else "major"
    k, other = make_key(tonic, mode), make_key(tonic, other_mode)
    label, other_label = key_label(tonic, mode), key_label(tonic, other_mode)
    statement = (
        f"The parallel {other_mode} of {label} is {other_label} "
        f"({label} has {_count(k.sharps)}; {other_label} has {_count(other.sharps)})."
    )
    return TheoryFact(
        kind="related_keys",
        query=f"parallel {other_mode} of {label}",
        statement=statement,
        notes=[human(tonic)],
        data={"relation": "parallel", "key": label, "answer": other_label},
    )


_CIRCLE_MAJORS = ["C", "G", "D", "A", "E", "B", "F#", "D-", "A-", "E-", "B-", "F"]


def circle_of_fifths(tonic: str | None = None, mode: Mode = "major") -> TheoryFact:
    """The circle of fifths, or one key's place on it (neighbours a fifth either side).

    >>> circle_of_fifths().notes[:4]
    ['C', 'G', 'D', 'A']
    >>> print(circle_of_fifths("G").statement)  # doctest: +NORMALIZE_WHITESPACE
    On the circle of fifths, G major (1 sharp) lies between C major (a fifth below, its
    subdominant) and D major (a fifth above, its dominant); its relative minor is E minor.
    """
    if tonic is None:
        order = [human(n) for n in _CIRCLE_MAJORS]
        statement = (
            "Circle of fifths (major keys, clockwise, each a perfect fifth higher and one sharp "
            "more or one flat fewer): C – G – D – A – E – B – F# (= Gb) – Db – Ab – Eb – Bb – F "
            "– back to C; the relative minors in the same order: A – E – B – F# – C# – G# – "
            "D# (= Eb) – Bb – F – C – G – D."
        )
        return TheoryFact(
            kind="circle_of_fifths",
            query="circle of fifths",
            statement=statement,
            notes=order,
            data={"order": order},
        )
    k = make_key(tonic, mode)
    above = make_key(pitch.Pitch(tonic).transpose("P5").name, mode)
    below = make_key(pitch.Pitch(tonic).transpose("-P5").name, mode)
    relative = k.relative
    label = key_label(tonic, mode)
    statement = (
        f"On the circle of fifths, {label} ({_count(k.sharps)}) lies between "
        f"{key_label(below.tonic.name, mode)} (a fifth below, its subdominant) and "
        f"{key_label(above.tonic.name, mode)} (a fifth above, its dominant); its relative "
        f"{'minor' if mode == 'major' else 'major'} is "
        f"{key_label(relative.tonic.name, 'minor' if mode == 'major' else 'major')}."
    )
    return TheoryFact(
        kind="circle_of_fifths",
        query=f"{label} on the circle of fifths",
        statement=statement,
        notes=[human(tonic), human(below.tonic.name), human(above.tonic.name)],
        data={
            "key": label,
            "subdominant": key_label(below.tonic.name, mode),
            "dominant": key_label(above.tonic.name, mode),
        },
    )


def enharmonic(note: str, tonic: str | None = None, mode: Mode = "major") -> TheoryFact:
    """Other names of the same pitch, and which spelling a key uses.

    In a key the right name is the one whose letter is the scale degree (F# in D major, Gb
    in Db major); a chromatic note follows the signature's direction.

    >>> enharmonic("F#").statement
    'F# is enharmonically equivalent to Gb and E## (same pitch, different spelling).'
    >>> enharmonic("F#", "D-").statement
    'F# and Gb are the same pitch (enharmonic). In Db major it is spelled Gb (scale degree 4).'
    """
    p = pitch.Pitch(note)
    others = [q.name for q in p.getAllCommonEnharmonics() if q.name != p.name]
    others.sort(key=lambda n: (len(n), n))
    shown = [human(n) for n in others]
    listing = " and ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 1 else shown)
    statement = (
        f"{human(note)} is enharmonically equivalent to {listing} (same pitch, different spelling)."
    )
    data: dict[str, object] = {"note": human(note), "equivalents": shown}
    notes = [human(note), *shown]
    if tonic is not None:
        # With a key the question is which spelling to use: name only that one (and the
        # learner's), so the fact never puts a wrong-in-context spelling in the tutor's mouth.
        statement = f"{human(note)} and {shown[0]} are the same pitch (enharmonic)."
        k = make_key(tonic, mode)
        degrees = scale_notes(tonic, "major" if mode == "major" else "natural minor")
        spelled = None
        for index, name in enumerate(degrees):
            if pitch.Pitch(name).pitchClass == p.pitchClass:
                spelled = name
                statement += (
                    f" In {key_label(tonic, mode)} it is spelled {human(name)} "
                    f"(scale degree {index + 1})."
                )
                break
        if spelled is None:
            candidates = [p.name, *others]
            preferred = [c for c in candidates if ("-" in c) == (k.sharps < 0) and len(c) <= 2]
            spelled = (preferred or [p.name])[0]
            statement += (
                f" It is not in {key_label(tonic, mode)}; as a chromatic note there "
                f"it is usually written {human(spelled)}."
            )
        data["in_key"] = human(spelled)
        notes = [human(spelled)]
    return TheoryFact(
        kind="enharmonic",
        query=f"enharmonic of {human(note)}",
        statement=statement,
        notes=notes,
        data=data,
    )
