"""Examples a learner can hear: a computed fact turned into a few bars, checked by music21.

A fact read is half learned; the same fact played sticks. For a chord the example is the
chord broken then struck; for a scale the scale up to the octave; for an interval its two
notes one after the other, then together; for a transposition the tune then its copy; for a
numeral the chord heard against the tonic, and a dominant seventh resolving with its voice
leading (the leading tone rises, the seventh falls); for a progression its chords in order;
for a meter two bars to clap, each beat (an irregular meter: each group) accented.

Each example is written as ABC (short, readable, playable in any ABC tool) and MusicXML (for
engravers), and is *verified*: the ABC is parsed back with music21 and must give exactly the
pitches intended, and a resolution must resolve (leading tone up a semitone, seventh down a
step, no parallel fifths or octaves between any two voices). An example that fails its check
is not shown. ``text`` is the one line the learner reads ("Play E G# B D, then A C E A: G#
rises to A, D falls to C.").

>>> from etude.theory.calculator import compute_facts
>>> example = example_for(compute_facts("V7 in A minor")[0])
>>> example.text
'Play E – G# – B – D, then A minor (A – C – E): G# rises to A, D falls to C.'
>>> example.events
[['E3', 'B3', 'D4', 'G#4'], ['A2', 'A3', 'C4', 'A4']]
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from music21 import (
    articulations,
    chord,
    converter,
    key,
    meter,
    note,
    pitch,
    roman,
    stream,
    voiceLeading,
)

from etude.evidence import Evidence
from etude.theory.example_xml import example_musicxml
from etude.theory.facts import TheoryFact
from etude.theory.spelling import human, to_music21

log = logging.getLogger(__name__)

Group = tuple[pitch.Pitch, ...]
"""One event of an example: one pitch (a melody note) or several (a chord)."""


@dataclass(frozen=True)
class HearExample:
    """A short example as the learner reads it, as ABC and as MusicXML."""

    text: str
    abc: str
    musicxml: str
    events: list[list[str]] = field(default_factory=list)
    """The pitches with octaves, event by event (``[["E3", "B3", "D4", "G#4"], ...]``)."""
    rhythm: bool = False
    """A rhythm on one note (a meter's claps): its ``text`` is a count and names no notes, so
    a reply shows the ABC with it, the bars to play or clap."""

    def as_data(self) -> dict[str, Any]:
        return {
            "type": "example",
            "text": self.text,
            "abc": self.abc,
            "musicxml": self.musicxml,
            "events": [list(group) for group in self.events],
            "rhythm": self.rhythm,
        }


def _pitch(name: str, octave: int) -> pitch.Pitch:
    return pitch.Pitch(f"{to_music21(name)}{octave}")


def ascending(names: list[str], octave: int = 4) -> list[pitch.Pitch]:
    """Names placed upward from ``octave``, each above the one before.

    >>> [p.nameWithOctave for p in ascending(["A", "C", "E"])]
    ['A4', 'C5', 'E5']
    """
    placed: list[pitch.Pitch] = []
    for name in names:
        here = _pitch(name, octave)
        while placed and here.ps <= placed[-1].ps:
            here.octave = (here.octave or 4) + 1
        placed.append(here)
    return placed


def _centred(names: list[str]) -> list[pitch.Pitch]:
    """A close-position chord whose root lies between A3 and G#4: comfortable to play."""
    root = _pitch(names[0], 4)
    if root.ps > 68:
        root.octave = 3
    return ascending(names, root.octave or 4)


def abc_note(p: pitch.Pitch, carried: dict[str, int]) -> str:
    """One pitch in ABC, with an explicit accidental whenever the bar's earlier notes would
    otherwise carry another one to it (``carried``: letter+octave → alteration so far).

    >>> abc_note(pitch.Pitch("E-3"), {}), abc_note(pitch.Pitch("F#5"), {})
    ('_E,', '^f')
    """
    alter = int(p.accidental.alter) if p.accidental is not None else 0
    slot = f"{p.step}{p.octave}"
    marks = {2: "^^", 1: "^", 0: "=", -1: "_", -2: "__"}[alter]
    if alter == 0 and carried.get(slot, 0) == 0:
        marks = ""
    carried[slot] = alter
    octave = p.octave if p.octave is not None else 4
    letter = p.step if octave <= 4 else p.step.lower()
    ticks = "," * max(0, 4 - octave) + "'" * max(0, octave - 5)
    return f"{marks}{letter}{ticks}"


def to_abc(title: str, events: list[Group], lengths: list[int], tonic: str = "C") -> str:
    """Events as an ABC tune in 4/4 (``lengths`` in quarter notes), one bar per four beats."""
    body: list[str] = []
    carried: dict[str, int] = {}
    beats = 0
    for group, length in zip(events, lengths, strict=True):
        notes = [abc_note(p, carried) for p in group]
        token = notes[0] if len(notes) == 1 else "[" + "".join(notes) + "]"
        body.append(token + (str(length) if length != 1 else ""))
        beats += length
        if beats % 4 == 0:
            body.append("|")
            carried = {}
    if body[-1] != "|":
        body.append("|")
    body[-1] = "|]"
    return f"X:1\nT:{title}\nM:4/4\nL:1/4\nK:C\n" + " ".join(body) + "\n"


def _stream(events: list[Group], lengths: list[int]) -> stream.Part:
    part = stream.Part()
    part.append(meter.TimeSignature("4/4"))
    for group, length in zip(events, lengths, strict=True):
        element: note.NotRest
        element = note.Note(group[0]) if len(group) == 1 else chord.Chord(list(group))
        element.quarterLength = length
        part.append(element)
    return part.makeMeasures()


def _musicxml(part: stream.Stream) -> str:
    from music21.musicxml.m21ToXml import GeneralObjectExporter

    return bytes(GeneralObjectExporter(part).parse()).decode("utf-8")


def verified(abc: str, events: list[Group]) -> bool:
    """Whether music21 reads the ABC back as exactly these events' pitches."""
    parsed = converter.parse(abc, format="abc")
    heard = [
        sorted(p.nameWithOctave for p in element.pitches) for element in parsed.recurse().notes
    ]
    wanted = [sorted(p.nameWithOctave for p in group) for group in events]
    return heard == wanted


def resolves(
    dominant: Group, tonic: Group, leading: pitch.Pitch, seventh: pitch.Pitch | None
) -> bool:
    """Whether a dominant chord's voices resolve as taught: the leading tone up a semitone,
    the seventh down a step, and no parallel fifths or octaves between any two voices."""
    ups = [b.ps - a.ps for a, b in zip(dominant, tonic, strict=True)]
    for here, move in zip(dominant, ups, strict=True):
        if here.name == leading.name and move != 1:
            return False
        if seventh is not None and here.name == seventh.name and move not in (-1, -2):
            return False
    for i in range(len(dominant)):
        for j in range(i + 1, len(dominant)):
            quartet = voiceLeading.VoiceLeadingQuartet(
                note.Note(dominant[j]),
                note.Note(tonic[j]),
                note.Note(dominant[i]),
                note.Note(tonic[i]),
            )
            if quartet.parallelFifth() or quartet.parallelOctave():
                return False
    return True


def _dominant_resolution(root: str, mode: str, figure: str) -> HearExample | None:
    """V or V7 in a key resolving to its tonic in four voices: bass root down a fifth, the
    fifth down to the key note, the seventh down a step, the leading tone up."""
    home = key.Key(to_music21(root), mode)
    rn = roman.RomanNumeral("V7" if "7" in figure else "V", home)
    bass = pitch.Pitch(f"{rn.root().name}3")
    third, fifth = rn.third, rn.fifth
    seventh = rn.seventh if "7" in figure else None
    upper_names = [fifth.name, (seventh or rn.root()).name, third.name]
    upper = ascending([human(n) for n in upper_names], 4)
    if upper[0].ps > 67:  # keep the voices around middle C
        upper = [p.transpose("-P8") for p in upper]
    tonic_triad = roman.RomanNumeral("I" if mode == "major" else "i", home)
    tonic_names = {p.name for p in tonic_triad.pitches}
    target_bass = bass.transpose("-P5")
    targets: list[pitch.Pitch] = []
    key_note = home.tonic.name
    for voice in upper:
        options = []
        for shift in (-2, -1, 0, 1, 2):
            candidate = pitch.Pitch()
            candidate.ps = voice.ps + shift
            for spelled in (candidate, *candidate.getAllCommonEnharmonics()):
                if spelled.name in tonic_names:
                    options.append(pitch.Pitch(spelled.nameWithOctave))
        if not options:
            return None
        if voice.name == third.name:
            pick = min(options, key=lambda p: (p.ps - voice.ps != 1, abs(p.ps - voice.ps)))
        elif seventh is not None and voice.name == seventh.name:
            pick = min(options, key=lambda p: (p.ps >= voice.ps, abs(p.ps - voice.ps)))
        else:  # the fifth of V falls to the key note: the tonic's root tripled, no fifths
            pick = min(options, key=lambda p: (p.name != key_note, abs(p.ps - voice.ps)))
        targets.append(pick)
    dominant: Group = (bass, *upper)
    tonic: Group = (target_bass, *targets)
    leading = third
    if not resolves(dominant, tonic, leading, seventh):
        return None
    moves = [f"{human(third.name)} rises to {human(targets[upper_names.index(third.name)].name)}"]
    if seventh is not None:
        to = targets[upper_names.index(seventh.name)]
        moves.append(f"{human(seventh.name)} falls to {human(to.name)}")
    dominant_chord = " – ".join(human(p.name) for p in rn.pitches)
    home_chord = " – ".join(human(p.name) for p in tonic_triad.pitches)
    text = f"Play {dominant_chord}, then {human(root)} {mode} ({home_chord}): {', '.join(moves)}."
    events = [dominant, tonic]
    label = f"{figure} - {'I' if mode == 'major' else 'i'} in {human(root)} {mode}"
    return _finish(label, text, events, [2, 2])


def _finish(title: str, text: str, events: list[Group], lengths: list[int]) -> HearExample | None:
    names = tuple(tuple(p.nameWithOctave for p in group) for group in events)
    return _written(title, text, names, tuple(lengths))


@lru_cache(maxsize=1024)
def _written(
    title: str, text: str, names: tuple[tuple[str, ...], ...], lengths: tuple[int, ...]
) -> HearExample | None:
    """The example written out and verified, once per process for the same notes: writing
    and checking it with music21 (an ABC parse; the MusicXML is written directly,
    :mod:`etude.theory.example_xml`) is the largest part of a chord question's turn, and
    learners ask for the same few chords again and again."""
    events: list[Group] = [tuple(pitch.Pitch(name) for name in group) for group in names]
    abc = to_abc(title, events, list(lengths))
    if not verified(abc, events):
        log.warning("example for %s did not verify; not shown", title)
        return None
    return HearExample(
        text=text,
        abc=abc,
        musicxml=example_musicxml(names, lengths, title)
        or _musicxml(_stream(events, list(lengths))),
        events=[list(group) for group in names],
    )


def _filled(count: int) -> list[int]:
    """``count`` quarter notes, the last held to the end of its bar.

    >>> _filled(3), _filled(8)
    ([1, 1, 2], [1, 1, 1, 1, 1, 1, 1, 1])
    """
    lengths = [1] * count
    lengths[-1] += -count % 4
    return lengths


def _broken_then_struck(title: str, names: list[str]) -> HearExample | None:
    placed = _centred(names)
    events: list[Group] = [(p,) for p in placed] + [tuple(placed)]
    lengths = [*_filled(len(placed)), 4]
    text = f"Play {' – '.join(names)} one note at a time, then all together."
    return _finish(title, text, events, lengths)


def example_for(fact: TheoryFact) -> HearExample | None:
    """The example that helps hear ``fact``, verified, or None where none helps or the check
    fails (a fingering, an enharmonic, a chain's single note)."""
    try:
        return _example(fact)
    except Exception:  # music21 refuses an exotic spelling: no example rather than a wrong one
        log.debug("no example for %s", fact.query, exc_info=True)
        return None


def first_example(facts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The example of the first computed fact (as dumped in evidence ``data``; a verdict's
    under ``fact``) that has one, as JSON data, or None."""
    for data in facts:
        fact = data.get("fact") if data.get("type") == "premise" else data
        if isinstance(fact, dict) and "kind" in fact and "statement" in fact:
            example = example_for(TheoryFact.model_validate(fact))
            if example is not None:
                return example.as_data()
    return None


def heard_evidence(facts: list[Evidence]) -> list[Evidence]:
    """The example of a turn's computed facts as one evidence item of kind ``example`` (its
    ``data``: ``text``, ``abc``, ``musicxml``, ``events``, ``rhythm``), or none. Two meters
    asked about together ("3/4 and 6/8", "2/4 or 6/8") are each heard: the difference between
    them is what the learner wants to hear.

    >>> from etude.theory.calculator import compute_facts
    >>> facts = [Evidence(tool="theory", kind="fact", summary=f.statement, data=f.model_dump(),
    ...                   authoritative=True) for f in compute_facts("3/4 vs 6/8?")]
    >>> [item.data["abc"].splitlines()[2] for item in heard_evidence(facts)]
    ['M:3/4', 'M:6/8']
    """
    data = [item.data for item in facts if item.authoritative]
    meters = [fact for fact in data if fact.get("kind") == "meter"]
    if len(meters) >= 2:
        examples = [first_example([fact]) for fact in meters[:2]]
    else:
        examples = [first_example(data)]
    return [
        Evidence(tool="theory", kind="example", summary=example["text"], data=example)
        for example in examples
        if example is not None
    ]


def _meter_example(fact: TheoryFact) -> HearExample | None:
    """Two bars of the meter on one note, beamed beat by beat (an irregular meter: group by
    group) with each beat's or group's first note accented: what a learner claps while
    counting aloud. A regular meter's notes are its beat divisions, an irregular meter's its
    pulses. Checked: music21 reads the ABC back in this time signature as exactly two full
    bars of those notes.

    >>> from etude.theory.meter import describe_meter
    >>> print(_meter_example(describe_meter("6/8")).abc.splitlines()[-1])
    !>!ccc !>!ccc | !>!ccc !>!ccc |]
    >>> print(_meter_example(describe_meter("5/4")).abc.splitlines()[-1])
    !>!ccc !>!cc | !>!ccc !>!cc |]
    """
    from music21 import duration

    from etude.theory.meter import meter_reading

    text = str(fact.data["meter"])
    signature = meter.TimeSignature(text)
    if fact.data.get("groups"):  # irregular: the pulses in their groups
        groups = [int(n) for n in fact.data["groups"]]
        unit = 4 / signature.denominator
    else:
        reading = meter_reading(text)
        groups = [reading.division] * int(fact.data["beats"])
        unit = duration.Duration(reading.division_name).quarterLength  # the division's length
    bar = " ".join("!>!" + "c" * size for size in groups)
    abc = f"X:1\nT:{text} time\nM:{text}\nL:1/{round(4 / unit)}\nK:C\n{bar} | {bar} |]\n"
    parsed = converter.parse(abc, format="abc")
    heard = list(parsed.recurse().notes)
    written = parsed.recurse().getElementsByClass(meter.TimeSignature).first()
    if (
        written is None
        or written.ratioString != signature.ratioString
        or len(heard) != 2 * sum(groups)
        or parsed.highestTime != 2 * signature.barDuration.quarterLength
    ):
        log.warning("meter example for %s did not verify; not shown", text)
        return None
    starts = {sum(groups[:i]) for i in range(len(groups))}
    part = stream.Part([meter.TimeSignature(text)])
    for index in range(2 * sum(groups)):
        clap = note.Note("C5", quarterLength=unit)
        if index % sum(groups) in starts:
            clap.articulations.append(articulations.Accent())
        part.append(clap)
    return HearExample(
        text=str(fact.data["example"]),
        abc=abc,
        musicxml=_musicxml(part.makeMeasures()),
        events=[[n.nameWithOctave] for n in heard],
        rhythm=True,
    )


_CHORD_ANSWER = re.compile(
    r"^(?P<name>[A-G][#b]? (?:major|minor|diminished|augmented))"
    r" \((?P<notes>[A-G][#b]?(?: – [A-G][#b]?){2,3})\)$"
)
"""A derivation that ends on a chord ("the quality of the dominant triad of C major"): its
answer names the chord and its notes, which the example plays."""


def _example(fact: TheoryFact) -> HearExample | None:
    data = fact.data
    if fact.kind == "meter":
        return _meter_example(fact)
    if fact.kind in ("chord", "chord_identification"):
        tones = [str(t) for t in data.get("tones") or fact.notes]
        root = str(data.get("root") or tones[0])
        ordered = [root, *[t for t in tones if t != root]]
        return _broken_then_struck(str(data.get("symbol") or fact.query), ordered)
    if fact.kind == "roman_numeral":
        figure, label = str(data.get("figure") or ""), str(data.get("key") or "")
        tonic, _, mode = label.partition(" ")
        if figure in ("V", "V7") and mode in ("major", "minor"):
            return _dominant_resolution(tonic, mode, figure)
        return _against_tonic(tonic, mode, figure, list(fact.notes))
    if fact.kind == "scale" and len(fact.notes) >= 5:
        placed = ascending([*fact.notes, fact.notes[0]], 4)
        if placed[0].ps > 67:
            placed = [p.transpose("-P8") for p in placed]
        events: list[Group] = [(p,) for p in placed]
        lengths = _filled(len(events))
        shown = " ".join(human(p.name) for p in placed)
        return _finish(fact.query, f"Play {shown} slowly, up then down.", events, lengths)
    chord = _CHORD_ANSWER.match(str(data.get("answer") or ""))
    if fact.kind == "derivation" and chord is not None:  # "G major (G – B – D)"
        return _broken_then_struck(chord["name"], chord["notes"].split(" – "))
    if fact.kind == "derivation" and data.get("interval"):
        from music21 import interval

        size = interval.Interval(str(data["interval"]))
        high = human(size.transposePitch(pitch.Pitch("C4")).name)
        return _interval_example(f"{size.niceName} from C", "C", high, size.semitones)
    if fact.kind == "interval" and len(fact.notes) == 2:
        low, high = fact.notes if data.get("direction") != "below" else fact.notes[::-1]
        return _interval_example(fact.query, low, high)
    if fact.kind == "interval" and data.get("name"):
        from music21 import interval

        size = interval.Interval(str(data["name"]))
        high = human(size.transposePitch(pitch.Pitch("C4")).name)
        return _interval_example(f"{size.niceName} from C", "C", high, size.semitones)
    if fact.kind in ("key_signature", "related_keys", "circle_of_fifths"):
        return _home_chords(fact)
    if fact.kind == "transposition":
        source = [str(n) for n in data.get("source") or []]
        if not source or len(source) != len(fact.notes):
            return None
        from music21 import interval

        shift = interval.Interval(str(data.get("interval")))
        if data.get("direction") == "below":
            shift = shift.reverse()
        first = ascending(source, 4)
        moved = [p.transpose(shift) for p in first]
        if [human(p.name) for p in moved] != list(fact.notes):
            return None
        events = [(p,) for p in [*first, *moved]]
        lengths = _filled(len(first)) * 2
        text = f"Play {' '.join(source)}, then {' '.join(fact.notes)}: the same tune, moved."
        return _finish(fact.query, text, events, lengths)
    if fact.kind == "progression" and data.get("bass"):
        return _bass_example(fact.query, [[str(n) for n in bar] for bar in data["bass"]])
    if fact.kind == "progression" and isinstance(data.get("home"), dict):
        return _closed_at_home(fact)
    if fact.kind in ("progression", "diatonic_chords"):
        chords = [c for c in data.get("chords") or [] if c.get("notes")]
        if not chords:
            return None
        events = [tuple(_centred([str(n) for n in c["notes"]])) for c in chords]
        names = ", then ".join(" ".join(str(n) for n in c["notes"]) for c in chords)
        figures = " – ".join(str(c.get("figure") or c.get("numeral")) for c in chords)
        return _finish(fact.query, f"Play {figures}: {names}.", events, [2] * len(events))
    return None


def _closed_at_home(fact: TheoryFact) -> HearExample | None:
    """Chords whose key was found (:mod:`etude.theory.key_finding`), played in order and
    closed on the home chord the answer names, added when the last chord is not it.

    >>> from etude.theory.key_finding import which_key
    >>> print(example_for(which_key(["Bb", "F", "Gm", "Eb"])).text)
    ... # doctest: +NORMALIZE_WHITESPACE
    Play Bb D F, then F A C, then G Bb D, then Eb G Bb, then Bb D F: your chords, then Bb,
    the home chord (I) of Bb major.
    """
    data = fact.data
    home = data["home"]
    chords = [[str(n) for n in c["notes"]] for c in data.get("chords") or [] if c.get("notes")]
    if not chords or not home.get("notes"):
        return None
    where = f"the home chord ({home['figure']}) of {home['key']}"
    if data.get("ends_home"):
        close = f"your chords, ending on {data['chords'][-1]['symbol']}, {where}"
    else:
        chords.append([str(n) for n in home["notes"]])
        close = f"your chords, then {home['symbol']}, {where}"
    events: list[Group] = [tuple(_centred(notes)) for notes in chords]
    names = ", then ".join(" ".join(notes) for notes in chords)
    return _finish(fact.query, f"Play {names}: {close}.", events, [2] * len(events))


def _bass_example(title: str, bars: list[list[str]]) -> HearExample | None:
    """A bass line in the bass register (G2 up to F#3), one quarter note a beat."""
    events: list[Group] = []
    for bar in bars:
        for name in bar:
            events.append((_pitch(name, 2 if name[0] in "GAB" else 3),))
    shown = " | ".join(" ".join(bar) for bar in bars)
    return _finish(title, f"Play the bass: {shown}.", events, [1] * len(events))


def _interval_example(
    title: str, low: str, high: str, semitones: float | None = None
) -> HearExample | None:
    """Both notes one after the other, then together. Two notes of one name are an octave
    apart, or the same pitch when ``semitones`` says 0; "play C, then C" would say neither.

    >>> _interval_example("P8", "C", "C", 12).text
    'Play C, then the C an octave above, then both together: that is the sound of it.'
    >>> _interval_example("P1", "C", "C", 0).text
    'Play C twice, one voice after the other, then both on the same pitch: a unison.'
    """
    pair = ascending([low, high], 4)
    text = f"Play {low}, then {high}, then both together: that is the sound of it."
    if low == high and semitones == 0:
        pair = [pair[0], pair[0]]
        text = (
            f"Play {low} twice, one voice after the other, then both on the same pitch: a unison."
        )
    elif low == high:
        text = (
            f"Play {low}, then the {high} an octave above, then both together: "
            "that is the sound of it."
        )
    events: list[Group] = [(pair[0],), (pair[1],), (pair[0], pair[1])]
    return _finish(title, text, events, [1, 1, 2])


def _tonic_triad(label: str) -> list[str]:
    tonic, _, mode = label.partition(" ")
    home = key.Key(to_music21(tonic), mode)
    return [
        human(p.name) for p in roman.RomanNumeral("I" if mode == "major" else "i", home).pitches
    ]


def _home_chords(fact: TheoryFact) -> HearExample | None:
    """The home chords of the keys a key fact names, one after the other: a signature's major
    and relative minor, a relative or parallel pair, a key and its dominant on the circle."""
    data = fact.data
    if fact.kind == "key_signature":
        count = data.get("sharps")
        if count is None:
            return None
        signature = key.KeySignature(int(count))
        labels = [
            f"{human(signature.asKey(mode).tonic.name)} {mode}" for mode in ("major", "minor")
        ]
    elif fact.kind == "related_keys":
        labels = [str(data.get("key") or ""), str(data.get("answer") or "")]
    else:
        labels = [str(data.get("key") or ""), str(data.get("dominant") or "")]
    if not all(" " in label for label in labels):
        return None
    triads = [_tonic_triad(label) for label in labels]
    events: list[Group] = [tuple(_centred(triad)) for triad in triads]
    text = (
        f"Play {' '.join(triads[0])} ({labels[0]}), then {' '.join(triads[1])} "
        f"({labels[1]}): each key's home chord."
    )
    return _finish(" / ".join(labels), text, events, [2, 2])


def _against_tonic(tonic: str, mode: str, figure: str, notes: list[str]) -> HearExample | None:
    """A chord heard between two tonic chords, to hear its pull away from home and back."""
    if mode not in ("major", "minor") or len(notes) < 3:
        return None
    home = roman.RomanNumeral("I" if mode == "major" else "i", key.Key(to_music21(tonic), mode))
    triad = [human(p.name) for p in home.pitches]
    events: list[Group] = [tuple(_centred(triad)), tuple(_centred(notes)), tuple(_centred(triad))]
    one = "I" if mode == "major" else "i"
    text = (
        f"Play {' '.join(triad)} ({one}), then {' '.join(notes)} ({figure}), then "
        f"{' '.join(triad)} again: hear the chord leave home and return."
    )
    return _finish(f"{one} - {figure} - {one}", text, events, [2, 2, 4])
