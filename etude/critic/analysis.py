"""The composition critic: from a loaded score to an ``AnalysisReport``.

Order of work: extract lines and meter once, find the key, run every rule, analyse harmony
and cadences, then choose what to show for the learner's level. Beginners see only the few
errors that matter most (a long list discourages), advanced learners see everything; the
count of hidden findings is kept so the tutor can say there is more.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Literal

from music21 import key as m21key
from music21 import stream, tempo

from etude.critic.fixes import (
    FAULT_SEVERITIES,
    MAX_SEARCHED,
    Confirm,
    Edit,
    Ranker,
    apply_changes,
    describe,
    key_of,
    same_fault,
    suggest_fixes,
)
from etude.critic.harmony import analyze_harmony, find_cadences, phrase_ends
from etude.critic.modulation import find_modulations
from etude.critic.pickup import unmarked_pickup
from etude.critic.profiles import part_profiles
from etude.critic.report import (
    SEVERITY_ORDER,
    AnalysisReport,
    Cadence,
    Finding,
    HarmonySlice,
    KeyEstimate,
)
from etude.critic.rules.cadence import check_final_cadence
from etude.critic.rules.common import RuleContext, Tonality
from etude.critic.rules.parallels import voice_pairs
from etude.critic.rules.run import run_rules
from etude.critic.texture import Piece, build_piece
from etude.scores.loading import LoadedScore, load_score

Level = Literal["beginner", "intermediate", "advanced"]

LEVEL_LIMITS: dict[str, tuple[int, int | None]] = {
    "beginner": (SEVERITY_ORDER["error"], 5),
    "intermediate": (SEVERITY_ORDER["warning"], 20),
    "advanced": (SEVERITY_ORDER["info"], None),
}
"""Per level: the least severe finding shown and how many at most (None: all)."""


def analyze_file(path: str | Path, *, level: Level = "intermediate") -> AnalysisReport:
    """Load and analyse a score file; raises ``ScoreError`` for bad input.

    >>> analyze_file("/no/such/piece.mid")
    Traceback (most recent call last):
    ...
    etude.scores.loading.ScoreError: file not found: /no/such/piece.mid
    """
    return analyze_score(load_score(path), level=level)


def analyze_score(
    loaded: LoadedScore,
    *,
    level: Level = "intermediate",
    suggest: bool = True,
    suggest_limit: int = MAX_SEARCHED,
    style: bool = False,
) -> AnalysisReport:
    """Run the critic on a loaded score.

    With ``style``, the encoder breaks ties between fixes the rules verified as equally good
    (:mod:`etude.critic.style_ranking`); what a learner reads asks for it, ``--no-encoder``
    and the critic's own tests do not, and without a checkpoint it changes nothing.

    >>> from music21 import corpus
    >>> from etude.scores.loading import LoadedScore
    >>> chorale = corpus.parse("bach/bwv66.6")
    >>> report = analyze_score(LoadedScore(Path("bwv66.6.mxl"), "musicxml", chorale, 0))
    >>> report.parts, report.key.tonic, report.key.mode, report.texture
    (4, 'F#', 'minor', 'chorale')
    """
    reading = read_score(loaded)
    piece, context, found_key, declared = (
        reading.piece,
        reading.context,
        reading.key,
        reading.declared,
    )
    harmony, cadences, ends = context.harmony, reading.cadences, reading.ends
    findings = run_rules(context)
    findings.extend(check_final_cadence(context, harmony, cadences))
    findings = merge_duplicates(findings)
    findings.sort(key=lambda f: (f.offset_ql, SEVERITY_ORDER[f.severity], f.rule, f.parts))
    shown = select_for_level(findings, level)
    if suggest:
        rank = None
        if style:
            from etude.critic.style_ranking import style_ranker

            rank = style_ranker(loaded.score, piece)
        shown = with_suggestions(
            context, shown, limit=suggest_limit, confirm=_confirmer(loaded, reading), rank=rank
        )
    key_estimate = KeyEstimate(
        tonic=found_key.tonic.name.replace("-", "b"),
        mode=found_key.mode,
        confidence=1.0
        if declared is not None
        else round(float(found_key.correlationCoefficient or 0.0), 4),
        source="declared" if declared is not None else "estimated",
    )
    report = AnalysisReport(
        file=loaded.path.name,  # the file's own name: its folder may be a server's
        format=loaded.format,
        parts=len(piece.lines),
        bars=piece.meter.bars,
        notes=sum(len(group) for group in piece.chords),
        key=key_estimate,
        time_signature=piece.meter.time_signature,
        tempo_bpm=_tempo(loaded.score),
        findings=shown,
        level=level,
        texture=piece.texture,
        strengths=strengths(piece, context, findings, cadences, key_estimate),
        harmony=harmony,
        cadences=cadences,
        modulations=context.modulations,
        phrases=sorted({piece.meter.locate(end)[0] for end in ends}),
        phrase_measures=sorted({piece.meter.measure(piece.meter.locate(end)[0]) for end in ends}),
        hidden_findings=len(findings) - len(shown),
        every_finding=findings,
        profiles=part_profiles(loaded.score, piece.meter.bars),
        unmarked_pickup=unmarked_pickup(piece) if loaded.format == "midi" else None,
    )
    report.summary = _summary(report, findings)
    return report


@dataclass(frozen=True)
class Reading:
    """A score as the rules read it: the lines, the key (and whether the file declared it),
    the harmony, phrase ends and cadences, in the context every rule takes."""

    piece: Piece
    key: m21key.Key
    declared: m21key.Key | None
    context: RuleContext
    ends: list[float]
    cadences: list[Cadence]


def read_score(loaded: LoadedScore) -> Reading:
    """Everything the rules need from a loaded score (the first half of the analysis).

    The fix benchmark plants faults in this reading and re-runs the rules on it."""
    piece = build_piece(loaded.score)
    estimated = _estimate_key(loaded.score)
    declared = declared_key(loaded, estimated)
    found_key = declared or estimated
    tonality = Tonality.of(found_key)
    ends = phrase_ends(piece)
    harmony: list[HarmonySlice] = []
    cadences: list[Cadence] = []
    if piece.texture != "melody":  # one line implies harmony but does not state it
        harmony = analyze_harmony(piece, tonality)
        cadences = find_cadences(harmony, ends, tonality)
    modulations = find_modulations(piece, ends, found_key) if piece.texture != "melody" else []
    context = RuleContext(piece, tonality, harmony, modulations)
    return Reading(piece, found_key, declared, context, ends, cadences)


def with_suggestions(
    context: RuleContext,
    shown: list[Finding],
    *,
    limit: int,
    confirm: Callable[[Finding], Confirm] | None = None,
    rank: Ranker | None = None,
) -> list[Finding]:
    """The shown findings, each fault with the fix the critic verified (``suggestion``).

    Faults the learner sees are searched, errors before warnings, at most ``limit``."""
    targets = sorted(shown, key=lambda f: (SEVERITY_ORDER[f.severity], f.offset_ql))
    fixes = suggest_fixes(context, targets, limit=limit, confirm=confirm, rank=rank)
    result = []
    for finding in shown:
        fix = fixes.get(key_of(finding))
        if fix is None:
            result.append(finding)
            continue
        # A rule's own "Try B4 in the soprano instead" is a guess the rules never checked;
        # the verified suggestion replaces it, so a learner never reads two different fixes.
        message = finding.message.split(" Try ", 1)[0]
        result.append(finding.model_copy(update={"suggestion": fix, "message": message}))
    return result


def _confirmer(loaded: LoadedScore, reading: Reading) -> Callable[[Finding], Confirm]:
    """For a fault, a check that an edit survives the whole analysis of the edited score:
    the fault gone and no new error or warning, with the harmony and key heard again."""
    before = {key_of(f) for f in _every_rule(reading) if f.severity in FAULT_SEVERITIES}

    def for_target(target: Finding) -> Confirm:
        def confirm(edits: Sequence[Edit]) -> bool:
            try:
                fixed = apply_changes(
                    loaded.score, describe(reading.context, target, edits).changes
                )
            except ValueError:
                return False
            found = _every_rule(read_score(replace(loaded, score=fixed)))
            faults = [f for f in found if f.severity in FAULT_SEVERITIES]
            if any(same_fault(f, target) for f in faults):
                return False
            return {key_of(f) for f in faults} <= before

        return confirm

    return for_target


def _every_rule(reading: Reading) -> list[Finding]:
    context = reading.context
    return run_rules(context) + check_final_cadence(context, context.harmony, reading.cadences)


def merge_duplicates(findings: list[Finding]) -> list[Finding]:
    """One finding per (rule, bar, beat, message), naming every part it was found in.

    Rules walk the parts one by one, so two parts that say the same thing in the same words
    (a doubled line, two staves or parts with the same name) gave two identical findings; the
    learner read the same sentence twice and the beginner's five slots held it twice. The
    merged finding keeps the first one's place in the list and its most severe severity.

    >>> f = [Finding(rule="out_of_key", bar=2, beat=1.0, offset_ql=4.0, parts=[p],
    ...      severity="warning", message="F#4 in the Violin ...") for p in (2, 1)]
    >>> [x.parts for x in merge_duplicates(f)]
    [[1, 2]]
    """
    merged: dict[tuple[str, int, float, str], Finding] = {}
    for finding in findings:
        identity = (finding.rule, finding.bar, finding.beat, finding.message)
        seen = merged.get(identity)
        if seen is None:
            merged[identity] = finding
            continue
        severity = min(seen.severity, finding.severity, key=SEVERITY_ORDER.__getitem__)
        parts = sorted(set(seen.parts) | set(finding.parts))
        merged[identity] = seen.model_copy(update={"parts": parts, "severity": severity})
    return list(merged.values())


def select_for_level(findings: list[Finding], level: Level) -> list[Finding]:
    """The findings a learner of ``level`` sees: severe enough, at most the level's limit.
    A beginner sees the errors only, or when there is none the most severe findings there
    are: fewer things to fix at once, yet never a clean bill for a score with a fault in it.

    When a limit applies, the most severe come first and each rule gets a turn before any
    rule gets a second finding, so a beginner hears about several problems, not one ten times.

    >>> f = [Finding(rule=r, bar=1, beat=1.0, offset_ql=0.0, parts=[0], severity=s, message="")
    ...      for r, s in [("range", "error"), ("range", "error"), ("large_leap", "warning")]]
    >>> [x.rule for x in select_for_level(f, "beginner")]
    ['range', 'range']
    >>> len(select_for_level(f, "advanced"))
    3
    >>> [x.rule for x in select_for_level(f[2:], "beginner")]
    ['large_leap']
    """
    threshold, limit = LEVEL_LIMITS[level]
    eligible = [f for f in findings if SEVERITY_ORDER[f.severity] <= threshold]
    if not eligible and findings and level == "beginner":
        # no error, but a wrong note, an unfinished ending or a melody that goes nowhere was
        # found: a beginner hears the most serious of those rather than "no fault found"
        worst = min(SEVERITY_ORDER[f.severity] for f in findings)
        eligible = [f for f in findings if SEVERITY_ORDER[f.severity] == worst]
    if limit is None or len(eligible) <= limit:
        return eligible
    seen: dict[str, int] = {}
    ranked = []
    for finding in eligible:
        seen[finding.rule] = seen.get(finding.rule, 0) + 1
        ranked.append((SEVERITY_ORDER[finding.severity], seen[finding.rule], finding.offset_ql))
    order = sorted(range(len(eligible)), key=lambda i: ranked[i])[:limit]
    return [eligible[i] for i in sorted(order)]


def strengths(
    piece: Piece,
    context: RuleContext,
    findings: list[Finding],
    cadences: list[Cadence],
    key_estimate: KeyEstimate,
) -> list[str]:
    """What the piece does well, so the tutor can encourage before it corrects."""
    rules = {f.rule for f in findings}
    result = []
    key_name = f"{key_estimate.tonic} {key_estimate.mode}"
    if key_estimate.source == "estimated" and key_estimate.confidence >= 0.8:
        result.append(f"The key of {key_name} is clear throughout.")
    pairs = voice_pairs(context)
    if pairs and not rules & {"parallel_fifths", "parallel_octaves"}:
        result.append(f"No parallel fifths or octaves in the {len(pairs)} voice pairs checked.")
    if piece.texture == "chorale":
        if "range" not in rules:
            result.append("Every voice stays within its singing range.")
        if not rules & {"voice_crossing", "voice_overlap"}:
            result.append("The four voices never cross or overlap.")
    melody = piece.top.notes
    steps = [abs(b.midi - a.midi) for a, b in pairwise(melody)]
    moving = [s for s in steps if s > 0]
    if len(moving) >= 8 and sum(s <= 2 for s in moving) / len(moving) >= 0.6:
        share = round(100 * sum(s <= 2 for s in moving) / len(moving))
        result.append(f"The {piece.top.label} moves mostly by step ({share}% of its moves).")
    if melody:
        span = max(n.midi for n in melody) - min(n.midi for n in melody)
        if 7 <= span <= 19:
            peak = max(melody, key=lambda n: n.midi)
            bar, _ = piece.meter.locate(peak.start)
            result.append(
                f"The {piece.top.label} spans {span} semitones with its high point "
                f"({peak.name}) in bar {piece.meter.measure(bar)}."
            )
    if cadences and cadences[-1].kind == "authentic" and "weak_cadence" not in rules:
        result.append(
            f"It closes with a strong authentic cadence ({' – '.join(cadences[-1].figures)})."
        )
    authentic = sum(c.kind == "authentic" for c in cadences[:-1])
    if authentic >= 2:
        result.append(f"{authentic} phrases end with authentic cadences, giving clear punctuation.")
    return result


CHURCH_MODES = ("dorian", "phrygian", "lydian", "mixolydian", "aeolian", "locrian")
"""Modes a file can declare besides major and minor (ABC ``K:Ddor``, MusicXML ``<mode>``)."""


def declared_key(loaded: LoadedScore, estimated: m21key.Key) -> m21key.Key | None:
    """The key the file itself names, when the critic should believe it; else None.

    Key finding only knows major and minor, so a D dorian tune came out as "G major" and
    its F naturals, notes of the mode, were called out of key. The file's word wins where it
    is a decision:

    * a church mode (ABC ``K:Ddor``, ``K:Emix``; MusicXML ``<mode>dorian</mode>``) always:
      nobody writes one by accident;
    * major or minor from ABC, whose ``K:`` field the writer types (``K:Em`` against
      ``K:G``), when the estimate has the same key signature, i.e. it only told a key from
      its relative; a ``K:C`` over music full of accidentals is a forgotten header.

    A MusicXML ``<mode>major</mode>`` is often an editor's default on a minor piece and a
    MIDI key-signature event a sequencer's, so those keep the estimate. Ionian is major.
    """
    found = loaded.score.recurse().getElementsByClass(m21key.Key).first()
    if found is None:
        return None
    mode = (found.mode or "").lower()
    if mode == "ionian":
        mode = "major"
    if mode in CHURCH_MODES:
        return m21key.Key(found.tonic.name, mode)
    if mode in ("major", "minor") and loaded.format == "abc" and found.sharps == estimated.sharps:
        return m21key.Key(found.tonic.name, mode)
    return None


def _estimate_key(score: stream.Score) -> m21key.Key:
    """music21's key finding: Krumhansl–Schmuckler correlation with Aarden–Essen profiles.

    The correlation coefficient of the winning key is the report's confidence."""
    found = score.analyze("key")
    if not isinstance(found, m21key.Key):
        return m21key.Key("C")
    return found


def _tempo(score: stream.Score) -> float | None:
    mark = score.recurse().getElementsByClass(tempo.MetronomeMark).first()
    if mark is None:
        return None
    bpm = mark.getQuarterBPM()
    return round(float(bpm), 2) if bpm else None


def _summary(report: AnalysisReport, findings: list[Finding]) -> str:
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    return (
        f"{report.parts} part(s), {report.bars} bars, {report.notes} notes in "
        f"{report.key.tonic} {report.key.mode} ({report.texture}); "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes; "
        f"{len(report.findings)} shown at {report.level} level."
    )
