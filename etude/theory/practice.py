"""What to do next with a fact: one concrete, computed practice step.

A good teacher ends with something the learner can do now — play the chord and change one
note, resolve the seventh, invert the interval — and every note in that suggestion must be as
exact as the answer itself. So the next step is computed from the fact, never written freely:
it names the notes it asks the learner to play, spelled by the engine.

>>> from etude.theory import compute_facts
>>> next_step(compute_facts("spell the G major triad")[0])
'Next: play it, then lower the third a semitone — G – Bb – D is G minor — and listen to the change.'
>>> next_step(compute_facts("spell D7")[0])[:61]
'Next: resolve D7 (D – F# – A – C) to G major (G – B – D): the'
>>> next_step(compute_facts("what is the interval from C to E?")[0])
'Next: invert it — from E up to C is a minor sixth (8 semitones); together they fill the octave.'
"""

from __future__ import annotations

from music21 import interval, pitch

from etude.theory.facts import TheoryFact
from etude.theory.spelling import human, to_music21, with_article


def _m21(name: str) -> str:
    return to_music21(name) if "-" not in name else name


def _notes(names: list[str]) -> str:
    return " – ".join(human(n) for n in names)


def _shift(name: str, code: str) -> str:
    return interval.Interval(code).transposePitch(pitch.Pitch(_m21(name) + "4")).name


def _triad_step(fact: TheoryFact) -> str | None:
    tones = fact.data.get("tones") or []
    intervals = fact.data.get("intervals") or []
    if len(tones) != 3 or fact.data.get("inversion"):
        return None
    root = _m21(tones[0])
    if intervals == ["P1", "M3", "P5"]:
        other = [root, _shift(tones[0], "m3"), _m21(tones[2])]
        return (
            f"Next: play it, then lower the third a semitone — {_notes(other)} is "
            f"{human(root)} minor — and listen to the change."
        )
    if intervals == ["P1", "m3", "P5"]:
        other = [root, _shift(tones[0], "M3"), _m21(tones[2])]
        return (
            f"Next: play it, then raise the third a semitone — {_notes(other)} is "
            f"{human(root)} major — and listen to the change."
        )
    return None


def _seventh_step(fact: TheoryFact) -> str | None:
    tones = fact.data.get("tones") or []
    if fact.data.get("intervals") != ["P1", "M3", "P5", "m7"] or len(tones) != 4:
        return None
    tonic = _shift(tones[0], "P4")
    third, seventh = tones[1], tones[3]
    target = [tonic, _shift(human(tonic), "M3"), _shift(human(tonic), "P5")]
    # The chord is named, not "it": after several chords are spelled, "it" read as the last
    # one played ("Bbm7 Eb7 Abmaj7" ended with the advice to resolve Eb7).
    return (
        f"Next: resolve {human(tones[0])}7 ({_notes(tones)}) to {human(tonic)} major "
        f"({_notes(target)}): the third "
        f"{human(third)} rises a semitone to {human(_shift(third, 'm2'))} and the seventh "
        f"{human(seventh)} falls a semitone to {human(_shift(seventh, '-m2'))}."
    )


def _interval_step(fact: TheoryFact) -> str | None:
    inverse = fact.data.get("inversion")
    notes = fact.notes
    if not inverse or len(notes) != 2:
        return None
    from etude.theory.intervals import interval_words

    size = abs(interval.Interval(inverse).semitones)
    return (
        f"Next: invert it — from {notes[1]} up to {notes[0]} is "
        f"{with_article(interval_words(inverse))} ({size} semitones); together they fill the "
        "octave."
    )


def _scale_step(fact: TheoryFact) -> str | None:
    if fact.data.get("type") != "major" or len(fact.notes) != 7:
        return None
    sixth = fact.notes[5]
    rotated = fact.notes[5:] + fact.notes[:5]
    return (
        f"Next: play the same notes from {sixth} to {sixth} — {' – '.join(rotated)} — "
        f"and you have {sixth} natural minor, the relative minor."
    )


def _relative_step(fact: TheoryFact) -> str | None:
    if fact.data.get("relation") != "relative":
        return None
    return (
        f"Next: play the {fact.data.get('key')} scale, then the {fact.data.get('answer')} "
        "scale: the same notes, a different home note — listen for where each one feels at rest."
    )


def _signature_step(fact: TheoryFact) -> str | None:
    label = fact.data.get("key")
    if not isinstance(label, str) or not label.endswith("major"):
        return None
    from etude.theory.keys import make_key

    tonic = to_music21(label.split()[0])
    relative = make_key(tonic, "major").relative
    return (
        f"Next: name the minor key with the same signature — it is "
        f"{human(relative.tonic.name)} minor, a minor third below {label.split()[0]}."
    )


def _derivation_step(fact: TheoryFact) -> str | None:
    """The same chain from the key a fifth higher, with its answer to check against."""
    import re

    from etude.theory.chains import read_plan
    from etude.theory.plan import PlanError, evaluate, show

    found = list(re.finditer(r"(?<![\w#])([A-G](?:#|b)?)(?![\w#])", fact.query))
    if not found:
        return None
    last = found[-1]
    moved = human(_shift(last.group(1), "P5"))
    question = fact.query[: last.start()] + moved + fact.query[last.end() :]
    plan = read_plan(question)
    if plan is None:
        return None
    try:
        value, _ = evaluate(plan)
    except PlanError:
        return None
    return f"Next: work out {question} the same way, step by step; you should reach {show(value)}."


def _roman_step(fact: TheoryFact) -> str | None:
    figure = fact.data.get("figure")
    key_label = fact.data.get("key")
    if not figure or not key_label or figure in ("I", "i"):
        return None
    tonic_figure = "I" if str(key_label).endswith("major") else "i"
    if fact.steps and figure[:1] not in "ivIV":  # a named chromatic chord: it goes to V
        return (
            f"Next: play {figure} – V – {tonic_figure} in {key_label} and hear the chord open "
            "out onto the dominant."
        )
    if "/" in figure:  # a secondary chord: hear it lead to the chord it tonicises
        goal = figure.split("/")[1]
        return (
            f"Next: play {tonic_figure} – {figure} – {goal} – {tonic_figure} in {key_label}: "
            f"hear it lead into {goal}."
        )
    return (
        f"Next: play {tonic_figure} – {figure} – {tonic_figure} in {key_label} and sing the "
        "top line: hear where the chord pulls."
    )


def _substitution_step(fact: TheoryFact) -> str | None:
    options = fact.data.get("options") or []
    if not options:
        return None
    replaced = fact.data.get("replaces")
    if replaced:
        tried = ", then ".join([str(replaced), *options[:2]])
        return f"Next: play your passage with {tried} in that spot, and keep the colour you like."
    chords = ", then ".join(options[:3])
    return f"Next: hold the note and play {chords} under it; listen to how each colours it."


def _home_step(fact: TheoryFact) -> str | None:
    """For chords whose key was found: end them on each candidate home chord and listen;
    where no other key holds as many of them, hear the V lead home, or add it.

    >>> from etude.theory.key_finding import which_key
    >>> print(_home_step(which_key(["Em", "C", "G", "D"])))  # doctest: +NORMALIZE_WHITESPACE
    Next: play your chords and end on Em, then play them again and end on G: the ending
    that sounds finished is home — E minor if it is Em, G major if it is G.
    >>> print(_home_step(which_key(["Dm", "E7", "Am"])))  # doctest: +NORMALIZE_WHITESPACE
    Next: play E7 then Am slowly and sing G# rising to A: that half step from the leading
    tone is the pull that makes Am sound like home.
    """
    home = fact.data.get("home")
    if not isinstance(home, dict):
        return None
    rival, dominant = fact.data.get("rival"), fact.data.get("dominant")
    first = home["symbol"]
    if isinstance(rival, dict):
        second = rival["symbol"]
        return (
            f"Next: play your chords and end on {first}, then play them again and end on "
            f"{second}: the ending that sounds finished is home — {home['key']} if it is "
            f"{first}, {rival['key']} if it is {second}."
        )
    if isinstance(dominant, dict):
        return (
            f"Next: play {dominant['symbol']} then {first} slowly and sing {dominant['leading']} "
            f"rising to {dominant['tonic']}: that half step from the leading tone is the pull "
            f"that makes {first} sound like home."
        )
    return f"Next: play your chords and end on {first}, the home chord of {home['key']}."


def _meter_step(fact: TheoryFact) -> str | None:
    """For a meter: clap it while counting aloud (the count the engine wrote for it), then
    count a tune the learner knows the same way and hear whether it fits.

    >>> from etude.theory.meter import describe_meter
    >>> print(_meter_step(describe_meter("6/8")))  # doctest: +NORMALIZE_WHITESPACE
    Next: clap two bars of 6/8 while counting aloud, 1-la-li 2-la-li; then count a tune you
    know the same way and listen whether the count fits.
    """
    meter, example = fact.data.get("meter"), str(fact.data.get("example") or "")
    count = example.rsplit(": ", 1)[-1] if ": " in example else ""
    if not meter or not count:
        return None
    return (
        f"Next: clap two bars of {meter} while counting aloud, {count}; then count a tune you "
        "know the same way and listen whether the count fits."
    )


_STEPS = {
    "meter": (_meter_step,),
    "progression": (_home_step,),
    "substitution": (_substitution_step,),
    "chord": (_triad_step, _seventh_step),
    "interval": (_interval_step,),
    "scale": (_scale_step,),
    "related_keys": (_relative_step,),
    "key_signature": (_signature_step,),
    "derivation": (_derivation_step,),
    "roman_numeral": (_roman_step,),
}


def next_step(fact: TheoryFact) -> str | None:
    """One concrete next step for the learner, computed from ``fact``; None if none fits."""
    for make in _STEPS.get(fact.kind, ()):
        try:
            step = make(fact)
        except (ValueError, KeyError, TypeError, IndexError):
            continue
        if step:
            return step
    return None
