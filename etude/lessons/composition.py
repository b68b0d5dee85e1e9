"""Checking a composition against its task: one verdict per constraint, each located.

The critic (``analyze_score``) already knows the key, bars, cadences, phrases, modulations and
every rule finding; this module only compares that report, and the melody line, with what the
task asked for. A task is passed when every constraint is, and each failure says where (bar,
beat) and what to change, because "your cadence is weak" teaches less than "bar 8 ends on C,
the fourth degree; end on G approached from A or F#".
"""

from __future__ import annotations

import re
import tempfile
from itertools import pairwise
from pathlib import Path

from music21 import pitch

from etude.critic.analysis import analyze_score
from etude.critic.report import AnalysisReport
from etude.critic.texture import LineNote, Piece, build_piece, readable
from etude.lessons.curriculum import Constraint, split_key
from etude.lessons.drills import CheckResult, ConstraintResult
from etude.lessons.exercises import Exercise
from etude.scores.loading import LoadedScore, load_score

_DEGREE_NAMES = {0: "1st (tonic)", 2: "2nd", 4: "3rd", 5: "4th", 7: "5th", 9: "6th", 11: "7th"}
_ABC_HEADER = re.compile(r"^\s*K:\s*\S", re.MULTILINE)


def abc_in_text(text: str) -> str | None:
    """ABC notation pasted into a message (from the first header line on), or None.

    >>> abc_in_text("here is my tune\\nX:1\\nM:4/4\\nK:G\\nGABc|d4|]")[:3]
    'X:1'
    >>> abc_in_text("what is a cadence?") is None
    True
    """
    if not _ABC_HEADER.search(text):
        return None
    start = re.search(r"^\s*[XTMLKQ]:", text, re.MULTILINE)
    body = text[start.start() :].strip() if start else text.strip()
    if not body.lstrip().startswith("X:"):
        body = "X:1\n" + body
    return body + "\n"


def load_submission(text: str, attachment: Path | None, workdir: Path) -> LoadedScore | None:
    """The learner's score: the attached file, else ABC pasted in the message, else None."""
    if attachment is not None:
        return load_score(attachment)
    abc = abc_in_text(text)
    if abc is None:
        return None
    workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".abc", dir=workdir, delete=False, encoding="utf-8"
    ) as handle:
        handle.write(abc)
    return load_score(handle.name)


def _tonic_pc(key_name: str) -> int:
    tonic, _ = split_key(key_name)
    return pitch.Pitch(tonic.replace("b", "-") if len(tonic) > 1 else tonic).pitchClass


def _where(piece: Piece, note: LineNote) -> tuple[int, float, str]:
    bar, beat = piece.meter.locate(note.start)
    return bar, beat, f"bar {bar}, beat {beat:g}"


def _degree(note: LineNote, tonic_pc: int) -> str:
    return _DEGREE_NAMES.get((note.midi - tonic_pc) % 12, "chromatic")


def _key_signature_sharps(loaded: LoadedScore) -> int | None:
    from music21 import key as m21key

    found = loaded.score.recurse().getElementsByClass(m21key.KeySignature).first()
    return None if found is None else int(found.sharps)


def check_key(report: AnalysisReport, loaded: LoadedScore, key_name: str) -> ConstraintResult:
    """The piece is in the task's key: music21's key finding agrees, or the key signature
    matches and the melody ends on the tonic (short melodies can fool key finding)."""
    from music21 import key as m21key

    tonic, mode = split_key(key_name)
    wanted = m21key.Key(tonic.replace("b", "-") if len(tonic) > 1 else tonic, mode)
    found = f"{report.key.tonic} {report.key.mode}"
    same = report.key.mode == mode and _tonic_pc(found) == wanted.tonic.pitchClass
    piece = build_piece(loaded.score)
    last = piece.top.notes[-1] if piece.top.notes else None
    by_signature = (
        _key_signature_sharps(loaded) == wanted.sharps
        and last is not None
        and last.midi % 12 == wanted.tonic.pitchClass
    )
    if same or by_signature:
        return ConstraintResult(name="key", passed=True, detail=f"The piece is in {key_name}.")
    return ConstraintResult(
        name="key",
        passed=False,
        detail=f"The piece reads as {found} (music21 key analysis), but the task asks for "
        f"{key_name}: use its key signature and end on {tonic}.",
    )


def check_melodic_close(piece: Piece, key_name: str, strict: bool) -> ConstraintResult:
    """Melody ends on the tonic; for a perfect authentic close, approached by step from the
    2nd or 7th degree, the melodic shape of V–I."""
    tonic_pc = _tonic_pc(key_name)
    name = "final_cadence" if strict else "ends_on_tonic"
    notes = piece.top.notes
    if len(notes) < 2:
        return ConstraintResult(name=name, passed=False, detail="The melody is too short.")
    last, before = notes[-1], notes[-2]
    bar, beat, where = _where(piece, last)
    tonic = split_key(key_name)[0]
    if last.midi % 12 != tonic_pc:
        return ConstraintResult(
            name=name,
            passed=False,
            bar=bar,
            beat=beat,
            detail=f"The melody ends on {readable(last.name)} at {where}, the "
            f"{_degree(last, tonic_pc)} degree of {key_name}, so it sounds unfinished. "
            f"End on {tonic}"
            + (", approached by step from the 2nd or 7th degree (V–I)." if strict else "."),
        )
    step_from = (before.midi - tonic_pc) % 12 in (2, 11) and abs(last.midi - before.midi) <= 2
    if strict and not step_from:
        return ConstraintResult(
            name=name,
            passed=False,
            bar=bar,
            beat=beat,
            detail=f"The melody reaches {tonic} at {where} from {readable(before.name)} "
            f"({_degree(before, tonic_pc)} degree), which does not imply V–I. Approach the "
            "final tonic by step from the 2nd or 7th degree.",
        )
    return ConstraintResult(
        name=name,
        passed=True,
        bar=bar,
        beat=beat,
        detail=f"The melody closes on {tonic} at {where}"
        + (f", from {readable(before.name)} by step." if strict else "."),
    )


def check_final_cadence(report: AnalysisReport, piece: Piece, key_name: str) -> ConstraintResult:
    """A perfect authentic cadence: for several parts, the critic's last cadence is V–I in
    root position with the tonic on top; for a melody alone, its melodic close."""
    if piece.texture == "melody" or not report.cadences:
        return check_melodic_close(piece, key_name, strict=True)
    final = report.cadences[-1]
    last_figure = report.harmony[-1].figure if report.harmony else ""
    melodic = check_melodic_close(piece, key_name, strict=False)
    progression = " – ".join(final.figures)
    if final.kind == "authentic" and last_figure in ("I", "i") and melodic.passed:
        return ConstraintResult(
            name="final_cadence",
            passed=True,
            bar=final.bar,
            beat=final.beat,
            detail=f"Perfect authentic cadence ({progression}) at bar {final.bar}.",
        )
    reason = (
        f"the last cadence, at bar {final.bar}, beat {final.beat:g}, is {final.kind} "
        f"({progression})"
    )
    if final.kind == "authentic":
        reason += f" but ends on {last_figure or 'an inverted chord'}"
        reason += "" if melodic.passed else " without the tonic in the melody"
    return ConstraintResult(
        name="final_cadence",
        passed=False,
        bar=final.bar,
        beat=final.beat,
        detail=f"No perfect authentic cadence: {reason}. End with V moving to I, both in root "
        "position, with the tonic in the melody.",
    )


def check_range(piece: Piece, limit: int) -> ConstraintResult:
    notes = piece.top.notes
    low = min(notes, key=lambda n: n.midi)
    high = max(notes, key=lambda n: n.midi)
    span = high.midi - low.midi
    _, _, low_where = _where(piece, low)
    high_bar, high_beat, high_where = _where(piece, high)
    text = (
        f"The melody spans {span} semitones, from {readable(low.name)} ({low_where}) to "
        f"{readable(high.name)} ({high_where})"
    )
    if span <= limit:
        return ConstraintResult(
            name="max_range", passed=True, detail=text + f"; the limit is {limit}."
        )
    return ConstraintResult(
        name="max_range",
        passed=False,
        bar=high_bar,
        beat=high_beat,
        detail=text + f", more than the {limit} allowed. Bring the highest or lowest notes "
        "within range.",
    )


def leaps(piece: Piece) -> list[tuple[LineNote, LineNote, LineNote | None]]:
    """Melodic leaps (a fourth or more) in the melody, each with the note after it."""
    notes = piece.top.notes
    found = []
    for index, (a, b) in enumerate(pairwise(notes)):
        if abs(b.midi - a.midi) >= 5:
            found.append((a, b, notes[index + 2] if index + 2 < len(notes) else None))
    return found


def check_leap_recovery(piece: Piece, minimum: int) -> ConstraintResult:
    recovered = []
    unrecovered = []
    for a, b, after in leaps(piece):
        direction = 1 if b.midi > a.midi else -1
        if after is not None and 0 < (b.midi - after.midi) * direction <= 2:
            recovered.append((a, b))
        else:
            unrecovered.append((a, b, after))
    if len(recovered) >= minimum:
        a, b = recovered[0]
        bar, beat, where = _where(piece, b)
        return ConstraintResult(
            name="leap_recovered",
            passed=True,
            bar=bar,
            beat=beat,
            detail=f"The leap {readable(a.name)}–{readable(b.name)} at {where} is recovered "
            "by step in the opposite direction.",
        )
    if not unrecovered:
        return ConstraintResult(
            name="leap_recovered",
            passed=False,
            detail="The melody has no leap of a fourth or more; add one and recover it by "
            "step in the opposite direction.",
        )
    a, b, after = unrecovered[0]
    bar, beat, where = _where(piece, b)
    follow = f"continues to {readable(after.name)}" if after is not None else "ends the melody"
    return ConstraintResult(
        name="leap_recovered",
        passed=False,
        bar=bar,
        beat=beat,
        detail=f"The leap {readable(a.name)}–{readable(b.name)} at {where} is not recovered: "
        f"it {follow}. After a leap, move by step in the opposite direction.",
    )


def check_avoid(report: AnalysisReport, rules: list[str]) -> ConstraintResult:
    hits = [f for f in report.findings if f.rule in rules]
    label = ", ".join(r.replace("_", " ") for r in rules)
    if not hits:
        return ConstraintResult(name="avoid", passed=True, detail=f"No {label}.")
    first = hits[0]
    more = f" ({len(hits) - 1} more)" if len(hits) > 1 else ""
    return ConstraintResult(
        name="avoid",
        passed=False,
        bar=first.bar,
        beat=first.beat,
        detail=f"{first.rule.replace('_', ' ').capitalize()} at bar {first.bar}, beat "
        f"{first.beat:g}: {first.message}{more}",
    )


def check_modulation(report: AnalysisReport, key_name: str, relation: str) -> ConstraintResult:
    from music21 import key as m21key

    tonic, mode = split_key(key_name)
    home = m21key.Key(tonic.replace("b", "-") if len(tonic) > 1 else tonic, mode)
    target = home.getDominant() if relation == "dominant" else home.relative.tonic
    target_name = target.name.replace("-", "b")
    for region in report.modulations:
        if _tonic_pc(f"{region.tonic} major") == target.pitchClass:
            return ConstraintResult(
                name="modulates_to",
                passed=True,
                bar=region.bar,
                beat=region.beat,
                detail=f"Modulates to {region.tonic.replace('-', 'b')} {region.mode} from bar "
                f"{region.bar} to bar {region.end_bar}.",
            )
    found = ", ".join(f"{r.tonic} {r.mode} (bar {r.bar})" for r in report.modulations) or "none"
    return ConstraintResult(
        name="modulates_to",
        passed=False,
        detail=f"No phrase settles in {target_name} (the {relation} key); key regions found: "
        f"{found}. Use a pivot chord and end a phrase with a cadence in {target_name}.",
    )


def _count(value: int | str | list[str] | None, default: int = 0) -> int:
    """A constraint's numeric value (``bars: 8``); a missing one means ``default``."""
    if value is None or isinstance(value, list):
        return default
    return int(value)


def check_constraint(
    constraint: Constraint,
    exercise: Exercise,
    report: AnalysisReport,
    piece: Piece,
    loaded: LoadedScore,
) -> ConstraintResult:
    key_name = exercise.key or f"{report.key.tonic} {report.key.mode}"
    value = constraint.value
    match constraint.kind:
        case "key":
            return check_key(report, loaded, key_name)
        case "bars":
            count = _count(value)
            return ConstraintResult(
                name="bars",
                passed=report.bars == count,
                detail=f"The piece has {report.bars} bars; the task asks for {count}.",
            )
        case "parts":
            count = _count(value)
            return ConstraintResult(
                name="parts",
                passed=report.parts == count,
                detail=f"The score has {report.parts} part(s); the task asks for {count}.",
            )
        case "max_range":
            return check_range(piece, _count(value))
        case "leap_recovered":
            return check_leap_recovery(piece, _count(value, 1))
        case "final_cadence":
            return check_final_cadence(report, piece, key_name)
        case "ends_on_tonic":
            return check_melodic_close(piece, key_name, strict=False)
        case "avoid":
            return check_avoid(report, list(value) if isinstance(value, list) else [str(value)])
        case "modulates_to":
            return check_modulation(report, key_name, str(value))
        case "phrases":
            count = _count(value)
            ends = ", ".join(str(b) for b in report.phrases) or "none found"
            return ConstraintResult(
                name="phrases",
                passed=len(report.phrases) >= count,
                detail=f"Phrase endings found at bars {ends}; the task asks for at least "
                f"{count} phrases.",
            )
    raise ValueError(f"unknown constraint {constraint.kind!r}")


def check_composition(exercise: Exercise, loaded: LoadedScore) -> CheckResult:
    """Every constraint of the task, checked on the learner's score."""
    report = analyze_score(loaded, level="advanced")
    piece = build_piece(loaded.score)
    results = [check_constraint(c, exercise, report, piece, loaded) for c in exercise.constraints]
    failed = [r for r in results if not r.passed]
    passed = [r for r in results if r.passed]
    return CheckResult(
        exercise_id=exercise.id,
        skill=exercise.skill,
        correct=not failed,
        given=f"{report.bars} bars, {report.parts} part(s), {report.key.tonic} {report.key.mode}",
        expected=exercise.prompt,
        feedback=[r.detail for r in failed] or [r.detail for r in passed[:2]],
        constraints=results,
        misconceptions=[f"constraint:{r.name}" for r in failed],
    )
