"""Which note of a score is likeliest a slip: MusicBERT's surprise read with the note's context.

Why: the encoder's surprise alone (``etude.encoders.surprise``) finds a planted wrong note in
a folk tune half the time but in a four-part chorale only one time in five, because Bach's
own chromatic passing notes surprise it as much as a wrong one does. A wrong note has a
context the surprise does not see by itself: a pitch a step away that the model finds far
likelier, a semitone rub against another voice, a chord it spoils, a long note on the beat
rather than a quick passing one, the critic's findings at it (a leap, an overlap, a note out
of the key: the rules judge, the ranker only weighs them with the rest). A small ranking model
(a conditional logit, one weight per feature below and texture) trained on wrong notes planted
in *training* pieces of the corpus reads those together; ``scripts/train_wrong_note_ranker.py``
fits it and ``bench/critique_mentions.py`` measures what a learner's reply gains
(bench/RESULTS.md, issue #22).

The ranker scores every note and gives each its probability of being *the* wrong note, beside
a "no wrong note" option learnt from the unplanted originals, so a clean piece can say nothing.
It is evidence for the tutor, never a finding: the planted notes it learnt from are moves of
one or two semitones, the usual slip of a hand or an accidental, and a note the learner meant
is theirs to keep.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from etude.encoders.corpus import ScoreNote
from etude.encoders.octuple import DRUMS
from etude.encoders.style_counts import STEPS, StyleCounts, count
from etude.encoders.surprise import DEFAULT_WINDOW, Locate, ScoreDistributions, reportable

FEATURES = (
    "surprise",
    "near_ratio",
    "log2_duration",
    "downbeat",
    "on_beat",
    "leap_in",
    "leap_out",
    "leap_both",
    "step_both",
    "semitone_rubs",
    "tone_rubs",
    "doublings",
    "top_part",
    "bass_part",
    "sounding",
    "surprise_z",
    "spoils_chord",
    "onset_surprise",
    "critic_out_of_key",
    "critic_findings",
    "shape_gain",
    "shape_rarity",
    "onset_shape_gain",
    "turn_gain",
    "turn_rarity",
    "detector",
)
"""What the ranker reads of each note, in its weights' order (see :func:`note_features`)."""

DETECTOR_CLIP = 20.0
"""The detector's log-odds are read within ±20: a drum row's -inf, or a note it is beyond
sure of, must not swamp the standardised features."""

RANKER_FILE = "wrong_note_ranker.json"
"""The ranker's weights, beside the encoder checkpoint whose surprise it was trained on."""

_CHORDS = (
    (0, 4, 7),
    (0, 3, 7),
    (0, 3, 6),
    (0, 4, 8),
    (0, 4, 7, 10),
    (0, 4, 7, 11),
    (0, 3, 7, 10),
    (0, 3, 6, 10),
    (0, 3, 6, 9),
)
"""Triads and seventh chords as pitch-class shapes above their root."""


def is_chordal(classes: set[int]) -> bool:
    """Whether these pitch classes all belong to one triad or seventh chord.

    >>> is_chordal({0, 4, 7}), is_chordal({7, 11, 2, 5}), is_chordal({0, 1, 7}), is_chordal({2})
    (True, True, False, True)
    """
    return any(
        classes <= {(root + step) % 12 for step in shape} for root in range(12) for shape in _CHORDS
    )


@dataclass(frozen=True)
class Context:
    """What sounds around one note: the other voices at its onset, at every onset while it
    sounds (``during``, its own onset first), and its own line's neighbours."""

    others: tuple[ScoreNote, ...]
    before: int | None
    after: int | None
    during: tuple[tuple[ScoreNote, ...], ...] = ()


def _lines(notes: list[ScoreNote]) -> dict[int, list[int]]:
    """Each part's reportable notes (indices into ``notes``) in order, chords from the top."""
    lines: dict[int, list[int]] = {}
    for i, n in enumerate(notes):
        if reportable(n):
            lines.setdefault(n.part, []).append(i)
    for line in lines.values():
        line.sort(key=lambda i: (notes[i].note.start, -notes[i].note.pitch))
    return lines


def _sounding(notes: list[ScoreNote]) -> dict[float, tuple[int, ...]]:
    """The notes sounding at every onset of a pitched note, by onset.

    One sweep through the onsets: what sounds at each is what started and has not ended (a
    symphony's 30k notes in a fraction of a second, not a pass over every note per onset).
    """
    sounding = sorted(
        (i for i, n in enumerate(notes) if n.note.duration > 0 and n.note.instrument != DRUMS),
        key=lambda i: notes[i].note.start,
    )
    at_onset: dict[float, tuple[int, ...]] = {}
    active: list[int] = []
    entered = 0
    for start in sorted({notes[i].note.start for i in sounding}):
        while entered < len(sounding) and notes[sounding[entered]].note.start <= start + 1e-6:
            active.append(sounding[entered])
            entered += 1
        active = [j for j in active if notes[j].note.start + notes[j].note.duration > start + 1e-6]
        at_onset[start] = tuple(active)
    return at_onset


DURING = 8
"""The most onsets a long note's ``Context.during`` keeps: a whole note under running
semiquavers is judged by the chords at its first ones, and a symphony's long notes stay cheap."""


def contexts(notes: list[ScoreNote]) -> dict[int, Context]:
    """Each reportable note's context, by its index in ``notes``."""
    neighbours: dict[int, tuple[int | None, int | None]] = {}
    for line in _lines(notes).values():
        for k, i in enumerate(line):
            before = notes[line[k - 1]].note.pitch if k > 0 else None
            after = notes[line[k + 1]].note.pitch if k + 1 < len(line) else None
            neighbours[i] = (before, after)
    at_onset = _sounding(notes)
    onsets = sorted(at_onset)
    found: dict[int, Context] = {}
    for i in neighbours:
        note = notes[i].note
        first = bisect.bisect_left(onsets, note.start - 1e-6)
        last = bisect.bisect_left(onsets, note.start + max(note.duration, 1e-3) - 1e-6)
        during = tuple(
            tuple(notes[j] for j in at_onset[t] if notes[j].part != notes[i].part)
            for t in onsets[first : min(last, first + DURING)]
        )
        others = during[0] if during else ()
        found[i] = Context(others, *neighbours[i], during=during)
    return found


def style_counts_of(notes: list[ScoreNote]) -> StyleCounts:
    """A piece's chord shapes and line turns, as the ranker's counts are made
    (``scripts/train_wrong_note_ranker.py``)."""
    sounding = [[notes[j].note.pitch for j in at] for at in _sounding(notes).values()]
    lines = [[notes[i].note.pitch for i in line] for line in _lines(notes).values()]
    return count(sounding, lines)


def style_features(midi: int, context: Context, counts: StyleCounts) -> list[float]:
    """How much likelier a step away from ``midi`` would make the chords it sounds in and the
    turn of its line, under ``counts``; and how rare they are as written: the last five
    :data:`FEATURES`. A planted wrong note is a step from the composer's, which made a common
    chord and turn; a composer's own odd note is often odd both ways."""
    written = moved_best = onset_gain = rarity = 0.0
    sounded = [[o.note.pitch for o in chord] for chord in context.during if chord]
    if sounded:
        moved = dict.fromkeys(STEPS, 0.0)
        for k, chord in enumerate(sounded):
            here = counts.shape_logp([*chord, midi])
            written += here
            step = {d: counts.shape_logp([*chord, midi + d]) for d in STEPS}
            for d in STEPS:
                moved[d] += step[d]
            if k == 0:
                onset_gain = max(step.values()) - here
        moved_best = max(moved.values())
        rarity = -written / len(sounded)
    shape_gain = moved_best - written if sounded else 0.0
    turn_gain = turn_rarity = 0.0
    if context.before is not None and context.after is not None:
        here = counts.turn_logp(context.before, midi, context.after)
        best = max(counts.turn_logp(context.before, midi + d, context.after) for d in STEPS)
        turn_gain, turn_rarity = best - here, -here
    return [shape_gain, rarity, onset_gain, turn_gain, turn_rarity]


Flags = Mapping[tuple[int, float], Sequence[str]]
"""The critic's findings by (part, onset rounded to 3 places): the rule ids that name that
note (``etude.critic.least_expected.flags_of``)."""


def note_features(
    found: ScoreDistributions,
    locate: Locate,
    flags: Flags | None = None,
    around: dict[int, Context] | None = None,
    counts: StyleCounts | None = None,
    detector: np.ndarray | None = None,
) -> tuple[list[int], np.ndarray]:
    """The indices (into ``found.notes``) of the notes a learner would call notes, and their
    features, one row each in :data:`FEATURES` order. ``flags``: the critic's findings at each
    note (every one, whatever the learner's level shows), which a wrong note often raises: a
    leap, an overlap, a note out of the key. ``around``: :func:`contexts` of the notes, when
    the caller has them already. ``counts``: the style's chord shapes and line turns (the
    ranker's); without them those features are 0 (the training script fills them in later,
    from counts that leave the piece out). ``detector``: the wrong-note detector's log-odds
    for each token row (``etude.encoders.slip_detector``), else that feature is 0."""
    flags = flags or {}
    notes = found.notes
    around = contexts(notes) if around is None else around
    parts = sorted({n.part for n in notes if reportable(n)})
    texture = len(parts) > 1
    chosen: list[int] = []
    rows: list[list[float]] = []
    for i, (note, row) in enumerate(zip(notes, found.rows, strict=True)):
        if row < 0 or i not in around:
            continue
        midi = note.note.pitch
        p = found.p[row]
        near = np.where(np.abs(np.arange(128) - midi) <= DEFAULT_WINDOW, p, 0.0)
        near = near / near.sum()
        own = max(float(near[midi]), 1e-12)
        steps = [float(near[midi + d]) for d in (-2, -1, 1, 2) if 0 <= midi + d < 128]
        context = around[i]
        leap_in = abs(midi - context.before) if context.before is not None else 0
        leap_out = abs(context.after - midi) if context.after is not None else 0
        _, beat = locate(note.note.start)
        intervals = [(other.note.pitch - midi) % 12 for other in context.others]
        classes = {other.note.pitch % 12 for other in context.others}
        rules = flags.get((note.part, round(note.note.start, 3)), ())
        spoils = len(classes) >= 2 and is_chordal(classes) and not is_chordal(classes | {midi % 12})
        chosen.append(i)
        rows.append(
            [
                -math.log(own),
                math.log(max(max(steps, default=0.0), 1e-12)) - math.log(own),
                math.log2(max(note.note.duration, 1 / 16)),
                float(abs(beat - 1.0) < 1e-6),
                float(abs(beat - round(beat)) < 1e-6),
                min(leap_in, 12) / 12,
                min(leap_out, 12) / 12,
                float(leap_in >= 3 and leap_out >= 3),
                float(0 < leap_in <= 2 and 0 < leap_out <= 2),
                float(sum(k in (1, 11) for k in intervals)),
                float(sum(k in (2, 10) for k in intervals)),
                float(sum(k == 0 for k in intervals)),
                float(note.part == parts[0]),
                float(texture and note.part == parts[-1]),
                float(len(context.others)),
                0.0,
                float(spoils),
                0.0,
                float("out_of_key" in rules),
                float(sum(rule != "out_of_key" for rule in rules)),
                *(style_features(midi, context, counts) if counts else [0.0] * 5),
                float(np.clip(detector[row], -DETECTOR_CLIP, DETECTOR_CLIP))
                if detector is not None
                else 0.0,
            ]
        )
    x = np.array(rows, dtype=np.float64).reshape(len(rows), len(FEATURES))
    if len(x):
        surprise = x[:, 0]
        x[:, FEATURES.index("surprise_z")] = (surprise - surprise.mean()) / (surprise.std() + 1e-6)
        # a wrong note unsettles the notes struck with it; Bach's own odd note often does not
        struck: dict[float, list[int]] = {}
        for k, i in enumerate(chosen):
            struck.setdefault(notes[i].note.start, []).append(k)
        for k, i in enumerate(chosen):
            others = [j for j in struck[notes[i].note.start] if j != k]
            if others:
                x[k, FEATURES.index("onset_surprise")] = float(surprise[others].mean())
    return chosen, x


@dataclass(frozen=True)
class Ranker:
    """A conditional logit over a piece's notes plus a "no wrong note" option.

    P(note i is the wrong one) = exp(w·z_i) / (exp(null) + Σ_j exp(w·z_j)), with z the
    features standardised by the training set's ``mean`` and ``scale``; ``w`` and ``null``
    are learnt separately for one line (a melody: ``weights``) and for several parts
    (``texture_weights``), where a note's company means something else. ``threshold``: the
    probability at which a critique mentions the note of a melody unasked, and
    ``texture_threshold`` that of a piece in several parts (each chosen on training pieces of
    its kind, see the script; a ranker saved with one threshold uses it for both).
    ``check_threshold``: the lower probability at which a critique still names the note, said
    as unsure ("worth a second listen"), chosen so that a few more clean training pieces get
    such a line; without one, only the mention threshold names a note unasked.
    ``counts``: the training pieces' chord shapes and line turns, which some features read.

    >>> r = Ranker(features=("surprise",), weights=(1.0,), texture_weights=(1.0,), mean=(0.0,),
    ...            scale=(1.0,), null_melody=0.0, null_texture=5.0, threshold=0.5)
    >>> p = r.probabilities(np.array([[3.0], [0.0]]), texture=False)
    >>> [round(float(v), 3) for v in p]
    [0.909, 0.045]
    >>> float(r.probabilities(np.array([[3.0], [0.0]]), texture=True)[0]) < 0.5
    True
    """

    features: tuple[str, ...]
    weights: tuple[float, ...]
    texture_weights: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    null_melody: float
    null_texture: float
    threshold: float
    counts: StyleCounts | None = None
    texture_threshold: float | None = None
    check_threshold: float | None = None

    def check_for(self, texture: bool) -> float:
        """The lowest probability at which a critique names the note unasked, sure or not: the
        check threshold where the ranker has one and it is below the mention threshold.

        >>> r = Ranker(features=(), weights=(), texture_weights=(), mean=(), scale=(),
        ...            null_melody=0.0, null_texture=0.0, threshold=0.75, check_threshold=0.2)
        >>> r.check_for(False), r.check_for(True)
        (0.2, 0.2)
        >>> Ranker(**{**r.__dict__, "check_threshold": None}).check_for(True)
        0.75
        """
        sure = self.threshold_for(texture)
        return sure if self.check_threshold is None else min(self.check_threshold, sure)

    def threshold_for(self, texture: bool) -> float:
        """The mention threshold for a piece in several parts (``texture``) or one line.

        >>> r = Ranker(features=(), weights=(), texture_weights=(), mean=(), scale=(),
        ...            null_melody=0.0, null_texture=0.0, threshold=0.5, texture_threshold=0.8)
        >>> r.threshold_for(False), r.threshold_for(True)
        (0.5, 0.8)
        """
        if texture and self.texture_threshold is not None:
            return self.texture_threshold
        return self.threshold

    def probabilities(self, x: np.ndarray, *, texture: bool) -> np.ndarray:
        if not len(x):
            return np.zeros(0)
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        s = z @ np.asarray(self.texture_weights if texture else self.weights)
        null = self.null_texture if texture else self.null_melody
        top = max(float(s.max()), null)
        e = np.exp(s - top)
        return e / (e.sum() + math.exp(null - top))

    def save(self, path: Path) -> None:
        data = {**self.__dict__, "counts": self.counts.to_json() if self.counts else None}
        path.write_text(json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, path: Path) -> Ranker | None:
        """The ranker saved at ``path``, or None if there is none or it reads other features
        (a checkpoint trained before a feature changed falls back to the surprise alone)."""
        if not path.is_file():
            return None
        data = json.loads(path.read_text())
        fields = ("features", "weights", "texture_weights", "mean", "scale")
        tuples = {k: tuple(data[k]) for k in fields}
        counts = StyleCounts.from_json(data["counts"]) if data.get("counts") else None
        ranker = cls(**{**data, **tuples, "counts": counts})
        return ranker if ranker.features == FEATURES and counts is not None else None


@dataclass(frozen=True)
class Suspect:
    """The note the ranker finds likeliest wrong, with its probability and what rubs with it."""

    index: int
    """Into ``ScoreDistributions.notes``."""
    probability: float
    others: tuple[ScoreNote, ...]
    """The other voices' notes sounding at its onset."""
    rubs: tuple[ScoreNote, ...]
    """Those a semitone (or a semitone and octaves) from it."""
    spoils_chord: bool
    texture: bool = False
    """Whether the piece has several parts (the ranker's weights and threshold for them)."""


def likeliest_slip(
    found: ScoreDistributions,
    locate: Locate,
    ranker: Ranker,
    flags: Flags | None = None,
    among: Collection[int] | None = None,
    detector: np.ndarray | None = None,
) -> Suspect | None:
    """The note ``ranker`` finds likeliest wrong in a score (None for an empty one), or among
    the notes ``among`` (indices into ``found.notes``) when some of them are candidates: the
    probabilities are the whole piece's either way."""
    around = contexts(found.notes)
    chosen, x = note_features(found, locate, flags, around, ranker.counts, detector)
    if not chosen:
        return None
    texture = len({found.notes[i].part for i in chosen}) > 1
    p = ranker.probabilities(x, texture=texture)
    allowed = np.array([among is None or i in among for i in chosen])
    best = int(np.argmax(np.where(allowed, p, -1.0) if allowed.any() else p))
    index = chosen[best]
    midi = found.notes[index].note.pitch
    others = around[index].others
    rubs = tuple(o for o in others if (o.note.pitch - midi) % 12 in (1, 11))
    spoils = bool(x[best, FEATURES.index("spoils_chord")])
    return Suspect(index, float(p[best]), others, rubs, spoils, texture)
