"""Critic accuracy on real Bach chorales (issue #4).

Three measurements, each printed as a table:

1. Recall of planted faults. From music21-corpus chorales we write fault-planted copies
   (parallel fifths, parallel octaves, voice crossing, out-of-range, out-of-key) as MIDI and
   MusicXML; a plant is found when a finding has the right rule, the bar within ±1 and the
   right parts. Target ≥ 95%.
2. False positives on the clean chorales: our parallel fifths/octaves compared with music21's
   own ``voiceLeading.VoiceLeadingQuartet`` run over the same loaded score. Target ≤ 0.2
   extra parallel findings per chorale.
3. Harmony: our per-beat chords against the RomanText analyses bundled with music21
   (``bach/choraleAnalyses``): share of beats whose root and triad quality match. Aim ≥ 80%.

Run: ``python bench/critic_eval.py [--chorales 40] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import copy
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from music21 import converter, corpus, note, stream, voiceLeading

from etude.critic.analysis import analyze_score
from etude.critic.harmony import TRIAD_OF
from etude.critic.rules.ranges import SATB_RANGES
from etude.scores.loading import LoadedScore, load_score

FAULTS = ("parallel_fifths", "parallel_octaves", "voice_crossing", "range", "out_of_key")
VOICES = ("soprano", "alto", "tenor", "bass")


@dataclass
class Plant:
    """A fault written into a chorale: the rule that should find it, where, and in which parts."""

    rule: str
    bar: int
    parts: list[int]
    offset: float
    bar_length: float

    def expected_bar(self, fmt: str) -> int:
        """MusicXML keeps the score's measures (irregular ones included); a MIDI file only has
        the time signature, so there the bar is the offset divided by the bar length."""
        return self.bar if fmt == "musicxml" else int(self.offset // self.bar_length) + 1


def chorale_names(count: int) -> list[str]:
    """Four-part chorales (one voice per part, no chords) from the music21 corpus."""
    names = []
    for path in sorted(corpus.getComposer("bach")):
        if not re.search(r"bwv\d+(\.\d+)?\.mxl$", str(path)):
            continue
        score = corpus.parse(path)
        parts = list(score.parts)
        if len(parts) != 4 or any(p.recurse().getElementsByClass("Chord") for p in parts):
            continue
        names.append(str(path))
        if len(names) >= count:
            break
    return names


def _notes(part: stream.Part) -> list[note.Note]:
    return [n for n in part.recurse().notes if isinstance(n, note.Note)]


def _located(rule: str, n: note.Note, part: stream.Part, parts: list[int]) -> Plant:
    measures = list(part.getElementsByClass(stream.Measure))
    measure = n.getContextByClass(stream.Measure)
    signature = part.recurse().getElementsByClass("TimeSignature").first()
    bar_length = float(signature.barDuration.quarterLength) if signature else 4.0
    # From the measure's own offsets: after expandRepeats, n.getOffsetInHierarchy(part) can
    # answer from a stale cache.
    offset = float(measure.getOffsetBySite(part) + n.getOffsetBySite(measure))
    return Plant(rule, measures.index(measure) + 1, parts, offset, bar_length)


def _untied(n: note.Note) -> bool:
    return n.tie is None


def _aligned_pairs(
    score: stream.Score,
) -> tuple[list[tuple[float, float]], list[dict[float, note.Note]]]:
    """Consecutive onsets (t0, t1) where all four voices strike untied notes at both, each
    voice's first note lasting exactly until t1; with each voice's notes by onset."""
    onsets: list[dict[float, note.Note]] = []
    for part in score.parts:
        onsets.append({float(n.getOffsetInHierarchy(score)): n for n in _notes(part)})
    common = sorted(set.intersection(*(set(o) for o in onsets)))
    pairs = []
    for t0, t1 in pairwise(common):
        heads = [o[t0] for o in onsets] + [o[t1] for o in onsets]
        contiguous = all(abs(t0 + float(o[t0].quarterLength) - t1) < 1e-6 for o in onsets)
        if contiguous and all(_untied(n) for n in heads) and t0 > 0:
            pairs.append((t0, t1))
    return pairs, onsets


def plant(score: stream.Score, fault: str, rng: random.Random) -> Plant | None:
    """Write one fault into ``score`` in place; None if no suitable place was found."""
    pairs, onsets = _aligned_pairs(score)
    parts = list(score.parts)
    rng.shuffle(pairs)
    if fault in ("parallel_fifths", "parallel_octaves"):
        size = 7 if fault == "parallel_fifths" else 12
        combos = [(0, 3), (0, 1), (1, 2), (2, 3), (0, 2), (1, 3)]
        for t0, t1 in pairs:
            upper, lower = rng.choice(combos)
            u0, u1 = onsets[upper][t0], onsets[upper][t1]
            l0, l1 = onsets[lower][t0], onsets[lower][t1]
            if l0.pitch.midi == l1.pitch.midi:
                continue
            new0 = _closest(l0.pitch.midi + size, u0.pitch.midi)
            new1 = _closest(l1.pitch.midi + size, u1.pitch.midi)
            if abs(new0 - u0.pitch.midi) > 5 or abs(new1 - u1.pitch.midi) > 5 or new0 == new1:
                continue
            if new0 <= l0.pitch.midi or new1 <= l1.pitch.midi:
                continue
            u0.pitch.midi, u1.pitch.midi = new0, new1
            return _located(fault, u1, parts[upper], [upper, lower])
    if fault == "voice_crossing":
        for t0, _ in pairs:
            alto, tenor = onsets[1][t0], onsets[2][t0]
            tenor.pitch.midi = alto.pitch.midi + rng.choice((2, 3, 4))
            return _located(fault, tenor, parts[2], [1, 2])
    if fault == "range":
        soprano = [n for n in _notes(parts[0]) if n.pitch.midi >= 72 and _untied(n)]
        bass = [n for n in _notes(parts[3]) if n.pitch.midi <= 48 and _untied(n)]
        if soprano and (not bass or rng.random() < 0.5):
            target = rng.choice(soprano)
            target.pitch.midi += 12
            assert target.pitch.midi > SATB_RANGES["soprano"][1]
            return _located(fault, target, parts[0], [0])
        if bass:
            target = rng.choice(bass)
            target.pitch.midi -= 12
            assert target.pitch.midi < SATB_RANGES["bass"][0]
            return _located(fault, target, parts[3], [3])
    if fault == "out_of_key":
        scale = _key_pitch_classes(score)
        candidates = []
        for voice in (1, 2):
            line = _notes(parts[voice])
            for before, current, after in zip(line, line[1:], line[2:], strict=False):
                if not all(_untied(n) for n in (before, current, after)):
                    continue
                for shift in (1, -1):
                    new = current.pitch.midi + shift
                    if new % 12 in scale or abs(after.pitch.midi - new) <= 2:
                        continue
                    if abs(new - before.pitch.midi) <= 2:
                        continue  # could pass as a chromatic neighbour or passing note
                    candidates.append((voice, current, new))
        rng.shuffle(candidates)
        for voice, current, new in candidates[:12]:
            # Outside the piece's key is not enough in a modulating chorale: the note must
            # also be foreign to the key music21 finds in the four bars around it.
            number = current.getContextByClass(stream.Measure).number
            window = score.measures(number - 2, number + 2)
            if new % 12 in _key_pitch_classes(window):
                continue
            current.pitch.midi = new
            return _located(fault, current, parts[voice], [voice])
    return None


def _key_pitch_classes(music: stream.Stream) -> set[int]:
    """Pitch classes of the key music21 finds (minor: with raised 6 and 7)."""
    found = music.analyze("key")
    scale = {p.pitchClass for p in found.getScale().getPitches()}
    if found.mode == "minor":
        scale |= {(found.tonic.pitchClass + 9) % 12, (found.tonic.pitchClass + 11) % 12}
    return scale


def _closest(target: int, near: int) -> int:
    """``target`` moved by octaves to lie as close as possible to ``near``."""
    return target + 12 * round((near - target) / 12)


def reference_parallels(score: stream.Score) -> list[tuple[str, tuple[int, int], float]]:
    """Parallel fifths/octaves by music21's VoiceLeadingQuartet over each voice pair."""
    lines = []
    for part in score.parts:
        flat = part.stripTies().flatten()
        lines.append([(float(n.offset), float(n.offset + n.quarterLength), n) for n in flat.notes])
    found = []
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            times = sorted({s for s, _, _ in lines[i]} | {s for s, _, _ in lines[j]})
            previous = None
            for time_point in times:
                a, b = _sounding(lines[i], time_point), _sounding(lines[j], time_point)
                if a is None or b is None:
                    previous = None
                    continue
                if previous is not None and (previous[0] is not a or previous[1] is not b):
                    vlq = voiceLeading.VoiceLeadingQuartet(previous[0], a, previous[1], b)
                    if vlq.parallelFifth():
                        found.append(("parallel_fifths", (i, j), time_point))
                    if vlq.parallelUnisonOrOctave():
                        found.append(("parallel_octaves", (i, j), time_point))
                previous = (a, b)
    return found


def _sounding(line: list[tuple[float, float, note.Note]], time_point: float) -> note.Note | None:
    chosen = None
    for start, end, n in line:
        if start <= time_point + 1e-9 < end:
            chosen = n if chosen is None or n.pitch.midi > chosen.pitch.midi else chosen
    return chosen if isinstance(chosen, note.Note) else None


def evaluate_faults(names: list[str], seed: int, workdir: Path) -> None:
    rng = random.Random(seed)
    hits = {(f, fmt): [0, 0] for f in FAULTS for fmt in ("midi", "musicxml")}
    clean_extra = {"midi": 0, "musicxml": 0}
    clean_ours = {"midi": 0, "musicxml": 0}
    clean_ref = {"midi": 0, "musicxml": 0}
    misses: list[str] = []
    for index, name in enumerate(names):
        # MIDI files hold repeats written out, so plant bars are counted in the expanded form.
        original = corpus.parse(name).expandRepeats()
        for fmt, suffix in (("midi", ".mid"), ("musicxml", ".musicxml")):
            path = workdir / f"clean{index}{suffix}"
            original.write(fmt, fp=path)
            loaded = load_score(path)
            report = analyze_score(loaded, level="advanced")
            ours = {
                (f.rule, tuple(f.parts), round(f.offset_ql, 3))
                for f in report.findings
                if f.rule in ("parallel_fifths", "parallel_octaves")
            }
            reference = {(r, p, round(t, 3)) for r, p, t in reference_parallels(loaded.score)}
            clean_ours[fmt] += len(ours)
            clean_ref[fmt] += len(reference)
            clean_extra[fmt] += len(ours - reference)
        for fault in FAULTS:
            faulty = copy.deepcopy(original)
            planted = plant(faulty, fault, rng)
            if planted is None:
                continue
            for fmt, suffix in (("midi", ".mid"), ("musicxml", ".musicxml")):
                path = workdir / f"{fault}{index}{suffix}"
                faulty.write(fmt, fp=path)
                report = analyze_score(load_score(path), level="advanced")
                found = any(
                    f.rule == planted.rule
                    and abs(f.bar - planted.expected_bar(fmt)) <= 1
                    and sorted(f.parts) == sorted(planted.parts)
                    for f in report.findings
                )
                hits[(fault, fmt)][0] += int(found)
                hits[(fault, fmt)][1] += 1
                if not found:
                    misses.append(
                        f"{Path(name).name} {fault} {fmt} bar {planted.expected_bar(fmt)} "
                        f"{planted.parts}"
                    )
    print("\nPlanted faults: recall (right rule, bar ±1, right parts)")
    print(f"{'fault':<18}{'MIDI':>12}{'MusicXML':>12}")
    total_hit = total = 0
    for fault in FAULTS:
        cells = []
        for fmt in ("midi", "musicxml"):
            hit, count = hits[(fault, fmt)]
            total_hit, total = total_hit + hit, total + count
            cells.append(f"{hit}/{count}")
        print(f"{fault:<18}{cells[0]:>12}{cells[1]:>12}")
    print(f"{'all':<18}{f'{total_hit}/{total} = {100 * total_hit / max(total, 1):.1f}%':>24}")
    for miss in misses[:15]:
        print("  missed:", miss)
    print("\nClean chorales: parallel fifths/octaves vs music21 VoiceLeadingQuartet")
    print(f"{'format':<10}{'ours':>8}{'music21':>9}{'extra':>8}{'extra/chorale':>15}")
    for fmt in ("midi", "musicxml"):
        per = clean_extra[fmt] / max(len(names), 1)
        print(f"{fmt:<10}{clean_ours[fmt]:>8}{clean_ref[fmt]:>9}{clean_extra[fmt]:>8}{per:>15.3f}")


def evaluate_harmony(limit: int, verbose: bool = False) -> None:
    paths = sorted(
        p for p in corpus.getPaths(fileExtensions=("rntxt",)) if "choraleAnalyses" in str(p)
    )
    matched = beats = pieces = 0
    per_piece: list[float] = []
    skipped: list[str] = []
    for rntxt in paths[:limit]:
        header = Path(rntxt).read_text(errors="replace")
        bwv = re.search(r"^BWV:\s*([\d.]+)", header, re.MULTILINE)
        if bwv is None:
            continue
        try:
            score = corpus.parse(f"bach/bwv{bwv.group(1)}")
            analysis = converter.parse(rntxt, format="romantext")
        except Exception:
            continue
        if not isinstance(score, stream.Score) or len(score.parts) != 4:
            continue
        shift = _edition_shift(score, analysis)
        if shift is None:
            skipped.append(f"bwv{bwv.group(1)}")
            continue
        report = analyze_score(
            LoadedScore(Path(str(rntxt)), "musicxml", score, 0), level="advanced"
        )
        reference = []
        for rn in analysis.recurse().getElementsByClass("RomanNumeral"):
            root = (rn.root().pitchClass + shift) % 12
            base = rn.root().pitchClass
            third = (rn.third.pitchClass - base) % 12 if rn.third is not None else None
            fifth = (rn.fifth.pitchClass - base) % 12 if rn.fifth is not None else None
            quality = {(4, 7): "major", (3, 7): "minor", (3, 6): "diminished", (4, 8): "augmented"}
            reference.append((rn.measureNumber, float(rn.beat), root, quality.get((third, fifth))))
        reference.sort(key=lambda r: (r[0], r[1]))
        good = total = 0
        for item in report.harmony:
            where = (item.measure, item.beat)  # the score's own measure number, as the analysis
            active = [r for r in reference if (r[0], r[1]) <= where]
            if not active:
                continue
            _, _, root, quality = active[-1]
            ours_root = _pc(item.root)
            total += 1
            good += int(ours_root == root and TRIAD_OF[item.quality] == quality)
        if total:
            pieces += 1
            matched, beats = matched + good, beats + total
            per_piece.append(good / total)
            if verbose:
                print(f"  bwv{bwv.group(1):<8}{good:>5}/{total:<5}{good / total:>7.1%}")
    print("\nHarmony vs RomanText analyses (root and triad quality per beat)")
    print(f"{'chorales':<10}{'beats':>8}{'matched':>9}{'share':>8}{'worst':>8}")
    worst = min(per_piece) if per_piece else 0.0
    print(f"{pieces:<10}{beats:>8}{matched:>9}{matched / max(beats, 1):>8.1%}{worst:>8.1%}")
    if skipped:
        print(f"  skipped (corpus score is another version than the analysis): {skipped}")


def _edition_shift(score: stream.Score, analysis: stream.Score) -> int | None:
    """Semitones from the analysis's key to the score's (some corpus scores are transposed
    editions), or None when they are different versions (another number of bars or mode).
    Uses music21's own key finding on the score, never the critic's."""
    numerals = list(analysis.recurse().getElementsByClass("RomanNumeral"))
    measures = score.parts[0].getElementsByClass(stream.Measure)
    if not numerals or abs(numerals[-1].measureNumber - measures[-1].number) > 1:
        return None
    found, opening = score.analyze("key"), numerals[0].key
    if found.mode != opening.mode:
        return None
    return (found.tonic.pitchClass - opening.tonic.pitchClass) % 12


def _pc(name: str) -> int:
    from music21 import pitch

    return pitch.Pitch(name[0] + name[1:].replace("b", "-")).pitchClass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chorales", type=int, default=40)
    parser.add_argument("--analyses", type=int, default=68)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true", help="per-chorale harmony scores")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    names = chorale_names(args.chorales) if args.chorales else []
    print(f"{len(names)} chorales from the music21 corpus")
    if names:
        with tempfile.TemporaryDirectory() as folder:
            evaluate_faults(names, args.seed, Path(folder))
    evaluate_harmony(args.analyses, args.verbose)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
