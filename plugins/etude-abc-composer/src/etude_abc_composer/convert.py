"""Converting between ABC, MusicXML and MIDI, with the result read back before it is returned.

music21 writes MusicXML and MIDI; ABC is written by ``abc_text.score_to_abc``. Every file is
re-read and its note count compared with the source, so a conversion that lost notes is
reported, not silently handed over.
"""

from __future__ import annotations

import re
from pathlib import Path

from music21 import converter, stream

from etude_abc_composer.abc_text import parse_abc, score_to_abc

SUFFIXES = {"abc": ".abc", "musicxml": ".musicxml", "midi": ".mid"}


def with_measures(score: stream.Score) -> stream.Score:
    """A score whose parts all have measures (flat MIDI parts get them from the meter)."""
    if all(part.getElementsByClass(stream.Measure) for part in score.parts):
        return score
    return score.makeNotation()


def _count(score: stream.Stream) -> int:
    return sum(len(getattr(n, "pitches", ())) or 1 for n in score.recurse().notes)


def safe_stem(name: str) -> str:
    """A file name stem without path or odd characters."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", Path(name).stem).strip("-")[:60] or "score"


def write_format(score: stream.Score, target: str, folder: Path, stem: str) -> tuple[Path, str]:
    """Write ``score`` as ``target`` into ``folder``; returns the path and a check message."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{safe_stem(stem)}{SUFFIXES[target]}"
    score = with_measures(score)
    back: stream.Stream
    if target == "abc":
        text = score_to_abc(score, title=stem)
        back = parse_abc(text)  # raises AbcError: unparseable ABC is never written
        path.write_text(text)
    else:
        score.write("musicxml" if target == "musicxml" else "midi", fp=str(path))
        read = converter.parse(str(path))
        back = read.scores[0] if isinstance(read, stream.Opus) else read
    source_notes, written_notes = _count(score), _count(back)
    check = (
        f"read back: {written_notes} notes, as in the source"
        if written_notes == source_notes
        else f"read back: {written_notes} notes vs {source_notes} in the source"
    )
    return path, check


def requested_formats(text: str) -> list[str]:
    """Formats a message asks files in, in order: 'midi', 'musicxml', 'abc'.

    >>> requested_formats("give me the MIDI and MusicXML files")
    ['midi', 'musicxml']
    """
    found = re.findall(r"\b(midi|musicxml|music xml|abc file)\b", text.lower())
    names = [f.replace(" ", "").replace("abcfile", "abc") for f in found]
    return list(dict.fromkeys(names))
