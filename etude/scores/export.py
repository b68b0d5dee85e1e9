"""A score written out as a file a learner can take home: MusicXML, MIDI or ABC.

music21 writes MusicXML and MIDI. It reads ABC but cannot write it, so :func:`score_to_abc`
does; ABC cannot say everything MusicXML can (several voices in one staff, grace notes), so
:func:`export_score` hands out ABC only when music21 reads the text back to the same sounding
notes (pitch, start and length in every part) and otherwise raises ``ScoreError`` saying
where they differ. A file already in the asked format is handed back as the learner sent it
(an MXL's MusicXML is unpacked, since the studio offers plain MusicXML).

Exports are as untrusted as the file they come from: callers run them in the sandbox's worker
(``etude.scores.sandbox.run_isolated``), as the studio does.
"""

from __future__ import annotations

import copy
import warnings
from fractions import Fraction
from typing import Literal, TypeVar

from music21 import base, chord, clef, converter, key, meter, note, stream, tempo
from music21.musicxml.m21ToXml import GeneralObjectExporter

from etude.scores.errors import ScoreError
from etude.scores.loading import LoadedScore

M = TypeVar("M", bound=base.Music21Object)

ExportFormat = Literal["musicxml", "midi", "abc"]

EXPORT_FORMATS: tuple[ExportFormat, ...] = ("musicxml", "midi", "abc")

SUFFIXES: dict[ExportFormat, str] = {"musicxml": ".musicxml", "midi": ".mid", "abc": ".abc"}

MEDIA_TYPES: dict[ExportFormat, str] = {
    "musicxml": "application/vnd.recordare.musicxml+xml",
    "midi": "audio/midi",
    "abc": "text/vnd.abc; charset=utf-8",
}

BARS_PER_LINE = 4
"""ABC bars written on one line: short enough to read, as a fiddler's tune book prints them."""

_ACCIDENTALS = {-2: "__", -1: "_", 0: "=", 1: "^", 2: "^^"}
_MODES = {"major": "", "minor": "m", "dorian": "dor", "phrygian": "phr", "lydian": "lyd"}
_MODES |= {"mixolydian": "mix", "locrian": "loc"}


def export_score(loaded: LoadedScore, fmt: ExportFormat, *, title: str | None = None) -> bytes:
    """The file's bytes in ``fmt``; ``ScoreError`` when the format cannot carry its notes.

    >>> from etude.scores.loading import load_score_text
    >>> tune = load_score_text("X:1\\nT:Scale\\nM:4/4\\nL:1/4\\nK:D\\nDEFG|ABcd|]", name="s.abc")
    >>> export_score(tune, "abc").startswith(b"X:1")  # an ABC file comes back as it was sent
    True
    >>> export_score(tune, "midi")[:4], b"<score-partwise" in export_score(tune, "musicxml")
    (b'MThd', True)
    """
    same = fmt == loaded.format and loaded.path.suffix.lower() != ".mxl"
    if same or (fmt == "musicxml" and loaded.format == "musicxml"):
        return loaded.source or loaded.path.read_bytes()
    if fmt == "midi":
        kept = loaded.derived.get("midi")  # the encoder's rendering, when it made one
        return kept if isinstance(kept, bytes) else midi_bytes(loaded.score, loaded.path.name)
    score = _notated(loaded)
    name = title or loaded.path.stem
    if fmt == "musicxml":
        return musicxml_bytes(score, name)
    text = score_to_abc(score, title=name)
    difference = first_difference(score, _read_abc(text))
    if difference:
        raise ScoreError(f"ABC cannot carry {loaded.path.name} note for note ({difference})")
    return text.encode("utf-8")


def midi_bytes(score: stream.Score, name: str) -> bytes:
    """Standard MIDI for ``score``, played back as music21 plays it (repeats expanded, ties
    joined); ``ScoreError`` for notation that cannot be played. Runs in the caller's process:
    inside the sandbox's worker, which may not start a worker of its own."""
    from music21.midi import translate

    try:
        return bytes(translate.streamToMidiFile(score).writestr())
    except Exception as exc:  # music21 raises many types on notation it cannot play back
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise ScoreError(f"{name} cannot be written as MIDI: {reason}") from exc


def musicxml_bytes(score: stream.Score, title: str) -> bytes:
    """MusicXML for ``score`` (a copy gets the title when the score has none)."""
    from music21 import metadata

    if not score.metadata or not score.metadata.title:
        score = copy.deepcopy(score)
        score.metadata = metadata.Metadata(title=title)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bytes(GeneralObjectExporter(score).parse())


def score_to_abc(score: stream.Score, *, title: str = "Score") -> str:
    """ABC 2.1 text for ``score``: one voice per part, bars as written, chords, rests and ties.

    Every note whose accidental differs from the key signature, or from an earlier accidental
    on the same line and octave in its bar, carries its own accidental, so the text means the
    same pitches whether a reader carries accidentals through the bar (the standard) or not.

    >>> tune = converter.parse("tinyNotation: 3/4 c4 d8 e#8 f4~ f2 r4 d'4", makeNotation=True)
    >>> print(score_to_abc(stream.Score([stream.Part(tune.elements)]), title="Tiny"))
    X:1
    T:Tiny
    M:3/4
    L:1/8
    K:C
    C2 D ^E F2- | F4 z2 | d2 |]
    <BLANKLINE>
    """
    parts: list[stream.Stream] = list(score.parts) or [score]
    signature = _first(score, meter.TimeSignature)
    mark = _first(score, tempo.MetronomeMark)
    header = ["X:1", f"T:{' '.join(title.split()) or 'Score'}"]
    header.append(f"M:{signature.ratioString if signature else '4/4'}")
    header.append("L:1/8")
    if mark is not None and mark.number:
        header.append(f"Q:1/4={round(mark.getQuarterBPM() or mark.number)}")
    header.append(f"K:{_key_text(_first(parts[0], key.KeySignature) or key.KeySignature(0))}")
    lines: list[str] = []
    for index, part in enumerate(parts):
        if len(parts) > 1:
            name = getattr(part, "partName", None) or f"Part {index + 1}"
            lines.append(f'V:{index + 1} clef={_clef_text(part)} name="{name}"')
        lines.extend(_voice_lines(part, signature))
    return "\n".join(header + lines) + "\n"


def first_difference(original: stream.Score, copy_: stream.Score) -> str:
    """Where two scores' sounding notes first differ, or "" when they are the same.

    >>> a = converter.parse("tinyNotation: 4/4 c4 d4 e4 f4")
    >>> first_difference(stream.Score([a]), stream.Score([copy.deepcopy(a)]))
    ''
    >>> b = converter.parse("tinyNotation: 4/4 c4 d4 e-4 f4")
    >>> first_difference(stream.Score([a]), stream.Score([b]))
    'part 1 differs at quarter 2'
    """
    ours, theirs = _parts(original), _parts(copy_)
    if len(ours) != len(theirs):
        return f"{len(ours)} parts became {len(theirs)}"
    for number, (left, right) in enumerate(zip(ours, theirs, strict=True), start=1):
        for a, b in zip([*left, None], [*right, None], strict=False):
            if a != b:
                where = (a or b or (0.0, 0, 0.0))[0]
                return f"part {number} differs at quarter {where:g}"
    return ""


def _parts(score: stream.Score) -> list[list[tuple[float, int, float]]]:
    parts: list[stream.Stream] = list(score.parts) or [score]
    sounding = []
    for part in parts:
        flat = part.stripTies().flatten()
        notes = [
            (
                round(float(n.getOffsetInHierarchy(flat)), 3),
                int(p.midi),
                round(float(n.quarterLength), 3),
            )
            for n in flat.notes
            if n.quarterLength > 0
            for p in n.pitches
        ]
        sounding.append(sorted(notes))
    return sounding


def _notated(loaded: LoadedScore) -> stream.Score:
    """The score with measures in every part (a split keyboard track has none), as a copy:
    the parsed score is shared with the critic through the loader's cache."""
    return loaded.score.makeNotation() if loaded.keyboard_split else copy.deepcopy(loaded.score)


def _read_abc(text: str) -> stream.Score:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = converter.parse(text, format="abc")
    if isinstance(parsed, stream.Opus):
        parsed = parsed.scores[0]
    return parsed if isinstance(parsed, stream.Score) else stream.Score([parsed])


def _first(where: stream.Stream, kind: type[M]) -> M | None:
    found = next(iter(where.recurse().getElementsByClass(kind)), None)
    return found if isinstance(found, kind) else None


def _key_text(signature: object) -> str:
    """ABC's ``K:`` value: "Bbm", "D dor", "F#".

    >>> _key_text(key.Key("b-")), _key_text(key.Key("D", "dorian")), _key_text(key.KeySignature(3))
    ('Bbm', 'Ddor', 'A')
    """
    if isinstance(signature, key.Key) and signature.mode in _MODES:
        return signature.tonic.name.replace("-", "b") + _MODES[signature.mode]
    assert isinstance(signature, key.KeySignature)
    return signature.asKey("major").tonic.name.replace("-", "b")


def _clef_text(part: stream.Stream) -> str:
    """ABC's clef for a part: a tenor line keeps its octave-treble clef."""
    found = _first(part, clef.Clef)
    if isinstance(found, clef.Treble8vbClef):
        return "treble-8"
    if isinstance(found, clef.BassClef):
        return "bass"
    if isinstance(found, clef.AltoClef):
        return "alto"
    return "treble"


def _voice_lines(part: stream.Stream, first_meter: meter.TimeSignature | None) -> list[str]:
    measures = list(part.getElementsByClass(stream.Measure))
    if not measures:
        measures = list(part.makeNotation().getElementsByClass(stream.Measure))
    current_meter = first_meter.ratioString if first_meter else "4/4"
    signature: dict[str, int] = {}
    bars: list[str] = []
    for number, measure in enumerate(measures):
        tokens: list[str] = []
        for ts in measure.getElementsByClass(meter.TimeSignature):
            if ts.ratioString != current_meter:
                current_meter = ts.ratioString
                tokens.append(f"[M:{current_meter}]")
        for ks in measure.getElementsByClass(key.KeySignature):
            fresh = {p.step: int(p.alter) for p in ks.alteredPitches}
            if number and fresh != signature:
                tokens.append(f"[K:{_key_text(ks)}]")
            signature = fresh
        bar_state: dict[tuple[str, int], int] = {}
        for element in measure.notesAndRests:
            if element.quarterLength <= 0:
                continue  # a grace note: ABC has them, this writer does not
            length = _length(element.quarterLength)
            tie = "-" if element.tie is not None and element.tie.type != "stop" else ""
            if isinstance(element, note.Rest):
                tokens.append("z" + length)
            elif isinstance(element, chord.Chord):
                inner = "".join(_pitch(p, signature, bar_state) for p in element.pitches)
                tokens.append(f"[{inner}]{length}{tie}")
            elif isinstance(element, note.Note):
                tokens.append(_pitch(element.pitch, signature, bar_state) + length + tie)
        bars.append(" ".join(tokens) or "x" + _length(measure.barDuration.quarterLength))
    lines = []
    for start in range(0, len(bars), BARS_PER_LINE):
        chunk = " | ".join(bars[start : start + BARS_PER_LINE])
        last = start + BARS_PER_LINE >= len(bars)
        lines.append(chunk + (" |]" if last else " |"))
    return lines


def _length(quarters: float | Fraction) -> str:
    """A duration as a multiple of the unit, an eighth (``L:1/8``).

    >>> [_length(q) for q in (0.5, 1.0, 0.25, 1.5, Fraction(1, 3))]
    ['', '2', '/', '3', '2/3']
    """
    ratio = Fraction(quarters).limit_denominator(96) * 2
    if ratio == 1:
        return ""
    if ratio.denominator == 1:
        return str(ratio.numerator)
    if ratio.numerator == 1 and ratio.denominator == 2:
        return "/"
    return f"{ratio.numerator}/{ratio.denominator}"


def _pitch(pitch: object, signature: dict[str, int], bar_state: dict[tuple[str, int], int]) -> str:
    """One pitch in ABC: letter case and ``,``/``'`` for the octave (``C`` is middle C), an
    accidental where a reader could otherwise take another pitch."""
    from music21 import pitch as m21pitch

    assert isinstance(pitch, m21pitch.Pitch)
    alter = int(pitch.alter)
    octave = pitch.octave if pitch.octave is not None else 4
    slot = (pitch.step, octave)
    implied = bar_state.get(slot, signature.get(pitch.step, 0))
    mark = ""
    if alter != signature.get(pitch.step, 0) or alter != implied:
        mark = _ACCIDENTALS.get(alter, "")
    bar_state[slot] = alter
    letter = pitch.step if octave <= 4 else pitch.step.lower()
    return mark + letter + "," * max(0, 4 - octave) + "'" * max(0, octave - 5)
