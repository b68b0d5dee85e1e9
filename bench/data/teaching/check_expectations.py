"""Recompute, with music21, every fact the teaching benchmark's expectations state.

    cd /work/wt-teachbench && PYTHONPATH=$PWD /work/main/.venv/bin/python \
        bench/data/teaching/check_expectations.py

Exits 0 when all of these hold, 1 otherwise (each failure is printed):

1. Every item of messages.jsonl has the documented shape (category, level, 1-3 turns,
   attachments that exist, rubric words from the fixed list, ASCII-only expectations).
2. Each item's CHECKS entry recomputes its facts with music21 (chord and scale spellings,
   key signatures, relative/parallel keys, scale degrees, Roman numerals, intervals and
   semitone counts, transpositions) and every value it computes is in must_mention.
3. Every "checkable" string in must_mention (a note name, key, chord symbol, Roman numeral,
   interval name, count with a unit, bar or beat) is among the values its check computed:
   nothing specific is required that was not recomputed.
4. must_not strings are never among the computed correct values, and premise flags agree
   with the computed truth (or are listed in MANUAL_PREMISES with the reason).
5. For items that attach a score, the bar (and beat) they require is where the critic's
   recorded finding of the planted fault is (critic_findings.json, written by
   make_scores.py --critic), and the planted notes themselves are re-read from the score
   file with music21 (e.g. the parallel fifths are confirmed by music21's
   VoiceLeadingQuartet).
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from music21 import (
    converter,
    harmony,
    instrument,
    interval,
    key,
    meter,
    note,
    pitch,
    roman,
    scale,
    stream,
    voiceLeading,
)

HERE = Path(__file__).resolve().parent
CATEGORIES = {
    "fact",
    "why",
    "how",
    "advice",
    "critique",
    "lesson",
    "compose",
    "lyrics",
    "premise",
    "followup",
    "offtopic",
    "greeting",
}
LEVELS = {"beginner", "intermediate", "advanced", None}
RUBRIC = {
    "answer",
    "reason",
    "steps",
    "example",
    "fix_with_bar",
    "next_step",
    "redirect",
    "correction",
}
MINIMUM = {
    "fact": 30,
    "why": 15,
    "how": 15,
    "advice": 12,
    "critique": 20,
    "lesson": 12,
    "compose": 8,
    "lyrics": 8,
    "premise": 20,
    "followup": 20,
    "offtopic": 6,
    "greeting": 4,
}

# ------------------------------------------------------------------------------------------
# Spelling helpers: ASCII in the data ("Bb", "F#"), music21 inside ("B-", "F#").


def asc(name: str) -> str:
    """music21 pitch name -> the data's spelling: 'E-' -> 'Eb', 'F#4' -> 'F#4'."""
    return name[0] + name[1:].replace("-", "b")


def m21(name: str) -> str:
    """The data's spelling -> music21: 'Bb' -> 'B-', 'Ebb3' -> 'E--3'."""
    return name[0] + name[1:].replace("b", "-")


def names(pitches: Iterable[pitch.Pitch]) -> list[str]:
    return [asc(p.name) for p in pitches]


def mkey(text: str) -> key.Key:
    """'Eb major' / 'C# minor' -> music21 Key."""
    tonic, mode = text.split()
    return key.Key(m21(tonic), mode)


def key_name(k: key.Key) -> str:
    return f"{asc(k.tonic.name)} {k.mode}"


def chord_symbol(symbol: str) -> list[str]:
    """Notes of a chord symbol written as in the data ('Bbm7', 'Ebmaj7', 'F7', 'Bm7b5')."""
    match = re.fullmatch(r"([A-G][b#]?)(.*)", symbol)
    assert match, symbol
    root, kind = match.groups()
    kind = {"maj9": "M9"}.get(kind, kind)
    return names(harmony.ChordSymbol(m21(root) + kind).pitches)


def rn(figure: str, key_text: str) -> list[str]:
    """Notes of a Roman numeral in a key ('V7', 'Eb major')."""
    return names(roman.RomanNumeral(figure, mkey(key_text)).pitches)


def triad(root: str, quality: str) -> list[str]:
    third, fifth = {
        "major": ("M3", "P5"),
        "minor": ("m3", "P5"),
        "diminished": ("m3", "d5"),
        "augmented": ("M3", "A5"),
    }[quality]
    base = pitch.Pitch(m21(root))
    return [asc(base.name)] + [
        asc(interval.Interval(i).transposePitch(base).name) for i in (third, fifth)
    ]


SCALES = {
    "major": scale.MajorScale,
    "natural minor": scale.MinorScale,
    "harmonic minor": scale.HarmonicMinorScale,
    "melodic minor": scale.MelodicMinorScale,
    "dorian": scale.DorianScale,
    "phrygian": scale.PhrygianScale,
    "lydian": scale.LydianScale,
    "mixolydian": scale.MixolydianScale,
}


def scale_notes(tonic: str, kind: str) -> list[str]:
    return names(SCALES[kind](m21(tonic)).getPitches()[:7])


def degree(key_text: str, number: int) -> str:
    return asc(mkey(key_text).pitchFromDegree(number).name)


def signature(key_text: str) -> tuple[int, list[str]]:
    """(number of sharps, or -flats) and the altered notes in key-signature order."""
    k = mkey(key_text)
    return k.sharps, names(k.alteredPitches)


def semitones(low: str, high: str) -> int:
    """Semitones from one note up to the next occurrence of the other (within an octave)."""
    a, b = pitch.Pitch(m21(low) + "4"), pitch.Pitch(m21(high) + "4")
    if b.ps <= a.ps:
        b.octave += 1
    return int(b.ps - a.ps)


def interval_name(low: str, high: str) -> str:
    a, b = pitch.Pitch(m21(low) + "4"), pitch.Pitch(m21(high) + "4")
    if b.ps <= a.ps:
        b.octave += 1
    return interval.Interval(a, b).niceName.lower()


def transpose(notes: Iterable[str], by: str) -> list[str]:
    return [asc(pitch.Pitch(m21(n)).transpose(by).name) for n in notes]


DEGREE_NAMES = {
    1: "tonic",
    2: "supertonic",
    3: "mediant",
    4: "subdominant",
    5: "dominant",
    6: "submediant",
    7: "leading tone",
}


def semis_word(count: int, unit: str) -> str:
    return f"{count} {unit}" + ("" if count == 1 else "s")


# ------------------------------------------------------------------------------------------
# Scores: notes read back from the files the items attach.


@cache
def load(file: str) -> stream.Score:
    parsed = converter.parse(str(HERE / "scores" / file))
    if isinstance(parsed, stream.Opus):
        parsed = parsed.scores[0]
    return parsed


@cache
def findings() -> dict:
    return json.loads((HERE / "critic_findings.json").read_text())


def bar_ql(file: str) -> float:
    ts = load(file).recurse().getElementsByClass(meter.TimeSignature).first()
    return float(ts.barDuration.quarterLength) if ts is not None else 4.0


def note_at(file: str, part: int, bar: int, beat: float) -> note.Note:
    """The note of a part starting at bar/beat (bars from 1, quarter-note beats)."""
    offset = (bar - 1) * bar_ql(file) + (beat - 1)
    for item in load(file).parts[part].flatten().notes:
        if abs(float(item.offset) - offset) < 1e-6:
            return (
                item if isinstance(item, note.Note) else max(item.notes, key=lambda n: n.pitch.ps)
            )
    raise AssertionError(f"{file}: no note in part {part} at bar {bar} beat {beat}")


def next_note(file: str, part: int, current: note.Note) -> note.Note:
    flat = list(load(file).parts[part].flatten().notes)
    index = next(
        i
        for i, n in enumerate(flat)
        if n is current or (n.offset == current.offset and n.pitch == current.pitch)
    )
    return flat[index + 1]


def finding(file: str, rule: str) -> dict:
    hits = [f for f in findings()[file]["findings"] if f["rule"] == rule]
    assert hits, f"{file}: the critic reported no {rule}"
    assert len(hits) == 1, f"{file}: several {rule} findings {hits}"
    return hits[0]


def planted(file: str, rule: str) -> list[str]:
    """Where the critic located the planted fault, as the data writes it: ['bar 3']."""
    return [f"bar {finding(file, rule)['bar']}"]


def faults(file: str) -> list[dict]:
    return [f for f in findings()[file]["findings"] if f["severity"] in ("warning", "error")]


def parallel(file: str, upper: int, lower: int, bar_beats: tuple, kind: str) -> None:
    """music21's own VoiceLeadingQuartet confirms the planted parallel fifths/octaves."""
    (bar1, beat1), (bar2, beat2) = bar_beats
    v1n1, v1n2 = note_at(file, upper, bar1, beat1), note_at(file, upper, bar2, beat2)
    v2n1, v2n2 = note_at(file, lower, bar1, beat1), note_at(file, lower, bar2, beat2)
    quartet = voiceLeading.VoiceLeadingQuartet(v1n1, v1n2, v2n1, v2n2)
    ok = quartet.parallelFifth() if kind == "fifths" else quartet.parallelOctave()
    assert ok, f"{file}: no parallel {kind} at {bar_beats}"


# ------------------------------------------------------------------------------------------
# The checks: item id -> a function returning what it verified.


@dataclass
class Verified:
    values: list[str] = field(default_factory=list)
    premise: bool | None = None


def V(*values: str | Iterable[str], premise: bool | None = None) -> Verified:
    flat: list[str] = []
    for value in values:
        flat.extend([value] if isinstance(value, str) else list(value))
    return Verified(flat, premise)


CHECKS: dict[str, Callable[[], Verified]] = {}


def check(item_id: str):
    def register(function: Callable[[], Verified]):
        assert item_id not in CHECKS, item_id
        CHECKS[item_id] = function
        return function

    return register


def same(a: Iterable[str], b: Iterable[str], what: str) -> None:
    assert list(a) == list(b), f"{what}: {list(a)} != {list(b)}"


def same_set(a: Iterable[str], b: Iterable[str], what: str) -> None:
    assert set(a) == set(b), f"{what}: {sorted(a)} != {sorted(b)}"


# --- fact ---------------------------------------------------------------------------------


@check("fact-001")
def _():
    same(chord_symbol("Cm7"), ["C", "Eb", "G", "Bb"], "Cm7")
    return V(chord_symbol("Cm7"))


@check("fact-002")
def _():
    return V(triad("F#", "major"))


@check("fact-003")
def _():
    sharps, altered = signature("E major")
    return V(semis_word(sharps, "sharp"), altered)


@check("fact-004")
def _():
    return V(key_name(mkey("G major").relative))


@check("fact-005")
def _():
    return V(degree("Eb major", 4))


@check("fact-006")
def _():
    notes = scale_notes("A", "major")
    return V(notes[notes.index("C#") + 1])


@check("fact-007")
def _():
    return V(semis_word(semitones("C", "G"), "semitone"))


@check("fact-008")
def _():
    assert semitones("E", "C") == 8
    return V(interval_name("E", "C"))


@check("fact-009")
def _():
    return V(scale_notes("D", "harmonic minor"))


@check("fact-010")
def _():
    return V(scale_notes("G", "mixolydian"))


@check("fact-011")
def _():
    notes = rn("V7", "Bb major")
    same(chord_symbol("F7"), notes, "F7 is V7 of Bb")
    return V("F7", notes)


@check("fact-012")
def _():
    chord = roman.RomanNumeral("ii", mkey("F major"))
    return V(f"{asc(chord.root().name)} {chord.quality}", names(chord.pitches))


@check("fact-013")
def _():
    return V(asc(pitch.Pitch("F-").getEnharmonic().name))


@check("fact-014")
def _():
    return V(transpose(["C", "E", "G"], "M2"))


@check("fact-015")
def _():
    figure = roman.romanNumeralFromChord(harmony.ChordSymbol("Am"), mkey("C major")).figure
    assert DEGREE_NAMES[mkey("C major").getScaleDegreeFromPitch("A")] == "submediant"
    return V(figure)


@check("fact-016")
def _():
    same(chord_symbol("Bm7b5"), [*triad("B", "diminished"), "A"], "Bm7b5")
    return V(chord_symbol("Bm7b5"))


@check("fact-017")
def _():
    found = sorted(
        key_name(key.Key(p, mode))
        for p in ("C", "D-", "D", "E-", "E", "F", "F#", "G-", "G", "A-", "A", "B-", "B", "C#", "C-")
        for mode in ("major", "minor")
        if key.Key(p, mode).sharps == -3
    )
    same(found, ["C minor", "Eb major"], "keys with three flats")
    return V(found)


@check("fact-018")
def _():
    assert interval.Interval("A4").semitones == interval.Interval("d5").semitones == 6
    assert interval_name("F", "B") == "augmented fourth"
    return V(semis_word(6, "semitone"))


@check("fact-019")
def _():
    return V(asc(scale.HarmonicMinorScale("F#").pitchFromDegree(7).name))


@check("fact-020")
def _():
    return V(triad("C", "augmented"))


@check("fact-021")
def _():
    notes = rn("V7", "A minor")
    same(chord_symbol("E7"), notes, "E7 is V7 of A minor")
    raised = [n for n in notes if n not in scale_notes("A", "natural minor")]
    return V("E7", raised)


@check("fact-022")
def _():
    parallel_minor = key.Key("E-", "minor")
    return V(key_name(parallel_minor), semis_word(-parallel_minor.sharps, "flat"))


@check("fact-023")
def _():
    return V(degree("B major", 2))


@check("fact-024")
def _():
    assert DEGREE_NAMES[6] == "submediant" and degree("C major", 6) == "A"
    return V("submediant")


@check("fact-025")
def _():
    return V(chord_symbol("Cmaj9"))


@check("fact-026")
def _():
    notes = rn("N6", "C minor")
    same_set(notes, triad("Db", "major"), "Neapolitan of C minor")
    return V(triad("Db", "major"))


@check("fact-027")
def _():
    return V(rn("Ger65", "C minor"))


@check("fact-028")
def _():
    return V(scale_notes("F", "lydian"))


@check("fact-029")
def _():
    assert semitones("Bb", "F#") == 8
    return V(interval_name("Bb", "F#"))


@check("fact-030")
def _():
    return V(semis_word(interval.Interval("m7").semitones, "semitone"))


@check("fact-031")
def _():
    found = [
        key_name(key.Key(p))
        for p in ("C", "G", "D", "A", "E", "B", "F#", "C#")
        if key.Key(p).sharps == 5
    ]
    return V(found)


@check("fact-032")
def _():
    return V(key_name(mkey("C# minor").relative))


@check("fact-033")
def _():
    nxt = mkey("A major").transpose("P5")
    assert nxt.sharps == mkey("A major").sharps + 1
    return V(key_name(nxt))


@check("fact-034")
def _():
    chord = roman.RomanNumeral("iv", mkey("E minor"))
    return V(f"{asc(chord.root().name)} {chord.quality}", names(chord.pitches))


@check("fact-035")
def _():
    return V(chord_symbol("Ebmaj7"))


@check("fact-036")
def _():
    return V(transpose(["G", "A", "B", "C"], "P4"))


@check("fact-037")
def _():
    found = [
        key_name(k)
        for k in (key.Key("A"), key.Key("f#"))
        if names(k.alteredPitches) == ["F#", "C#", "G#"]
    ]
    same(found, ["A major", "F# minor"], "keys with F#, C#, G#")
    return V(found[0])


@check("fact-038")
def _():
    return V(rn("V/V", "D major"))


# --- why ----------------------------------------------------------------------------------


@check("why-001")
def _():
    b_dim = triad("B", "diminished")
    assert semitones(b_dim[0], b_dim[2]) == 6  # the tritone inside the diminished triad
    return V()


@check("why-002")
def _():
    figure = roman.romanNumeralFromChord(harmony.ChordSymbol("Am"), mkey("C major")).figure
    return V(figure)


@check("why-005")
def _():
    assert semitones(degree("C major", 7), degree("C major", 1)) == 1
    return V()


@check("why-006")
def _():
    fifth_chord = rn("V", "A minor")
    assert "G#" in fifth_chord and semitones("G#", "A") == 1
    return V("G#")


@check("why-007")
def _():
    assert semitones("C", "E") == 4 and semitones("C", "Eb") == 3
    return V()


@check("why-009")
def _():
    g7 = chord_symbol("G7")
    assert semitones(g7[1], g7[3]) == 6 and semitones("B", "C") == 1
    return V()


@check("why-010")
def _():
    order = [signature(f"{t} major")[1][-1] for t in ("G", "D", "A", "E", "B", "F#", "C#")]
    same(order, ["F#", "C#", "G#", "D#", "A#", "E#", "B#"], "order of sharps")
    assert all(semitones(a, b) == 7 for a, b in itertools.pairwise(order))
    return V()


@check("why-011")
def _():
    assert scale_notes("D", "dorian")[5] == "B" and scale_notes("D", "natural minor")[5] == "Bb"
    return V()


@check("why-014")
def _():
    figure = roman.romanNumeralFromChord(harmony.ChordSymbol("F"), mkey("C major")).figure
    return V(figure)


@check("why-017")
def _():
    assert chord_symbol("Gsus4") == ["G", "C", "D"]
    return V()


# --- how ----------------------------------------------------------------------------------


@check("how-003")
def _():
    notes = rn("V7", "A minor")
    return V([n for n in notes if n not in scale_notes("C", "major")])


@check("how-006")
def _():
    roots = [asc(roman.RomanNumeral(f, mkey("F major")).root().name) for f in ("ii7", "V7", "I7")]
    return V(roots)


@check("how-007")
def _():
    for tonic in ("C", "G", "D", "A", "E", "B", "F#", "F", "Bb", "Eb", "Ab", "Db"):
        minor = mkey(f"{tonic} major").relative
        assert interval_name(asc(minor.tonic.name), tonic) == "minor third"
        assert degree(f"{tonic} major", 6) == asc(minor.tonic.name)
    return V()


@check("how-010")
def _():
    return V(scale_notes("E", "major"))


@check("how-012")
def _():
    g7, c = chord_symbol("G7"), triad("C", "major")
    assert semitones("B", "C") == 1 and semitones("E", "F") == 1
    assert {"B", "F"} <= set(g7) and {"C", "E"} <= set(c)
    return V("B", "C", "F", "E")


@check("how-014")
def _():
    notes = rn("V7/IV", "G major")
    same(chord_symbol("G7"), notes, "V7/IV in G")
    return V("G7", [n for n in notes if n not in scale_notes("G", "major")])


# --- advice -------------------------------------------------------------------------------


@check("advice-002")
def _():
    same(chord_symbol("Em"), rn("i", "E minor"), "i in E minor")
    return V("Em")


@check("advice-003")
def _():
    holding_e = []
    for figure in ("I", "ii", "iii", "IV", "V", "vi"):
        chord = roman.RomanNumeral(figure, mkey("C major"))
        if "E" in names(chord.pitches):
            holding_e.append(asc(chord.root().name) + ("m" if chord.quality == "minor" else ""))
    same(holding_e, ["C", "Em", "Am"], "diatonic triads of C holding E")
    return V("Am")


@check("advice-008")
def _():
    same(chord_symbol("E7"), rn("V7", "A major"), "V7 of A")
    return V()


@check("advice-011")
def _():
    same(chord_symbol("F7"), rn("V7", "Bb major"), "V7 of Bb")
    return V("F7")


@check("advice-012")
def _():
    assert instrument.Flute().lowestNote.nameWithOctave == "C4"  # middle C
    return V("middle C")


@check("advice-013")
def _():
    for symbol, figure in (("Dm7", "ii7"), ("G7", "V7"), ("Cmaj7", "I7")):
        same(chord_symbol(symbol), rn(figure, "C major"), f"{symbol} = {figure} in C")
    return V("Dm7", "G7", "Cmaj7")


# --- critique -----------------------------------------------------------------------------


@check("critique-001")
def _():
    parallel("two_part_fifths.musicxml", 0, 1, ((3, 1), (3, 3)), "fifths")
    return V(planted("two_part_fifths.musicxml", "parallel_fifths"))


def octaves_chorale() -> list[str]:
    file = "chorale_octaves.musicxml"
    parallel(file, 0, 3, ((2, 2), (2, 3)), "octaves")
    assert finding(file, "parallel_octaves")["parts"] == [0, 3]  # soprano and bass
    return planted(file, "parallel_octaves")


@check("critique-002")
def _():
    return V(octaves_chorale())


@check("critique-003")
def _():
    file = "chorale_crossing.musicxml"
    alto, tenor = note_at(file, 1, 3, 1), note_at(file, 2, 3, 1)
    assert tenor.pitch > alto.pitch, (alto, tenor)
    assert finding(file, "voice_crossing")["parts"] == [1, 2]
    return V(planted(file, "voice_crossing"))


@check("critique-004")
def _():
    file = "chorale_spacing.musicxml"
    alto, tenor = note_at(file, 1, 2, 1), note_at(file, 2, 2, 1)
    assert alto.pitch.ps - tenor.pitch.ps > 12, (alto, tenor)
    return V(planted(file, "spacing"))


@check("critique-005")
def _():
    file = "chorale_fifths_minor.mid"
    parallel(file, 0, 3, ((2, 3), (2, 4)), "fifths")
    assert finding(file, "parallel_fifths")["parts"] == [0, 3]
    return V(planted(file, "parallel_fifths"))


def low_bass() -> list[str]:
    file = "chorale_range.mid"
    bass = note_at(file, 3, 3, 4)
    assert bass.pitch.nameWithOctave == "A1" and bass.pitch.midi < pitch.Pitch("D2").midi
    return [*planted(file, "range"), "A1"]


@check("critique-006")
def _():
    return V(low_bass())


@check("critique-007")
def _():
    file = "duet_octaves.abc"
    parallel(file, 0, 1, ((2, 1), (2, 2)), "octaves")
    return V(planted(file, "parallel_octaves"))


def violin_low_note() -> list[str]:
    file = "violin_cello_range.musicxml"
    low = note_at(file, 0, 3, 3)
    lowest = instrument.Violin().lowestNote
    assert low.pitch < lowest, (low, lowest)
    assert finding(file, "range")["parts"] == [0]
    return [*planted(file, "range"), asc(low.pitch.nameWithOctave), asc(lowest.nameWithOctave)]


@check("critique-008")
def _():
    return V(violin_low_note())


def stops_on_dominant() -> list[str]:
    file = "ends_on_dominant.mid"
    last_bar = findings()[file]["bars"]
    top, bass = note_at(file, 0, last_bar, 1), note_at(file, 1, last_bar, 1)
    g_major = mkey("G major")
    assert (
        g_major.getScaleDegreeFromPitch(top.pitch)
        == 5
        == g_major.getScaleDegreeFromPitch(bass.pitch)
    )
    return planted(file, "weak_cadence")


@check("critique-009")
def _():
    return V(stops_on_dominant())


def leading_tone_leap() -> list[str]:
    file = "melody_leading_tone.musicxml"
    lt = note_at(file, 0, 6, 3)
    after = next_note(file, 0, lt)
    assert mkey("D major").getScaleDegreeFromPitch(lt.pitch) == 7
    assert after.pitch.name == "A" and after.pitch < lt.pitch
    return [*planted(file, "unresolved_leading_tone"), asc(lt.pitch.name)]


@check("critique-010")
def _():
    return V(leading_tone_leap())


def seventh_leap() -> list[str]:
    file = "waltz_leap.abc"
    before, after = note_at(file, 0, 3, 1), note_at(file, 0, 3, 2)
    assert interval.Interval(before, after).name == "m7", (before, after)
    return planted(file, "large_leap")


@check("critique-011")
def _():
    return V(seventh_leap())


@check("critique-012")
def _():
    file = "melody_wrong_note.mid"
    wrong = note_at(file, 0, 2, 2)
    assert wrong.pitch.name == "F" and "F" not in scale_notes("D", "major")
    return V(planted(file, "out_of_key"), [n for n in scale_notes("D", "major") if n[0] == "F"])


def clean(file: str) -> Verified:
    assert not faults(file), faults(file)
    return V()


@check("critique-013")
def _():
    return clean("folk_jig.abc")


@check("critique-014")
def _():
    return clean("chorale_clean.musicxml")


@check("critique-015")
def _():
    file = "bach_bwv66_6_excerpt.musicxml"
    assert not faults(file)
    return V(key_name(load(file).analyze("key")))


@check("critique-016")
def _():
    return clean("minor_melody.musicxml")


@check("critique-017")
def _():
    file = "monotone_melody.mid"
    notes = list(load(file).parts[0].flatten().notes)
    assert {float(n.quarterLength) for n in notes} == {1.0}, "all quarter notes"
    span = max(n.pitch.ps for n in notes) - min(n.pitch.ps for n in notes)
    assert span == 4, span  # C4 to E4, a major third
    rules = {f["rule"] for f in findings()[file]["findings"]}
    assert {"rhythmic_monotony", "melodic_monotony"} <= rules
    return V()


def dorian() -> list[str]:
    file = "dorian_tune.abc"
    notes = (
        list(load(file).parts[0].flatten().notes)
        if load(file).parts
        else list(load(file).flatten().notes)
    )
    used = {asc(n.pitch.name) for n in notes}
    same_set(used, scale_notes("D", "dorian"), "the tune's notes")
    assert notes[0].pitch.name == notes[-1].pitch.name == "D"
    assert scale_notes("D", "dorian")[5] == "B" and "Bb" in scale_notes("D", "natural minor")
    return ["B"]


@check("critique-018")
def _():
    return V(dorian())


@check("critique-019")
def _():
    f = finding("chorale_octaves.musicxml", "parallel_octaves")
    return V(octaves_chorale(), f"beat {f['beat']:g}")


@check("critique-020")
def _():
    return V([v for v in violin_low_note() if v == "E3"])


# --- lyrics -------------------------------------------------------------------------------


@check("lyrics-009")
def _():
    syllables = {
        "I": 1,
        "never": 2,
        "thought": 1,
        "that": 1,
        "would": 1,
        "see": 1,
        "the": 1,
        "day": 1,
    }
    line = "I never thought that I would see the day"
    return V(semis_word(sum(syllables[w] for w in line.split()), "syllable"))


# --- compose ------------------------------------------------------------------------------


@check("compose-001")
def _():
    d_dorian = scale_notes("D", "dorian")
    assert "B" in d_dorian
    return V("B")


@check("compose-003")
def _():
    return V(degree("C major", 1))


@check("compose-004")
def _():
    for symbol, figure in (("A7", "I7"), ("D7", "IV7"), ("E7", "V7")):
        same_set(
            [asc(p) for p in chord_symbol(symbol)[:3]], rn(figure.rstrip("7"), "A major"), symbol
        )
    return V("A7", "D7", "E7")


# --- premise ------------------------------------------------------------------------------


@check("premise-001")
def _():
    answer = key_name(mkey("Eb major").relative)
    return V(answer, premise=answer == "C minor")


@check("premise-002")
def _():
    answer = key_name(mkey("D major").relative)
    return V(answer, premise=answer == "F# minor")


@check("premise-003")
def _():
    count = interval.Interval("m3").semitones
    return V(semis_word(count, "semitone"), premise=count == 3)


@check("premise-004")
def _():
    count = interval.Interval("P4").semitones
    return V(semis_word(count, "semitone"), premise=count == 4)


@check("premise-005")
def _():
    answer = degree("F major", 5)
    return V(answer, premise=answer == "C")


@check("premise-006")
def _():
    sharps, altered = signature("G major")
    return V(altered, semis_word(sharps, "sharp"), premise=altered == ["F#", "C#"])


@check("premise-007")
def _():
    notes = triad("A", "minor")
    return V(notes, premise=notes == ["A", "C", "E"])


@check("premise-008")
def _():
    notes = triad("B", "diminished")
    return V(notes, premise=notes == ["B", "D", "F#"])


@check("premise-009")
def _():
    answer = degree("C major", 7)
    return V(answer, premise=answer == "B")


@check("premise-010")
def _():
    quality = roman.RomanNumeral("V", mkey("C major")).quality
    return V(premise=quality == "minor")


@check("premise-011")
def _():
    same_pitch = pitch.Pitch("C#4").ps == pitch.Pitch("D-4").ps
    return V(premise=same_pitch)


@check("premise-013")
def _():
    answer = key_name(mkey("A minor").relative)
    return V(answer, premise=answer == "C major")


@check("premise-014")
def _():
    mixo, major = scale_notes("G", "mixolydian"), scale_notes("G", "major")
    diff = [(a, b) for a, b in zip(major, mixo, strict=True) if a != b]
    return V("F", premise=diff == [("F#", "F")])


@check("premise-015")
def _():
    count = interval.Interval("M6").semitones
    return V(semis_word(count, "semitone"), premise=count == 8)


@check("premise-016")
def _():
    sharps, altered = signature("D minor")
    return V(altered, premise=(sharps, altered) == (-1, ["Bb"]))


@check("premise-017")
def _():
    answer = degree("A major", 4)
    return V(answer, premise=answer == "E")


@check("premise-018")
def _():
    kind = meter.TimeSignature("6/8").classification
    assert kind == "Compound Duple"
    return V(premise=kind.startswith("Simple"))


@check("premise-019")
def _():
    answer = asc(pitch.Pitch("B").transpose("P5").name)
    return V(answer, premise=answer == "F#")


@check("premise-020")
def _():
    notes = triad("E", "major")
    return V([n for n in notes if n not in ("E", "B")], premise=notes == ["E", "G", "B"])


@check("premise-021")
def _():
    return V(premise=interval.Interval("A4").semitones == 6 == interval.Interval("d5").semitones)


@check("premise-023")
def _():
    chord = roman.RomanNumeral("IV", mkey("C major"))
    answer = f"{asc(chord.root().name)} {chord.quality}"
    return V(asc(chord.root().name), premise=answer == "F major")


@check("premise-024")
def _():
    natural, harmonic = scale_notes("A", "natural minor"), scale_notes("A", "harmonic minor")
    melodic = scale_notes("A", "melodic minor")

    def raised(other: list[str]) -> list[int]:
        return [i + 1 for i, (a, b) in enumerate(zip(natural, other, strict=True)) if a != b]

    raised_harmonic, raised_melodic = raised(harmonic), raised(melodic)
    assert raised_melodic == [6, 7]
    return V(premise=raised_harmonic == [6, 7])


MANUAL_PREMISES = {
    "premise-012": (False, "a style rule of common-practice part writing, not computable"),
    "premise-022": (False, "the chordal seventh resolves down by step: a voice-leading convention"),
}


# --- followup -----------------------------------------------------------------------------


@check("followup-001")
def _():
    return V(triad("Bb", "minor"))


@check("followup-002")
def _():
    return V(stops_on_dominant())


@check("followup-003")
def _():
    d7 = harmony.ChordSymbol("D7")
    return V(asc(d7.seventh.name))


@check("followup-004")
def _():
    minor = mkey("Bb major").relative
    sharps, altered = minor.sharps, names(minor.alteredPitches)
    return V(semis_word(-sharps, "flat"), altered)


@check("followup-005")
def _():
    new_key = asc(pitch.Pitch("E-").transpose("M2").name)
    assert new_key == "F"
    for symbol, figure in (("Gm7", "ii7"), ("C7", "V7"), ("Fmaj7", "I7")):
        same(chord_symbol(symbol), rn(figure, "F major"), f"{symbol} = {figure} in F")
    return V("Gm7", "C7", "Fmaj7")


@check("followup-006")
def _():
    return V(leading_tone_leap())


@check("followup-007")
def _():
    inverted = interval.Interval(pitch.Pitch("C4"), pitch.Pitch("G4")).complement
    return V(inverted.niceName.lower())


@check("followup-008")
def _():
    return V(asc(roman.RomanNumeral("V", mkey("G major")).root().name), degree("G major", 1))


@check("followup-009")
def _():
    return V(scale_notes("A", "harmonic minor"))


@check("followup-010")
def _():
    return V(octaves_chorale())


@check("followup-011")
def _():
    assert scale_notes("E", "natural minor")[1] == "F#"
    return V(scale_notes("E", "phrygian")[1])


@check("followup-012")
def _():
    notes = rn("V7", "D major")
    same(chord_symbol("A7"), notes, "V7 of D")
    return V("A7", notes[3])


@check("followup-013")
def _():
    return V(transpose(["C", "D", "E", "F", "G"], "-m3"))


@check("followup-014")
def _():
    return V(seventh_leap())


@check("followup-015")
def _():
    ger = rn("Ger65", "A minor")
    same(ger, ["F", "A", "C", "D#"], "German sixth in A minor")
    return V(asc(roman.RomanNumeral("V", mkey("A minor")).root().name))


@check("followup-016")
def _():
    chord = roman.RomanNumeral("viio", mkey("E major"))
    assert chord.quality == "diminished"
    return V(asc(chord.root().name))


@check("followup-017")
def _():
    return V(signature("Ab major")[1])


@check("followup-018")
def _():
    notes = dorian()
    is_natural_minor = "Bb" in {asc(n.pitch.name) for n in load("dorian_tune.abc").flatten().notes}
    return V(notes, premise=is_natural_minor)


@check("followup-019")
def _():
    lowered = [chord_symbol("Cmaj7")[i] for i in (1, 3)]
    lowered = transpose(lowered, "-A1")
    same(chord_symbol("Cm7"), ["C", lowered[0], "G", lowered[1]], "Cm7")
    return V(lowered)


@check("followup-020")
def _():
    file = "chorale_spacing.musicxml"
    assert finding(file, "spacing")["parts"] == [1, 2]
    return V(planted(file, "spacing"))


@check("followup-021")
def _():
    return V(rn("V", "F# minor"))


@check("followup-022")
def _():
    g7 = chord_symbol("G7")
    tritone = [(a, b) for a in g7 for b in g7 if semitones(a, b) == 6]
    same_set({x for pair in tritone for x in pair}, {"B", "F"}, "tritone of G7")
    return V("B", "F")


@check("followup-023")
def _():
    return V(degree("A major", 1))


@check("followup-024")
def _():
    parallel("two_part_fifths.musicxml", 0, 1, ((3, 1), (3, 3)), "fifths")
    return V(planted("two_part_fifths.musicxml", "parallel_fifths"))


# ------------------------------------------------------------------------------------------
# Which strings are "checkable" (must be recomputed) and the item shape.

CHECKABLE = [
    re.compile(r"^[A-G](bb|b|##|#)?\d?$"),  # note, optionally with octave
    re.compile(r"^[A-G](b|#)? (major|minor)$"),  # key or triad
    re.compile(r"^[A-G](b|#)?(m|7|m7|maj7|maj9|m7b5|dim|dim7|aug)$"),  # chord symbol
    re.compile(r"^\d+ (semitones?|sharps?|flats?|syllables?)$"),
    re.compile(
        r"^(minor|major|perfect|augmented|diminished) "
        r"(second|third|fourth|fifth|sixth|seventh|octave)$"
    ),
    re.compile(r"^(bar|beat) \d+$"),
    re.compile(r"^(i|ii|iii|iv|v|vi|vii|I|II|III|IV|V|VI|VII)[o+]?\d*$"),
]


def checkable(text: str) -> bool:
    return any(p.match(text) for p in CHECKABLE)


def shape_errors(item: dict) -> list[str]:
    errors = []
    expect = item.get("expect", {})
    if item.get("category") not in CATEGORIES:
        errors.append(f"category {item.get('category')!r}")
    if item.get("level") not in LEVELS:
        errors.append(f"level {item.get('level')!r}")
    turns = item.get("turns", [])
    if not 1 <= len(turns) <= 3 or not all(
        isinstance(t.get("message"), str) and t["message"] for t in turns
    ):
        errors.append("turns")
    for turn in turns:
        if "attach" in turn and not (HERE / turn["attach"]).is_file():
            errors.append(f"missing attachment {turn['attach']}")
        if set(turn) - {"message", "attach"}:
            errors.append(f"turn keys {sorted(turn)}")
    if set(expect) != {"must_mention", "must_not", "premise", "rubric"}:
        errors.append(f"expect keys {sorted(expect)}")
    if not set(expect.get("rubric", [])) <= RUBRIC or not expect.get("rubric"):
        errors.append(f"rubric {expect.get('rubric')}")
    for text in expect.get("must_mention", []) + expect.get("must_not", []):
        if not text.isascii():
            errors.append(f"not ASCII: {text!r}")
    if expect.get("premise") not in (True, False, None):
        errors.append("premise")
    if item["category"] == "premise" and expect.get("premise") is None:
        errors.append("a premise item without a premise flag")
    if (
        item["category"] == "premise"
        and expect.get("premise") is False
        and "correction" not in expect["rubric"]
    ):
        errors.append("a false premise without 'correction' in the rubric")
    if item["category"] == "critique" and not any("attach" in t for t in turns):
        errors.append("a critique item without an upload")
    if item["category"] == "offtopic" and expect.get("rubric") != ["redirect"]:
        errors.append("offtopic rubric")
    if not isinstance(item.get("note"), str) or not item["note"]:
        errors.append("note")
    return errors


def main() -> int:
    items = [
        json.loads(line)
        for line in (HERE / "messages.jsonl").read_text().splitlines()
        if line.strip()
    ]
    failures: list[str] = []
    ids = [i["id"] for i in items]
    for duplicate in {i for i in ids if ids.count(i) > 1}:
        failures.append(f"duplicate id {duplicate}")
    counts = Counter(i["category"] for i in items)
    for category, least in MINIMUM.items():
        if counts[category] < least:
            failures.append(f"{category}: {counts[category]} items, want at least {least}")
    premises = Counter(i["expect"]["premise"] for i in items if i["category"] == "premise")
    if abs(premises[True] - premises[False]) > 2:
        failures.append(f"premise items should be about half true: {dict(premises)}")
    for unknown in set(CHECKS) - set(ids):
        failures.append(f"a check for an unknown item {unknown}")

    checked_values = 0
    for item in items:
        where = item["id"]
        failures += [f"{where}: {e}" for e in shape_errors(item)]
        expect = item["expect"]
        mention, must_not = expect["must_mention"], expect["must_not"]
        verified = Verified()
        if where in CHECKS:
            try:
                verified = CHECKS[where]()
            except AssertionError as error:
                failures.append(f"{where}: {error}")
                continue
        checked_values += len(verified.values)
        for value in verified.values:
            if value not in mention:
                failures.append(f"{where}: computed {value!r} is not in must_mention {mention}")
        for text in mention:
            if checkable(text) and text not in verified.values:
                failures.append(f"{where}: {text!r} in must_mention was not recomputed")
        for text in must_not:
            if text in verified.values or text in mention:
                failures.append(f"{where}: must_not {text!r} is a correct value")
        if verified.premise is not None and verified.premise != expect["premise"]:
            failures.append(
                f"{where}: premise is {verified.premise}, data says {expect['premise']}"
            )
        if item["category"] == "premise" and verified.premise is None:
            manual = MANUAL_PREMISES.get(where)
            if manual is None or manual[0] != expect["premise"]:
                failures.append(f"{where}: premise not recomputed and not in MANUAL_PREMISES")
        attached = [t["attach"] for t in item["turns"] if "attach" in t]
        if attached and any(re.match(r"^bar \d+$", t) for t in mention) and where not in CHECKS:
            failures.append(f"{where}: a bar is required but not checked against the critic")

    for failure in failures:
        print("FAIL", failure)
    print(
        f"{len(items)} items, {len(CHECKS)} recomputed ({checked_values} values), "
        f"categories {dict(sorted(counts.items()))}, premises {dict(premises)}: "
        + ("OK" if not failures else f"{len(failures)} failures")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
