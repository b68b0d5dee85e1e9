"""The critic's typed result, whose JSON dump is the ``etude analyze --json`` contract.

The first fields of ``AnalysisReport`` are exactly the contract's keys in the contract's order;
everything after ``style`` is an extension the tutor uses (strengths to encourage first,
harmony and cadences to talk about form).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from etude.critic.modulation import KeyRegion
from etude.critic.pickup import UnmarkedPickup
from etude.critic.profiles import PartProfile

Severity = Literal["error", "warning", "info"]
CadenceKind = Literal["authentic", "half", "plagal", "deceptive", "other"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

RULE_IDS: tuple[str, ...] = (
    "parallel_fifths",
    "parallel_octaves",
    "hidden_fifths",
    "hidden_octaves",
    "voice_crossing",
    "voice_overlap",
    "spacing",
    "range",
    "large_leap",
    "unresolved_leading_tone",
    "out_of_key",
    "weak_cadence",
    "rhythmic_monotony",
    "melodic_monotony",
)
"""Stable rule ids (a contract: tools outside the code filter on them)."""


class Change(BaseModel):
    """One note of a suggested fix: where it is and what it becomes.

    ``from`` is a Python keyword, so the field is ``from_`` in code and ``"from"`` in JSON.

    >>> Change(part=1, bar=5, beat=2.0, offset_ql=17.0, from_="A4", to="B4").model_dump()
    {'part': 1, 'bar': 5, 'beat': 2.0, 'offset_ql': 17.0, 'from': 'A4', 'to': 'B4', 'measure': None}
    """

    model_config = ConfigDict(frozen=True, serialize_by_alias=True, validate_by_name=True)

    part: int = Field(description="0-based part index in file order.")
    bar: int = Field(description="The bar, counted from 1 at the start of the file.")
    beat: float = Field(description="Beat within the bar, from 1.")
    offset_ql: float = Field(description="Quarter notes from the start of the file.")
    from_: str = Field(alias="from", description="The note as written, e.g. 'A4'.")
    to: str = Field(description="The note it becomes, spelled in the key, e.g. 'B4'.")
    measure: int | None = Field(
        default=None, description="The score's own measure number, as engraved (a pickup is 0)."
    )


class Suggestion(BaseModel):
    """A fix the critic verified: the changes, and why they remove the fault and add none."""

    model_config = ConfigDict(frozen=True)

    changes: list[Change]
    why: str


class Finding(BaseModel):
    """One thing the critic noticed, located precisely enough to open the score at it.

    >>> Finding(rule="parallel_fifths", bar=3, beat=2.0, offset_ql=9.0, parts=[0, 3],
    ...         severity="error", message="...").model_dump()["parts"]
    [0, 3]
    """

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="A stable rule id, e.g. 'parallel_fifths'.")
    bar: int = Field(description="The bar, counted from 1 at the start of the file.")
    beat: float = Field(description="Beat within the bar, from 1.")
    offset_ql: float = Field(description="Quarter notes from the start of the file.")
    parts: list[int] = Field(description="0-based part indices in file order.")
    severity: Severity
    message: str = Field(description="What is wrong and a concrete fix, for a learner.")
    measure: int | None = Field(
        default=None,
        description="The score's own measure number, as engraved (a pickup is 0); what a "
        "learner reads. ``bar`` counts from 1 at the start of the file.",
    )
    suggestion: Suggestion | None = Field(
        default=None,
        description="A fix the critic verified by re-running its rules (issue #20); null "
        "when no small edit removes the fault without adding another.",
    )


class KeyEstimate(BaseModel):
    """The piece's key: the one the file declares when it is believed, else the key
    music21's key finding chose, with the profile correlation as its confidence."""

    model_config = ConfigDict(frozen=True)

    tonic: str = Field(description="Tonic pitch name, e.g. 'G' or 'F#'.")
    mode: str = Field(
        description="'major' or 'minor'; a declared church mode: 'dorian', 'phrygian', "
        "'lydian', 'mixolydian', 'aeolian' or 'locrian'."
    )
    confidence: float = Field(
        description="Correlation with the key profile, -1..1; 1.0 for a declared key."
    )
    source: Literal["declared", "estimated"] = Field(
        default="estimated", description="Whether the file named the key or it was estimated."
    )


class HarmonySlice(BaseModel):
    """The chord heard on one beat, as a Roman numeral in the main key."""

    model_config = ConfigDict(frozen=True)

    bar: int
    measure: int | None = Field(
        default=None,
        description="The score's own measure number, as engraved (a pickup is 0); what a "
        "learner reads. ``bar`` counts from 1 at the start of the file.",
    )
    beat: float
    offset_ql: float
    root: str
    quality: str
    figure: str = Field(description="Roman numeral with inversion, e.g. 'V6' or 'ii65'.")


class Cadence(BaseModel):
    """A cadence at a phrase end: its kind and the two chords that make it."""

    model_config = ConfigDict(frozen=True)

    kind: CadenceKind
    bar: int
    measure: int | None = Field(
        default=None,
        description="The score's own measure number, as engraved (a pickup is 0); what a "
        "learner reads. ``bar`` counts from 1 at the start of the file.",
    )
    beat: float
    offset_ql: float
    figures: list[str]


class AnalysisReport(BaseModel):
    """What the critic found in one score; ``model_dump(mode="json")`` is the CLI's JSON."""

    file: str = Field(
        description="The file's name without its folder: a report may leave the machine (the "
        "server's replies, a turn's evidence), the folder it was read from never does."
    )
    format: Literal["midi", "musicxml", "abc"]
    parts: int
    bars: int
    notes: int
    key: KeyEstimate
    time_signature: str
    tempo_bpm: float | None
    findings: list[Finding]
    style: dict[str, Any] | None = None
    encoder: dict[str, Any] | None = Field(
        default=None,
        description="The encoder's most surprising notes (issue #22); null without the encoder.",
    )
    similar: list[dict[str, Any]] | None = Field(
        default=None,
        description="The corpus pieces MusicBERT finds nearest, with the nearest pair of "
        "passages (issue #22): [{title, collection, composer, corpus_path, number, score, "
        "bars?, your_bars?}]. Null without the encoder or without a corpus index built by the "
        "checkpoint in use (`etude corpus index`).",
    )
    level: str = "intermediate"
    texture: str = Field(default="", description="'chorale', 'melody_and_bass', 'melody', ...")
    strengths: list[str] = Field(default_factory=list)
    harmony: list[HarmonySlice] = Field(default_factory=list)
    cadences: list[Cadence] = Field(default_factory=list)
    phrases: list[int] = Field(default_factory=list, description="Bars where phrases end.")
    phrase_measures: list[int] = Field(
        default_factory=list,
        description="The same phrase ends as the score numbers its measures (a pickup is 0).",
    )
    modulations: list[KeyRegion] = Field(
        default_factory=list, description="Phrases in a key other than the main key."
    )
    hidden_findings: int = Field(default=0, description="Findings the level did not show.")
    every_finding: list[Finding] = Field(
        default_factory=list,
        exclude=True,
        description="Every finding, shown or not (not in the JSON): what the wrong-note ranker "
        "reads at each note, whatever the learner's level.",
    )
    profiles: list[PartProfile] = Field(
        default_factory=list, description="Range, contour, rhythm and dynamics of each part."
    )
    summary: str = ""
    unmarked_pickup: UnmarkedPickup | None = Field(
        default=None,
        description="A MIDI file that seems to start with an upbeat MIDI cannot mark, so that "
        "its bar numbers may be one off from the learner's score (etude.critic.pickup); "
        "always null for MusicXML and ABC, which mark their pickups.",
    )


def overview(report: AnalysisReport) -> str:
    """The computed facts about a score in one line: key, metre, tempo and size.

    >>> report = AnalysisReport(file="x.mid", format="midi", parts=1, bars=8, notes=30,
    ...     key=KeyEstimate(tonic="G", mode="major", confidence=0.91), time_signature="3/4",
    ...     tempo_bpm=None, findings=[])
    >>> print(overview(report))  # doctest: +NORMALIZE_WHITESPACE
    The score is in G major (music21 key analysis, confidence 0.91); time signature 3/4;
    8 bars, 1 part(s), 30 notes.
    """
    key = report.key
    tempo = f", tempo {report.tempo_bpm:g} bpm" if report.tempo_bpm else ""
    how = (
        "as the file declares"
        if key.source == "declared"
        else f"music21 key analysis, confidence {key.confidence:.2f}"
    )
    return (
        f"The score is in {key.tonic} {key.mode} ({how}); time signature "
        f"{report.time_signature}{tempo}; "
        f"{report.bars} bars, {report.parts} part(s), {report.notes} notes."
    )
