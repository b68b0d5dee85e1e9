"""Loading a learner's score file (MIDI, MusicXML/MXL, ABC) into one music21 score.

Everything downstream (critic, encoder) sees the same thing whatever the learner sent: a
``music21.stream.Score`` whose parts are in file order. Every way a file can be bad ends in
a ``ScoreError`` whose message is one line the learner can act on, because the CLI prints it
as ``error: ...`` and the tutor may read it aloud; no other exception type escapes.

Files are untrusted. The limits of ``etude.limits`` apply in two stages: checks on the raw
bytes before any parser runs (``etude.scores.prescan``), then the parse itself in a time- and
memory-limited worker (``etude.scores.sandbox``; in-process only for MIDI files smaller than
``Limits.inline_midi_bytes``, 0 by default).
"""

from __future__ import annotations

import contextlib
import io
import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from music21 import bar, converter, expressions, instrument, note, stream, tempo
from music21.midi import translate as midi_translate

from etude.limits import DEFAULT_LIMITS, Limits, untrusted_text
from etude.scores.errors import ScoreError
from etude.scores.formats import EXTENSIONS, ScoreFormat, detect_format
from etude.scores.midi import (
    QUANTIZE_DIVISORS,
    MidiStructureError,
    is_polyphonic,
    split_keyboard_part,
)
from etude.scores.prescan import check_xml_safety, read_mxl, scan_midi
from etude.scores.sandbox import Budget, isolation_available, parse_isolated

MAX_BYTES = DEFAULT_LIMITS.max_bytes
"""Default size limit: large enough for any real score, small enough to parse in seconds."""

MAX_BPM = 1000.0
"""Fastest tempo kept from a file; anything faster is noise from a broken file."""

log = logging.getLogger(__name__)

__all__ = ["MAX_BYTES", "LoadedScore", "ScoreError", "load_score", "load_score_text"]


@dataclass(frozen=True)
class LoadedScore:
    """A parsed score and the facts about how it was read.

    ``score`` always has at least one part with at least one note. ``keyboard_split`` is true
    when a single keyboard track was split into melody and accompaniment parts, so part 0 and
    part 1 of ``score`` then come from the same MIDI track; those two parts are flat (no
    measures: building them costs a second on a long piece), so call ``makeNotation()`` on
    them before writing them out as notation.
    """

    path: Path
    format: ScoreFormat
    score: stream.Score
    size_bytes: int
    keyboard_split: bool = False
    tunes_in_file: int = 1
    source: bytes = field(default=b"", repr=False)
    """The bytes the parser read, after the pre-checks: for MIDI the header and the declared
    tracks only, for MXL the MusicXML document. Use these, not the file, which may have
    changed since (and whose other chunks were never checked)."""
    budget: Budget = field(
        default_factory=lambda: Budget(DEFAULT_LIMITS.parse_seconds), compare=False, repr=False
    )
    """Worker time the file may still use: reading it spent some of ``parse_seconds``, playing
    it back and drawing it spend the rest (``etude.scores.sandbox``)."""
    derived: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    """What was made from the score once (its MIDI rendering, or the refusal to make it), so
    that a second turn about the same file does not pay for it again."""


def load_score(
    path: str | Path, *, max_bytes: int | None = None, limits: Limits | None = None
) -> LoadedScore:
    """Read a MIDI (type 0/1), MusicXML, MXL or ABC file into a music21 score.

    ``limits`` defaults to ``etude.limits.DEFAULT_LIMITS``; ``max_bytes`` overrides its size
    limit alone.

    >>> load_score("/no/such/file.mid")
    Traceback (most recent call last):
    ...
    etude.scores.loading.ScoreError: file not found: /no/such/file.mid
    """
    limits = limits or DEFAULT_LIMITS
    if max_bytes is not None:
        limits = limits.with_overrides(max_bytes=max_bytes)
    file_path = Path(path)
    data = _read_bytes(file_path, limits.max_bytes)
    suffix = file_path.suffix.lower()
    fmt = detect_format(data, suffix)
    if fmt is None:
        expected = EXTENSIONS.get(suffix)
        if expected is not None:
            raise ScoreError(f"{file_path.name} does not contain valid {_LABELS[expected]} data")
        raise ScoreError(
            f"{file_path.name} is not a score Etude can read (expected MIDI, MusicXML or ABC)"
        )
    try:
        source = _prechecked(fmt, file_path, data, limits)
    except MidiStructureError as exc:
        raise ScoreError(str(exc)) from exc
    parser = _Parse(fmt, limits)
    inline = fmt == "midi" and len(source) <= limits.inline_midi_bytes
    budget = Budget(limits.parse_seconds)
    if not inline and isolation_available():
        score, tunes = parse_isolated(parser, file_path, source, limits, budget)
    else:
        score, tunes = parser(file_path, source)
    split = False
    if fmt == "midi" and len(score.parts) == 1 and is_polyphonic(score.parts[0]):
        score = _split_single_keyboard(score)
        split = True
    return LoadedScore(
        path=file_path,
        format=fmt,
        score=score,
        size_bytes=len(data),
        keyboard_split=split,
        tunes_in_file=tunes,
        source=source,
        budget=budget,
    )


MAX_TEXT_BYTES = 64_000
"""Largest score accepted inside a message: a pasted tune is a few hundred bytes."""


def load_score_text(
    text: str, *, name: str = "message.abc", limits: Limits | None = None
) -> LoadedScore:
    """Read a score pasted into a message (ABC text) as :func:`load_score` reads a file:
    the same checks and the same time- and memory-limited worker, since the text is as
    untrusted as any upload.

    >>> load_score_text("X:1\\nM:3/4\\nL:1/8\\nK:G\\nG2 B2 d2 |]").score.highestTime
    3.0
    >>> load_score_text("no tune")
    Traceback (most recent call last):
    ...
    etude.scores.loading.ScoreError: message.abc is not a score Etude can read (expected ABC)
    """
    limits = limits or DEFAULT_LIMITS
    data = text.encode("utf-8")
    if len(data) > min(limits.max_bytes, MAX_TEXT_BYTES):
        raise ScoreError(f"{name} is too long for a score in a message")
    if detect_format(data, ".abc") != "abc":
        raise ScoreError(f"{name} is not a score Etude can read (expected ABC)")
    path = Path(name)
    parser = _Parse("abc", limits)
    if isolation_available():
        score, tunes = parse_isolated(parser, path, data, limits)
    else:
        score, tunes = parser(path, data)
    return LoadedScore(
        path=path,
        format="abc",
        score=score,
        size_bytes=len(data),
        tunes_in_file=tunes,
        source=data,
    )


def _prechecked(fmt: ScoreFormat, path: Path, data: bytes, limits: Limits) -> bytes:
    """The bytes the parser will read, after the checks that need no parser.

    For MIDI that is the header and the declared tracks the pre-scan counted; for MXL the
    MusicXML document inside the archive, so the parser never touches the zip (or the file
    system, where the file could have changed since it was checked).
    """
    if fmt == "midi":
        if len(data) >= 10 and data[8:10] == b"\x00\x02":
            raise ScoreError(
                f"{path.name} is a type-2 MIDI file (independent patterns), which Etude cannot "
                "read; save it as type 0 or 1"
            )
        return scan_midi(data, limits).smf
    if fmt == "musicxml":
        if data.startswith(b"PK\x03\x04"):
            data = read_mxl(data, path.name, limits)
        check_xml_safety(data, path.name)
        return data
    return data


class _Parse:
    """One format's parser with the error translation and the post-parse limits; a callable
    object rather than a closure so that it is the same code in-process and in the worker."""

    def __init__(self, fmt: ScoreFormat, limits: Limits) -> None:
        self.fmt = fmt
        self.limits = limits

    def __call__(self, path: Path, data: bytes) -> tuple[stream.Score, int]:
        chatter = io.StringIO()
        try:
            # music21 writes its parse warnings straight to sys.stderr, which would break the
            # CLI's one-``error:``-line contract; they are kept for the debug log instead.
            with warnings.catch_warnings(), contextlib.redirect_stderr(chatter):
                warnings.simplefilter("ignore")
                score, tunes = _PARSERS[self.fmt](data)
        except ScoreError:
            raise
        except MidiStructureError as exc:
            raise ScoreError(str(exc)) from exc
        except MemoryError as exc:
            raise ScoreError(f"{path.name} needs more memory to read than Etude allows") from exc
        except RecursionError as exc:
            raise ScoreError(f"{path.name} is nested too deeply to read") from exc
        except Exception as exc:  # music21 raises many types on malformed input
            log.debug("parser failure for %s", path, exc_info=True)
            text = str(exc).strip()
            reason = text.splitlines()[0][:120] if text else type(exc).__name__
            raise ScoreError(
                f"could not read {path.name} as {_LABELS[self.fmt]}: {reason}"
            ) from exc
        finally:
            if chatter.getvalue():
                log.debug("music21 on %s: %s", path.name, chatter.getvalue().strip()[:2000])
        score = _with_notes_only(score, path)
        _check_size(score, path, self.limits)
        _drop_impossible_tempi(score)
        _clean_texts(score)
        return score, tunes


def _check_size(score: stream.Score, path: Path, limits: Limits) -> None:
    """The limits that only the parsed score can tell (MusicXML and ABC have no cheap count)."""
    if len(score.parts) > limits.max_tracks:
        raise ScoreError(
            f"{path.name} has {len(score.parts)} parts; the limit is {limits.max_tracks}"
        )
    notes = sum(1 for _ in score.recurse().notes)
    if notes > limits.max_notes:
        raise ScoreError(f"{path.name} has more than {limits.max_notes:,} notes, Etude's limit")
    length = float(score.highestTime)
    if length > limits.max_duration_ql:
        raise ScoreError(
            f"{path.name} is too long ({length:,.0f} quarter notes; "
            f"the limit is {limits.max_duration_ql:,.0f})"
        )
    played = played_length(score)
    if played > limits.max_duration_ql:
        raise ScoreError(
            f"{path.name} is too long with its repeats ({played:,.0f} quarter notes; "
            f"the limit is {limits.max_duration_ql:,.0f})"
        )


def played_length(score: stream.Score) -> float:
    """How long the score lasts once its repeats are played, in quarter notes (an upper bound:
    volta endings are counted on every pass). Playing a score back builds every repetition,
    so ``<repeat times="100000000"/>`` on one bar is a file that never finishes playing.

    >>> first, second = stream.Measure(number=1), stream.Measure(number=2)
    >>> first.append(note.Note("C4", type="whole")); second.append(note.Note("G4", type="whole"))
    >>> second.rightBarline = bar.Repeat(direction="end", times=3)
    >>> tune = stream.Score([stream.Part([first, second])])
    >>> float(tune.highestTime), played_length(tune)
    (8.0, 24.0)
    """
    longest = 0.0
    for part in score.parts:
        extra = 0.0
        section = 0.0
        for measure in part.getElementsByClass(stream.Measure):
            start = float(measure.getOffsetInHierarchy(part))
            end = start + float(measure.duration.quarterLength)
            if isinstance(measure.leftBarline, bar.Repeat):
                section = start
            right = measure.rightBarline
            if isinstance(right, bar.Repeat) and right.direction == "end":
                plays = max(int(right.times if right.times is not None else 2), 1)
                extra += (plays - 1) * (end - section)
                section = end
        longest = max(longest, float(part.highestTime) + extra)
    return longest


_LABELS: dict[ScoreFormat, str] = {"midi": "MIDI", "musicxml": "MusicXML", "abc": "ABC"}


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    if not path.exists():
        raise ScoreError(f"file not found: {path}")
    if not path.is_file():
        raise ScoreError(f"not a file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise ScoreError(f"{path.name} is empty")
    if size > max_bytes:
        raise ScoreError(
            f"{path.name} is too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)"
        )
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may grow after the size check
    except OSError as exc:
        raise ScoreError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        raise ScoreError(f"{path.name} is too large (the limit is {max_bytes / 1e6:.1f} MB)")
    if not data:
        raise ScoreError(f"{path.name} is empty")
    return data


def _parse_midi(data: bytes) -> tuple[stream.Score, int]:
    score = midi_translate.midiStringToStream(
        data, quantizePost=True, quarterLengthDivisors=QUANTIZE_DIVISORS
    )
    return score, 1


def _parse_musicxml(data: bytes) -> tuple[stream.Score, int]:
    text = data.decode("utf-8", errors="replace")
    return _as_score(converter.parseData(text, format="musicxml")), 1


def _parse_abc(data: bytes) -> tuple[stream.Score, int]:
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip().startswith("X:")]
    if len(starts) > 1:
        # Only the first tune is used, so only the file header and that tune are parsed: a
        # 1,000-tune book would otherwise cost a minute.
        text = "\n".join(lines[: starts[1]]) + "\n"
    parsed = converter.parseData(text, format="abc")
    return _as_score(parsed), max(len(starts), 1)


def _as_score(parsed: stream.Stream) -> stream.Score:
    """A file holding several pieces (ABC tune books, opus files) yields its first piece."""
    if isinstance(parsed, stream.Opus):
        scores = list(parsed.scores)
        if not scores:
            raise ScoreError("the file contains no tunes")
        return scores[0]
    if isinstance(parsed, stream.Score):
        return parsed
    score = stream.Score()
    score.insert(0, parsed)
    return score


def _with_notes_only(score: stream.Score, path: Path) -> stream.Score:
    """Drop unpitched percussion and parts left without notes (MIDI conductor and drum tracks);
    refuse a score with no pitched notes.

    Etude teaches harmony and melody: a drum hit has no pitch to analyse, and every pitch-based
    computation downstream (ranges, key finding) would otherwise meet notes without pitches.
    """
    drums = list(score.recurse().getElementsByClass(_UNPITCHED))
    for element in drums:
        site = element.activeSite
        if site is not None:
            site.remove(element)
    empty = [part for part in score.parts if not part.recurse().notes]
    for part in empty:
        score.remove(part)
    if not score.parts and drums:
        raise ScoreError(
            f"{path.name} holds only drums (unpitched percussion, MIDI channel 10); "
            "Etude analyses pitched notes"
        )
    if not score.parts:
        raise ScoreError(f"{path.name} contains no notes")
    return score


_UNPITCHED = ("Unpitched", "PercussionChord")


def _clean_texts(score: stream.Score) -> None:
    """Make every text the file carries (titles, part and instrument names, lyrics, text
    expressions) short, single-line and free of control characters.

    These strings reach the critic's messages and the tutor's prompt; whoever wrote the file
    chose them, so they are data to quote, never instructions (see ``docs/SECURITY.md``).
    """
    metadata = score.metadata
    if metadata is not None:
        for attribute in ("title", "movementName", "alternativeTitle"):
            value = getattr(metadata, attribute, None)
            if value:
                setattr(metadata, attribute, untrusted_text(value))
    for part in score.parts:
        if part.partName:
            part.partName = untrusted_text(part.partName)
        if part.partAbbreviation:
            part.partAbbreviation = untrusted_text(part.partAbbreviation)
    for element in score.recurse():
        if isinstance(element, instrument.Instrument):
            for attribute in ("partName", "instrumentName", "partAbbreviation"):
                value = getattr(element, attribute, None)
                if value:
                    setattr(element, attribute, untrusted_text(value))
        elif isinstance(element, note.GeneralNote) and element.lyrics:
            for lyric in element.lyrics:
                if lyric.text:
                    lyric.text = untrusted_text(lyric.text)
        elif isinstance(element, expressions.TextExpression) and element.content:
            element.content = untrusted_text(element.content)


def _drop_impossible_tempi(score: stream.Score) -> None:
    """Remove metronome marks no performer could follow (ABC ``Q:1/4=0``, MIDI garbage): they
    carry no information and crash every later tempo computation with a division by zero."""
    for mark in list(score.recurse().getElementsByClass(tempo.MetronomeMark)):
        number = mark.number
        if number is not None and not 0 < float(number) <= MAX_BPM:
            site = mark.activeSite
            if site is not None:
                site.remove(mark)


def _split_single_keyboard(score: stream.Score) -> stream.Score:
    upper, lower = split_keyboard_part(score.parts[0])
    result = stream.Score()
    result.metadata = score.metadata
    for part in (upper, lower):
        if part.notes:
            result.insert(0, part)
    return result


_PARSERS = {"midi": _parse_midi, "musicxml": _parse_musicxml, "abc": _parse_abc}
