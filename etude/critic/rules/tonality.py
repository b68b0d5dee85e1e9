"""Notes against the key: unexplained chromatic notes and leading tones that do not resolve.

A chromatic note is fine when the ear hears it as decoration or as a leading tone into the
next note: a passing note between two steps, a neighbour returning to its note, a note that
resolves by a semitone, or a tone of an applied dominant that goes to its goal chord.
Anything else sounds like a wrong note, so it is reported.
"""

from __future__ import annotations

from music21 import pitch

from etude.critic.harmony import TEMPLATES
from etude.critic.report import Finding
from etude.critic.rules.common import RuleContext
from etude.critic.texture import LineNote


def is_decoration(previous: LineNote | None, current: LineNote, following: LineNote | None) -> bool:
    """Whether a chromatic note is a passing note, a neighbour or a semitone resolution.

    >>> c, cs, d = LineNote(0, 1, 60, "C4"), LineNote(1, 2, 61, "C#4"), LineNote(2, 3, 62, "D4")
    >>> is_decoration(c, cs, d), is_decoration(None, cs, None)
    (True, False)
    """
    if following is not None and abs(following.midi - current.midi) == 1:
        return True
    if previous is None or following is None:
        return False
    into, out = current.midi - previous.midi, following.midi - current.midi
    passing = 0 < abs(into) <= 2 and 0 < abs(out) <= 2 and into * out > 0
    neighbour = previous.midi == following.midi and 0 < abs(into) <= 2
    return passing or neighbour


APPLIED_QUALITIES = ("major", "dominant seventh")
LEADING_TONE_QUALITIES = ("diminished", "diminished seventh", "half-diminished seventh")


def is_applied_chord_tone(context: RuleContext, current: LineNote) -> bool:
    """Whether a chromatic note belongs to an applied (secondary) dominant that resolves.

    A V/x or viio/x chord borrows a leading tone from the key of x; the note is explained
    when the chord sounding with it is such a chord and the next chord is its goal (a fifth
    below a dominant's root, a semitone above a leading-tone chord's root).
    """
    index = context.chord_at(current.start)
    if index is None:
        return False
    here = context.harmony[index]
    root = _pitch_class(here.root)
    members = {(root + i) % 12 for i in TEMPLATES[here.quality]}
    if current.midi % 12 not in members:
        return False
    goal = next(
        (
            h
            for h in context.harmony[index + 1 :]
            if (h.root, h.quality) != (here.root, here.quality)
        ),
        None,
    )
    if goal is None:
        return False
    step = (_pitch_class(goal.root) - root) % 12
    if here.quality in APPLIED_QUALITIES:
        return step == 5
    return here.quality in LEADING_TONE_QUALITIES and step == 1


def is_picardy_third(context: RuleContext, current: LineNote) -> bool:
    """The major third of a major tonic chord in a minor key or minor-third mode (a tierce
    de Picardie: a dorian tune may end on a major chord just as a minor chorale does)."""
    tonality = context.tonality_at(current.start)
    index = context.chord_at(current.start)
    if not tonality.minor_third or index is None:
        return False
    here = context.harmony[index]
    major_tonic = _pitch_class(here.root) == tonality.tonic and here.quality == "major"
    return major_tonic and current.midi % 12 == (tonality.tonic + 4) % 12


def _pitch_class(name: str) -> int:
    return pitch.Pitch(name[0] + name[1:].replace("b", "-")).pitchClass


def check_out_of_key(context: RuleContext) -> list[Finding]:
    """Notes outside the local key that are not decoration.

    The key's collection decides: minor allows the raised 6 and 7, a declared mode only its
    own notes (B natural is in D dorian, B flat is not)."""
    findings = []
    for line in context.piece.lines:
        notes = line.notes
        for index, current in enumerate(notes):
            tonality = context.tonality_at(current.start)
            if current.midi % 12 in tonality.allowed:
                continue
            previous = _neighbour(notes, index, -1)
            following = _neighbour(notes, index, +1)
            if (
                is_decoration(previous, current, following)
                or is_applied_chord_tone(context, current)
                or is_picardy_third(context, current)
            ):
                continue
            lower, upper = tonality.name(current.midi - 1), tonality.name(current.midi + 1)
            in_key = [
                name
                for name, midi in ((lower, current.midi - 1), (upper, current.midi + 1))
                if midi % 12 in tonality.allowed
            ]
            fix = f"use {' or '.join(in_key)} instead" if in_key else "choose a note of the key"
            key_name = f"{tonality.key.tonic.name.replace('-', 'b')} {tonality.mode}"
            findings.append(
                context.finding(
                    "out_of_key",
                    current.start,
                    [line.part],
                    "warning",
                    f"{current.name} in the {line.label} at {context.where(current.start)} is "
                    f"outside {key_name} and is neither a passing nor a neighbour note: {fix}, "
                    "or let it resolve by a semitone.",
                )
            )
    return findings


def check_leading_tone(context: RuleContext) -> list[Finding]:
    """The melody's leading tone leaping away instead of rising to the tonic (or stepping down).

    Judged in the local key (``RuleContext.tonality_at``): in a passage that has moved to
    the dominant, the main key's leading tone is that key's third, not a tendency tone. A
    local key's leading tone is judged only when it is the main key's too or an accidental
    in it (F# in a passage in G of a piece in C): a phrase read as C major inside G major,
    with no F natural to say so, does not make its B a tendency tone. When
    the harmony is known, the leading tone owes its resolution only as a tone of the local
    dominant (V, V7, vii°) whose harmony then moves to a chord holding the tonic
    (``owes_resolution``)."""
    line = context.piece.top
    findings = []
    for index, current in enumerate(line.notes):
        tonality = context.tonality_at(current.start)
        if current.midi % 12 != tonality.leading_tone:
            continue
        if current.midi % 12 != context.tonality.leading_tone and (
            current.midi % 12 in context.tonality.allowed
        ):
            continue  # a note of the main key leads elsewhere only when an accidental says so
        following = _neighbour(line.notes, index, +1)
        if following is None or following.midi == current.midi:
            continue
        step = following.midi - current.midi
        if following.midi % 12 == tonality.tonic or -2 <= step < 0:
            continue
        if context.harmony and not owes_resolution(context, current, following, tonality.tonic):
            continue
        tonic = tonality.name(current.midi + 1)
        findings.append(
            context.finding(
                "unresolved_leading_tone",
                current.start,
                [line.part],
                "warning",
                f"The leading tone {current.name} in the {line.label} at "
                f"{context.where(current.start)} moves to {following.name} instead of rising "
                f"to the tonic {tonic}. Let it resolve up to {tonic}.",
            )
        )
    return findings


def owes_resolution(
    context: RuleContext, current: LineNote, following: LineNote, tonic: int
) -> bool:
    """Whether a leading tone, read with the harmony, must rise to the tonic here: it sounds as
    a tone of the key's dominant (the third of V or V7, the root of vii°), and the next note
    comes over a new chord that holds the tonic. Within the same dominant harmony it may
    move to another of its tones (V to V7) and resolve later in another voice; a dominant
    going to a chord without the tonic (G7 to C#° on the way to D minor) is leading
    elsewhere, and a leading tone over another chord (iii, or an applied V/vi on it) is no
    tendency tone."""
    index = context.chord_at(current.start)
    after = context.chord_at(following.start)
    if index is None or after is None:
        return True  # no harmony read here: judged on the line alone
    here, then = context.harmony[index], context.harmony[after]
    root = _pitch_class(here.root)
    dominant = (root - tonic) % 12 == 7 and here.quality in APPLIED_QUALITIES
    leading = (root - tonic) % 12 == 11 and here.quality in LEADING_TONE_QUALITIES
    if not (dominant or leading):
        return False
    if _pitch_class(then.root) == root:
        return False
    goal = {(_pitch_class(then.root) + i) % 12 for i in TEMPLATES[then.quality]}
    return tonic in goal


def _neighbour(notes: list[LineNote], index: int, step: int) -> LineNote | None:
    """The adjacent note in a line, or None across a rest or the line's end."""
    other = index + step
    if not 0 <= other < len(notes):
        return None
    first, second = (notes[other], notes[index]) if step < 0 else (notes[index], notes[other])
    return notes[other] if second.start - first.end <= 1e-6 else None
