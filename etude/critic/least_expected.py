"""The note MusicBERT expected least in a learner's score, named by voice, for the tools.

The encoder scores every note by how unexpected its pitch is in context
(:mod:`etude.encoders.surprise`); this reads that for a whole score the way the critic reads it
(its bars and beats, its voice names), so the encoder tool can answer "which note sounds
wrong?" and the critic can mention a note that *stands out*: one far less expected than any
other note of the piece. That is how a planted wrong note looks to the encoder (issue #22's
wrong-note bench), while in a clean chorale the least expected notes come in a close cluster.
It is never a finding: the sentence says it is the model's sense of the style, not a rule.

Where the checkpoint ships a wrong-note ranker (``etude.encoders.wrong_notes``), a critique
mentions instead the note the ranker finds likeliest a slip, when it is sure enough
(:func:`likely_slip`): the surprise read together with the note's context (a semitone rub
with another voice, a chord it spoils, a step to a far likelier pitch), which finds wrong
notes in chorales where the surprise alone cannot (bench/RESULTS.md, issue #22).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from music21 import stream
from music21.exceptions21 import Music21Exception

from etude.critic.places import sought
from etude.critic.report import Finding
from etude.encoders.corpus import ScoreNote
from etude.encoders.surprise import (
    EncoderSection,
    SurpriseNote,
    least_expected_sentence,
    likelier_words,
    percent,
)
from etude.knowledge.asking import Place
from etude.theory.chords import QUALITY_NAMES
from etude.theory.spelling import with_article

log = logging.getLogger(__name__)

STANDS_OUT_NATS = 2.0
"""How much less expected than the runner-up (in nats: e² ≈ 7.4 times less likely) the least
expected note must be for a critique to mention it unasked. Chosen on 70 planted pieces
(bench/RESULTS.md, issue #22, "A critique mentions a note that stands out"): at 2.0 the line
named the planted note in 34 of 60 folk tunes and never another note, and appeared on 6 of
the 60 unplanted originals; at 1.0 it appeared on a third of the originals. On chorales,
where the encoder confuses the voices, it stays silent (1 of 10)."""


@dataclass(frozen=True)
class LeastExpected:
    note: SurpriseNote
    voice: str
    section: EncoderSection

    @property
    def sentence(self) -> str:
        return least_expected_sentence(self.note, self.voice)

    @property
    def stands_out(self) -> bool:
        return stands_out(self.section)


def stands_out(section: EncoderSection) -> bool:
    """Whether the least expected note is far less expected than every other one.

    >>> def note(score):
    ...     return SurpriseNote(part=0, bar=1, beat=1.0, offset_ql=0.0, pitch="C4", score=score,
    ...                         expected=[], probability=0.01, expected_probabilities=[])
    >>> stands_out(EncoderSection(model="m", surprise=[note(8.4), note(6.3)]))
    True
    >>> stands_out(EncoderSection(model="m", surprise=[note(7.8), note(6.3)]))
    False
    >>> stands_out(EncoderSection(model="m", surprise=[note(6.07), note(6.05)]))
    False
    """
    if not section.surprise:
        return False
    if len(section.surprise) == 1:
        return True
    return section.surprise[0].score - section.surprise[1].score >= STANDS_OUT_NATS


def least_expected(score: stream.Score) -> LeastExpected | None:
    """The least expected note of ``score`` with its voice's name, or None without a
    checkpoint or when the encoder cannot read the piece."""
    from etude.critic.texture import build_piece
    from etude.encoders.embedding import inference_model
    from etude.encoders.surprise import encoder_section

    try:
        piece = build_piece(score)
        section = encoder_section(score, inference_model(), top=3, locate=piece.meter.locate)
    except (OSError, ValueError, IndexError, KeyError) as error:
        log.warning("no surprise estimate: %s", error)
        return None
    if not section.surprise:
        return None
    first = engraved(section.surprise[0], piece.meter.measure)
    labels = {line.part: line.label for line in piece.lines}
    return LeastExpected(first, labels.get(first.part, f"part {first.part + 1}"), section)


def engraved(note: SurpriseNote, measure: Callable[[int], int]) -> SurpriseNote:
    """The note with its bar as the score's own measure number, the one a learner finds
    engraved above the bar and the one the critic's findings give. The encoder counts bars
    from the start of the file, so a pickup (engraved 0) or a bar split at a repeat moves
    every later number by one; the encoder section of ``etude analyze --json`` keeps those.

    >>> note = SurpriseNote(part=0, bar=9, beat=3.0, offset_ql=30.0, pitch="F4", score=3.0,
    ...                     expected=[], probability=0.03, expected_probabilities=[])
    >>> engraved(note, lambda bar: bar - 2).bar
    7
    """
    return note.model_copy(update={"bar": measure(note.bar)})


@dataclass(frozen=True)
class LikelySlip:
    """The note the wrong-note ranker finds likeliest a slip, said the way a teacher would."""

    note: SurpriseNote
    voice: str
    probability: float
    threshold: float
    rubs: tuple[str, ...]
    """"a minor second with the tenor's E4": the harsh intervals it makes at its onset."""
    chord: str | None
    """The chord the other voices sound at its onset when the note does not belong to it."""
    scope: str = ""
    """Where it was sought when the learner pointed somewhere ("of the tenor in bar 5"), else
    empty: the likeliest slip *there*, which the sentence must say."""
    check: float | None = None
    """The ranker's lower threshold for naming it unasked as unsure (``Ranker.check_for``);
    None: the mention threshold alone."""
    resolves_home: bool = False
    """A semitone below the tonic, rising to it next in its voice: the leading tone doing its
    job (a harmonic-minor melody's raised 7th, which the mostly modal tunes the ranker learnt
    from seldom have); named unasked only when the ranker is sure."""

    @property
    def mentioned(self) -> bool:
        """Whether a critique should call it a likely slip unasked (the ranker's chosen
        threshold)."""
        return self.probability >= self.threshold

    @property
    def worth_a_check(self) -> bool:
        """Whether a critique should name it unasked at all: a likely slip, or under the
        mention threshold but above the check threshold, where the sentence says it is unsure
        (a clean piece gets such a line now and then: it names the note to listen to again,
        never an error).

        >>> note = SurpriseNote(part=0, bar=1, beat=1.0, offset_ql=0.0, pitch="C4", score=3.0,
        ...                     expected=[], probability=0.05, expected_probabilities=[])
        >>> [LikelySlip(note, "soprano", p, 0.75, (), None, check=0.2).worth_a_check
        ...  for p in (0.1, 0.3, 0.8)]
        [False, True, True]
        >>> LikelySlip(note, "soprano", 0.3, 0.75, (), None).worth_a_check
        False
        >>> LikelySlip(note, "soprano", 0.3, 0.75, (), None, check=0.2, resolves_home=True
        ...            ).worth_a_check
        False
        """
        unsure = self.check is not None and self.probability >= self.check
        return self.mentioned or (unsure and not self.resolves_home)

    @property
    def sentence(self) -> str:
        return slip_sentence(self)


def slip_sentence(slip: LikelySlip) -> str:
    """Where the likely slip is, what makes it stand out, what the style expects instead.

    >>> note = SurpriseNote(part=1, bar=6, beat=2.0, offset_ql=22.0, pitch="F4", score=4.1,
    ...     expected=["F#4", "E4"], probability=0.017, expected_probabilities=[0.62, 0.1])
    >>> slip = LikelySlip(note, "alto", 0.8, 0.5, ("a minor ninth with the bass's E3",),
    ...                   "E minor triad")
    >>> print(slip_sentence(slip))  # doctest: +NORMALIZE_WHITESPACE
    Bar 6, alto (beat 2): this F4 may be a slip. It makes a minor ninth with the bass's E3,
    and the other voices sound an E minor triad, which F4 is not part of. MusicBERT, Etude's
    music encoder, finds F#4 far likelier here (62%, against 2% for F4), then E4. That is the
    model's sense of the style, not a rule: keep the note if you meant it.
    >>> unsure = LikelySlip(note, "alto", 0.3, 0.5, (), None)
    >>> print(slip_sentence(unsure).split(" MusicBERT")[0])  # doctest: +NORMALIZE_WHITESPACE
    Bar 6, alto (beat 2): if a note is wrong, this F4 is the likeliest one, though I am not
    sure of it.
    >>> there = LikelySlip(note, "alto", 0.3, 0.5, (), None, scope="of the alto in bar 6")
    >>> print(slip_sentence(there).split(":")[1].split(",")[0])
     if a note of the alto in bar 6 is wrong
    """
    note = slip.note
    rubs = " and ".join(slip.rubs)
    chord = ""
    if slip.chord:
        chord = f"{with_article(slip.chord)}, which {note.pitch} is not part of"
    why = ""
    if rubs and chord:
        why = f" It makes {rubs}, and the other voices sound {chord}."
    elif rubs:
        why = f" It makes {rubs}."
    elif chord:
        why = f" The other voices sound {chord}."
    likelier, chance, far, then = likelier_words(note)
    where = f"Bar {note.bar}, {slip.voice} (beat {note.beat:g})"
    # under the threshold it is said only when the learner asked which note is wrong: their
    # question is the reason to name it, and the sentence must not sound surer than the ranker
    opening = (
        f"{where}: this {note.pitch} may be a slip."
        if slip.mentioned
        else f"{where}: if a note {slip.scope + ' ' if slip.scope else ''}is wrong, this "
        f"{note.pitch} is the likeliest one, though I am not sure of it."
    )
    return (
        f"{opening}{why} MusicBERT, Etude's music encoder, finds {likelier} {far}likelier here "
        f"({percent(chance)}, against {percent(note.probability)} for {note.pitch}){then}. "
        "That is the model's sense of the style, not a rule: keep the note if you meant it."
    )


def flags_of(findings: Iterable[Finding]) -> dict[tuple[int, float], list[str]]:
    """The critic's findings by the notes they name (``etude.encoders.wrong_notes.Flags``).

    >>> found = Finding(rule="large_leap", bar=1, beat=3.0, offset_ql=2.0, parts=[1],
    ...                 severity="info", message="...")
    >>> flags_of([found])
    {(1, 2.0): ['large_leap']}
    """
    flags: dict[tuple[int, float], list[str]] = {}
    for finding in findings:
        for part in finding.parts:
            flags.setdefault((part, round(finding.offset_ql, 3)), []).append(finding.rule)
    return flags


def likely_slip(
    score: stream.Score,
    findings: Iterable[Finding],
    place: Place | None = None,
    tonic: str | None = None,
) -> LikelySlip | None:
    """The note the checkpoint's wrong-note ranker finds likeliest a slip in ``score``, given
    every finding of the critic on it (``AnalysisReport.every_finding``); None without a
    checkpoint, without a ranker and a wrong-note detector beside it, or when the encoder
    cannot read it.

    ``place``: where the learner points ("the tenor feels weird"): the likeliest slip among
    the notes there, with its probability among all the piece's notes (so it is no surer for
    being sought in one voice); the whole piece when no note is there. ``tonic``: the key's
    tonic ("E"), to tell a leading tone that rises to it (``LikelySlip.resolves_home``)."""
    from etude.critic.texture import build_piece
    from etude.encoders.embedding import checkpoint_dir, inference_model
    from etude.encoders.slip_detector import score_log_odds, shipped_detector
    from etude.encoders.surprise import (
        score_distributions,
        scored_notes,
        speller,
        surprising_notes,
    )
    from etude.encoders.wrong_notes import RANKER_FILE, Ranker, likeliest_slip

    try:
        ranker = Ranker.load(checkpoint_dir() / RANKER_FILE)
        detector = shipped_detector(checkpoint_dir())
        if ranker is None or detector is None:
            return None
        piece = build_piece(score)
        found = score_distributions(score, inference_model())
        labels = {line.part: line.label for line in piece.lines}
        there = sought(place, labels, piece.meter) if place else None
        among = None
        if there is not None:
            inside = {i for i, n in enumerate(found.notes) if there.holds(n)}
            among = inside or None
        flags = flags_of(findings)
        log_odds = score_log_odds(found, detector)
        suspect = likeliest_slip(found, piece.meter.locate, ranker, flags, among, log_odds)
        if suspect is None:
            return None
        row = found.rows[suspect.index : suspect.index + 1]
        scored = scored_notes(found.p, found.tokens, [found.notes[suspect.index]], row)
        (located,) = surprising_notes(scored, speller(found.notes), piece.meter.locate, top=1)
        note = engraved(located, piece.meter.measure)
        return LikelySlip(
            note,
            labels.get(note.part, f"part {note.part + 1}"),
            suspect.probability,
            ranker.threshold_for(suspect.texture),
            _rubs(found.notes[suspect.index], suspect.rubs, labels),
            _chord_against(suspect.others) if suspect.spoils_chord else None,
            there.words if there is not None and among and suspect.index in among else "",
            ranker.check_for(suspect.texture),
            tonic is not None and rises_to(found.notes, suspect.index, tonic),
        )
    except (OSError, ValueError, IndexError, KeyError, Music21Exception) as error:
        log.warning("no wrong-note estimate: %s", error)
        return None


def rises_to(notes: list[ScoreNote], index: int, tonic: str) -> bool:
    """Whether ``notes[index]`` lies a semitone below ``tonic`` and its voice's next note is
    that tonic, a semitone up: a leading tone resolving.

    >>> from etude.encoders.octuple import Note
    >>> line = [ScoreNote(Note(t, 1, m), 0, n, False)
    ...         for t, (m, n) in enumerate([(71, "B4"), (63, "D#4"), (64, "E4")])]
    >>> rises_to(line, 1, "E"), rises_to(line, 0, "E"), rises_to(line, 1, "G")
    (True, False, False)
    """
    from music21 import pitch

    mine = notes[index]
    home = pitch.Pitch(_m21(tonic)).pitchClass
    if (mine.note.pitch + 1) % 12 != home:
        return False
    later = [n for n in notes if n.part == mine.part and n.note.start > mine.note.start]
    if not later:
        return False
    following = min(later, key=lambda n: n.note.start)
    return following.note.pitch == mine.note.pitch + 1


def _rubs(
    mine: ScoreNote, others: tuple[ScoreNote, ...], labels: dict[int, str]
) -> tuple[str, ...]:
    """At most two of the intervals ``mine`` rubs against, the closest first, each pitch once
    (a pitch two voices double is named by the first)."""
    named: dict[str, str] = {}
    for other in sorted(others, key=lambda n: abs(n.note.pitch - mine.note.pitch)):
        if other.name not in named and len(named) < 2:
            named[other.name] = _rub(mine, other, labels)
    return tuple(named.values())


def _rub(mine: ScoreNote, other: ScoreNote, labels: dict[int, str]) -> str:
    """ "a minor second with the tenor's E4" (the interval named from the lower note).

    >>> from etude.encoders.octuple import Note
    >>> a = ScoreNote(Note(0, 1, 65), 1, "F4", False)
    >>> b = ScoreNote(Note(0, 1, 52), 3, "E3", False)
    >>> _rub(a, b, {3: "bass"})
    "a minor ninth with the bass's E3"
    """
    from music21 import interval, pitch

    low, high = sorted((mine, other), key=lambda n: n.note.pitch)
    between = interval.Interval(pitch.Pitch(_m21(low.name)), pitch.Pitch(_m21(high.name)))
    name = between.niceName.lower()
    article = "an" if name[0] in "aeiou" else "a"
    voice = labels.get(other.part, f"part {other.part + 1}")
    return f"{article} {name} with the {voice}'s {other.name}"


def _chord_against(others: tuple[ScoreNote, ...]) -> str | None:
    """The triad or seventh chord the other voices sound, by name ("E minor triad"), or None
    when they sound fewer than three pitch classes or no chord music21 names.

    >>> from etude.encoders.octuple import Note
    >>> notes = [ScoreNote(Note(0, 1, m), i, n, False)
    ...          for i, (m, n) in enumerate([(64, "E4"), (59, "B3"), (52, "E3"), (55, "G3")])]
    >>> _chord_against(tuple(notes))
    'E minor triad'
    """
    from music21 import chord

    names = [_m21(n.name) for n in others]
    if len({n.note.pitch % 12 for n in others}) < 3:
        return None
    sounding = chord.Chord(names)
    kind = sounding.commonName
    if kind not in _NAMED:
        return None
    root = sounding.root().name.replace("-", "b")
    return f"{root} {kind}".replace(" chord", "")


def _m21(name: str) -> str:
    """A ``ScoreNote`` spelling ("Bb3") as music21 writes it ("B-3")."""
    return name[0] + name[1:].replace("b", "-")


_NAMED = {
    QUALITY_NAMES[suffix] for suffix in ("", "m", "dim", "aug", "7", "maj7", "m7", "m7b5", "dim7")
}
"""The triads and seventh chords the wrong-note ranker's chord shapes are
(``etude.encoders.wrong_notes.is_chordal``), as music21's ``commonName`` calls them."""
