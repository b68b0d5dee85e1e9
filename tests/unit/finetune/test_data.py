"""The instruction dataset: every source present, no duplicates, no leakage across splits."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from etude.finetune.data import DataConfig, build_dataset, write_dataset
from etude.finetune.examples import SPLITS, Example, normalise, reply_is_grounded


@pytest.fixture(scope="module")
def built():  # type: ignore[no-untyped-def]
    config = DataConfig(
        theory_per_subject=1,
        knowledge_per_chunk=1,
        critic_pieces=4,
        critic_per_piece=1,
        dialogues=40,
    )
    return build_dataset(config)


def test_every_source_is_in_every_split(built) -> None:  # type: ignore[no-untyped-def]
    counts = built.card.counts
    assert set(counts) == {"theory", "knowledge", "critic", "dialogue"}
    for source in ("theory", "knowledge", "dialogue"):
        assert all(counts[source].get(split, 0) > 0 for split in SPLITS), source
    assert built.card.total == len(built.all) == sum(sum(row.values()) for row in counts.values())


def test_no_duplicates_and_no_leakage(built) -> None:  # type: ignore[no-untyped-def]
    ids = Counter(example.id for example in built.all)
    assert ids.most_common(1)[0][1] == 1
    groups = {split: {e.group for e in built.splits[split]} for split in SPLITS}
    assert not groups["train"] & (groups["validation"] | groups["test"])
    assert not groups["validation"] & groups["test"]
    train_questions = {normalise(e.question) for e in built.splits["train"]}
    test_questions = {normalise(e.question) for e in built.splits["test"] if e.source != "dialogue"}
    assert not train_questions & test_questions
    assert built.card.leakage == {"shared_groups": 0, "shared_test_questions": 0}
    # A dialogue is assembled from items of its own split only.
    for split in SPLITS:
        singles = {e.group for e in built.splits[split] if e.source != "dialogue"}
        for example in built.splits[split]:
            if example.source == "dialogue":
                parts = example.group.removeprefix("dialogue:").split("+")
                assert set(parts) <= singles


def test_theory_replies_pass_the_grounding_guard(built) -> None:  # type: ignore[no-untyped-def]
    from etude.finetune.sources.theory import fact_evidence
    from etude.theory.calculator import compute_facts

    for example in built.all:
        assert example.messages[0].role == "system" and example.messages[-1].role == "assistant"
        if example.source in ("theory", "dialogue"):
            facts = compute_facts(example.question)
            assert len(facts) == 1, example.question
            assert "COMPUTED: " + facts[0].statement in example.messages[0].content
            assert reply_is_grounded(example.reply, [fact_evidence(facts[0])]), example.reply


def test_written_splits_and_card_round_trip(built, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    paths = write_dataset(built, tmp_path)
    for split in SPLITS:
        lines = paths[split].read_text(encoding="utf-8").splitlines()
        written = [Example.model_validate_json(line) for line in lines]
        assert [e.id for e in written] == [e.id for e in built.splits[split]]
    card = json.loads(paths["card_json"].read_text())
    assert card["total"] == built.card.total
    assert "| theory |" in paths["card_md"].read_text()


def test_dialogues_from_a_split_whose_kind_has_few_other_items() -> None:
    """A split where one fact kind holds only paraphrases of one item (one group) still yields
    lessons: the follow-ups are drawn from other kinds instead of failing."""
    import random

    from etude.finetune.examples import Turn
    from etude.finetune.sources.dialogues import dialogue_examples

    def single(i: int, group: str, kind: str, question: str) -> Example:
        return Example(
            id=f"t{i}",
            source="theory",
            group=group,
            kind=kind,
            level="beginner",
            messages=[Turn(role="user", content=question), Turn(role="assistant", content="x")],
        )

    singles = [
        single(0, "g1", "scale", "What are the notes of the D major scale?"),
        single(1, "g1", "scale", "Spell the D major scale."),
        single(2, "g2", "chord", "Spell the C major triad."),
        single(3, "g3", "interval", "What is a major third above C?"),
    ]
    made = list(dialogue_examples(singles, 6, random.Random(1), max_turns=3))
    assert all(len(example.messages) >= 4 for example in made)
