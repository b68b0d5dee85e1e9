"""Wrong-note detection (issue #22): does the encoder's surprise find a planted wrong note?

Pieces: music21-corpus pieces that pre-training held out (``etude.encoders.corpus.held_out``:
``sha256(name) % 10 == 0``, names as ``encode_corpus_file`` gives them) — four-part Bach
chorales (``.mxl``) and Essen folk tunes (ABC, ``file.abc#n``). In each, one note (seeded:
not tied, not a chord member, not a zero-length chord symbol) is moved up or down by 1 or 2
semitones. Every method scores every note of the piece; we ask where the planted note ranks:

- top-1: it is the single most surprising note; top-5: among the five most surprising
  (ties broken at random, in expectation); AUC: the share of the piece's other notes it
  outscores (ties count half) — the per-piece ROC-AUC with one positive, averaged over pieces.
- 95% intervals: percentile bootstrap over pieces (2,000 resamples).

Methods:
- ``musicbert-small``: ``etude.encoders.surprise`` (``-log p(pitch)``, pitch masked, ``p``
  renormalised over the pitches within an octave of the note, as ``etude analyze`` reports
  it) with the shipped checkpoint; ``, all 128 pitches``: the same forward passes without the
  window; ``random init``: the same shape, randomly initialised (seeded).
- ``musicbert-small + context ranker``: the wrong-note ranker shipped beside the checkpoint
  (``etude.encoders.wrong_notes``, trained by ``scripts/train_wrong_note_ranker.py`` on plants
  in *training* pieces): each note's probability of being the wrong one, from the same
  forward pass's surprise read with the note's metre, line and the voices sounding with it,
  and with the wrong-note detector's score.
- ``musicbert-small wrong-note detector``: the detector alone (``etude.encoders.slip_detector``,
  trained by ``scripts/train_slip_detector.py`` on notes moved in *training* pieces): each
  note's log-odds of being the moved one, from one unmasked pass (the mean of its heads).
- ``n-gram``: masked trigram models (interpolated) of scale degrees and of intervals along each
  part, trained on the *training* pieces of the same corpus files; a note's score is
  ``-log`` of its pitch's posterior among the 25 pitches within an octave, given both sides.
- ``critic out_of_key``: 1 if the critic's ``out_of_key`` rule flags the note, else 0;
  ``out of key (pitch class)``: 1 if its pitch class is outside the critic's key (raised 6/7
  allowed in minor), without the rule's passing/neighbour/applied-chord exceptions.

Sample size: by default at most 36 held-out chorales and the first 160 held-out folk tunes in a
seeded file order (190 pieces scored). ``--all`` takes every held-out four-part chorale and
every held-out Essen tune that passes the same filters (about 880), with the same planting
rule and seed: plants are drawn one piece after another from one ``random.Random(seed)``, in
the same order, so the default's pieces get the same plants inside the larger run. The n-gram
is then trained on every training tune of the Essen files (all of them are parsed), not only
on those of the files the default run reads.

``--workers N`` scores the pieces in ``N`` forked processes (CPU, one torch thread each): the
plants are drawn first in the parent, in order, and every method is deterministic, so the
numbers are the same as with one process. ``--device cuda`` runs the encoders on a GPU in
one process. ``--json PATH`` writes every piece's ranks per method, from which the tables can
be recomputed.

Run: ``python bench/wrong_note.py [--chorales 36] [--folk 160] [--seed 0] [--stride 8]``
or ``python bench/wrong_note.py --all --workers 15``.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import multiprocessing
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.critic.least_expected import flags_of
from etude.critic.texture import build_piece
from etude.encoders.corpus import (
    ScoreNote,
    collection_of,
    corpus_paths,
    held_out,
    score_notes,
    score_to_performance,
    token_parts,
)
from etude.encoders.musicbert import MusicBert
from etude.encoders.octuple import OctupleEncoder
from etude.encoders.slip_detector import SlipDetector, score_log_odds
from etude.encoders.surprise import (
    DEFAULT_STRIDE,
    DEFAULT_WINDOW,
    ScoreDistributions,
    pitch_distributions,
    scored_notes,
)
from etude.encoders.wrong_notes import RANKER_FILE, Ranker, note_features

SPAN = 12
RANKED = "musicbert-small + context ranker"
DETECTED = "musicbert-small wrong-note detector"
ALL = ", all 128 pitches"
"""The n-gram posterior compares the actual pitch with every pitch within an octave of it."""


@dataclass
class Piece:
    name: str
    collection: str
    score: object
    held_out: bool


@dataclass
class Trial:
    name: str
    collection: str
    planted: tuple[int, float, int]
    """(part, onset, new MIDI pitch) of the moved note."""
    shift: int
    scores: dict[str, dict[tuple[int, float, int], float]] = field(default_factory=dict)


def load_pieces(chorales: int, folk: int, train_chorales: int) -> tuple[list[Piece], list[Piece]]:
    """Held-out pieces to test on, and training pieces (for the n-gram) from the same files."""
    from music21 import converter, stream

    paths = corpus_paths()
    bach = [p for p in paths if collection_of(p) == "bach" and p.suffix == ".mxl"]
    test: list[Piece] = []
    train: list[Piece] = []
    for path in bach:
        is_held = held_out(path.name)
        if is_held and sum(p.collection == "bach" for p in test) >= chorales:
            continue
        if not is_held and len(train) >= train_chorales:
            continue
        score = converter.parse(str(path))
        if len(score.parts) != 4:
            continue
        (test if is_held else train).append(Piece(path.name, "bach", score, is_held))
    essen = [p for p in paths if collection_of(p) == "essenFolksong" and "test" not in p.name]
    random.Random(0).shuffle(essen)
    for path in essen:
        if sum(p.collection == "essenFolksong" for p in test) >= folk:
            break
        parsed = converter.parse(str(path))
        scores = list(parsed.scores) if isinstance(parsed, stream.Opus) else [parsed]
        for number, score in enumerate(scores):
            name = f"{path.name}#{number}" if len(scores) > 1 else path.name
            piece = Piece(name, "essenFolksong", score, held_out(name))
            if not piece.held_out:
                train.append(piece)
            elif sum(p.collection == "essenFolksong" for p in test) < folk:
                test.append(piece)
    return test, train


def lines_of(notes: list[ScoreNote]) -> dict[int, list[ScoreNote]]:
    """Each part's sounding notes in time order, the highest at each onset (ties merged)."""
    top: dict[tuple[int, float], ScoreNote] = {}
    for item in notes:
        if item.held or item.note.duration <= 0:
            continue
        key = (item.part, item.note.start)
        if key not in top or item.note.pitch > top[key].note.pitch:
            top[key] = item
    lines: dict[int, list[ScoreNote]] = {}
    for (part, _), item in sorted(top.items()):
        lines.setdefault(part, []).append(item)
    return lines


def tonic_of(score: object) -> int:
    key = score.analyze("key")  # type: ignore[attr-defined]
    return int(key.tonic.pitchClass)


class Trigram:
    """An interpolated trigram model over small integer symbols (start symbols padded)."""

    START = -100

    def __init__(self, weights: tuple[float, float, float] = (0.6, 0.3, 0.1)) -> None:
        self.weights = weights
        self.tri: Counter[tuple[int, int, int]] = Counter()
        self.bi: Counter[tuple[int, int]] = Counter()
        self.uni: Counter[int] = Counter()
        self.ctx2: Counter[tuple[int, int]] = Counter()
        self.ctx1: Counter[int] = Counter()

    def fit(self, sequence: list[int]) -> None:
        padded = [self.START, self.START, *sequence]
        for a, b, c in zip(padded, padded[1:], padded[2:], strict=False):
            self.tri[a, b, c] += 1
            self.ctx2[a, b] += 1
            self.bi[b, c] += 1
            self.ctx1[b] += 1
            self.uni[c] += 1

    def logp(self, a: int, b: int, c: int) -> float:
        w3, w2, w1 = self.weights
        total = sum(self.uni.values())
        p1 = (self.uni[c] + 1) / (total + len(self.uni) + 1)
        p2 = self.bi[b, c] / self.ctx1[b] if self.ctx1[b] else p1
        p3 = self.tri[a, b, c] / self.ctx2[a, b] if self.ctx2[a, b] else p2
        return math.log(w3 * p3 + w2 * p2 + w1 * p1)


def degrees(pitches: list[int], tonic: int) -> list[int]:
    return [(p - tonic) % 12 for p in pitches]


def intervals(pitches: list[int]) -> list[int]:
    return [
        0 if i == 0 else max(-SPAN, min(SPAN, p - pitches[i - 1])) for i, p in enumerate(pitches)
    ]


def local_logp(model: Trigram, sequence: list[int], around: int) -> float:
    padded = [Trigram.START, Trigram.START, *sequence]
    return sum(
        model.logp(padded[j], padded[j + 1], padded[j + 2])
        for j in range(around, min(around + 4, len(sequence)))
    )


def ngram_scores(
    notes: list[ScoreNote], tonic: int, degree_model: Trigram, interval_model: Trigram
) -> dict[tuple[int, float, int], float]:
    """-log posterior of each line note's pitch among the pitches within an octave."""
    scores: dict[tuple[int, float, int], float] = {}
    for part, line in lines_of(notes).items():
        pitches = [n.note.pitch for n in line]
        for i, item in enumerate(line):
            candidates = [c for c in range(item.note.pitch - SPAN, item.note.pitch + SPAN + 1)]
            totals = []
            for candidate in candidates:
                trial = [*pitches[:i], candidate, *pitches[i + 1 :]]
                totals.append(
                    local_logp(degree_model, degrees(trial, tonic), i)
                    + local_logp(interval_model, intervals(trial), i)
                )
            top = max(totals)
            log_norm = top + math.log(sum(math.exp(t - top) for t in totals))
            actual = totals[SPAN]
            scores[part, item.note.start, item.note.pitch] = log_norm - actual
    return scores


def plant(piece: Piece, rng: random.Random) -> tuple[object, tuple[int, float, int], int] | None:
    """A copy of the score with one plain note moved by ±1 or ±2 semitones."""
    from music21 import note

    score = copy.deepcopy(piece.score)
    choices = []
    for index, part in enumerate(score.parts):
        for element in part.flatten().notes:
            if (
                isinstance(element, note.Note)
                and element.tie is None
                and float(element.quarterLength) > 0
            ):
                choices.append((index, element))
    if not choices:
        return None
    part, element = rng.choice(choices)
    shift = rng.choice([-2, -1, 1, 2])
    element.pitch.midi = element.pitch.midi + shift
    onset = float(element.getOffsetInHierarchy(score.parts[part]))
    return score, (part, onset, int(element.pitch.midi)), shift


def critic_scores(score: object, name: str) -> tuple[set[tuple[int, float]], set[int], list]:
    """Notes the critic's out_of_key rule flags, the pitch classes its key allows, and every
    finding (what the wrong-note ranker reads)."""
    from music21 import key as m21key

    from etude.critic.analysis import analyze_score
    from etude.critic.rules.common import Tonality
    from etude.scores.loading import LoadedScore

    report = analyze_score(LoadedScore(Path(name), "musicxml", score, 0), level="advanced")
    flagged = {
        (part, round(finding.offset_ql, 3))
        for finding in report.findings
        if finding.rule == "out_of_key"
        for part in finding.parts
    }
    tonic = report.key.tonic.replace("b", "-") if len(report.key.tonic) > 1 else report.key.tonic
    allowed = set(Tonality.of(m21key.Key(tonic, report.key.mode)).allowed)
    return flagged, allowed, report.every_finding


def rank_stats(scores: dict[tuple[int, float, int], float], planted: tuple[int, float, int]):
    values = np.array(list(scores.values()))
    mine = scores[planted]
    above = int((values > mine).sum())
    tied = int((values == mine).sum())  # includes the planted note
    n = len(values)
    top1 = 1.0 / tied if above == 0 else 0.0
    top5 = min(max((5 - above) / tied, 0.0), 1.0)
    auc = (n - above - tied + 0.5 * (tied - 1)) / max(n - 1, 1)
    return top1, top5, auc


def bootstrap(values: np.ndarray, rng: np.random.Generator, n: int = 2000) -> tuple[float, float]:
    means = values[rng.integers(0, len(values), size=(n, len(values)))].mean(1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


_TRAIN: list[Piece] = []


def paired_table(
    trials: list[Trial], encoders: list[str], baselines: list[str], boot: np.random.Generator
) -> None:
    """Print encoder − baseline per measure on the same pieces, with a 95% bootstrap interval
    over pieces (the intervals draw from ``boot`` in row order)."""
    print("| encoder − baseline | top-1 | top-5 | ROC-AUC |")
    print("|---|---|---|---|")
    for encoder in encoders:
        mine = np.array([rank_stats(t.scores[encoder], t.planted) for t in trials])
        for baseline in baselines:
            theirs = np.array([rank_stats(t.scores[baseline], t.planted) for t in trials])
            cells = []
            for column in range(3):
                delta = mine[:, column] - theirs[:, column]
                low, high = bootstrap(delta, boot)
                cells.append(f"{delta.mean():+.3f} [{low:+.3f}, {high:+.3f}]")
            print(f"| {encoder} − {baseline} | " + " | ".join(cells) + " |")


def training_lines(index: int) -> tuple[int, list[list[int]]]:
    """A training piece's tonic and each part's line of MIDI pitches, for the n-gram."""
    score = _TRAIN[index].score
    return tonic_of(score), [
        [n.note.pitch for n in line] for line in lines_of(score_notes(score)).values()
    ]


@dataclass
class Context:
    """What every piece's scoring needs, set in the parent before the worker processes fork."""

    plants: list[tuple[Piece, tuple[object, tuple[int, float, int], int] | None]]
    runs: list[tuple[str, MusicBert, int, dict[str, int | None]]]
    stride: int
    min_notes: int
    degree_model: Trigram
    interval_model: Trigram
    per_part: bool = False
    ranker: Ranker | None = None
    detector: SlipDetector | None = None


_CONTEXT: Context | None = None


def score_trial(index: int) -> tuple[Trial | None, dict[str, float], bool]:
    """Every method's score for every note of one planted piece (None if the piece is skipped),
    the seconds each method took, and whether the planted pitch left the key."""
    context = _CONTEXT
    assert context is not None
    timings: dict[str, float] = Counter()
    piece, planted = context.plants[index]
    if planted is None:
        return None, timings, False
    score, where, shift = planted
    notes = score_notes(score)
    reported = [n for n in notes if not n.held and n.note.duration > 0]
    if len(reported) < context.min_notes:
        return None, timings, False
    trial = Trial(piece.name, piece.collection, where, shift)
    keys = [(n.part, n.note.start, n.note.pitch) for n in reported]
    if where not in set(keys):
        return None, timings, False
    encoding, rows = OctupleEncoder().encode_indexed(score_to_performance(score, notes))
    parts = token_parts(notes, rows, len(encoding.tokens))
    t = time.perf_counter()
    flagged, allowed, findings = critic_scores(score, piece.name)
    timings["critic"] += time.perf_counter() - t
    for label, model, stride, windows in context.runs:
        t = time.perf_counter()
        p = pitch_distributions(model, encoding.tokens, stride=stride, parts=parts)
        timings[label] += time.perf_counter() - t
        found = ScoreDistributions(notes, encoding.tokens, rows, p)
        log_odds = None
        if label == "musicbert-small" and context.detector is not None:
            t = time.perf_counter()
            log_odds = score_log_odds(found, context.detector)
            row_of = {
                (n.part, n.note.start, n.note.pitch): r for n, r in zip(notes, rows, strict=True)
            }
            trial.scores[DETECTED] = {k: float(log_odds[row_of[k]]) for k in keys}
            timings["detector"] += time.perf_counter() - t
        if label == "musicbert-small" and context.ranker is not None:
            t = time.perf_counter()
            locate = build_piece(score).meter.locate
            flags = flags_of(findings)
            chosen, x = note_features(
                found, locate, flags, counts=context.ranker.counts, detector=log_odds
            )
            texture = len({notes[i].part for i in chosen}) > 1
            probability = context.ranker.probabilities(x, texture=texture)
            by_note = {
                (notes[i].part, notes[i].note.start, notes[i].note.pitch): float(q)
                for i, q in zip(chosen, probability, strict=True)
            }
            trial.scores[RANKED] = {k: by_note.get(k, 0.0) for k in keys}
            timings["ranker"] += time.perf_counter() - t
        for suffix, window in windows.items():
            scored = scored_notes(p, encoding.tokens, notes, rows, window=window)
            by_key = {
                (s.source.part, s.source.note.start, s.source.note.pitch): s.score for s in scored
            }
            trial.scores[label + suffix] = {k: by_key[k] for k in keys}
    if context.per_part:
        _, model, stride, _ = context.runs[0]
        texture = trial.scores[context.runs[0][0]]
        lines = line_scores(score, notes, model, stride)
        trial.scores["musicbert-small, each part alone"] = {k: lines.get(k, 0.0) for k in keys}
        trial.scores["musicbert-small, texture + line"] = {
            k: texture[k] + lines.get(k, 0.0) for k in keys
        }
    t = time.perf_counter()
    grams = ngram_scores(notes, tonic_of(score), context.degree_model, context.interval_model)
    trial.scores["n-gram (degrees × intervals)"] = {k: grams.get(k, 0.0) for k in keys}
    timings["n-gram"] += time.perf_counter() - t
    trial.scores["critic out_of_key rule"] = {
        k: float((k[0], round(k[1], 3)) in flagged) for k in keys
    }
    trial.scores["out of key (pitch class)"] = {k: float(k[2] % 12 not in allowed) for k in keys}
    return trial, timings, where[2] % 12 not in allowed


def line_scores(
    score: object, notes: list[ScoreNote], model: MusicBert, stride: int
) -> dict[tuple[int, float, int], float]:
    """Each note's surprise with its own part alone given to the encoder, as a melody: a wrong
    note in an inner voice that the texture hides may still bend its own line, and melodies are
    what the encoder reads best (the folk rows)."""
    found: dict[tuple[int, float, int], float] = {}
    for part in sorted({n.part for n in notes}):
        line = [n for n in notes if n.part == part]
        try:
            encoding, rows = OctupleEncoder().encode_indexed(score_to_performance(score, line))
        except (ValueError, IndexError):
            continue
        p = pitch_distributions(model, encoding.tokens, stride=stride)
        for s in scored_notes(p, encoding.tokens, line, rows, window=DEFAULT_WINDOW):
            found[(s.source.part, s.source.note.start, s.source.note.pitch)] = s.score
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chorales", type=int, default=36, help="held-out chorales at most")
    parser.add_argument("--folk", type=int, default=160, help="held-out folk tunes")
    parser.add_argument("--train-chorales", type=int, default=150, help="n-gram training")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stride", type=int, default=DEFAULT_STRIDE)
    parser.add_argument("--min-notes", type=int, default=16)
    parser.add_argument(
        "--extra-strides", default="", help="also score the pre-trained model at these strides"
    )
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="LABEL=FOLDER",
        help="also score this checkpoint (e.g. a new one beside the shipped one), same plants",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every held-out 4-part chorale and Essen tune (about 880 pieces), same plants rule",
    )
    parser.add_argument(
        "--per-part",
        action="store_true",
        help="also score each part alone, and the sum of that and the texture's score",
    )
    parser.add_argument("--workers", type=int, default=1, help="forked processes (CPU)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (with --workers 1)")
    parser.add_argument("--json", type=Path, default=None, help="write per-piece ranks here")
    args = parser.parse_args()
    if args.workers > 1 and args.device != "cpu":
        parser.error("--workers runs the encoders on the CPU; use --device cuda alone")
    if args.all:
        args.chorales = args.folk = 1_000_000

    import torch

    if args.workers > 1:
        # one thread per process, set before any torch work so no thread pool exists to fork
        torch.set_num_threads(1)

    from etude.encoders.embedding import checkpoint_dir, load_model

    started = time.perf_counter()
    test, train = load_pieces(args.chorales, args.folk, args.train_chorales)
    print(
        f"parsed {len(test)} test and {len(train)} training pieces "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )

    global _TRAIN
    _TRAIN = train
    if args.workers > 1:
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            lines = pool.map(training_lines, range(len(train)), chunksize=16)
    else:
        lines = [training_lines(i) for i in range(len(train))]
    degree_model, interval_model = Trigram(), Trigram()
    for tonic, piece_lines in lines:  # fitted in the pieces' order, as before
        for pitches in piece_lines:
            degree_model.fit(degrees(pitches, tonic))
            interval_model.fit(intervals(pitches))

    device = torch.device(args.device)
    print(f"n-gram trained, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    pretrained = load_model().to(device)
    torch.manual_seed(args.seed)
    random_init = MusicBert(pretrained.config).eval().to(device)
    extra = [int(s) for s in args.extra_strides.split(",") if s]
    others = [
        (label, MusicBert.load(Path(folder)).eval().to(device))
        for label, folder in (a.split("=", 1) for a in args.also)
    ]
    runs: list[tuple[str, MusicBert, int, dict[str, int | None]]] = [
        ("musicbert-small", pretrained, args.stride, {"": DEFAULT_WINDOW, ALL: None}),
        ("random init", random_init, args.stride, {"": DEFAULT_WINDOW}),
    ]
    runs += [(f"musicbert-small, stride {s}", pretrained, s, {"": DEFAULT_WINDOW}) for s in extra]
    runs += [(label, model, args.stride, {"": DEFAULT_WINDOW}) for label, model in others]
    rng = random.Random(args.seed)
    # plants drawn in order in this process, so the pieces' plants do not depend on --workers
    global _CONTEXT
    _CONTEXT = Context(
        plants=[(piece, plant(piece, rng)) for piece in test],
        runs=runs,
        stride=args.stride,
        min_notes=args.min_notes,
        degree_model=degree_model,
        interval_model=interval_model,
        per_part=args.per_part,
        ranker=Ranker.load(checkpoint_dir() / RANKER_FILE),
        detector=SlipDetector.load(checkpoint_dir(), MusicBert.load(checkpoint_dir())),
    )
    results: list[tuple[Trial | None, dict[str, float], bool]]
    if args.workers > 1:
        with multiprocessing.get_context("fork").Pool(args.workers) as pool:
            results = list(pool.imap(score_trial, range(len(test)), chunksize=4))
    else:
        results = []
        for i in range(len(test)):
            results.append(score_trial(i))
            if (i + 1) % 100 == 0:
                print(f"{i + 1} pieces, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    trials: list[Trial] = []
    out_of_key_plants = 0
    timings: dict[str, float] = Counter()
    for trial, spent_on, out_of_key in results:
        timings.update(spent_on)
        if trial is not None:
            trials.append(trial)
            out_of_key_plants += out_of_key

    methods = list(trials[0].scores)
    boot = np.random.default_rng(args.seed)
    counts = Counter(t.collection for t in trials)
    print(
        f"\n{len(trials)} held-out pieces ({counts['bach']} chorales, "
        f"{counts['essenFolksong']} Essen folk tunes), "
        f"{np.mean([len(t.scores[methods[0]]) for t in trials]):.0f} notes on average; "
        f"planted note out of key in {out_of_key_plants}/{len(trials)}; "
        f"seed {args.seed}, stride {args.stride}\n"
    )
    print("| method | pieces | top-1 | top-5 | ROC-AUC |")
    print("|---|---|---|---|---|")
    for subset in ("all", "bach", "essenFolksong"):
        chosen = [t for t in trials if subset == "all" or t.collection == subset]
        if not chosen:
            continue
        for method in methods:
            stats = np.array([rank_stats(t.scores[method], t.planted) for t in chosen])
            cells = []
            for column in range(3):
                low, high = bootstrap(stats[:, column], boot)
                cells.append(f"{stats[:, column].mean():.3f} [{low:.3f}, {high:.3f}]")
            label = method if subset == "all" else f"{method} — {subset}"
            print(f"| {label} | {len(chosen)} | " + " | ".join(cells) + " |")
    encoders = [m for m in methods if m.startswith("musicbert") or m in dict(others)]
    encoders = [m for m in encoders if not m.endswith(ALL)]
    baselines = [m for m in methods if m not in encoders and not m.endswith(ALL)]
    baselines = [m for m in baselines if m != "random init"]
    print(
        "\nPaired differences (encoder minus baseline, same pieces; 95% bootstrap over pieces):\n"
    )
    paired_table(trials, encoders, baselines, boot)
    for subset in ("bach", "essenFolksong"):
        # after the overall table, so its intervals draw from the generator as before
        chosen = [t for t in trials if t.collection == subset]
        if not chosen:
            continue
        print(f"\nPaired differences, {subset} only ({len(chosen)} pieces):\n")
        paired_table(chosen, encoders, baselines, boot)
    if args.json:
        records = [
            {
                "name": t.name,
                "collection": t.collection,
                "planted": list(t.planted),
                "shift": t.shift,
                "notes": len(t.scores[methods[0]]),
                "ranks": {m: list(rank_stats(t.scores[m], t.planted)) for m in methods},
            }
            for t in trials
        ]
        args.json.write_text(json.dumps({"seed": args.seed, "pieces": records}, indent=1))
    total = time.perf_counter() - started
    spent = ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
    summed = f", seconds summed over {args.workers} processes" if args.workers > 1 else ""
    print(f"\nwall {total:.0f} s ({spent}{summed})")


if __name__ == "__main__":
    main()
