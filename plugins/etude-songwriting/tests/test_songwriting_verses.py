"""Acceptance 3 of issue #8: ≥ 90 % on ≥ 30 hand-labelled public-domain verses.

Three sets (see data/README.md): the analyser was developed against the first two; the third
was labelled and scored once, blind, after development stopped.
"""

from pathlib import Path

import pytest
from etude_songwriting.evaluation import evaluate, load_labelled

DATA = Path(__file__).parent / "data"
SETS = ("verses_labelled.jsonl", "verses_heldout.jsonl", "verses_test.jsonl")


@pytest.mark.parametrize("name", SETS)
def test_at_least_90_percent_on_labelled_verses(name: str) -> None:
    verses = load_labelled(DATA / name)
    assert len(verses) >= 30
    result = evaluate(verses)
    assert result.scheme_accuracy >= 0.9, result.misses
    assert result.syllable_accuracy >= 0.9, result.misses


def test_labels_are_well_formed() -> None:
    for name in SETS:
        for verse in load_labelled(DATA / name):
            lines, scheme, counts = verse["lines"], verse["scheme"], verse["syllables"]
            assert len(lines) == len(scheme) == len(counts), verse["source"]  # type: ignore[arg-type]


def test_evaluation_counts_a_wrong_label_as_a_miss() -> None:
    lines = ["Twinkle, twinkle, little star,", "How I wonder what you are!"]
    verse = {"source": "x", "lines": lines, "scheme": "AB", "syllables": [7, 6]}
    result = evaluate([verse])
    assert result.scheme_accuracy == 0.0 and result.syllable_accuracy == 0.5
