"""Parallels across a passing note (issue #20): does the critic hear what a teacher hears?

Planted: in held-out four-part Bach chorales (not the critic's 40 development chorales), a
voice pair with two successive shared onsets (both voices strike) within two beats, a passing
or neighbour note between them in one voice, and a perfect fifth on the first: the second
onset's note of the undecorated voice is moved so that the pair lands on a fifth again, the
moved note staying in the key. Only plants that music21's ``VoiceLeadingQuartet`` calls
``parallelFifth()`` between the notes at the two shared onsets are kept, and none that make
strict (sonority to sonority) parallels. We report how many of them the critic reports —
before this work (strict parallels only) and now (the decorated kind as a warning).

Clean: on the same chorales unplanted, the critic's decorated-parallel findings against
music21's ``VoiceLeadingQuartet`` over every pair's successive shared onsets with a
decoration between (within two beats): agreement in both directions.

Run: ``python bench/decorated_parallels.py [--chorales 30] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import random
import sys
from itertools import combinations, pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from music21 import note, voiceLeading

from bench.fix_suggestions import choose
from etude.critic.analysis import analyze_score, read_score
from etude.critic.fixes import apply_changes
from etude.critic.report import Change
from etude.critic.texture import Line, LineNote
from etude.scores.loading import LoadedScore


def decorated_pairs(upper: Line, lower: Line, beat: float) -> list[tuple[float, float]]:
    """Successive shared onsets within two beats with a decoration between them."""
    shared = sorted(set(upper.starts) & set(lower.starts))
    found = []
    for before, after in pairwise(shared):
        a0, b0 = upper.at(before), lower.at(before)
        if a0 is None or b0 is None or after - before > 2 * beat + 1e-9:
            continue
        if a0.end < after - 1e-9 or b0.end < after - 1e-9:
            found.append((before, after))
    return found


def music21_fifth(upper: Line, lower: Line, before: float, after: float) -> bool:
    a0, a1, b0, b1 = upper.at(before), upper.at(after), lower.at(before), lower.at(after)
    if a0 is None or a1 is None or b0 is None or b1 is None:
        return False
    quartet = voiceLeading.VoiceLeadingQuartet(*(_spelled(n) for n in (a0, a1, b0, b1)))
    return bool(quartet.parallelFifth())


def _spelled(item: LineNote) -> note.Note:
    """The note as the score spells it (a fifth is a fifth by name, not by semitones)."""
    return note.Note(item.name[0] + item.name[1:].replace("b", "-"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chorales", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    planted = reported_strict = reported_now = 0
    agree = ours_only = theirs_only = 0
    for path, score in choose(args.chorales, args.seed):
        name = Path(path).name
        loaded = LoadedScore(Path(name), "musicxml", score, 0)  # type: ignore[arg-type]
        context = read_score(loaded).context
        beat = context.piece.meter.beat_lengths[0]
        lines = context.piece.lines
        # clean: our decorated findings against music21's quartets
        report = analyze_score(loaded, level="advanced", suggest=False)
        ours = {
            (tuple(f.parts), f.offset_ql)
            for f in report.findings
            if f.rule == "parallel_fifths" and "passing note" in f.message
        }
        theirs = {
            ((up.part, low.part), after)
            for up, low in combinations(lines, 2)
            for before, after in decorated_pairs(up, low, beat)
            if music21_fifth(up, low, before, after)
        }
        agree += len(ours & theirs)
        ours_only += len(ours - theirs)
        theirs_only += len(theirs - ours)
        # planted: one fifth across a decoration per chorale
        options = [
            (up, low, before, after)
            for up, low in combinations(lines, 2)
            for before, after in decorated_pairs(up, low, beat)
        ]
        rng.shuffle(options)
        for up, low, before, after in options:
            a0, a1, b0, b1 = up.at(before), up.at(after), low.at(before), low.at(after)
            assert a0 and a1 and b0 and b1
            if (a0.midi - b0.midi) % 12 != 7 or (a1.midi - b1.midi) % 12 == 7:
                continue
            moved, line, old = (up, up, a1) if b0.end < after - 1e-9 else (low, low, b1)
            target = b1.midi + 7 if moved is up else a1.midi - 7
            target += 12 * round((old.midi - target) / 12)
            tonality = context.tonality_at(after)
            if target % 12 not in tonality.allowed or target == old.midi:
                continue
            bar, beat_in_bar = context.piece.meter.locate(after)
            change = Change(
                part=line.part,
                bar=bar,
                beat=beat_in_bar,
                offset_ql=after,
                from_=old.name,
                to=tonality.name(target),
            )
            changed = apply_changes(score, [change])  # type: ignore[arg-type]
            again = LoadedScore(Path(name), "musicxml", changed, 0)  # type: ignore[arg-type]
            new_context = read_score(again).context
            new_up, new_low = new_context.piece.lines[up.part], new_context.piece.lines[low.part]
            if not music21_fifth(new_up, new_low, before, after):
                continue
            found = analyze_score(again, level="advanced", suggest=False).findings
            at_pair = [
                f
                for f in found
                if f.rule == "parallel_fifths"
                and abs(f.offset_ql - after) < 1e-6
                and set(f.parts) == {up.part, low.part}
            ]
            if any("passing note" not in f.message for f in at_pair):
                continue  # the move made strict parallels too: not this test's case
            planted += 1
            reported_now += bool(at_pair)
            break
    print(
        f"\n{args.chorales} chorales\n\n| | count |\n|---|---:|\n"
        f"| planted fifths across a passing note (music21 VoiceLeadingQuartet) | {planted} |\n"
        f"| reported by the strict check alone (the critic before; none by construction) | "
        f"{reported_strict} |\n"
        f"| reported now (warning) | {reported_now} |\n"
        f"| clean chorales: decorated fifths both find | {agree} |\n"
        f"| clean chorales: only the critic | {ours_only} |\n"
        f"| clean chorales: only music21 | {theirs_only} |"
    )


if __name__ == "__main__":
    main()
