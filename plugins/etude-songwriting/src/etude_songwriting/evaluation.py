"""Scoring the analyser against hand-labelled verses (acceptance 3 of issue #8).

The labelled file is JSON lines: ``{"source", "lines", "scheme", "syllables"}``. A verse's
rhyme scheme counts as right only when every letter matches; syllable counts are scored per
line. The benchmark (``bench/lyrics_eval.py``) and the plug-in's test share this code, so the
number in ``bench/RESULTS.md`` is the number the test enforces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from etude_songwriting.analysis import rhyme_scheme, stanza_syllables


@dataclass
class EvalResult:
    verses: int = 0
    schemes_right: int = 0
    lines: int = 0
    lines_right: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def scheme_accuracy(self) -> float:
        return self.schemes_right / self.verses if self.verses else 0.0

    @property
    def syllable_accuracy(self) -> float:
        return self.lines_right / self.lines if self.lines else 0.0


def load_labelled(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(verses: list[dict[str, object]]) -> EvalResult:
    result = EvalResult()
    for verse in verses:
        lines = [str(line) for line in verse["lines"]]  # type: ignore[attr-defined]
        expected_counts = [int(n) for n in verse["syllables"]]  # type: ignore[attr-defined]
        scheme = rhyme_scheme(lines)
        counts = stanza_syllables(lines, scheme)
        result.verses += 1
        if scheme == verse["scheme"]:
            result.schemes_right += 1
        else:
            result.misses.append(f"{verse['source']}: scheme {scheme} != {verse['scheme']}")
        for line, got, want in zip(lines, counts, expected_counts, strict=True):
            result.lines += 1
            if got == want:
                result.lines_right += 1
            else:
                result.misses.append(f"{verse['source']}: {line!r} {got} != {want} syllables")
    return result
