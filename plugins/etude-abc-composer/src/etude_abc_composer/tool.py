"""The ABC composer as an Etude tool: read ABC, write verified ABC, convert files.

Its evidence is authoritative: the ABC it returns was parsed by music21 and checked against
every constraint the learner stated, and the summary says which checks passed (or, after the
bounded repair loop, which one still fails), so the tutor never presents unchecked music.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from music21 import key as m21key
from music21 import stream

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest
from etude_abc_composer.abc_text import AbcError, extract_abc, parse_abc, score_to_abc
from etude_abc_composer.compose import Composition, compose
from etude_abc_composer.constraints import MODES, Constraints, parse_constraints
from etude_abc_composer.convert import requested_formats, with_measures, write_format

NAME = "abc_composer"


def _fact(summary: str, data: dict[str, object] | None = None) -> Evidence:
    return Evidence(tool=NAME, kind="fact", summary=summary, authoritative=True, data=data or {})


def output_folder(settings: Settings, request: ToolRequest) -> Path:
    """Where returned files go: per lesson, inside Etude's data directory."""
    return settings.data_dir / "abc_composer" / (request.session or "files")


def _source(request: ToolRequest) -> tuple[stream.Score | None, str]:
    """The learner's music: ABC in the message first, else the attached score."""
    text = extract_abc(request.question)
    if text is not None:
        return parse_abc(text), "the ABC in your message"
    if request.attachment is not None:
        from etude.attachments import load_attachment

        return with_measures(load_attachment(request.attachment).score), request.attachment.name
    return None, ""


def _adopt_key(c: Constraints, score: stream.Score) -> None:
    """Take key and mode from the learner's melody unless they were stated."""
    if "key" in c.stated:
        return
    found = next(iter(score.recurse().getElementsByClass(m21key.Key)), None)
    if found is None:
        found = score.analyze("key")
    c.tonic = found.tonic.name
    c.mode = MODES.get(found.mode, "major")


def _stated_checks(c: Constraints) -> str:
    labels = {
        "key": f"key {c.tonic.replace('-', 'b')}", "mode": c.mode, "meter": c.meter,
        "bars": f"{c.bars} bars", "range": "the range", "style": f"{c.style} style",
        "instrument": f"{c.instrument} range", "tempo": f"{c.tempo} bpm",
    }  # fmt: skip
    return ", ".join(labels[name] for name in c.stated) or "meter and bars"


def _composition_evidence(c: Constraints, result: Composition) -> str:
    what = {"exercise": f"{c.exercise} exercise", "harmonisation": "harmonisation"}.get(
        c.task, c.style or "melody"
    )
    checked = (
        f"music21 parsed it and it satisfies every stated constraint ({_stated_checks(c)})"
        if not result.violations
        else "still failing after the repair loop: " + "; ".join(result.violations)
    )
    article = "an" if str(c.bars).startswith("8") or c.bars in (11, 18) else "a"
    return (
        f"Here is {article} {c.bars}-bar {what} in {c.key_label().replace('-', 'b')}, {c.meter} "
        f"(ABC):\n```abc\n{result.abc}```\nChecked: {checked} "
        f"(attempt {result.attempts})."
    )


def abc_composer(request: ToolRequest, settings: Settings) -> list[Evidence]:
    c = parse_constraints(request.question)
    folder = output_folder(settings, request)
    if c.task == "convert":
        score, origin = _source(request)
        if score is None:
            return [_fact("Attach a score or paste ABC (from an X: line) to convert it.")]
        stem = Path(origin).stem if request.attachment else "converted"
        path, check = write_format(score, c.target or "musicxml", folder, stem)
        data: dict[str, object] = {"files": [str(path)], "format": c.target}
        if c.target == "abc":
            data["abc"] = path.read_text()
        return [_fact(f"Converted {origin} to {c.target}: {path} ({check}).", data)]
    melody = None
    if c.task == "harmonisation":
        melody, origin = _source(request)
        if melody is not None:
            _adopt_key(c, melody)
            bars = len(melody.parts[0].getElementsByClass(stream.Measure))
            c.bars = bars or c.bars
    seed = int(hashlib.sha256(request.question.encode()).hexdigest()[:8], 16)
    try:
        result = compose(c, seed=seed, melody=melody)
    except (AbcError, ValueError) as exc:
        return [_fact(f"I could not write that: {exc}.")]
    data = {
        "abc": result.abc,
        "constraints": c.model_dump(),
        "violations": result.violations,
        "attempts": result.attempts,
        "repairs": result.repairs,
    }
    files = []
    for fmt in requested_formats(request.question):
        path, _ = write_format(result.score, fmt, folder, f"etude-{c.task}-{seed % 10000}")
        files.append(str(path))
    evidence = _composition_evidence(c, result)
    if files:
        data["files"] = files
        evidence += " Files: " + ", ".join(files) + "."
    return [_fact(evidence, data)]


__all__ = ["abc_composer", "score_to_abc"]
