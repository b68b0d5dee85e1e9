"""How unexpected each note's pitch is to MusicBERT, by masked prediction.

Why: the critic judges a score by rules (parallels, ranges, notes out of key), and a note can
break no rule yet sound wrong: a diatonic note a step away from the one the style would write.
The encoder was pre-trained to fill in masked fields from context, so hiding a note's pitch and
asking for it back measures how well the note fits the music around it in the styles the model
has read (chorales, folk tunes). The score of a note is ``-log p(actual pitch)``: 0 for a note
the model was sure of, large for one it did not see coming. For the most surprising notes the
model's likelier pitches are returned too, so a learner hears "in this style F#4 is far
likelier", not just "odd".

It is evidence, not a verdict: a surprising note may be the point of the piece. The analysis
reports it as information only and never turns it into an error.

Cost: masking one note per forward pass would run the model once per note. Instead, pass ``j``
masks every note whose row ``r`` has ``r % stride == j``; masked notes are ``stride`` rows
apart (rows are sorted by time, so several beats apart in a chorale), and all ``stride`` passes
run as one batch. Only the masked positions go through the pitch head.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, Field

from etude.encoders.corpus import ScoreNote, score_notes, score_to_performance, token_parts
from etude.encoders.model_config import half_overlapping_windows, joint_ids, note_slots
from etude.encoders.octuple import BAR, DRUMS, INSTRUMENT, PITCH, OctupleEncoder
from etude.encoders.runtime import EncoderModel

DEFAULT_STRIDE = 8
"""Passes per window: masked notes are this many rows apart (``bench/wrong_note.py`` compares
strides)."""

DEFAULT_WINDOW = 12
"""Compare a note's pitch with the pitches within an octave of it (``scored_notes``)."""

Locate = Callable[[float], tuple[int, float]]


class SurpriseNote(BaseModel):
    """One note of the ``encoder.surprise`` list of ``etude analyze --json``."""

    part: int = Field(description="0-based part index in file order.")
    bar: int = Field(description="Bar number counted from 1 at the start of the file.")
    beat: float = Field(description="Beat within the bar, from 1.")
    offset_ql: float = Field(description="Quarter notes from the start of the file.")
    pitch: str = Field(description="The note as written, e.g. 'F#4'.")
    score: float = Field(description="-log p(pitch) under the encoder, in nats; higher: rarer.")
    expected: list[str] = Field(description="The pitches the encoder found likeliest, best first.")
    probability: float = Field(default=0.0, exclude=True, description="p(pitch); not in JSON.")
    expected_probabilities: list[float] = Field(
        default_factory=list, exclude=True, description="p of each expected pitch; not in JSON."
    )


class BarSurprise(BaseModel):
    """How unexpected a bar's least expected note is: what the studio's heat strip shades."""

    bar: int
    score: float


class EncoderSection(BaseModel):
    """The ``encoder`` object of ``etude analyze --json``: most surprising notes first, then
    every bar's highest note score in bar order (``bars``, added after ``surprise``; a reader
    of the first contract ignores it)."""

    model: str
    surprise: list[SurpriseNote]
    bars: list[BarSurprise] = []


@dataclass(frozen=True)
class ScoredNote:
    """A note with the encoder's view of its pitch (every note, not only the top ones)."""

    source: ScoreNote
    score: float
    probability: float
    expected: list[tuple[int, float]]
    """(MIDI pitch, probability) of the likeliest other pitches, best first."""


def pitch_distributions(
    model: EncoderModel,
    tokens: np.ndarray,
    *,
    stride: int = DEFAULT_STRIDE,
    parts: np.ndarray | None = None,
) -> np.ndarray:
    """p(pitch | everything else) for every row of ``tokens`` (N, 8): an (N, 128) array.
    ``parts`` (N): each row's part in the score (``token_parts``), read by a model with voice
    slots, so that it knows which line a masked note continues.

    Each note is masked in one of ``stride`` copies of its window; pieces longer than the
    model's ``max_notes`` are read in half-overlapping windows, each note scored in the window
    where it sits furthest from an edge. Drum rows get a uniform row (their pitch is a kit
    piece, not a pitch). ``model`` is the torch MusicBERT or its ONNX export
    (``etude.encoders.runtime``); the masking is the same numpy code for both.

    >>> from etude.encoders.musicbert import MusicBert, MusicBertConfig
    >>> from etude.encoders.octuple import Note, Performance
    >>> tokens = OctupleEncoder().encode(Performance([Note(i, 1, 60 + i) for i in range(5)])).tokens
    >>> tiny = MusicBert(MusicBertConfig(hidden=16, layers=1, heads=2, ffn=32, max_notes=8))
    >>> p = pitch_distributions(tiny, tokens, stride=2)
    >>> p.shape, bool(np.allclose(p.sum(1), 1.0, atol=1e-5))
    ((5, 128), True)
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    count, width = len(tokens), model.config.max_notes
    slots = note_slots(parts, model.config, count)
    result = np.full((count, 128), 1.0 / 128, dtype=np.float64)
    if count == 0:
        return result
    starts, owner = half_overlapping_windows(count, width)
    for w, start in enumerate(starts):
        window = tokens[start : start + width].copy()
        window[:, BAR] -= window[0, BAR]  # windows start at bar 0, as in pre-training
        length = len(window)
        passes = max(1, min(stride, length))
        ids = np.repeat(joint_ids(model.config, window)[None], passes, axis=0)
        which = np.arange(length) % passes
        masked = which[None, :] == np.arange(passes)[:, None]  # (P, L)
        ids[..., PITCH] = np.where(masked, model.config.mask_id, ids[..., PITCH])
        voices = np.repeat(slots[start : start + width][None], passes, axis=0)
        probabilities = model.masked_pitch_probabilities(ids, masked, voices)
        positions = np.nonzero(masked)[1] + start  # (pass, position), row-major
        mine = owner[positions] == w
        result[positions[mine]] = probabilities[mine]
    drums = tokens[:, INSTRUMENT] == DRUMS
    result[drums] = 1.0 / 128
    return result


@dataclass(frozen=True)
class ScoreDistributions:
    """``pitch_distributions`` of a music21 score, with the notes they belong to: row
    ``rows[i]`` of ``p`` (and of ``tokens``) is note ``notes[i]``; -1 where the encoding
    dropped the note."""

    notes: list[ScoreNote]
    tokens: np.ndarray
    rows: np.ndarray
    p: np.ndarray


_LAST: tuple[object, EncoderModel, int, ScoreDistributions] | None = None
"""The last score's distributions. One turn reads one upload from several places (the
critic's fix ranking, its note that stands out, the encoder tool, the ``encoder`` section):
they share one masked pass instead of one each. Kept by identity, with the score itself, so
an entry can never answer for another score that happens to reuse an ``id``."""


def score_distributions(
    score: object, model: EncoderModel, *, stride: int = DEFAULT_STRIDE
) -> ScoreDistributions:
    """p(pitch | everything else) for every note of ``score`` (a music21 score that is read,
    never changed: an edited copy is another object and gets its own pass)."""
    global _LAST
    last = _LAST
    if last is not None and last[0] is score and last[1] is model and last[2] == stride:
        return last[3]
    found = notes_distributions(score, score_notes(score), model, stride=stride)
    _LAST = (score, model, stride, found)
    return found


def notes_distributions(
    score: object, notes: list[ScoreNote], model: EncoderModel, *, stride: int = DEFAULT_STRIDE
) -> ScoreDistributions:
    """``pitch_distributions`` of ``notes`` (a score's own, or with a note planted), each token
    row read with its part; uncached (see :func:`score_distributions`)."""
    encoding, rows = OctupleEncoder().encode_indexed(score_to_performance(score, notes))
    parts = token_parts(notes, rows, len(encoding.tokens))
    p = pitch_distributions(model, encoding.tokens, stride=stride, parts=parts)
    return ScoreDistributions(notes, encoding.tokens, rows, p)


def score_piece(
    score: object,
    model: EncoderModel,
    *,
    stride: int = DEFAULT_STRIDE,
    window: int | None = DEFAULT_WINDOW,
    top_k: int = 3,
    notes: list[ScoreNote] | None = None,
) -> list[ScoredNote]:
    """Every note of a music21 score with its surprise, in the encoder's note order.

    Notes the encoding merges (the same pitch, onset, duration and instrument in two parts)
    share one score; tied continuations and drums are scored too, and callers that report to
    a learner skip them (``surprising_notes``). ``notes`` replaces the score's own notes (the
    benchmarks plant a wrong one this way).
    """
    found = (
        score_distributions(score, model, stride=stride)
        if notes is None
        else notes_distributions(score, notes, model, stride=stride)
    )
    return scored_notes(found.p, found.tokens, found.notes, found.rows, window=window, top_k=top_k)


def scored_notes(
    p: np.ndarray,
    tokens: np.ndarray,
    notes: list[ScoreNote],
    rows: np.ndarray,
    *,
    window: int | None = DEFAULT_WINDOW,
    top_k: int = 3,
) -> list[ScoredNote]:
    """Scores and likelier pitches from ``pitch_distributions``' output ``p``.

    With ``window`` w, a note's distribution is renormalised over the pitches within w
    semitones of it: the question is which nearby pitch belongs here, not which register. In
    a chorale every voice is the same instrument to OctupleMIDI, so without a window the model
    partly guesses the voice, and a bass note 'expects' tenor pitches.

    >>> from etude.encoders.octuple import Note
    >>> p = np.full((1, 128), 0.5 / 126); p[0, 40] = 0.4; p[0, 80] = 0.1
    >>> n = [ScoreNote(Note(0, 1, 80), 0, "G#5", False)]
    >>> tokens = np.zeros((1, 8), dtype=np.int64); tokens[0, PITCH] = 80
    >>> wide = scored_notes(p, tokens, n, np.array([0]), window=None)[0]
    >>> near = scored_notes(p, tokens, n, np.array([0]), window=12)[0]
    >>> wide.expected[0][0], near.expected[0][0] != 40, round(near.probability, 2)
    (40, True, 0.51)
    """
    scored = []
    allowed = np.ones(128, dtype=bool)
    for source, row in zip(notes, rows, strict=True):
        if row < 0:
            continue
        midi = int(tokens[row, PITCH]) % 128
        here = p[row]
        if window is not None:
            allowed = np.abs(np.arange(128) - midi) <= window
            here = np.where(allowed, here, 0.0)
            here = here / here.sum()
        probability = float(here[midi])
        ranked = [int(m) for m in np.argsort(-here)[: top_k + 1] if int(m) != midi][:top_k]
        scored.append(
            ScoredNote(
                source=source,
                score=-math.log(max(probability, 1e-12)),
                probability=probability,
                expected=[(m, float(here[m])) for m in ranked],
            )
        )
    return scored


def speller(notes: list[ScoreNote]) -> Callable[[int], str]:
    """Names for MIDI pitches as this score spells them: each pitch class the way the score
    writes it most often, else as the score's key signature would, else music21's default.

    >>> from etude.encoders.octuple import Note
    >>> n = [ScoreNote(Note(0, 1, 66), 0, "F#4", False), ScoreNote(Note(1, 1, 70), 0, "Bb4", False)]
    >>> spell = speller(n)
    >>> spell(78), spell(58), spell(61)
    ('F#5', 'Bb3', 'C#4')

    The lowest MIDI octave is -1, and its minus sign is not a flat:

    >>> spell(6), spell(10), spell(3)
    ('F#-1', 'Bb-1', 'Eb-1')
    >>> speller([ScoreNote(Note(0, 1, 3), 0, "Eb-1", False)])(3)
    'Eb-1'
    """
    from music21 import pitch as m21pitch

    counts: dict[int, Counter[str]] = {}
    for item in notes:
        if item.note.instrument == DRUMS:
            continue
        step = item.name.rstrip("-0123456789")
        counts.setdefault(item.note.pitch % 12, Counter())[step] += 1
    spelled = {pc: c.most_common(1)[0][0] for pc, c in counts.items()}
    sharps = sum(s.count("#") for s in spelled.values()) >= sum(
        s[1:].count("b") for s in spelled.values()
    )

    def name(midi: int) -> str:
        step = spelled.get(midi % 12)
        if step is None:
            fallback = m21pitch.Pitch(midi=midi)
            respelled = fallback.getEnharmonic() if fallback.accidental is not None else None
            if not sharps and respelled is not None:
                fallback = respelled
            return fallback.name.replace("-", "b") + str(fallback.implicitOctave)
        candidate = m21pitch.Pitch(step.replace("b", "-") if len(step) > 1 else step)
        candidate.octave = 4
        candidate.octave += (midi - candidate.midi) // 12
        return candidate.name.replace("-", "b") + str(candidate.implicitOctave)

    return name


def measure_locator(score: object) -> Locate:
    """Bar (from 1 at the start of the file) and beat (from 1) of an offset, read from the first
    part's measures the way the critic counts them (a pickup bar is bar 1, its beats shifted
    by the missing part)."""
    from music21 import stream

    parts = list(getattr(score, "parts", [])) or [score]
    measures = list(parts[0].getElementsByClass(stream.Measure))
    if not measures:  # a flat part (a split keyboard track): bars of the first signature
        first = parts[0].recurse().getElementsByClass("TimeSignature").first()
        bar = float(first.barDuration.quarterLength) if first is not None else 4.0
        beat = _beat_length(first)
        return lambda offset: (
            int(offset // bar) + 1,
            round(1.0 + (offset - bar * (offset // bar)) / beat, 3),
        )
    starts = [float(m.offset) for m in measures]
    pickups = [float(m.paddingLeft) for m in measures]
    beats = []
    current = parts[0].recurse().getElementsByClass("TimeSignature").first()
    for measure in measures:
        current = measure.timeSignature or current
        beats.append(_beat_length(current))

    def locate(offset: float) -> tuple[int, float]:
        index = max(int(np.searchsorted(starts, offset + 1e-9, side="right")) - 1, 0)
        within = offset - starts[index] + pickups[index]
        return index + 1, round(1.0 + within / (beats[index] or 1.0), 3)

    return locate


def _beat_length(signature: object) -> float:
    """Quarter notes per beat (an additive metre's mean beat), as the critic counts beats."""
    if signature is None:
        return 1.0
    try:
        length = float(signature.beatDuration.quarterLength)  # type: ignore[attr-defined]
    except Exception:  # music21 refuses a single beat length for 3+2/8
        bar = float(signature.barDuration.quarterLength)  # type: ignore[attr-defined]
        length = bar / max(signature.beatCount, 1)  # type: ignore[attr-defined]
    return length if length >= 1 / 64 else 1.0


def reportable(note: ScoreNote) -> bool:
    """A note a learner would call one: not a tied continuation, a drum or a chord symbol
    (ABC chord symbols reach the encoder as zero-length notes, as they did in pre-training)."""
    return not note.held and note.note.instrument != DRUMS and note.note.duration > 0


def surprising_notes(
    scored: list[ScoredNote],
    spell: Callable[[int], str],
    locate: Locate,
    *,
    top: int = 10,
) -> list[SurpriseNote]:
    """The ``top`` most surprising notes a learner would call notes (no tied continuations,
    no drums; notes merged by the encoding reported once, for the first part), highest first."""
    seen: set[tuple[float, int]] = set()
    chosen = []
    for item in sorted(scored, key=lambda s: (-s.score, s.source.note.start, s.source.part)):
        note = item.source.note
        if not reportable(item.source) or (note.start, note.pitch) in seen:
            continue
        seen.add((note.start, note.pitch))
        bar, beat = locate(note.start)
        chosen.append(
            SurpriseNote(
                part=item.source.part,
                bar=bar,
                beat=beat,
                offset_ql=round(note.start, 4),
                pitch=item.source.name,
                score=round(item.score, 3),
                expected=[spell(m) for m, _ in item.expected],
                probability=item.probability,
                expected_probabilities=[p for _, p in item.expected],
            )
        )
        if len(chosen) == top:
            break
    return chosen


def bar_surprise(scored: list[ScoredNote], locate: Locate) -> list[BarSurprise]:
    """Each bar's highest score among the notes a learner would call notes, in bar order.

    >>> from etude.encoders.octuple import Note
    >>> def scored(start, score):
    ...     note = Note(start=start, duration=1.0, pitch=60)
    ...     return ScoredNote(ScoreNote(note, 0, "C4", held=False), score, 0.1, [])
    >>> bars = bar_surprise([scored(0, 1.0), scored(1, 3.5), scored(4, 0.5)],
    ...                     lambda start: (int(start // 4) + 1, start % 4 + 1))
    >>> [(b.bar, b.score) for b in bars]
    [(1, 3.5), (2, 0.5)]
    """
    highest: dict[int, float] = {}
    for item in scored:
        if not reportable(item.source):
            continue
        bar, _ = locate(item.source.note.start)
        highest[bar] = max(highest.get(bar, float("-inf")), item.score)
    return [BarSurprise(bar=bar, score=round(value, 3)) for bar, value in sorted(highest.items())]


def encoder_section(
    score: object,
    model: EncoderModel,
    *,
    top: int = 10,
    locate: Locate | None = None,
    stride: int = DEFAULT_STRIDE,
) -> EncoderSection:
    """The ``encoder`` object of ``etude analyze --json`` for a parsed music21 score."""
    found = score_distributions(score, model, stride=stride)
    scored = scored_notes(found.p, found.tokens, found.notes, found.rows)
    where = locate or measure_locator(score)
    return EncoderSection(
        model=model.config.name,
        surprise=surprising_notes(scored, speller(found.notes), where, top=top),
        bars=bar_surprise(scored, where),
    )


def analysis_section(score: object, *, top: int = 10) -> dict[str, object] | None:
    """``encoder_section`` as ``etude analyze --json`` and ``POST /analyze`` report it, with the
    model in use (``etude.encoders.embedding.inference_model``); None when there is no
    checkpoint or the encoder cannot read the piece: the rest of the analysis stands on its own."""
    from etude.encoders.embedding import inference_model

    try:
        return encoder_section(score, inference_model(), top=top).model_dump(mode="json")
    except (OSError, ValueError, IndexError, KeyError):  # EncodingError is a ValueError
        return None


def percent(probability: float) -> str:
    """A probability as a learner reads it.

    >>> percent(0.004), percent(0.41)
    ('under 1%', '41%')
    """
    return "under 1%" if probability < 0.005 else f"{probability:.0%}"


def likelier_words(note: SurpriseNote) -> tuple[str, float, str, str]:
    """The pitch the style expects instead of ``note``, its probability, "far " when it is at
    least five times likelier than the note, and ", then E4, G3" for the runners-up.

    >>> note = SurpriseNote(part=0, bar=1, beat=1.0, offset_ql=0.0, pitch="F4", score=4.1,
    ...     expected=["F#4", "E4"], probability=0.017, expected_probabilities=[0.62, 0.1])
    >>> likelier_words(note)
    ('F#4', 0.62, 'far ', ', then E4')
    """
    likelier = note.expected[0] if note.expected else "another pitch"
    chance = note.expected_probabilities[0] if note.expected_probabilities else 0.0
    far = "far " if chance >= 5 * note.probability else ""
    then = f", then {', '.join(note.expected[1:])}" if len(note.expected) > 1 else ""
    return likelier, chance, far, then


def least_expected_sentence(note: SurpriseNote, voice: str) -> str:
    """The tutor's sentence about the most surprising note: where, what the model expected
    instead, and that it is the model's sense of the style, not a rule.

    >>> note = SurpriseNote(part=1, bar=6, beat=2.0, offset_ql=22.0, pitch="F4", score=4.1,
    ...     expected=["F#4", "E4"], probability=0.017, expected_probabilities=[0.62, 0.1])
    >>> print(least_expected_sentence(note, "alto"))  # doctest: +NORMALIZE_WHITESPACE
    Bar 6, alto (beat 2): this F4 is the least expected note in the piece for MusicBERT,
    Etude's music encoder (2% likely); in this style F#4 is far likelier (62%), then E4.
    That is the model's sense of the style, not a rule: keep the note if you meant it.
    """
    likelier, chance, far, then = likelier_words(note)
    return (
        f"Bar {note.bar}, {voice} (beat {note.beat:g}): this {note.pitch} is the least "
        f"expected note in the piece for MusicBERT, Etude's music encoder "
        f"({percent(note.probability)} likely); in this style {likelier} is {far}likelier "
        f"({percent(chance)}){then}. That is the model's sense of the style, not a rule: "
        "keep the note if you meant it."
    )
