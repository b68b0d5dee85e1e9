"""Loading a learner's score file (MIDI, MusicXML/MXL, ABC) into one music21 score.

Everything downstream (critic, encoder) sees the same thing whatever the learner sent: a
``music21.stream.Score`` whose parts are in file order. Every way a file can be bad ends in
a ``ScoreError`` whose message is one line the learner can act on, because the CLI prints it
as ``error: ...`` and the tutor may read it aloud; no other exception type escapes.
"""

from __future__ import annotations

import io
import logging
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from music21 import converter, stream
from music21.midi import translate as midi_translate

from etude.scores.formats import EXTENSIONS, ScoreFormat, detect_format
from etude.scores.midi import (
    QUANTIZE_DIVISORS,
    MidiStructureError,
    check_midi_structure,
    is_polyphonic,
    split_keyboard_part,
)

MAX_BYTES = 20_000_000
"""Default size limit: large enough for any real score, small enough to parse in seconds."""

log = logging.getLogger(__name__)


class ScoreError(ValueError):
    """Bad input file; ``str(e)`` is one clear line for the learner."""


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

    @property
    def part_count(self) -> int:
        """Number of parts (after a keyboard split)."""
        return len(self.score.parts)


def load_score(path: str | Path, *, max_bytes: int = MAX_BYTES) -> LoadedScore:
    """Read a MIDI (type 0/1), MusicXML, MXL or ABC file into a music21 score.

    >>> load_score("/no/such/file.mid")
    Traceback (most recent call last):
    ...
    etude.scores.loading.ScoreError: file not found: /no/such/file.mid
    """
    file_path = Path(path)
    data = _read_bytes(file_path, max_bytes)
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loaded = _PARSERS[fmt](file_path, data)
    except ScoreError:
        raise
    except MidiStructureError as exc:
        raise ScoreError(str(exc)) from exc
    except Exception as exc:  # music21 raises many types on malformed input
        log.debug("parser failure for %s", file_path, exc_info=True)
        reason = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise ScoreError(f"could not read {file_path.name} as {_LABELS[fmt]}: {reason}") from exc
    score, tunes = loaded
    score = _with_notes_only(score, file_path)
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
    )


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
        return path.read_bytes()
    except OSError as exc:
        raise ScoreError(f"cannot read {path.name}: {exc.strerror or exc}") from exc


def _parse_midi(path: Path, data: bytes) -> tuple[stream.Score, int]:
    check_midi_structure(data)
    score = midi_translate.midiFilePathToStream(
        path, quantizePost=True, quarterLengthDivisors=QUANTIZE_DIVISORS
    )
    return score, 1


def _parse_musicxml(path: Path, data: bytes) -> tuple[stream.Score, int]:
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if archive.testzip() is not None:
                    raise ScoreError(f"{path.name} is a damaged MXL archive")
        except zipfile.BadZipFile as exc:
            raise ScoreError(f"{path.name} is a damaged or truncated MXL archive") from exc
        parsed = converter.parse(path, format="musicxml", forceSource=True)
    else:
        text = data.decode("utf-8", errors="replace")
        parsed = converter.parseData(text, format="musicxml")
    return _as_score(parsed), 1


def _parse_abc(path: Path, data: bytes) -> tuple[stream.Score, int]:
    text = data.decode("utf-8", errors="replace")
    tunes = sum(1 for line in text.splitlines() if line.strip().startswith("X:"))
    parsed = converter.parseData(text, format="abc")
    return _as_score(parsed), max(tunes, 1)


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
    """Drop parts without notes (MIDI conductor tracks) and refuse a score with no notes."""
    empty = [part for part in score.parts if not part.recurse().notes]
    for part in empty:
        score.remove(part)
    if not score.parts:
        raise ScoreError(f"{path.name} contains no notes")
    return score


def _split_single_keyboard(score: stream.Score) -> stream.Score:
    upper, lower = split_keyboard_part(score.parts[0])
    result = stream.Score()
    result.metadata = score.metadata
    for part in (upper, lower):
        if part.notes:
            result.insert(0, part)
    return result


_PARSERS = {"midi": _parse_midi, "musicxml": _parse_musicxml, "abc": _parse_abc}
