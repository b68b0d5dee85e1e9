"""Fix suggestions (issue #20): does the critic's verified fix remove a planted fault, add
none, and restore the composer's own note?

Pieces: four-part Bach chorales of the music21 corpus (one note per part) that the critic was
not developed on — ``bench/critic_eval.py`` tunes on the first 40 in file order, so those are
skipped; the pre-training split's held-out chorales (``etude.encoders.corpus.held_out``) come
first, then others in a seeded order, up to ``--chorales``.

Planting: for each fixable rule (``etude.critic.fixes.FIXABLE_RULES``) and chorale, one note of
Bach's is moved (by 1, 2, 3, 4, 5, 7 or 12 semitones, seeded order) so that the critic's rules
find exactly one new fault and it is of that rule, at that note; the first such move found is
the plant. The planted score is written with music21 (``apply_changes``) and analysed from
scratch by ``etude analyze``'s code (``analyze_score``, advanced level, every finding shown).

Per plant we report:
- *found*: the full analysis reports the planted fault (same rule, onset, a common part);
- *with suggestion*: that finding carries a ``suggestion``;
- *verified end to end*: applying the suggestion to the planted score and analysing it again
  from scratch, the fault is gone and no new error or warning appears;
- *restores Bach*: the suggestion is exactly the planted note back at Bach's pitch;
- *random valid fix restores*: the expected share had a valid edit been picked at random
  among every edit the search verified (the chance baseline for the ranking);
- *new errors / new warnings*: faults the suggestion created (target: 0).

With ``--encoder`` (issue #22), on the chorales pre-training held out only, the same valid
edits are also ranked by the MusicBERT encoder (``etude.critic.style_ranking``: the edit whose
new notes the encoder finds likeliest in context, ``log p(pitch | everything else)`` from one
batched masked pass over the planted score, summed over the edited notes), over all valid edits
and as the tie-breaker within the critic's best tier; and the planted score is analysed again
as a learner's upload is (``analyze_score(style=True)``) to read *the suggestion shown*, which
is also re-verified end to end. Each is printed beside the critic's own order and a random
valid edit, with paired bootstrap intervals against the critic's order on the same plants.

Run: ``python bench/fix_suggestions.py [--chorales 48] [--seed 0] [--json OUT] [--encoder]``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from music21 import corpus
from music21 import pitch as m21pitch

from etude.critic.analysis import analyze_score, read_score
from etude.critic.fixes import (
    FAULT_SEVERITIES,
    FIXABLE_RULES,
    Edit,
    _around,
    edited,
    key_of,
    verified_edits,
)
from etude.critic.report import AnalysisReport, Change, Finding, Suggestion
from etude.critic.rules.common import RuleContext
from etude.critic.rules.run import run_rules
from etude.critic.texture import LineNote
from etude.encoders.corpus import held_out
from etude.scores.loading import LoadedScore

SHIFTS = (1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 7, -7, 12, -12)
CRITIC_DEV_SET = 40
"""``bench/critic_eval.py``'s default: the chorales the critic's rules were tuned on."""
TRIES_PER_RULE = 600
LINES_OF = {
    "unresolved_leading_tone": (0,),
    "hidden_fifths": (0, 3),
    "hidden_octaves": (0, 3),
    "spacing": (0, 1, 2),
}
"""Where a rule can fire at all (its docstring says which voices it judges): planting only
there saves trying moves that cannot make its fault."""


@dataclass
class Plant:
    chorale: str
    rule: str
    part: int
    offset: float
    original: str
    planted: str
    original_midi: int


def four_part_chorales() -> list[str]:
    names = []
    for path in sorted(corpus.getComposer("bach")):
        if not re.search(r"bwv\d+(\.\d+)?\.mxl$", str(path)):
            continue
        names.append(str(path))
    return names


def usable(score: object) -> bool:
    parts = list(score.parts)  # type: ignore[attr-defined]
    return len(parts) == 4 and not any(p.recurse().getElementsByClass("Chord") for p in parts)


def choose(count: int, seed: int) -> list[tuple[str, object]]:
    """Chorales the critic was not tuned on: held-out ones first, then a seeded order."""
    chosen: list[tuple[str, object]] = []
    dev = 0
    rest: list[str] = []
    first: list[str] = []
    for path in four_part_chorales():
        score = corpus.parse(path)
        if not usable(score):
            continue
        if dev < CRITIC_DEV_SET:
            dev += 1
            continue
        (first if held_out(Path(path).name) else rest).append(path)
    random.Random(seed).shuffle(rest)
    for path in first + rest:
        chosen.append((path, corpus.parse(path)))
        if len(chosen) >= count:
            break
    return chosen


def fault_keys(findings: list[Finding]) -> set[tuple[str, float, tuple[int, ...]]]:
    return {key_of(f) for f in findings if f.severity in FAULT_SEVERITIES}


def plant(context: RuleContext, rule: str, rng: random.Random) -> tuple[Edit, Finding] | None:
    """A one-note change that makes the rules find exactly one new fault, of ``rule``.

    Judged on the music around the note (``_around``, the fix search's own window, whose
    agreement with the whole piece ``tests/unit/critic/test_fixes.py`` checks); the full
    analysis of the planted score then decides whether the critic reports it."""
    options = [
        (line, index, shift)
        for line, part in enumerate(context.piece.lines)
        if line in LINES_OF.get(rule, (0, 1, 2, 3))
        for index in range(len(part.notes))
        for shift in SHIFTS
    ]
    rng.shuffle(options)
    for line, index, shift in options[:TRIES_PER_RULE]:
        note = context.piece.lines[line].notes[index]
        local, first = _around(context, [(line, index)])
        before = fault_keys(run_rules(local))
        moved = Edit(line, index - first[line], note.midi + shift)
        found = run_rules(replace(local, piece=edited(local.piece, [moved])))
        new = [f for f in found if f.severity in FAULT_SEVERITIES and key_of(f) not in before]
        if len(new) != 1 or new[0].rule != rule or line not in new[0].parts:
            continue
        if not note.start - 1e-6 <= new[0].offset_ql < note.end - 1e-6:
            continue
        return Edit(line, index, note.midi + shift), new[0]
    return None


def same_fault(found: Finding, rule: str, offset: float, parts: list[int]) -> bool:
    return (
        found.rule == rule
        and abs(found.offset_ql - offset) < 1e-6
        and bool(set(found.parts) & set(parts))
    )


def analyse(
    name: str, score: object, *, suggest: bool = True, style: bool = False
) -> AnalysisReport:
    loaded = LoadedScore(Path(name), "musicxml", score, 0)  # type: ignore[arg-type]
    return analyze_score(loaded, level="advanced", suggest=suggest, suggest_limit=1000, style=style)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chorales", type=int, default=48)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=None, help="write every plant's record")
    parser.add_argument("--encoder", action="store_true", help="also rank by the encoder")
    args = parser.parse_args()
    from etude.critic.fixes import apply_changes  # the same code the studio applies
    from etude.critic.style_ranking import style_ranker

    started = time.perf_counter()
    chorales = choose(args.chorales, args.seed)
    rng = random.Random(args.seed)
    records = []
    for number, (path, score) in enumerate(chorales, 1):
        name = Path(path).name
        print(f"[{number}/{len(chorales)}] {name}", file=sys.stderr, flush=True)
        loaded = LoadedScore(Path(name), "musicxml", score, 0)  # type: ignore[arg-type]
        context = read_score(loaded).context
        for rule in FIXABLE_RULES:
            found = plant(context, rule, rng)
            if found is None:
                continue
            edit, fault = found
            line = context.piece.lines[edit.line]
            note = line.notes[edit.index]
            bar, beat = context.piece.meter.locate(note.start)
            planted_name = context.tonality_at(note.start).name(edit.midi)
            change = Change(
                part=line.part,
                bar=bar,
                beat=beat,
                offset_ql=note.start,
                from_=note.name,
                to=planted_name,
            )
            planted = apply_changes(score, [change])  # type: ignore[arg-type]
            report = analyse(name, planted)
            target = next(
                (f for f in report.findings if same_fault(f, rule, fault.offset_ql, fault.parts)),
                None,
            )
            record: dict[str, object] = {
                "chorale": name,
                "rule": rule,
                "part": line.part,
                "offset": note.start,
                "bach": note.name,
                "planted": planted_name,
                "found": target is not None,
                "suggested": False,
            }
            records.append(record)
            if target is None:
                continue
            # the chance baseline: every edit the search verified on the planted reading
            planted_context = read_score(
                LoadedScore(Path(name), "musicxml", planted, 0)  # type: ignore[arg-type]
            ).context
            valid = verified_edits(planted_context, target)
            restoring = sum(_restores(edits, edit, note.midi) for _, edits in valid)
            record["valid_edits"] = len(valid)
            record["random_restores"] = restoring / len(valid) if valid else 0.0
            record["critic_restores"] = bool(valid) and _restores(valid[0][1], edit, note.midi)
            likelihood = None
            if args.encoder and valid and held_out(name):
                likelihood = style_ranker(planted, planted_context.piece)  # type: ignore[arg-type]
            if likelihood is not None:
                best = max(valid, key=lambda item: likelihood(item[1]))[1]
                record["encoder_restores"] = _restores(best, edit, note.midi)
                tier = [edits for cost, edits in valid if cost[:3] == valid[0][0][:3]]
                record["tie_restores"] = _restores(max(tier, key=likelihood), edit, note.midi)
                # what a learner is shown: the analysis itself, asked to rank by the style
                styled = analyse(name, planted, style=True)
                at = (rule, fault.offset_ql, fault.parts)
                styled_target = next((f for f in styled.findings if same_fault(f, *at)), None)
                if styled_target is not None and styled_target.suggestion is not None:
                    shown = styled_target.suggestion
                    record["styled_restores"] = _suggestion_restores(shown, line.part, note)
                    record["styled_verified"] = _verify(name, planted, styled, styled_target)[0]
            suggestion = target.suggestion
            if suggestion is None:
                continue
            record["suggested"] = True
            record["suggestion"] = suggestion.model_dump(mode="json")
            record["restores"] = _suggestion_restores(suggestion, line.part, note)
            verified, gone, new = _verify(name, planted, report, target)
            record["gone"] = gone
            record["new_errors"] = sum(f.severity == "error" for f in new)
            record["new_warnings"] = sum(f.severity == "warning" for f in new)
            record["verified"] = verified
    elapsed = time.perf_counter() - started
    print_table(records, len(chorales), elapsed)
    if args.json:
        args.json.write_text("\n".join(json.dumps(r) for r in records) + "\n")


def _restores(edits: tuple[Edit, ...], planted: Edit, bach: int) -> bool:
    return (
        len(edits) == 1
        and edits[0].line == planted.line
        and edits[0].index == planted.index
        and edits[0].midi == bach
    )


def _suggestion_restores(suggestion: Suggestion, part: int, note: LineNote) -> bool:
    return (
        len(suggestion.changes) == 1
        and suggestion.changes[0].part == part
        and abs(suggestion.changes[0].offset_ql - note.start) < 1e-6
        and m21pitch.Pitch(suggestion.changes[0].to.replace("b", "-")).midi == note.midi
    )


def _verify(
    name: str, planted: object, report: AnalysisReport, target: Finding
) -> tuple[bool, bool, list[Finding]]:
    """Apply ``target``'s suggestion to the planted score and analyse it again from scratch:
    (verified, the fault gone, the new errors and warnings)."""
    from etude.critic.fixes import apply_changes

    assert target.suggestion is not None
    fixed = apply_changes(planted, target.suggestion.changes)  # type: ignore[arg-type]
    again = analyse(name, fixed, suggest=False)
    before = {key_of(f) for f in report.findings if f.severity in FAULT_SEVERITIES}
    faults = [f for f in again.findings if f.severity in FAULT_SEVERITIES]
    new = [f for f in faults if key_of(f) not in before]
    gone = not any(same_fault(f, target.rule, target.offset_ql, target.parts) for f in faults)
    return gone and not new, gone, new


def paired_interval(
    pairs: list[tuple[bool, bool]], *, resamples: int = 2000, seed: int = 0
) -> tuple[float, float, float]:
    """Difference of two shares on the same plants, with a 95% paired bootstrap interval."""
    rng = random.Random(seed)
    diffs = [float(a) - float(b) for a, b in pairs]
    means = sorted(sum(rng.choice(diffs) for _ in diffs) / len(diffs) for _ in range(resamples))
    return sum(diffs) / len(diffs), means[int(0.025 * resamples)], means[int(0.975 * resamples)]


def print_table(records: list[dict[str, object]], chorales: int, elapsed: float) -> None:
    by_rule: dict[str, list[dict[str, object]]] = defaultdict(list)
    for record in records:
        by_rule[str(record["rule"])].append(record)
    ranked = [r for r in records if "encoder_restores" in r]
    if ranked:
        rows = [
            ("encoder (MusicBERT-small) over all valid edits", "encoder_restores"),
            ("critic's own order, encoder breaks its ties", "tie_restores"),
            ("critic's own order (the suggestion it makes)", "restores"),
        ]
        print(
            f"\nRanking the valid edits, on the {len(ranked)} plants in chorales pre-training "
            "held out:\n\n| ranking | restores Bach |\n|---|---:|"
        )
        for label, field in rows:
            print(f"| {label} | {_share(sum(bool(r.get(field)) for r in ranked), len(ranked))} |")
        chance = sum(float(r["random_restores"]) for r in ranked)  # type: ignore[arg-type]
        print(f"| random valid edit (expected) | {_share(chance, len(ranked))} |")
        styled = sum(bool(r.get("styled_restores")) for r in ranked)
        verified = sum(bool(r.get("styled_verified")) for r in ranked)
        shown = sum("styled_restores" in r for r in ranked)
        print(
            f"| **the suggestion shown** (`analyze_score(style=True)`) | "
            f"{_share(styled, len(ranked))} |\n\nThe suggestion shown with the style ranking: "
            f"{shown} of {len(ranked)} plants have one, {verified} verified end to end.\n\n"
            "| paired difference on the same plants | restores Bach | 95% bootstrap |\n"
            "|---|---:|---:|"
        )
        for label, field in [
            ("suggestion shown − critic's own order", "styled_restores"),
            ("encoder over all valid edits − critic's own order", "encoder_restores"),
        ]:
            pairs = [(bool(r.get(field)), bool(r.get("restores"))) for r in ranked]
            mean, low, high = paired_interval(pairs)
            print(f"| {label} | {mean:+.3f} | [{low:+.3f}, {high:+.3f}] |")
    print(
        f"\n{len(records)} planted faults in {chorales} chorales ({elapsed:.0f} s)\n\n"
        "| rule | planted | found | with suggestion | verified end to end | restores Bach | "
        "random valid fix restores | new errors | new warnings |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    for rule in [*FIXABLE_RULES, "all"]:
        rows = records if rule == "all" else by_rule.get(rule, [])
        if not rows:
            continue
        found = [r for r in rows if r["found"]]
        suggested = [r for r in found if r["suggested"]]
        verified = sum(bool(r.get("verified")) for r in suggested)
        restores = sum(bool(r.get("restores")) for r in suggested)
        chance = sum(float(r.get("random_restores", 0.0)) for r in found if r.get("valid_edits"))
        with_valid = sum(1 for r in found if r.get("valid_edits"))
        errors = sum(int(r.get("new_errors", 0)) for r in suggested)  # type: ignore[call-overload]
        warnings = sum(int(r.get("new_warnings", 0)) for r in suggested)  # type: ignore[call-overload]
        label = f"**{rule}**" if rule == "all" else rule.replace("_", " ")
        print(
            f"| {label} | {len(rows)} | {len(found)} | {_share(len(suggested), len(found))} | "
            f"{_share(verified, len(suggested))} | {_share(restores, len(suggested))} | "
            f"{_share(chance, with_valid)} | {errors} | {warnings} |"
        )


def _share(part: float, whole: int) -> str:
    if not whole:
        return "—"
    return (
        f"{part:g}/{whole} ({100 * part / whole:.0f}%)"
        if part == int(part)
        else (f"{100 * part / whole:.0f}%")
    )


if __name__ == "__main__":
    main()
