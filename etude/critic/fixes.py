"""Fixes the critic has verified: for a fault, the smallest edit that removes it and adds none.

"Move the alto in contrary motion" is advice a learner cannot check; "alto, bar 5, beat 2:
A4 → B4" is a change they can try, hear and compare. So for every fault it can locate (the
rules in :data:`FIXABLE_RULES`), the critic searches small edits of the notes involved — one
note moved by a step, to another tone of its chord within a fifth, or by an octave, or two
consecutive notes of one voice moved an octave together — and keeps an edit only when

* the note stays in the local key (a chromatic chord tone may stay chromatic) and, where it was
  a chord tone, becomes another tone of the same chord while the chord keeps its root and
  third: the edit changes the voice leading, never the harmony the learner chose;
* re-running every rule on the edited piece finds the fault gone and **no new error or
  warning** anywhere.

Of the edits that pass, the one a teacher would propose first wins: fewest new remarks (only
``info`` ones can remain), fewest notes changed, the smoothest line (the smallest leaps into
and out of the new note), a step before an octave. An optional ``rank`` (the encoder's sense
of the style, issue #22: :mod:`etude.critic.style_ranking`) breaks what is left.

Searching on the critic's own working view (:class:`~etude.critic.texture.Piece`) costs a
millisecond per candidate, so a chorale's faults are searched in a few hundredths of a second;
:func:`apply_changes` makes the same edit in the music21 score, for the corrected file a
learner can download and for the benchmark that re-analyses it from scratch.
"""

from __future__ import annotations

import bisect
import copy
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise

from music21 import chord as m21chord
from music21 import note as m21note
from music21 import pitch as m21pitch
from music21 import stream

from etude.critic.harmony import TEMPLATES
from etude.critic.report import Change, Finding, Suggestion
from etude.critic.rules.common import RuleContext
from etude.critic.rules.run import run_rules
from etude.critic.texture import Line, LineNote, Piece

FIXABLE_RULES: tuple[str, ...] = (
    "parallel_fifths",
    "parallel_octaves",
    "hidden_fifths",
    "hidden_octaves",
    "voice_crossing",
    "voice_overlap",
    "spacing",
    "range",
    "unresolved_leading_tone",
    "out_of_key",
)
"""Rules whose faults sit in particular notes, so that moving a note can remove them."""

FAULT_NAMES: dict[str, str] = {
    "range": "note out of range",
    "spacing": "gap of more than an octave",
    "out_of_key": "note outside the key",
}
"""How a fix's explanation names a fault whose rule id is not already a phrase."""

SINGLE_MOVES: tuple[int, ...] = (1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 7, -7, 12, -12)
"""Semitone moves tried for one note: steps, then the other chord tones within a fifth, then
the octave. The harmony check below keeps only those that stay in the chord (or the key)."""

FAULT_SEVERITIES = ("error", "warning")
"""What an edit may not add: a fix that creates another fault is no fix."""

MAX_SEARCHED = 12
"""Faults searched per analysis: the ones the learner is shown come first; a long list of
faults is not corrected one by one anyway."""

MARGIN_QL = 8.0
"""How much music either side of a fault the screening re-checks: two bars of 4/4, more than
any rule looks across (a rule judges a note against its neighbours)."""

MAX_CONFIRMED = 3
"""Chord-changing edits re-analysed in full per fault before giving up on it."""

Key = tuple[str, float, tuple[int, ...]]
Ranker = Callable[[Sequence["Edit"]], float]
"""Scores an edit of the piece as written (higher is more idiomatic); only orders edits
already verified."""
Confirm = Callable[[Sequence["Edit"]], bool]
"""Whether an edit survives the whole analysis run again on the edited score."""


@dataclass(frozen=True)
class Edit:
    """One note of one line given a new pitch: ``lines[line].notes[index]`` → ``midi``."""

    line: int
    index: int
    midi: int


def key_of(finding: Finding) -> Key:
    """What identifies a fault across two runs of the rules: rule, onset and parts."""
    return (finding.rule, round(finding.offset_ql, 4), tuple(finding.parts))


def suggest_fixes(
    context: RuleContext,
    targets: Sequence[Finding],
    *,
    rank: Ranker | None = None,
    limit: int = MAX_SEARCHED,
    confirm: Callable[[Finding], Confirm] | None = None,
) -> dict[Key, Suggestion]:
    """A verified suggestion for each target fault that has one, by the fault's key.

    ``targets`` are the faults to fix, in the order they matter; at most ``limit`` are searched.

    >>> from etude.critic.texture import Meter
    >>> from etude.critic.rules.common import Tonality
    >>> from music21 import key, pitch
    >>> def line(part, label, names):
    ...     return Line(part, label, [LineNote(float(i), i + 1.0, pitch.Pitch(n).midi, n)
    ...                               for i, n in enumerate(names)])
    >>> piece = Piece([line(0, "melody", ["G4", "A4"]), line(1, "bass", ["C3", "D3"])], [],
    ...               Meter([0.0], [1.0], [0.0], [1], "2/4"), "melody_and_bass", 2.0, [])
    >>> context = RuleContext(piece, Tonality.of(key.Key("C")))
    >>> found = run_rules(context)
    >>> [f.rule for f in found]
    ['parallel_fifths']
    >>> fix = suggest_fixes(context, found)[key_of(found[0])]
    >>> [(c.part, c.from_, c.to) for c in fix.changes]  # oblique motion: G4 over D3, a fourth
    [(0, 'A4', 'G4')]
    """
    result: dict[Key, Suggestion] = {}
    searched = 0
    for target in targets:
        if target.rule not in FIXABLE_RULES or target.severity not in FAULT_SEVERITIES:
            continue
        if key_of(target) in result or searched >= limit:
            continue
        searched += 1
        check = confirm(target) if confirm is not None else None
        best = best_edit(context, target, rank=rank, confirm=check)
        if best is not None:
            result[key_of(target)] = describe(context, target, best)
    return result


@dataclass(frozen=True)
class Baseline:
    """What the rules found before any edit: the faults (an edit may add none) and how many
    ``info`` remarks (an edit that adds some costs more)."""

    faults: set[Key]
    infos: int


def best_edit(
    context: RuleContext,
    target: Finding,
    *,
    rank: Ranker | None = None,
    confirm: Confirm | None = None,
) -> tuple[Edit, ...] | None:
    """The edit a teacher would propose for ``target``, verified by the rules; None if none.

    An edit that keeps every chord is judged by the rules on the harmony already heard. One
    that changes a chord changes what the critic hears there (the harmony, perhaps the key),
    and so may a new bass note under the same chord tones (C–E–G–B over E is heard as E minor
    with a sixth, not C major seventh), so ``confirm`` (the whole analysis run again on the
    edited score) must accept those too; without ``confirm`` they are not offered."""
    verified = verified_edits(context, target)
    if rank is not None and verified:  # the style decides among edits equally good by rule
        best_cost = verified[0][0][:3]
        tied = [item for item in verified if item[0][:3] == best_cost]
        tied.sort(key=lambda item: -rank(item[1]))
        verified = tied + verified[len(tied) :]
    confirmed = 0
    for cost, edits in verified:
        if cost[2] == 0 and not _moves_the_bass(context, edits):
            return edits
        if confirm is None or confirmed >= MAX_CONFIRMED:
            continue
        confirmed += 1
        if confirm(edits):
            return edits
    return None


def _moves_the_bass(context: RuleContext, edits: Sequence[Edit]) -> bool:
    """Whether an edit gives the lowest line another pitch class (an octave keeps it)."""
    lowest = len(context.piece.lines) - 1
    return any(
        e.line == lowest and e.midi % 12 != context.piece.lines[e.line].notes[e.index].midi % 12
        for e in edits
    )


def verified_edits(
    context: RuleContext, target: Finding
) -> list[tuple[tuple[float, ...], tuple[Edit, ...]]]:
    """Every edit that removes ``target`` and adds no fault near it, cheapest first.

    The rules are re-run on the music within :data:`MARGIN_QL` of the notes involved, before
    and after each edit: every fault rule judges a note against its neighbours only, so a
    fault the edit could create lies there (``tests/unit/critic/test_fixes.py`` checks this
    against the whole piece), and a long piece with hundreds of findings would otherwise
    cost half a second per edit. Single-note edits are tried first;
    two-note octave moves only when no single note works. The cost is (new ``info`` remarks,
    notes changed, chords changed, roughness of the line)."""
    involved = _notes_involved(context, target)
    if not involved:
        return []
    tiers = [_single_edits(context, target), _pair_edits(context, target)]
    touched = involved + [(e.line, e.index) for tier in tiers for edits in tier for e in edits]
    local, first = _around(context, touched)
    local_found = run_rules(local)
    local_baseline = Baseline(
        faults={key_of(f) for f in local_found if f.severity in FAULT_SEVERITIES},
        infos=sum(f.severity == "info" for f in local_found),
    )
    for candidates in tiers:
        verified: list[tuple[tuple[float, ...], tuple[Edit, ...]]] = []
        for edits in candidates:
            moved = [Edit(e.line, e.index - first[e.line], e.midi) for e in edits]
            remarks = _verify(local, moved, target, local_baseline)
            if remarks is None:
                continue
            harmony = sum(harmony_cost(context, edit) or 0 for edit in edits)
            cost = (remarks, len(edits), harmony, _roughness(context.piece, edits))
            verified.append((cost, edits))
        if verified:
            return sorted(verified, key=lambda item: item[0])
    return []


def _around(context: RuleContext, involved: list[tuple[int, int]]) -> tuple[RuleContext, list[int]]:
    """The context cut to the notes within :data:`MARGIN_QL` of the involved notes, and for
    each line the index its first kept note had in the whole line."""
    notes = [context.piece.lines[line].notes[index] for line, index in involved]
    low = min(n.start for n in notes) - MARGIN_QL
    high = max(n.end for n in notes) + MARGIN_QL
    lines, first = [], []
    for line in context.piece.lines:
        # the first note still sounding at ``low`` (ends need not be sorted in a MIDI file's
        # line, so no bisection there), up to the last that starts before ``high``
        begin = next((i for i, n in enumerate(line.notes) if n.end > low + 1e-9), len(line.notes))
        stop = max(bisect.bisect_left(line.starts, high), begin)
        kept = line.notes[begin:stop]
        lines.append(Line(line.part, line.label, kept, line.instrument, line.part_name))
        first.append(begin)
    return replace(context, piece=replace(context.piece, lines=lines)), first


def edited(piece: Piece, edits: Sequence[Edit]) -> Piece:
    """The piece with ``edits`` made (a new piece; the original is not touched)."""
    lines = list(piece.lines)
    for edit in edits:
        line = lines[edit.line]
        notes = list(line.notes)
        old = notes[edit.index]
        notes[edit.index] = LineNote(old.start, old.end, edit.midi, old.name)
        lines[edit.line] = Line(line.part, line.label, notes, line.instrument, line.part_name)
    return replace(piece, lines=lines)


def describe(context: RuleContext, target: Finding, edits: Sequence[Edit]) -> Suggestion:
    """The contract's ``suggestion``: the changes, located, and why they are right."""
    changes = []
    for edit in edits:
        line = context.piece.lines[edit.line]
        old = line.notes[edit.index]
        bar, beat = context.piece.meter.locate(old.start)
        tonality = context.tonality_at(old.start)
        changes.append(
            Change.model_validate(
                {
                    "part": line.part,
                    "bar": bar,
                    "measure": context.piece.meter.measure(bar),
                    "beat": beat,
                    "offset_ql": round(old.start, 4),
                    "from": old.name,
                    "to": tonality.name(edit.midi),
                }
            )
        )
    moves = "; ".join(
        f"the {context.piece.lines[e.line].label}'s {c.from_} to {c.to} "
        f"(bar {c.measure}, beat {c.beat:g})"
        for e, c in zip(edits, changes, strict=True)
    )
    fault = FAULT_NAMES.get(target.rule, target.rule.replace("_", " "))
    kept = _chord_words(context, edits)
    why = (
        f"Move {moves}: that removes the {fault}{kept}, and checking the music around it "
        "again finds no new error or warning."
    )
    return Suggestion(changes=changes, why=why)


def apply_changes(score: stream.Score, changes: Sequence[Change]) -> stream.Score:
    """A copy of ``score`` with each change made (tied continuations follow their note).

    Raises ``ValueError`` when a change names a note the score does not have there: a
    suggestion is only ever applied to the score it was made for.

    >>> from music21 import converter
    >>> s = converter.parse("tinyNotation: 4/4 c4 d4 e4 f4")
    >>> fixed = apply_changes(s, [Change(part=0, bar=1, beat=2.0, offset_ql=1.0,
    ...                                  from_="D4", to="Eb4")])
    >>> [n.nameWithOctave for n in fixed.flatten().notes]
    ['C4', 'E-4', 'E4', 'F4']
    """
    fixed = copy.deepcopy(score)
    parts = list(fixed.parts) if isinstance(fixed, stream.Score) else [fixed]
    for change in changes:
        if not 0 <= change.part < len(parts):
            raise ValueError(f"the score has no part {change.part}")
        _change_note(parts[change.part], change)
    return fixed


# ----------------------------------------------------------------------------- search


def _notes_involved(context: RuleContext, target: Finding) -> list[tuple[int, int]]:
    """(line, note index) pairs whose change could remove ``target``: the notes sounding at
    the fault in each of its parts, and the note before (a parallel is made by two moves) or
    after (a leading tone is resolved by its next note)."""
    involved: list[tuple[int, int]] = []
    for part in target.parts:
        if not 0 <= part < len(context.piece.lines):
            continue
        line = context.piece.lines[part]
        found = line.at(target.offset_ql)
        if found is None:
            continue
        index = line.notes.index(found)
        involved.append((part, index))
        neighbour = index + 1 if target.rule == "unresolved_leading_tone" else index - 1
        two_notes = ("unresolved_leading_tone", "parallel_fifths", "parallel_octaves")
        if target.rule in two_notes and 0 <= neighbour < len(line.notes):
            involved.append((part, neighbour))
    return involved


def _single_edits(context: RuleContext, target: Finding) -> list[tuple[Edit, ...]]:
    edits: list[tuple[Edit, ...]] = []
    for line, index in _notes_involved(context, target):
        for move in SINGLE_MOVES:
            edit = Edit(line, index, context.piece.lines[line].notes[index].midi + move)
            if harmony_cost(context, edit) is not None:
                edits.append((edit,))
    return edits


def _pair_edits(context: RuleContext, target: Finding) -> list[tuple[Edit, ...]]:
    """Two consecutive notes of one voice moved an octave together (a range or spacing fault
    in the middle of a figure, where moving one note alone would leave a leap)."""
    pairs: list[tuple[Edit, ...]] = []
    for line, index in _notes_involved(context, target):
        notes = context.piece.lines[line].notes
        for first, second in ((index - 1, index), (index, index + 1)):
            if first < 0 or second >= len(notes):
                continue
            for move in (12, -12):
                pair = (
                    Edit(line, first, notes[first].midi + move),
                    Edit(line, second, notes[second].midi + move),
                )
                if all(harmony_cost(context, edit) is not None for edit in pair):
                    pairs.append(pair)
    return pairs


def harmony_cost(context: RuleContext, edit: Edit) -> int | None:
    """What ``edit`` does to the harmony: 0 keeps the chord, 1 makes another full chord with
    the other voices, None is not a fix a teacher would offer (out of the key, or no chord).

    A chord tone may become another tone of the chord the critic heard, as long as the chord
    keeps its root and third; a note that was no chord tone (a passing note, a wrong note)
    may become any note of the key. Failing that, the new note must still make a chord with
    the other voices sounding (a triad or seventh with its root and third), which changes
    the harmony and so costs more: the learner's wrong note may itself have made the chord
    the critic heard, and the right note then belongs to the chord of the other voices.
    """
    if not 0 <= edit.midi <= 127:
        return None
    old = context.piece.lines[edit.line].notes[edit.index]
    new_class, old_class = edit.midi % 12, old.midi % 12
    if new_class == old_class:
        return 0  # an octave: the same chord tone
    tonality = context.tonality_at(old.start)
    others = {
        sounding.midi % 12
        for number, line in enumerate(context.piece.lines)
        if number != edit.line and (sounding := line.at(old.start)) is not None
    }
    tones = _chord_tones(context, old.start)
    if tones is None or old_class not in tones[0]:
        if new_class in tonality.allowed:
            return 0
    else:
        chord, root, third = tones
        if new_class in chord and {root, third} <= others | {new_class}:
            return 0
    if new_class in tonality.allowed and _is_chord(frozenset(others | {new_class})):
        return 1
    return None


@lru_cache(maxsize=4096)
def _is_chord(classes: frozenset[int]) -> bool:
    """Whether pitch classes are a triad or seventh chord with at least its root and third.

    >>> _is_chord(frozenset({0, 4})), _is_chord(frozenset({0, 7})), _is_chord(frozenset({0, 1, 4}))
    (True, False, False)
    """
    for root in classes:
        for intervals in TEMPLATES.values():
            tones = {(root + step) % 12 for step in intervals}
            if classes <= tones and (root + intervals[1]) % 12 in classes:
                return True
    return False


def _chord_tones(context: RuleContext, offset: float) -> tuple[frozenset[int], int, int] | None:
    """The pitch classes of the chord the critic heard at ``offset``, its root and third."""
    index = context.chord_at(offset)
    if index is None:
        return None
    heard = context.harmony[index]
    if heard.offset_ql > offset + 1e-9:
        return None
    return _chord(heard.root, heard.quality)


@lru_cache(maxsize=512)
def _chord(root_name: str, quality: str) -> tuple[frozenset[int], int, int] | None:
    intervals = TEMPLATES.get(quality)
    if intervals is None:
        return None
    root = m21pitch.Pitch(root_name[0] + root_name[1:].replace("b", "-")).pitchClass
    tones = frozenset((root + step) % 12 for step in intervals)
    return tones, root, (root + intervals[1]) % 12


def _verify(
    context: RuleContext, edits: Sequence[Edit], target: Finding, baseline: Baseline
) -> float | None:
    """Re-run every rule on the edited piece: None if the fault stays or a new fault comes,
    else the number of new ``info`` remarks (what the edit costs in the learner's report)."""
    after = run_rules(replace(context, piece=edited(context.piece, edits)))
    faults = [f for f in after if f.severity in FAULT_SEVERITIES]
    if any(same_fault(f, target) for f in faults):
        return None
    if not {key_of(f) for f in faults} <= baseline.faults:
        return None
    return float(sum(f.severity == "info" for f in after) - baseline.infos)


def same_fault(found: Finding, target: Finding) -> bool:
    """The target fault is still there: same rule, same onset, a part in common (a shown
    finding may name the parts of several merged ones)."""
    return (
        found.rule == target.rule
        and abs(found.offset_ql - target.offset_ql) < 1e-6
        and bool(set(found.parts) & set(target.parts))
    )


def _roughness(piece: Piece, edits: Sequence[Edit]) -> float:
    """How far the edited voice leaps into and out of its new notes (semitones, summed), with
    an octave move counted as a little rougher than the same leaps by step."""
    changed = edited(piece, edits)
    total = 0.0
    for edit in edits:
        notes = changed.lines[edit.line].notes
        window = notes[max(edit.index - 1, 0) : edit.index + 2]
        total += sum(abs(b.midi - a.midi) for a, b in pairwise(window))
        old = piece.lines[edit.line].notes[edit.index].midi
        total += 1.0 if abs(edit.midi - old) >= 12 else 0.0
    return total


def _chord_words(context: RuleContext, edits: Sequence[Edit]) -> str:
    """What the edits do to the harmony, in words that are true of every edit: the chord the
    critic heard stays (its root and third remain), or the chord changes; nothing is said
    of a note that was no chord tone."""
    kept: list[str] = []
    for edit in edits:
        cost = harmony_cost(context, edit)
        if cost:
            return ", which changes the chord on that beat"
        old = context.piece.lines[edit.line].notes[edit.index]
        tones = _chord_tones(context, old.start)
        if tones is None or old.midi % 12 not in tones[0]:
            continue
        index = context.chord_at(old.start)
        assert index is not None  # _chord_tones found it
        heard = context.harmony[index]
        kept.append(f"{heard.root} {heard.quality}")
    unique = list(dict.fromkeys(kept))
    if not unique:
        return ""
    return f", the chord stays {' and '.join(unique)}"


# ----------------------------------------------------------------------------- score edits


def _change_note(part: stream.Stream, change: Change) -> None:
    old, new = _pitch(change.from_), _pitch(change.to)
    elements = [e for e in part.flatten().notes if float(e.quarterLength) > 0]
    for position, element in enumerate(elements):
        if abs(float(element.getOffsetInHierarchy(part)) - change.offset_ql) > 1e-6:
            continue
        member = _member(element, old.midi)
        if member is None:
            continue
        held = member.tie is not None and member.tie.type == "start"
        member.pitch = copy.deepcopy(new)
        for later in elements[position + 1 :] if held else []:
            tied = _member(later, old.midi)
            if tied is None or tied.tie is None or tied.tie.type not in ("continue", "stop"):
                break
            tied.pitch = copy.deepcopy(new)
            if tied.tie.type == "stop":
                break
        return
    raise ValueError(
        f"no {change.from_} at offset {change.offset_ql:g} in part {change.part}: "
        "the suggestion belongs to another version of the score"
    )


def _member(element: m21note.NotRest, midi: int | None) -> m21note.Note | None:
    members = element.notes if isinstance(element, m21chord.Chord) else [element]
    for member in members:
        if isinstance(member, m21note.Note) and member.pitch.midi == midi:
            return member
    return None


def _pitch(name: str) -> m21pitch.Pitch:
    """A pitch from a learner's spelling with its octave ('Bb3', 'C#-1').

    >>> _pitch("C#-1").midi, _pitch("Bb3").nameWithOctave
    (1, 'B-3')
    """
    match = re.fullmatch(r"([A-G])((?:#|b)*)(-?\d+)", name)
    if match is None:
        raise ValueError(f"not a note with an octave: {name!r}")
    step, accidentals, octave = match.groups()
    found = m21pitch.Pitch(step + accidentals.replace("b", "-"))
    found.octave = int(octave)
    return found
