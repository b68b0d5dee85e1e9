"""Write the learner scores that the teaching benchmark's critique and follow-up items attach.

Deterministic: the same notes every run. Each score is a small learner-like exercise; most
have one planted fault (parallel fifths, parallel octaves, voice crossing, a note out of a
voice's range, spacing, an unresolved leading tone, a melody ending on the dominant, a
large leap, a note out of the key), two are clean (a Bach chorale excerpt, a folk tune) and
two more are clean-ish melodies for follow-up questions. PLANTED below says what each file
holds; check_expectations.py re-checks the planted notes with music21, and the critic's
findings for each file are stored in critic_findings.json (see README.md).

    cd /work/wt-teachbench && PYTHONPATH=$PWD /work/main/.venv/bin/python \
        bench/data/teaching/make_scores.py [--critic]

With --critic it also runs the critic alone on every file and rewrites critic_findings.json.
"""

from __future__ import annotations

import re
from pathlib import Path

from music21 import clef, corpus, instrument, key, metadata, meter, note, stream, tempo

HERE = Path(__file__).resolve().parent
SCORES = HERE / "scores"

_TOKEN = re.compile(r"^([A-G])(bb|b|##|#)?(\d)(?::([\d.]+))?$")


def _pitch_name(step: str, accidental: str | None, octave: str) -> str:
    return step + (accidental or "").replace("b", "-") + octave


def voice(spec: str, default_ql: float = 1.0) -> list[note.GeneralNote]:
    """Notes from a compact spec: 'C5 D5:2 | r:1 F#4:0.5 Bb3:1.5' (bar lines are checked
    by the caller through the durations; 'r' is a rest; the number after ':' is quarter
    notes)."""
    notes: list[note.GeneralNote] = []
    for token in spec.replace("|", " ").split():
        if token.startswith("r"):
            ql = float(token.split(":")[1]) if ":" in token else default_ql
            notes.append(note.Rest(quarterLength=ql))
            continue
        match = _TOKEN.match(token)
        if match is None:
            raise ValueError(f"bad token {token!r}")
        step, accidental, octave, ql = match.groups()
        notes.append(
            note.Note(_pitch_name(step, accidental, octave), quarterLength=float(ql or default_ql))
        )
    return notes


def bar_lengths(spec: str, default_ql: float = 1.0) -> list[float]:
    lengths = []
    for bar in spec.split("|"):
        total = 0.0
        for token in bar.split():
            total += float(token.split(":")[1]) if ":" in token else default_ql
        lengths.append(total)
    return lengths


def build(
    title: str,
    voices: list[tuple[str, str]],
    *,
    key_name: str,
    time: str = "4/4",
    bpm: int | None = None,
    instruments: list[instrument.Instrument] | None = None,
) -> stream.Score:
    """A score with one part per (name, spec); every bar must be full."""
    bar_ql = meter.TimeSignature(time).barDuration.quarterLength
    score = stream.Score()
    score.insert(0, metadata.Metadata(title=title))
    for index, (name, spec) in enumerate(voices):
        lengths = bar_lengths(spec)
        if any(abs(length - bar_ql) > 1e-9 for length in lengths):
            raise ValueError(f"{title}: {name} has bars of {lengths}, expected {bar_ql}")
        part = stream.Part()
        part.partName = name
        # Fixed part and instrument ids: music21 makes random ones otherwise, and the MusicXML
        # would change on every run.
        inst = instruments[index] if instruments is not None else instrument.Instrument()
        inst.partName = name
        inst.partId, inst.instrumentId = f"P{index + 1}", f"P{index + 1}-I1"
        part.insert(0, inst)
        lowest = min(n.pitch.midi for n in voice(spec) if isinstance(n, note.Note))
        part.append(clef.BassClef() if lowest < 57 and index > 0 else clef.TrebleClef())
        part.append(key.Key(*key_name.split()) if " " in key_name else key.Key(key_name))
        part.append(meter.TimeSignature(time))
        if bpm is not None and index == 0:
            part.append(tempo.MetronomeMark(number=bpm))
        for item in voice(spec):
            part.append(item)
        measured = part.makeMeasures()
        measured.partName = name
        score.insert(0, measured)
    return score


SATB = ("Soprano", "Alto", "Tenor", "Bass")


def satb(title: str, s: str, a: str, t: str, b: str, key_name: str, time: str = "4/4"):
    return build(title, list(zip(SATB, (s, a, t, b), strict=True)), key_name=key_name, time=time)


# ---------------------------------------------------------------------------------------------
# The scores. Bars are counted from 1 (no pick-ups anywhere, so the critic's bar numbers and
# the printed measure numbers agree).

SCORES_SPEC: dict[str, dict] = {}


def score(name: str, planted: str):
    def register(function):
        SCORES_SPEC[name] = {"make": function, "planted": planted}
        return function

    return register


@score(
    "two_part_fifths.musicxml",
    "C major, melody over bass: parallel fifths D5/G3 -> E5/A3 in bar 3 (beats 1 -> 3).",
)
def two_part_fifths() -> stream.Score:
    return build(
        "Two-part exercise",
        [
            ("Melody", "E5:2 D5:2 | C5:2 B4 C5 | D5:2 E5:2 | F5 E5 D5:2 | C5:4"),
            ("Bass", "C4:2 G3:2 | A3:2 G3:2 | G3:2 A3:2 | D4:2 G3:2 | C3:4"),
        ],
        key_name="C",
        bpm=80,
    )


@score(
    "chorale_octaves.musicxml",
    "G major SATB: parallel octaves soprano/bass C5/C3 -> D5/D3 (IV -> V) in bar 2, beat 3.",
)
def chorale_octaves() -> stream.Score:
    return satb(
        "Chorale exercise in G",
        "B4 C5 A4 G4 | B4 C5 D5 B4 | B4 C5 A4 A4 | G4:4",
        "G4 G4 F#4 D4 | G4 G4 F#4 G4 | G4 E4 F#4 F#4 | D4:4",
        "D4 E4 D4 B3 | D4 E4 A3 G3 | G3 A3 D4 C4 | B3:4",
        "G3 C3 D3 G3 | G3 C3 D3 G2 | E2 C3 D3 D3 | G2:4",
        "G",
    )


@score("chorale_clean.musicxml", "C major SATB, clean: I IV V I | I IV ii V7 | I IV I64 V | I.")
def chorale_clean() -> stream.Score:
    return satb(
        "Chorale exercise in C",
        "C5 C5 B4 C5 | C5 C5 D5 D5 | C5 C5 C5 B4 | C5:4",
        "E4 F4 D4 E4 | E4 F4 F4 F4 | E4 F4 E4 D4 | E4:4",
        "G3 A3 G3 G3 | G3 A3 A3 B3 | C4 A3 C4 G3 | G3:4",
        "C3 F2 G2 C3 | C3 F2 D3 G2 | C3 F3 G3 G2 | C3:4",
        "C",
    )


@score(
    "chorale_crossing.musicxml",
    "F major SATB: the tenor (A4) is above the alto (F4) in bar 3, beats 1-2.",
)
def chorale_crossing() -> stream.Score:
    return satb(
        "Chorale exercise in F",
        "A4 Bb4 G4 A4 | A4 D5 C5 C5 | C5 D5 D5 C5 | C5:4",
        "F4 F4 E4 F4 | F4 G4 G4 G4 | F4 F4 F4 E4 | F4:4",
        "C4 D4 C4 C4 | D4 D4 E4 E4 | A4 A4 D4 G3 | A3:4",
        "F3 Bb2 C3 F3 | D3 Bb2 C3 C3 | F3 D3 Bb2 C3 | F3:4",
        "F",
    )


@score(
    "chorale_spacing.musicxml",
    "Bb major SATB: alto F4 over tenor D3 (15 semitones) in bar 2, beat 1: too wide a gap.",
)
def chorale_spacing() -> stream.Score:
    return satb(
        "Chorale exercise in B flat",
        "Bb4 Bb4 A4 Bb4 | Bb4 Bb4 C5 C5 | Bb4 Bb4 Bb4 A4 | Bb4:4",
        "D4 Eb4 C4 D4 | F4 G4 Eb4 Eb4 | D4 Eb4 D4 C4 | D4:4",
        "F3 G3 F3 F3 | D3 Eb3 G3 A3 | Bb3 G3 Bb3 F3 | F3:4",
        "Bb2 Eb2 F2 Bb2 | Bb2 Eb2 C3 F2 | Bb2 Eb3 F3 F2 | Bb2:4",
        "B-",
    )


@score(
    "chorale_fifths_minor.mid",
    "A minor SATB (MIDI): parallel fifths soprano/bass B4/E3 -> C5/F3 (V -> VI) in bar 2, beat 4.",
)
def chorale_fifths_minor() -> stream.Score:
    return satb(
        "Chorale exercise in A minor",
        "C5 D5 B4 C5 | C5 D5 B4 C5 | D5:2 B4:2 | A4:4",
        "E4 F4 E4 E4 | F4 F4 E4 C4 | F4:2 E4:2 | C4:4",
        "A3 A3 G#3 A3 | A3 A3 G#3 A3 | A3:2 G#3:2 | A3:4",
        "A2 D3 E3 A2 | F3 D3 E3 F3 | D3:2 E3:2 | A2:4",
        "a",
    )


@score(
    "chorale_range.mid",
    "D major SATB (MIDI): the bass drops to A1 in bar 3, beat 4, below a choral bass's range.",
)
def chorale_range() -> stream.Score:
    return satb(
        "Chorale exercise in D",
        "D5 D5 C#5 D5 | D5 D5 E5 E5 | D5 D5 D5 C#5 | D5:4",
        "F#4 G4 E4 F#4 | F#4 G4 G4 G4 | F#4 G4 F#4 E4 | F#4:4",
        "A3 B3 A3 A3 | A3 B3 B3 C#4 | D4 B3 D4 A3 | A3:4",
        "D3 G2 A2 D3 | D3 G2 E3 A2 | D3 G2 A2 A1 | D2:4",
        "D",
    )


@score(
    "duet_octaves.abc",
    "D major two-voice ABC: parallel octaves B4/B3 -> A4/A3 in bar 2, beats 1 -> 2.",
)
def duet_octaves() -> str:
    return """X:1
T:Duet in D
C:learner
M:4/4
L:1/4
Q:1/4=84
K:D
V:1 name="Upper"
F A d c | B A G F | G F D E | D4 |]
V:2 name="Lower" clef=bass
D, F, B, A, | B, A, E, D, | E, A, B,, A,, | D,4 |]
"""


@score(
    "violin_cello_range.musicxml",
    "G major violin and cello duo: the violin's E3 in bar 3, beat 3 is below its lowest string "
    "(G3).",
)
def violin_cello_range() -> stream.Score:
    return build(
        "Duo for violin and cello",
        [
            ("Violin", "D5:2 B4 G4 | C5 A4 F#4 G4 | B3 G3 E3:2 | A3:2 F#4:2 | G4:4"),
            ("Cello", "G2:2 G3:2 | F#2:2 D3:2 | G2:2 C3:2 | A2:2 D3:2 | G2:4"),
        ],
        key_name="G",
        bpm=72,
        instruments=[instrument.Violin(), instrument.Violoncello()],
    )


@score(
    "ends_on_dominant.mid",
    "G major melody and bass (MIDI), 8 bars: it stops on the dominant (D over D) in bar 8.",
)
def ends_on_dominant() -> stream.Score:
    return build(
        "Tune in G",
        [
            (
                "Melody",
                "G4 A4 B4 G4 | D5:2 B4:2 | C5 B4 A4 G4 | A4:4 | B4 C5 D5 B4 | E5:2 D5:2 "
                "| C5 E5 D5 C5 | D5:4",
            ),
            (
                "Bass",
                "G2:2 G3:2 | B2:2 G2:2 | A2:2 B2:2 | D3:4 | G2:2 G3:2 | C3:2 B2:2 "
                "| A2:2 F#2:2 | D3:4",
            ),
        ],
        key_name="G",
        bpm=100,
    )


@score(
    "melody_leading_tone.musicxml",
    "D major melody, 8 bars: the leading tone C#5 leaps down to A4 in bar 6, beat 3.",
)
def melody_leading_tone() -> stream.Score:
    return build(
        "Melody in D",
        [
            (
                "Melody",
                "D4 F#4 A4 F#4 | G4 B4 A4:2 | F#4 G4 A4 D5 | C#5 B4 A4:2 | B4 C#5 D5 B4 "
                "| G4 B4 C#5 A4 | F#4 E4 G4 E4 | D4:4",
            )
        ],
        key_name="D",
        bpm=90,
    )


@score(
    "waltz_leap.abc",
    "A minor 3/4 melody (ABC): a leap of a minor seventh E4 -> D5 in bar 3, continuing upward.",
)
def waltz_leap() -> str:
    return """X:1
T:Little waltz in A minor
C:learner
M:3/4
L:1/4
Q:1/4=120
K:Am
A B c | B2 E | E d e | f2 d | c B A | G A B | c B ^G | A3 |]
"""


@score(
    "melody_wrong_note.mid",
    "D major melody (MIDI), 8 bars: an F natural in bar 2, beat 2 where the key has F#.",
)
def melody_wrong_note() -> stream.Score:
    return build(
        "Happy tune",
        [
            (
                "Melody",
                "D4 F#4 A4 F#4 | E4 F4 A4:2 | B4 A4 G4 F#4 | E4:2 A4:2 | D5 C#5 B4 A4 "
                "| G4 F#4 E4 A4 | G4 F#4 E4 C#4 | D4:4",
            )
        ],
        key_name="D",
        bpm=100,
    )


@score("folk_jig.abc", "G major 6/8 folk tune (ABC), 8 bars, clean; ends on G.")
def folk_jig() -> str:
    return """X:1
T:The Miller's Lane
C:learner
R:jig
M:6/8
L:1/8
Q:3/8=100
K:G
G2B d2B | c2A B2G | A2F G2E | D3 D3 | G2B d2g | e2c B2G | A2B c2A | G3 G3 |]
"""


@score("dorian_tune.abc", "D dorian tune (ABC), 3/4, 8 bars: B natural and C natural, ends on D.")
def dorian_tune() -> str:
    return """X:1
T:Evening song
C:learner
M:3/4
L:1/4
Q:1/4=96
K:Ddor
D2 A | B2 A | F G E | D2 C | D F A | B2 A | G E C | D3 |]
"""


@score("minor_melody.musicxml", "E minor 3/4 melody, 8 bars, clean: D# rises to E at the end.")
def minor_melody() -> stream.Score:
    return build(
        "Song in E minor",
        [
            (
                "Melody",
                "E4 G4 B4 | A4:2 F#4 | G4 A4 B4 | E5:3 | D5 C5 B4 | A4:2 G4 | A4 F#4 D#4 | E4:3",
            )
        ],
        key_name="e",
        time="3/4",
        bpm=84,
    )


@score(
    "monotone_melody.mid",
    "C major melody (MIDI), 8 bars of quarter notes inside C4-E4: rhythmic and melodic monotony.",
)
def monotone_melody() -> stream.Score:
    return build(
        "My first melody",
        [
            (
                "Melody",
                "C4 D4 E4 D4 | C4 C4 D4 E4 | E4 D4 C4 D4 | E4 E4 D4 D4 | C4 D4 E4 E4 "
                "| D4 C4 D4 E4 | D4 D4 C4 D4 | C4 C4 C4 C4",
            )
        ],
        key_name="C",
        bpm=100,
    )


@score(
    "bach_bwv66_6_excerpt.musicxml",
    "J. S. Bach, chorale BWV 66.6 (music21 corpus), pick-up and first three bars (two phrases): "
    "clean.",
)
def bach_excerpt() -> stream.Score:
    chorale = corpus.parse("bach/bwv66.6")
    excerpt = chorale.measures(0, 3)
    for index, part in enumerate(excerpt.parts):
        for inst in part.recurse().getElementsByClass(instrument.Instrument):
            inst.instrumentId = f"P{index + 1}-I1"
    return excerpt


_DATE = re.compile(r"\s*<encoding-date>[^<]*</encoding-date>")
"""music21 stamps today's date into MusicXML; dropped so that reruns give the same bytes."""


def write_all() -> None:
    SCORES.mkdir(parents=True, exist_ok=True)
    for name, entry in SCORES_SPEC.items():
        made = entry["make"]()
        path = SCORES / name
        if isinstance(made, str):
            path.write_text(made, encoding="utf-8")
        elif name.endswith(".mid"):
            made.write("midi", fp=str(path))
        else:
            made.write("musicxml", fp=str(path))
            text = path.read_text(encoding="utf-8")
            path.write_text(_DATE.sub("", text), encoding="utf-8")
        size = path.stat().st_size
        assert size < 30_000, f"{name} is {size} bytes"
        print(f"{name:32} {size:6d} bytes  {entry['planted']}")


def record_findings() -> None:
    """Run the critic alone (`etude analyze FILE --json --level advanced`, every severity) on
    each score and keep what the benchmark's expectations rely on in critic_findings.json."""
    import json
    import os
    import subprocess
    import sys

    root = HERE.parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    record = {}
    for name, entry in SCORES_SPEC.items():
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "etude",
                "analyze",
                str(SCORES / name),
                "--json",
                "--level",
                "advanced",
            ],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=root,
        )
        report = json.loads(result.stdout)
        record[name] = {
            "planted": entry["planted"],
            "key": f"{report['key']['tonic']} {report['key']['mode']}",
            "texture": report.get("texture"),
            "bars": report["bars"],
            "time_signature": report["time_signature"],
            "findings": [
                {k: f[k] for k in ("rule", "bar", "beat", "parts", "severity", "message")}
                for f in report["findings"]
            ],
        }
        print(name, record[name]["key"], [(f["rule"], f["bar"]) for f in report["findings"]])
    (HERE / "critic_findings.json").write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    import sys

    write_all()
    if "--critic" in sys.argv:
        record_findings()
