"""ABC notation out of music21 scores, and ABC found in a learner's message.

music21 reads ABC but cannot write it, so this module does. The writer spells every note by
the key signature and writes an explicit accidental whenever a note differs from the key
signature or from an earlier accidental in its bar: the text then means the same pitches
whether a reader carries accidentals through the bar (the ABC standard) or not (some parsers),
and the round trip through music21 is exact.
"""

from __future__ import annotations

import re
from fractions import Fraction

from music21 import chord, converter, key, meter, note, stream, tempo

_UNITS = (Fraction(1, 8), Fraction(1, 16), Fraction(1, 48))
_ABC_START = re.compile(r"^X:\s*\d+", re.MULTILINE)
_MODE_ABBREVIATIONS = {
    "major": "", "minor": "m", "dorian": " dor", "phrygian": " phr", "lydian": " lyd",
    "mixolydian": " mix", "locrian": " loc",
}  # fmt: skip


class AbcError(ValueError):
    """ABC text music21 cannot read (the message is one line for the learner)."""


def extract_abc(text: str) -> str | None:
    """The ABC tune inside a message: a fenced block or everything from an ``X:`` line.

    >>> extract_abc("harmonise this please:\\nX:1\\nK:G\\nGABc d2B2|")
    'X:1\\nK:G\\nGABc d2B2|'
    >>> extract_abc("no tune here") is None
    True
    """
    fenced = re.search(r"```(?:abc)?\s*\n(.*?)```", text, re.DOTALL)
    if fenced and re.search(r"^K:", fenced.group(1), re.MULTILINE):
        return fenced.group(1).strip()
    start = _ABC_START.search(text)
    if start and re.search(r"^K:", text[start.start() :], re.MULTILINE):
        return text[start.start() :].strip()
    return None


def parse_abc(text: str) -> stream.Score:
    """Parse ABC with music21 into a Score with at least one note, or raise ``AbcError``."""
    try:
        parsed = converter.parse(text, format="abc")
    except Exception as exc:  # music21 raises many types on bad ABC
        raise AbcError(f"music21 could not read the ABC ({type(exc).__name__}: {exc})") from exc
    if isinstance(parsed, stream.Opus):
        parsed = parsed.scores[0]
    if not isinstance(parsed, stream.Score):
        score = stream.Score()
        score.insert(0, parsed)
        parsed = score
    if not parsed.recurse().notes:
        raise AbcError("the ABC has no notes")
    return parsed


def key_field(tonic: str, mode: str) -> str:
    """ABC ``K:`` value for a key: 'D dor', 'Bbm', 'F#'.

    >>> key_field("B-", "natural minor"), key_field("D", "dorian"), key_field("A", "harmonic minor")
    ('Bbm', 'D dor', 'Am')
    """
    name = tonic.replace("-", "b")
    base = "minor" if "minor" in mode else mode
    return name + _MODE_ABBREVIATIONS.get(base, "")


def _unit(durations: list[Fraction]) -> Fraction:
    for unit in _UNITS:
        if all((d / unit).denominator == 1 for d in durations):
            return unit
    return _UNITS[-1]


def _length(duration: Fraction, unit: Fraction) -> str:
    ratio = duration / unit
    if ratio == 1:
        return ""
    if ratio.denominator == 1:
        return str(ratio.numerator)
    return f"{ratio.numerator}/{ratio.denominator}"


def _pitch_text(p: object, signature: dict[str, int], bar_state: dict[tuple[str, int], int]) -> str:
    from music21 import pitch as m21pitch

    assert isinstance(p, m21pitch.Pitch)
    alter = int(p.alter)
    octave = p.octave if p.octave is not None else 4
    slot = (p.step, octave)
    current = bar_state.get(slot, signature.get(p.step, 0))
    prefix = ""
    if alter != signature.get(p.step, 0) or current != alter:
        prefix = {-2: "__", -1: "_", 0: "=", 1: "^", 2: "^^"}[alter]
    bar_state[slot] = alter
    letter = p.step.upper() if octave <= 4 else p.step.lower()
    marks = "," * max(0, 4 - octave) + "'" * max(0, octave - 5)
    return prefix + letter + marks


def _signature(ks: key.KeySignature) -> dict[str, int]:
    return {p.step: int(p.alter) for p in ks.alteredPitches}


def score_to_abc(
    score: stream.Score,
    *,
    title: str = "Etude",
    key_text: str | None = None,
    clefs: list[str] | None = None,
) -> str:
    """ABC text for a score: one voice per part, measures as written, rests and chords kept.

    Durations are written in the coarsest unit that expresses them all (1/8, 1/16, or 1/48
    for triplets); ties and dynamics are not carried over.
    """
    parts: list[stream.Stream] = list(score.parts) or [score]
    first = parts[0]
    ts = next(iter(first.recurse().getElementsByClass(meter.TimeSignature)), None)
    ks = next(iter(first.recurse().getElementsByClass(key.KeySignature)), None) or key.KeySignature(
        0
    )
    mm = next(iter(score.recurse().getElementsByClass(tempo.MetronomeMark)), None)
    if key_text is None:
        if isinstance(ks, key.Key):
            key_text = key_field(ks.tonic.name, ks.mode)
        else:
            key_text = key_field(ks.asKey("major").tonic.name, "major")
    signature = _signature(ks)
    items = [e for part in parts for e in part.recurse().notesAndRests]
    unit = _unit([Fraction(e.duration.quarterLength).limit_denominator(48) / 4 for e in items])
    header = ["X:1", f"T:{title}", f"M:{ts.ratioString if ts else '4/4'}", f"L:{unit}"]
    if mm is not None and mm.number:
        header.append(f"Q:1/4={round(mm.getQuarterBPM() or mm.number)}")
    header.append(f"K:{key_text}")
    body: list[str] = []
    for index, part in enumerate(parts):
        clef = (clefs or [])[index] if clefs and index < len(clefs) else ""
        if len(parts) > 1:
            body.append(f"V:{index + 1}" + (f" clef={clef}" if clef else ""))
        measures: list[stream.Stream] = list(part.getElementsByClass(stream.Measure)) or [part]
        bars: list[str] = []
        for measure in measures:
            state: dict[tuple[str, int], int] = {}
            tokens = []
            for element in measure.notesAndRests:
                length = _length(
                    Fraction(element.duration.quarterLength).limit_denominator(48) / 4, unit
                )
                if isinstance(element, note.Rest):
                    tokens.append("z" + length)
                elif isinstance(element, chord.Chord):
                    inner = "".join(_pitch_text(p, signature, state) for p in element.pitches)
                    tokens.append(f"[{inner}]{length}")
                elif isinstance(element, note.Note):
                    tokens.append(_pitch_text(element.pitch, signature, state) + length)
            bars.append(" ".join(tokens))
        body.append(" | ".join(bars) + " |]")
    return "\n".join(header + body) + "\n"
