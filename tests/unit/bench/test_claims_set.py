"""The labelled claim set (bench/claims): labels, determinism, truths and the model-sentence
extractor. Labels here are recomputed with music21 directly, never with etude.theory."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from music21 import interval, key, pitch, roman, scale

REPO = Path(__file__).resolve().parents[3]
CLAIMS = REPO / "bench" / "claims"
SENTENCES = REPO / "bench" / "data" / "claims" / "sentences.jsonl"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"claimset_{name}", CLAIMS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# generate.py puts bench/claims on sys.path for its sibling modules
generate = _load("generate")
templates = sys.modules["templates"]
extract = sys.modules["extract"]


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return [json.loads(line) for line in SENTENCES.read_text().splitlines() if line.strip()]


# -- labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "params", "value", "expected"),
    [
        ("degree", {"tonic": "C", "mode": "major", "which": "dominant"}, "G", "true"),
        ("degree", {"tonic": "C", "mode": "major", "which": "dominant"}, "F", "false"),
        ("degree", {"tonic": "A", "mode": "minor", "which": "leading tone"}, "G#", "true"),
        ("degree", {"tonic": "A", "mode": "minor", "which": "leading tone"}, "G", "false"),
        ("degree", {"tonic": "F", "mode": "major", "which": "subdominant"}, "Bb", "true"),
        ("degree", {"tonic": "F", "mode": "major", "which": "subdominant"}, "A#", "false"),
        ("degree", {"tonic": "Bb", "mode": "major", "which": "supertonic"}, "C", "true"),
        ("relative_key", {"tonic": "E", "mode": "major"}, ("C#", "minor"), "true"),
        ("relative_key", {"tonic": "E", "mode": "major"}, ("E", "minor"), "false"),
        ("relative_key", {"tonic": "E", "mode": "major"}, ("Db", "minor"), "false"),
        ("parallel_key", {"tonic": "G", "mode": "major"}, ("G", "minor"), "true"),
        ("parallel_key", {"tonic": "G", "mode": "major"}, ("E", "minor"), "false"),
        ("key_signature", {"tonic": "D", "mode": "major"}, (2, "sharps"), "true"),
        ("key_signature", {"tonic": "Eb", "mode": "major"}, (3, "flats"), "true"),
        ("key_signature", {"tonic": "A", "mode": "minor"}, (0, "none"), "true"),
        ("key_signature", {"tonic": "F", "mode": "major"}, (1, "sharps"), "false"),
        ("interval_semitones", {"code": "M3"}, 4, "true"),
        ("interval_semitones", {"code": "M3"}, 3, "false"),
        ("interval_name", {"low": "C", "high": "Ab"}, "m6", "true"),
        ("interval_name", {"low": "C", "high": "G#"}, "m6", "false"),
        ("interval_note", {"root": "D", "code": "P5", "direction": "above"}, "A", "true"),
        ("interval_note", {"root": "E", "code": "M3", "direction": "above"}, "Ab", "false"),
        ("chord_notes", {"root": "D", "kind": "dominant seventh"}, ["D", "F#", "A", "C"], "true"),
        ("chord_notes", {"root": "D", "kind": "dominant seventh"}, ["D", "Gb", "A", "C"], "false"),
        ("scale_notes", {"tonic": "A", "kind": "harmonic minor", "form": "has"}, "G#", "true"),
        ("scale_notes", {"tonic": "D", "kind": "dorian", "form": "count"}, (0, "none"), "true"),
        ("roman_numeral", {"figure": "V", "tonic": "C", "mode": "major"}, ("G", "major"), "true"),
        ("roman_numeral", {"figure": "ii", "tonic": "F", "mode": "major"}, ("G", "major"), "false"),
        (
            "roman_numeral",
            {
                "root": "D",
                "chord": "dominant seventh",
                "tonic": "G",
                "mode": "major",
                "form": "reverse",
            },
            "V7",
            "true",
        ),
        (
            "roman_numeral",
            {"figure": "viio", "tonic": "C", "mode": "major"},
            ("B", "diminished"),
            "true",
        ),
        ("chord_quality", {"notes": ["B", "D", "F"], "form": "notes"}, "diminished", "true"),
        ("chord_quality", {"degree": 2, "scale": "major", "form": "degree"}, "minor", "true"),
        (
            "chord_quality",
            {"chord": "dominant seventh", "component": "seventh", "form": "component"},
            "m7",
            "true",
        ),
        ("cadence", {"cadence": "plagal"}, ("IV", "I"), "true"),
        ("cadence", {"cadence": "plagal"}, ("V", "I"), "false"),
        ("cadence", {"cadence": "half"}, (None, "V"), "true"),
        ("cadence", {"cadence": "deceptive"}, ("V", "vi"), "true"),
    ],
)
def test_hand_picked_labels(kind, params, value, expected):
    assert templates.label(kind, params, value) == expected
    assert templates.verdict(kind, params, value, templates.Arithmetic) == (expected == "true")


def _m21(name: str) -> str:
    return name[0] + name[1:].replace("b", "-")


def test_committed_labels_agree_with_music21_directly(items):
    """Relative keys, key signatures, semitone counts and roman numerals of the committed set,
    recomputed here with music21 calls of their own."""
    checked = 0
    for it in items:
        if it["source"] != "template" or it["label"] == "none":
            continue
        p, v = it["claim"]["params"], it["claim"]["value"]
        if it["type"] == "relative_key":
            k = key.Key(_m21(p["tonic"]) if p["mode"] == "major" else _m21(p["tonic"]).lower())
            right = (k.relative.tonic.name.replace("-", "b"), k.relative.mode)
            assert (tuple(v) == right) == (it["label"] == "true"), it
        elif it["type"] == "key_signature" and p.get("form") == "count":
            k = key.Key(_m21(p["tonic"]) if p["mode"] == "major" else _m21(p["tonic"]).lower())
            right = (
                abs(k.sharps),
                "none" if k.sharps == 0 else "sharps" if k.sharps > 0 else "flats",
            )
            assert (tuple(v) == right) == (it["label"] == "true"), it
        elif it["type"] == "interval_semitones":
            right = interval.Interval(p["code"]).semitones
            assert (v == right) == (it["label"] == "true"), it
        elif it["type"] == "interval_note":
            iv = interval.Interval(p["code"] if p["direction"] == "above" else "-" + p["code"])
            right = iv.transposePitch(pitch.Pitch(_m21(p["root"]))).name.replace("-", "b")
            assert (v == right) == (it["label"] == "true"), it
        elif it["type"] == "roman_numeral" and "figure" in p:
            k = key.Key(_m21(p["tonic"]) if p["mode"] == "major" else _m21(p["tonic"]).lower())
            right = roman.RomanNumeral(p["figure"], k).root().name.replace("-", "b")
            if v[0] != right:
                assert it["label"] == "false", it
        elif it["type"] == "scale_notes" and p.get("form") == "has":
            sc = templates.T.SCALES.get(p["kind"])
            if sc is None:
                continue
            tonic = _m21(p["tonic"])
            names = {
                x.name.replace("-", "b") for x in sc(tonic).getPitches(tonic + "4", tonic + "5")
            }
            assert ((v in names) != p["negated"]) == (it["label"] == "true"), it
        else:
            continue
        checked += 1
    assert checked > 500


def test_scale_helper_matches_music21():
    assert [p.name for p in scale.HarmonicMinorScale("a").getPitches("a4", "g#5")][6] == "G#"
    assert templates.T.scale_notes("A", "harmonic minor")[6] == "G#"


# -- the set as a whole ---------------------------------------------------------------------------


def test_generator_is_deterministic():
    first = templates.build(11, 8, 10)
    assert first == templates.build(11, 8, 10)
    assert first != templates.build(12, 8, 10)


def test_committed_template_part_matches_the_generator(items):
    committed = [it for it in items if it["source"] == "template"]
    rebuilt = json.loads(json.dumps(generate.template_items()))
    assert committed == rebuilt


def test_false_items_carry_a_truth(items):
    false = [it for it in items if it["label"] == "false"]
    assert false and all(it["truth"].strip() for it in false)


def test_set_shape(items):
    assert len(items) >= 2400
    assert {it["label"] for it in items} == {"true", "false", "none"}
    assert sum(it["label"] == "none" for it in items) >= 200
    assert sum(it["source"] == "template" and it["label"] != "none" for it in items) >= 1600
    assert all(it["type"] == "none" for it in items if it["label"] == "none")
    assert len({it["id"] for it in items}) == len(items)
    models = {it["model"] for it in items if it["source"] == "model"}
    assert models <= {"base", "adapter"}


def test_check_mode_finds_no_disagreement():
    assert generate.check() == []


# -- the extractor for model sentences ------------------------------------------------------------

E_MAJOR = {"tonic": "E", "mode": "major"}
F_DOMINANT = {"tonic": "F", "mode": "major", "role": "dominant"}


@pytest.mark.parametrize(
    ("kind", "params", "sentence", "expected"),
    [
        ("relative_key", E_MAJOR, "The relative minor of E major is C# minor.", "true"),
        ("relative_key", E_MAJOR, "The relative minor of E major is C sharp minor.", "true"),
        ("relative_key", E_MAJOR, "C♯ minor is the relative minor of E major.", "true"),
        ("relative_key", E_MAJOR, "The relative minor of E major is the key of E minor.", "false"),
        ("relative_key", E_MAJOR, "It is C# minor.", "true"),
        # a minor chord: the article, not A minor
        ("relative_key", E_MAJOR, "The relative minor of E major is a minor chord.", None),
        (
            "relative_key",
            E_MAJOR,
            "The relative minor of E major is a minor chord built on E.",
            None,
        ),
        # a right value followed by more music that cannot be checked: dropped
        (
            "relative_key",
            E_MAJOR,
            "The relative minor of E major is C# minor, which has 4 sharps.",
            None,
        ),
        # a wrong value makes the sentence false whatever follows
        (
            "relative_key",
            E_MAJOR,
            "The relative minor of E major is G minor, with 2 flats.",
            "false",
        ),
        ("degree", F_DOMINANT, "The dominant of F major is C.", "true"),
        ("degree", F_DOMINANT, "The dominant of F major is the note Bb.", "false"),
        ("degree", F_DOMINANT, "F major is the dominant of the original key system.", None),
        ("degree", F_DOMINANT, "The dominant of F major is a minor chord.", None),
        ("key_signature", {"tonic": "D", "mode": "major"}, "D major has 7 sharps.", "false"),
        ("key_signature", {"tonic": "D", "mode": "major"}, "D major has two sharps.", "true"),
        (
            "key_signature",
            {"tonic": "D", "mode": "major"},
            "D major has a chromatic scale with 7 sharps and 7 flats.",
            None,
        ),
        (
            "key_signature",
            {"tonic": "A", "mode": "minor"},
            "The key signature of A minor has no sharps or flats.",
            "true",
        ),
        ("interval_semitones", {"code": "M3"}, "A major third is 4 semitones.", "true"),
        ("interval_semitones", {"code": "M3"}, "A major third has 3 semitones.", "false"),
        ("interval_semitones", {"code": "M3"}, "A major third is a 3.", None),
        (
            "interval_semitones",
            {"code": "M3"},
            "The number of semitones in a major third is 4.",
            "true",
        ),
        (
            "interval_semitones",
            {"code": "M2"},
            "The number of semitones in a major second is 11.",
            "false",
        ),
        (
            "interval_semitones",
            {"code": "M3"},
            "A major third is a type of third that spans two units.",
            None,
        ),
        ("interval_name", {"low": "C", "high": "Ab"}, "C to A flat is a minor sixth.", "true"),
        (
            "interval_name",
            {"low": "C", "high": "Ab"},
            "The interval from C up to Ab is a major sixth.",
            "false",
        ),
        (
            "interval_note",
            {"root": "D", "code": "P5", "direction": "above"},
            "A perfect fifth above D is A.",
            "true",
        ),
        (
            "interval_note",
            {"root": "D", "code": "P5", "direction": "above"},
            "A perfect fifth above D is the note Bb5, written on a staff.",
            None,
        ),
        (
            "chord_notes",
            {"root": "D", "kind": "dominant seventh"},
            "A D7 chord is D, F#, A and C.",
            "true",
        ),
        (
            "chord_notes",
            {"root": "D", "kind": "dominant seventh"},
            "The notes of a D7 chord are: D, E, G, A, C.",
            "false",
        ),
        # a proper subset: incomplete, neither right nor wrong
        (
            "chord_notes",
            {"root": "D", "kind": "dominant seventh"},
            "The notes of a D7 chord are D and F#.",
            None,
        ),
        (
            "scale_notes",
            {"tonic": "C", "kind": "natural minor"},
            "The notes of the C natural minor scale are: C, E, G, A, C, F, Bb.",
            "false",
        ),
        (
            "roman_numeral",
            {"figure": "V", "tonic": "C", "mode": "major"},
            "In C major, the V chord is G major.",
            "true",
        ),
        (
            "roman_numeral",
            {"figure": "IV", "tonic": "C#", "mode": "major"},
            "In C sharp major, the IV chord is the chord E flat.",
            "false",
        ),
        (
            "roman_numeral",
            {"figure": "V7", "tonic": "C#", "mode": "minor"},
            "The chord V7 in C# minor is a modified version of the minor chord V.",
            None,
        ),
        ("chord_quality", {"notes": ["B", "D", "F"]}, "B, D, F is a diminished triad.", "true"),
        (
            "chord_quality",
            {"degree": 2, "mode": "major"},
            "The triad on the second degree of a major scale is major.",
            "false",
        ),
        ("cadence", {"cadence": "plagal"}, "A plagal cadence goes from IV to I.", "true"),
        ("cadence", {"cadence": "plagal"}, "A plagal cadence goes from V to I.", "false"),
        (
            "cadence",
            {"cadence": "plagal"},
            "A plagal cadence goes from A to C and returns to A.",
            None,
        ),
        ("cadence", {"cadence": "half"}, "A half cadence ends on V.", "true"),
    ],
)
def test_extractor(kind, params, sentence, expected):
    assert extract.label(kind, params, sentence) == expected


def test_extractor_drops_a_right_value_in_a_truncated_reply():
    params = {"tonic": "E", "mode": "major"}
    sentence = "The relative minor of E major is C# minor"
    assert extract.label("relative_key", params, sentence, "sentence") == "true"
    assert extract.label("relative_key", params, sentence, "max_tokens") is None
    wrong = "The relative minor of E major is E minor"
    assert extract.label("relative_key", params, wrong, "max_tokens") == "false"
