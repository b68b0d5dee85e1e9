"""Harmonic analysis against expert RomanText analyses (issue #22, "Harmonic analysis").

Data: every RomanText analysis music21's corpus ships whose score is in the corpus too —
the 20 Bach chorale analyses (``bach/choraleAnalyses/riemenschneiderNNN.rntxt``, paired with
``bach/bwvNNN.mxl`` through the analysis's ``BWV:`` line) and the Monteverdi madrigal
analyses (``monteverdi/madrigal.B.N.rntxt`` beside ``madrigal.B.N.mxl``). A pair is used
only when the analysis's bars start where the score's bars of the same number start
(``--min-aligned``, 90% of bars). Numerals are placed by bar number and position in the bar
(``aligned_onsets``), so an analysis that starts late or skips a bar is still read against
the right music.

Split (fixed before any result was seen): a piece is **held out** when
``sha256(name) % 5 == 0``, ``name`` the analysis file's stem ("riemenschneider001",
"madrigal.3.1"). Within the training pieces, ``sha256(name) % 5 == 1`` is the validation
part the tagger stops on; the rest trains it. All reported numbers are on held-out pieces.

Unit: a **beat** of the critic's own beat grid (``etude.critic.harmony.beat_grid``) on which
some note sounds and the analysis has begun. Its reference label is the analysis's Roman
numeral in force at the beat's start (the last one at or before it). Labels are compared as
``etude.critic.numerals.NumeralLabel``: key, degree (chromatic, secondary numerals resolved to
their root), quality (sevenths count), inversion; *full* = all four. *root* (the chord's root
pitch class, whatever the key) is given too. Accuracy is micro-averaged over beats; the 95%
interval is a percentile bootstrap over held-out pieces (2,000 resamples, seed 0), and
``Δ vs critic`` bootstraps the paired difference the same way.

Methods:
- ``critic (main key)``: ``etude.critic.analysis.read_score``'s harmony, as
  ``etude analyze`` reports it: one chord per beat, named in the piece's main key.
- ``critic + phrase keys``: the same chords, read in the key of the modulating phrase
  (``find_modulations``) where the critic found one.
- ``tonic triad baseline``: I (i) in root position in the critic's main key, on every beat.
- ``most frequent label``: the commonest full label of the training beats.
- ``encoder tagger``: frozen MusicBERT-small states (``load_model()``, whatever checkpoint
  is in use), per beat: the mean state of the notes sounding in it, the state of its bass
  note, the mean of its bar, of the bars either side, and of the piece → a small MLP with four
  heads (local key 24, chord root 12, quality 10, inversion 4), trained on the training
  pieces transposed to ``--transpositions`` keys (the encoder reads the transposed notes; the
  labels move with them), torch on the CPU, seeded.

Run: ``python bench/harmony.py [--transpositions 6] [--seed 0] [--workers 2]``; parsed pieces
and encoder states are cached in ``$ETUDE_HARMONY_CACHE`` (default /tmp/etude-harmony),
keyed by the checkpoint's file size and mtime.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import pickle
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing import Pool
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etude.critic.harmony import TEMPLATES
from etude.critic.numerals import (
    MODES,
    QUALITIES,
    NumeralLabel,
    label_of_chord,
    label_of_roman,
)

COMPONENTS = ("key", "degree", "quality", "inversion", "root", "full")
CACHE_VERSION = "v3"
"""Bumped whenever what ``read_pair`` stores changes."""
SHIFTS = (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6)
"""Transpositions of the training pieces, in the order ``--transpositions`` takes them."""


def held_out(name: str) -> bool:
    """The fixed test split: a fifth of the analyses by a hash of the analysis's name.

    >>> held_out("riemenschneider001") in (True, False)
    True
    """
    return _bucket(name) == 0


def validation(name: str) -> bool:
    """The tagger's early-stopping pieces, drawn from the training pieces only."""
    return _bucket(name) == 1


def _bucket(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % 5


# ---------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class AnalysisPair:
    name: str
    collection: str
    analysis: Path
    score: Path


def corpus_root() -> Path:
    import music21.corpus

    return Path(music21.corpus.__file__).parent


def bwv_file_stem(bwv: str) -> str:
    """The corpus file stem of a RomanText ``BWV:`` line.

    >>> bwv_file_stem("248(2).12"), bwv_file_stem("41.6s"), bwv_file_stem("269")
    ('bwv248.12-2', 'bwv41.6', 'bwv269')
    """
    bwv = bwv.strip()
    cantata = re.fullmatch(r"(\d+)\((\d+)\)\.(\d+)", bwv)
    if cantata:
        return f"bwv{cantata[1]}.{cantata[3]}-{cantata[2]}"
    return "bwv" + bwv.rstrip("s")


def analysis_pairs(root: Path | None = None) -> list[AnalysisPair]:
    """Every corpus RomanText analysis with its score, sorted by name."""
    root = root or corpus_root()
    pairs = []
    for analysis in sorted(root.rglob("*.rntxt")):
        score: Path | None = None
        if analysis.parent.name == "choraleAnalyses":
            found = re.search(r"^BWV:\s*(\S+)", analysis.read_text(errors="replace"), re.M)
            if found:
                score = root / "bach" / f"{bwv_file_stem(found[1])}.mxl"
        else:
            score = analysis.with_suffix(".mxl")
        if score is not None and score.exists():
            collection = analysis.relative_to(root).parts[0]
            pairs.append(AnalysisPair(analysis.stem, collection, analysis, score))
    return pairs


def label_at(
    onsets: Sequence[tuple[float, NumeralLabel | None]], offset: float
) -> NumeralLabel | None:
    """The analysis's label in force at ``offset``: the last one starting at or before it.

    >>> a, b = NumeralLabel(0, "major", 0, "major", 0), NumeralLabel(0, "major", 7, "major", 0)
    >>> [label_at([(1.0, a), (2.5, b)], t) for t in (0.0, 1.0, 2.0, 2.5, 9.0)] == [None, a, a, b, b]
    True
    """
    found = None
    for start, label in onsets:
        if start <= offset + 1e-6:
            found = label
        else:
            break
    return found


@dataclass
class BeatRecord:
    offset: float
    bar: int
    reference: NumeralLabel
    critic: NumeralLabel | None
    critic_phrase: NumeralLabel | None
    rows: list[int]
    """Encoder rows of the notes sounding in the beat."""
    bass_row: int
    chord_tones: float = float("nan")
    """Share of the notes sounding at the beat's start that belong to the reference chord
    (NaN for a chord no template names): a check of the alignment that no method's answer
    enters."""


def chord_tone_share(label: NumeralLabel, pitch_classes: Sequence[int]) -> float:
    """Share of ``pitch_classes`` that are notes of the labelled chord.

    >>> chord_tone_share(NumeralLabel(0, "major", 7, "dominant seventh", 0), [7, 11, 2, 9])
    0.75
    """
    if label.quality not in TEMPLATES or not pitch_classes:
        return float("nan")
    members = {(label.root + i) % 12 for i in TEMPLATES[label.quality]}
    return sum(pc % 12 in members for pc in pitch_classes) / len(pitch_classes)


@dataclass
class PieceRecord:
    name: str
    collection: str
    main_key: tuple[int, str]
    beats: list[BeatRecord]
    aligned: float
    """Share of the analysis's bars that start where the score's bar of that number starts."""
    features: dict[int, np.ndarray] = field(default_factory=dict)
    """Per transposition: (beats, F) encoder features."""
    seconds: float = 0.0


def _bars(score: object, part: int = 0) -> dict[int, tuple[float, float, float]]:
    """Per measure number: (start offset, left padding, full length) of its first measure."""
    from music21 import stream

    found: dict[int, tuple[float, float, float]] = {}
    for m in score.parts[part].getElementsByClass(stream.Measure):  # type: ignore[attr-defined]
        length = float(m.duration.quarterLength + m.paddingLeft + m.paddingRight)
        found.setdefault(m.number, (float(m.offset), float(m.paddingLeft), length))
    return found


def _agreed_bars(score: object) -> dict[int, tuple[float, float, float]]:
    """The bars every part of the score starts at the same offset with the same length: a
    corpus file whose parts disagree (madrigal 5.2 has parts with overfull bars from bar 15)
    sounds its voices at shifted times there, so no label can be checked against it."""
    every = [_bars(score, i) for i in range(len(score.parts))]  # type: ignore[attr-defined]
    first = every[0]
    return {
        n: bar
        for n, bar in first.items()
        if all(
            n in other and abs(other[n][0] - bar[0]) < 1e-6 and abs(other[n][2] - bar[2]) < 1e-6
            for other in every[1:]
        )
    }


def aligned_onsets(
    analysis: object, score: object
) -> tuple[list[tuple[float, NumeralLabel | None]], float]:
    """The analysis's numerals at their offsets in the score, and the share of its bars that
    the score has with the same number and length.

    Aligned by bar number and position in the bar, not by offset: music21 lays a RomanText
    file's bars end to end, so an analysis that starts at bar 4 or skips a bar would put
    every later numeral early. A numeral in a bar the score has at another length (or whose
    parts disagree, ``_agreed_bars``) is read as "no label" from that bar's start (its beats
    are not scored), and one in a bar the score lacks is dropped.
    """
    from music21 import roman, stream

    theirs, mine, first_part = _agreed_bars(score), _bars(analysis), _bars(score)
    same = {
        n
        for n, (_, pad, length) in mine.items()
        if n in theirs and abs(theirs[n][2] - length) < 1e-6
    }
    onsets: list[tuple[float, NumeralLabel | None]] = []
    for numeral in analysis.recurse().getElementsByClass(roman.RomanNumeral):  # type: ignore[attr-defined]
        bar = numeral.getContextByClass(stream.Measure)
        if bar is None or bar.number not in first_part:
            continue
        start, pad, _ = first_part[bar.number]
        if bar.number not in same:
            onsets.append((start, None))
            continue
        within = float(numeral.getOffsetBySite(bar)) + float(bar.paddingLeft)
        onsets.append((start + within - pad, label_of_roman(numeral)))
    return sorted(onsets, key=lambda o: o[0]), len(same) / max(len(mine), 1)


def read_pair(pair: AnalysisPair, shifts: Sequence[int]) -> PieceRecord:
    """Parse a pair, run the critic, align beats, and read encoder features per shift."""
    from music21 import converter

    from etude.critic.analysis import read_score
    from etude.critic.harmony import beat_grid
    from etude.critic.modulation import region_at
    from etude.critic.numerals import pitch_class
    from etude.encoders.corpus import score_notes, score_to_performance
    from etude.encoders.octuple import OctupleEncoder
    from etude.scores.loading import LoadedScore

    started = time.perf_counter()
    analysis = converter.parse(str(pair.analysis), format="romantext")
    score = converter.parse(str(pair.score))
    onsets, aligned = aligned_onsets(analysis, score)
    reading = read_score(LoadedScore(pair.score, "musicxml", score, 0))
    piece, context = reading.piece, reading.context
    main = (reading.key.tonic.pitchClass, reading.key.mode)
    by_offset = {round(h.offset_ql, 4): h for h in context.harmony}

    notes = score_notes(score)
    encoding, rows = OctupleEncoder().encode_indexed(score_to_performance(score, notes))
    sounding_notes = [
        (n.note.start, n.note.start + n.note.duration, n.note.pitch, int(r))
        for n, r in zip(notes, rows, strict=True)
        if r >= 0 and n.note.duration > 0
    ]

    beats: list[BeatRecord] = []
    for start, length in beat_grid(piece):
        end = start + length
        reference = label_at(onsets, start)
        here = [s for s in sounding_notes if s[0] < end - 1e-9 and s[1] > start + 1e-9]
        if reference is None or not here:
            continue
        at_beat = [s for s in here if s[0] <= start + 1e-9] or here
        bass = min(at_beat, key=lambda s: s[2])
        chord = by_offset.get(round(start, 4))
        critic = phrase = None
        if chord is not None:
            critic = label_of_chord(chord.root, chord.quality, chord.figure, *main)
            region = region_at(context.modulations, start)
            local = (pitch_class(region.tonic), region.mode) if region else main
            phrase = label_of_chord(chord.root, chord.quality, chord.figure, *local)
        bar, _ = piece.meter.locate(start)
        tones = chord_tone_share(reference, [s[2] for s in at_beat])
        beats.append(
            BeatRecord(start, bar, reference, critic, phrase, [s[3] for s in here], bass[3], tones)
        )
    record = PieceRecord(pair.name, pair.collection, main, beats, aligned)
    if shifts:
        from etude.encoders.embedding import load_model

        model = load_model()
        bar_starts = piece.meter.bar_starts
        for shift in shifts:
            states = note_states(model, encoding.tokens, shift)
            if states is not None:
                record.features[shift] = beat_features(states, encoding.tokens, beats, bar_starts)
    record.seconds = time.perf_counter() - started
    return record


def note_states(model: object, tokens: np.ndarray, shift: int) -> np.ndarray | None:
    """Last-layer MusicBERT states (N, H) of a piece transposed by ``shift`` semitones, read
    in half-overlapping windows of ``max_notes`` (each note from the window where it sits
    furthest from an edge, bars renumbered from 0 per window as in pre-training); None when
    the transposition leaves the MIDI range."""
    import torch

    from etude.encoders.octuple import BAR, DRUMS, INSTRUMENT, PITCH

    tokens = np.asarray(tokens, dtype=np.int64).copy()
    pitched = tokens[:, INSTRUMENT] != DRUMS
    tokens[pitched, PITCH] += shift
    if tokens[pitched, PITCH].min(initial=0) < 0 or tokens[pitched, PITCH].max(initial=0) > 127:
        return None
    count, width = len(tokens), model.config.max_notes  # type: ignore[attr-defined]
    starts = [0] if count <= width else list(range(0, count - width // 2, width // 2))
    starts = sorted({min(s, max(count - width, 0)) for s in starts})
    centres = np.array([s + min(width, count - s) / 2 for s in starts])
    owner = np.abs(np.arange(count)[:, None] - centres[None, :]).argmin(1)
    out = np.zeros((count, model.config.hidden), dtype=np.float32)  # type: ignore[attr-defined]
    with torch.no_grad():
        for w, start in enumerate(starts):
            window = tokens[start : start + width].copy()
            window[:, BAR] -= window[0, BAR]
            ids = model.joint_ids(torch.as_tensor(window))[None]  # type: ignore[attr-defined]
            hidden, _ = model.hidden_states(ids)  # type: ignore[attr-defined]
            positions = np.arange(start, start + len(window))
            mine = owner[positions] == w
            out[positions[mine]] = hidden[0].numpy()[mine]
    return out


def beat_features(
    states: np.ndarray, tokens: np.ndarray, beats: list[BeatRecord], bar_starts: list[float]
) -> np.ndarray:
    """Per beat: [mean of its notes, its bass note, its bar, bars b-1..b+1, the piece]."""
    del tokens, bar_starts
    piece = states.mean(0)
    by_bar: dict[int, list[int]] = {}
    for beat in beats:
        by_bar.setdefault(beat.bar, []).extend(beat.rows)
    bar_mean = {b: states[sorted(set(r))].mean(0) for b, r in by_bar.items()}
    rows = []
    for beat in beats:
        near = [bar_mean[b] for b in (beat.bar - 1, beat.bar, beat.bar + 1) if b in bar_mean]
        rows.append(
            np.concatenate(
                [
                    states[beat.rows].mean(0),
                    states[beat.bass_row],
                    bar_mean[beat.bar],
                    np.mean(near, axis=0),
                    piece,
                ]
            )
        )
    return np.asarray(rows, dtype=np.float32)


def _read_cached(args: tuple[AnalysisPair, tuple[int, ...], str]) -> PieceRecord | str:
    pair, shifts, tag = args
    import torch

    torch.set_num_threads(1)
    path = cache_dir() / f"{pair.name}.{tag}.{'_'.join(map(str, shifts))}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    try:
        record = read_pair(pair, shifts)
    except Exception as error:  # one unreadable pair must not end the run
        return f"{pair.name}: {type(error).__name__}: {error}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump(record, handle)
    return record


def cache_dir() -> Path:
    return Path(os.environ.get("ETUDE_HARMONY_CACHE", "/tmp/etude-harmony"))


def checkpoint_tag() -> str:
    from etude.encoders.embedding import checkpoint_dir

    weights = checkpoint_dir() / "model.safetensors"
    stat = weights.stat()
    return hashlib.sha256(f"{weights}:{stat.st_size}:{stat.st_mtime}".encode()).hexdigest()[:10]


# ---------------------------------------------------------------------------------- metric


def matches(reference: NumeralLabel, guess: NumeralLabel | None) -> dict[str, bool]:
    """Which components a guess gets right; no guess (the critic named no chord) is wrong.

    >>> ref = NumeralLabel(7, "major", 7, "dominant seventh", 1)
    >>> m = matches(ref, NumeralLabel(7, "major", 7, "major", 1))
    >>> [k for k, v in m.items() if v]
    ['key', 'degree', 'inversion', 'root']
    >>> any(matches(ref, None).values())
    False
    """
    if guess is None:
        return dict.fromkeys(COMPONENTS, False)
    theirs, ours = reference.parts(), guess.parts()
    found = {name: theirs[name] == ours[name] for name in theirs}
    found["full"] = reference == guess
    return found


def piece_counts(
    references: Sequence[NumeralLabel], guesses: Sequence[NumeralLabel | None]
) -> np.ndarray:
    """Per component (``COMPONENTS`` order) the number of beats right, and the beat count last.

    >>> ref = [NumeralLabel(0, "major", 0, "major", 0)] * 2
    >>> piece_counts(ref, [ref[0], None]).tolist()
    [1, 1, 1, 1, 1, 1, 2]
    """
    counts = np.zeros(len(COMPONENTS) + 1, dtype=np.int64)
    for reference, guess in zip(references, guesses, strict=True):
        found = matches(reference, guess)
        counts[: len(COMPONENTS)] += [found[c] for c in COMPONENTS]
    counts[-1] = len(references)
    return counts


def bootstrap(
    per_piece: np.ndarray, *, resamples: int = 2000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Micro accuracy per component and its 95% percentile interval over pieces.

    ``per_piece`` is (pieces, components + 1) from ``piece_counts``; a difference of two
    methods is bootstrapped by passing the difference of their counts with the beat count
    kept (``paired``).

    >>> counts = np.array([[1, 2], [3, 4]])
    >>> point, low, high = bootstrap(counts, resamples=200)
    >>> float(point[0]), bool(low[0] <= point[0] <= high[0])
    (0.6666666666666666, True)
    """
    rng = np.random.default_rng(seed)
    point = per_piece[:, :-1].sum(0) / max(per_piece[:, -1].sum(), 1)
    picks = rng.integers(0, len(per_piece), size=(resamples, len(per_piece)))
    sampled = per_piece[picks].sum(1)
    rates = sampled[:, :-1] / np.maximum(sampled[:, -1:], 1)
    return point, np.percentile(rates, 2.5, axis=0), np.percentile(rates, 97.5, axis=0)


def paired(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Counts of ``a`` minus ``b`` with the beat count kept, for ``bootstrap``."""
    diff = a.copy()
    diff[:, :-1] -= b[:, :-1]
    return diff


# ---------------------------------------------------------------------------------- tagger

KEYS = [(t, m) for m in MODES for t in range(12)]


def targets(label: NumeralLabel, shift: int) -> tuple[int, int, int, int]:
    """Class indices (key, root, quality, inversion) of a label transposed by ``shift``.

    >>> targets(NumeralLabel(7, "minor", 7, "major", 1), 2)
    (21, 4, 0, 1)
    """
    key = KEYS.index(((label.tonic + shift) % 12, label.mode if label.mode in MODES else "major"))
    return key, (label.root + shift) % 12, QUALITIES.index(label.quality), label.inversion


def decode(key: int, root: int, quality: int, inversion: int) -> NumeralLabel:
    """A label from class indices (the inverse of ``targets`` with no shift)."""
    tonic, mode = KEYS[key]
    return NumeralLabel(tonic, mode, (root - tonic) % 12, QUALITIES[quality], inversion)


def training_arrays(
    records: Sequence[PieceRecord],
) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for record in records:
        for shift, features in record.features.items():
            xs.append(features)
            ys.append([targets(b.reference, shift) for b in record.beats])
    return np.concatenate(xs), np.asarray(np.concatenate(ys), dtype=np.int64)


HEADS = (len(KEYS), 12, len(QUALITIES), 4)


def train_tagger(
    train: Sequence[PieceRecord],
    valid: Sequence[PieceRecord],
    *,
    seed: int,
    hidden: int = 256,
    epochs: int = 12,
    budget_s: float = 480.0,
) -> tuple[object, dict[str, object]]:
    """An MLP with four heads, stopped on the validation pieces' full-numeral accuracy."""
    import torch
    from torch import nn

    torch.manual_seed(seed)
    x, y = training_arrays(train)
    mean, std = x.mean(0), x.std(0) + 1e-5
    xv = np.concatenate([r.features[0] for r in valid]) if valid else x[:0]
    yv = [b.reference for r in valid for b in r.beats]

    class Tagger(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("mean", torch.as_tensor(mean))
            self.register_buffer("std", torch.as_tensor(std))
            self.body = nn.Sequential(nn.Linear(x.shape[1], hidden), nn.GELU(), nn.Dropout(0.3))
            self.heads = nn.ModuleList(nn.Linear(hidden, n) for n in HEADS)

        def forward(self, features: torch.Tensor) -> list[torch.Tensor]:
            h = self.body((features - self.mean) / self.std)
            return [head(h) for head in self.heads]

    model = Tagger()
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    xt, yt = torch.as_tensor(x), torch.as_tensor(y)
    best: tuple[float, dict[str, torch.Tensor]] = (-1.0, {})
    history = []
    started = time.perf_counter()
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(xt))
        for i in range(0, len(order), 512):
            batch = order[i : i + 512]
            outputs = model(xt[batch])
            loss = sum(
                nn.functional.cross_entropy(out, yt[batch, h]) for h, out in enumerate(outputs)
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        guesses = predict(model, xv) if len(xv) else []
        score = float(np.mean([r == p for r, p in zip(yv, guesses, strict=True)]))
        history.append(round(score, 4))
        if score > best[0]:
            best = (score, {k: v.clone() for k, v in model.state_dict().items()})
        if time.perf_counter() - started > budget_s:
            break
    model.load_state_dict(best[1])
    model.eval()
    info = {
        "train_beats": len(x),
        "features": x.shape[1],
        "epochs_run": len(history),
        "best_epoch": history.index(max(history)) + 1 if history else 0,
        "valid_full": history,
        "seconds": round(time.perf_counter() - started, 1),
    }
    return model, info


def head_probabilities(model: object, features: np.ndarray) -> list[np.ndarray]:
    """Softmax of each head (key, root, quality, inversion) for one piece's beats."""
    import torch

    model.eval()  # type: ignore[attr-defined]
    with torch.no_grad():
        outputs = model(torch.as_tensor(features))  # type: ignore[operator]
    return [torch.softmax(out, dim=1).numpy() for out in outputs]


def smooth(probabilities: np.ndarray, window: int) -> np.ndarray:
    """Each beat's distribution averaged with the ``window`` beats either side (a key lasts
    longer than a beat, and one beat's states say little about it).

    >>> smooth(np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]), 1)[1].tolist()
    [0.6666666666666666, 0.3333333333333333]
    """
    if window <= 0 or len(probabilities) == 0:
        return probabilities
    sums = np.cumsum(np.vstack([np.zeros((1, probabilities.shape[1])), probabilities]), axis=0)
    index = np.arange(len(probabilities))
    low, high = np.maximum(index - window, 0), np.minimum(index + window + 1, len(probabilities))
    return (sums[high] - sums[low]) / (high - low)[:, None]


def predict(model: object, features: np.ndarray, *, window: int = 0) -> list[NumeralLabel]:
    """The tagger's label per beat, its key head smoothed over ``window`` beats either side."""
    if len(features) == 0:
        return []
    heads = head_probabilities(model, features)
    heads[0] = smooth(heads[0], window)
    picks = [h.argmax(1).tolist() for h in heads]
    return [decode(*classes) for classes in zip(*picks, strict=True)]


def with_key(
    chords: Sequence[NumeralLabel | None], keys: Sequence[NumeralLabel]
) -> list[NumeralLabel | None]:
    """The critic's chords (root, quality, inversion) read in the tagger's keys.

    >>> chord = NumeralLabel(0, "major", 7, "major", 1)
    >>> with_key([chord, None], [NumeralLabel(7, "major", 0, "major", 0)] * 2)
    [NumeralLabel(tonic=7, mode='major', degree=0, quality='major', inversion=1), None]
    """
    return [
        None
        if chord is None
        else NumeralLabel(
            key.tonic, key.mode, (chord.root - key.tonic) % 12, chord.quality, chord.inversion
        )
        for chord, key in zip(chords, keys, strict=True)
    ]


WINDOWS = (0, 2, 4, 8, 16, 32)
"""Key-smoothing windows (beats either side) tried on the validation pieces."""


def choose_window(model: object, valid: Sequence[PieceRecord]) -> int:
    """The key-smoothing window with the best full-numeral accuracy on the validation pieces
    (never on the held-out ones); the critic-chords combination is scored on the same
    validation pieces and printed, so the choice between them is made there too."""
    critic = [(b.reference, b.critic) for record in valid for b in record.beats]
    print(f"validation: critic (main key) full {np.mean([r == c for r, c in critic]):.1%}")
    best = (-1.0, 0)
    for window in WINDOWS:
        right = total = combined = 0
        for record in valid:
            keys = predict(model, record.features[0], window=window)
            references = [b.reference for b in record.beats]
            right += sum(r == p for r, p in zip(references, keys, strict=True))
            mixed = with_key([b.critic for b in record.beats], keys)
            combined += sum(r == p for r, p in zip(references, mixed, strict=True))
            total += len(references)
        print(
            f"validation, key window ±{window}: tagger full {right / max(total, 1):.1%}, "
            f"critic chords + tagger keys {combined / max(total, 1):.1%}"
        )
        if right / max(total, 1) > best[0]:
            best = (right / max(total, 1), window)
    return best[1]


# ---------------------------------------------------------------------------------- main


def table(rows: list[tuple[str, np.ndarray]], beats: int, pieces: int) -> str:
    lines = [
        f"held-out: {pieces} pieces, {beats} beats; accuracy per beat [95% bootstrap over pieces]",
        "| method | " + " | ".join(COMPONENTS) + " |",
        "|---" * (len(COMPONENTS) + 1) + "|",
    ]
    for name, counts in rows:
        point, low, high = bootstrap(counts)
        cells = [
            f"{p:.1%} [{lo:.1%}, {hi:.1%}]" for p, lo, hi in zip(point, low, high, strict=True)
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transpositions", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-aligned", type=float, default=0.9)
    parser.add_argument("--no-tagger", action="store_true")
    parser.add_argument("--save", type=Path, default=None, help="write the tagger's weights")
    args = parser.parse_args(argv)
    random.seed(args.seed)
    np.random.seed(args.seed)

    pairs = analysis_pairs()
    shifts = () if args.no_tagger else SHIFTS[: args.transpositions]
    tag = (checkpoint_tag() if shifts else "critic") + CACHE_VERSION
    started = time.perf_counter()
    jobs = []
    for pair in pairs:
        # held-out pieces are only ever read untransposed
        mine = shifts[:1] if held_out(pair.name) or validation(pair.name) else shifts
        jobs.append((pair, tuple(mine), tag))
    with Pool(args.workers) as pool:
        results = pool.map(_read_cached, jobs, chunksize=1)
    records: list[PieceRecord] = []
    for result in results:
        if isinstance(result, str):
            print("skipped", result)
        elif result.aligned < args.min_aligned:
            print(f"skipped {result.name}: bars aligned {result.aligned:.0%}")
        else:
            records.append(result)
    print(
        f"read {len(records)}/{len(pairs)} analysed pieces in "
        f"{time.perf_counter() - started:.0f} s (cached pieces cost nothing)"
    )
    test = [r for r in records if held_out(r.name)]
    valid = [r for r in records if validation(r.name)]
    train = [r for r in records if not held_out(r.name) and not validation(r.name)]
    for name, part in (("train", train), ("valid", valid), ("held-out", test)):
        by = Counter(r.collection for r in part)
        print(f"{name}: {len(part)} pieces ({dict(by)}), {sum(len(r.beats) for r in part)} beats")
    print("held-out pieces:", ", ".join(r.name for r in test))
    for record in test:
        tones = np.nanmean([b.chord_tones for b in record.beats])
        print(
            f"  {record.name}: {len(record.beats)} beats, bars aligned {record.aligned:.0%}, "
            f"notes at beat starts in the reference chord {tones:.0%}"
        )

    references = [[b.reference for b in r.beats] for r in test]
    rows: list[tuple[str, np.ndarray]] = []
    critic = np.array(
        [
            piece_counts(ref, [b.critic for b in r.beats])
            for ref, r in zip(references, test, strict=True)
        ]
    )
    rows.append(("critic (main key)", critic))
    rows.append(
        (
            "critic + phrase keys",
            np.array(
                [
                    piece_counts(ref, [b.critic_phrase for b in r.beats])
                    for ref, r in zip(references, test, strict=True)
                ]
            ),
        )
    )
    rows.append(
        (
            "tonic triad baseline",
            np.array(
                [
                    piece_counts(
                        ref,
                        [
                            NumeralLabel(
                                r.main_key[0],
                                r.main_key[1],
                                0,
                                "major" if r.main_key[1] == "major" else "minor",
                                0,
                            )
                        ]
                        * len(ref),
                    )
                    for ref, r in zip(references, test, strict=True)
                ]
            ),
        )
    )
    common = Counter(b.reference for r in train + valid for b in r.beats).most_common(1)[0][0]
    rows.append(
        (
            f"most frequent label ({common.mode} key {common.tonic}, degree {common.degree})",
            np.array([piece_counts(ref, [common] * len(ref)) for ref in references]),
        )
    )
    if shifts:
        model, info = train_tagger(train, valid, seed=args.seed)
        print("tagger:", info)
        chosen = choose_window(model, valid)
        tagged = np.array(
            [
                piece_counts(ref, predict(model, r.features[0]))
                for ref, r in zip(references, test, strict=True)
            ]
        )
        rows.append(("encoder tagger", tagged))
        smoothed = np.array(
            [
                piece_counts(ref, predict(model, r.features[0], window=chosen))
                for ref, r in zip(references, test, strict=True)
            ]
        )
        rows.append((f"encoder tagger, key smoothed ±{chosen} beats", smoothed))
        combined = np.array(
            [
                piece_counts(
                    ref,
                    with_key(
                        [b.critic for b in r.beats], predict(model, r.features[0], window=chosen)
                    ),
                )
                for ref, r in zip(references, test, strict=True)
            ]
        )
        rows.append((f"critic chords + tagger keys (±{chosen})", combined))
        phrase = rows[1][1]
        for name, counts, base, base_name in (
            ("tagger", tagged, critic, "critic (main key)"),
            ("smoothed tagger", smoothed, critic, "critic (main key)"),
            ("critic chords + tagger keys", combined, critic, "critic (main key)"),
            ("critic chords + tagger keys", combined, phrase, "critic + phrase keys"),
        ):
            point, low, high = bootstrap(paired(counts, base))
            print(
                f"{name} - {base_name}, full numeral: "
                f"{point[-1]:+.1%} [{low[-1]:+.1%}, {high[-1]:+.1%}]"
            )
        if args.save:
            import torch

            args.save.parent.mkdir(parents=True, exist_ok=True)
            torch.save(model.state_dict(), args.save)  # type: ignore[attr-defined]
    print(table(rows, sum(len(r) for r in references), len(test)))
    for name, counts in rows:
        per = counts[:, COMPONENTS.index("full")] / np.maximum(counts[:, -1], 1)
        print(
            f"{name}: full per piece",
            dict(zip((r.name for r in test), np.round(per, 2), strict=True)),
        )


if __name__ == "__main__":
    main()
