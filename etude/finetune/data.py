"""Build the instruction dataset: every source, deduplicated, split without leakage, with a card.

``build_dataset`` is deterministic for a seed. Splits are drawn per *source item* (a theory
subject, an article, a corpus piece), never per example, so the paraphrases of a test question
are all in the test split; multi-turn dialogues are then assembled inside each split. The data
card (Markdown for people, JSON for tools) records counts per source, split and kind, what was
dropped and why, and a leakage check.
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from etude.finetune.examples import SOURCES, SPLITS, Example, Split, normalise
from etude.finetune.sources.critic import critic_examples
from etude.finetune.sources.dialogues import dialogue_examples
from etude.finetune.sources.knowledge import knowledge_examples
from etude.finetune.sources.theory import TheoryStats, theory_examples
from etude.knowledge.articles import ARTICLES_DIR

log = logging.getLogger(__name__)


@dataclass
class DataConfig:
    """How much of each source to generate, and how to split it."""

    seed: int = 42
    theory_per_subject: int = 3
    """Phrasings per theory subject (each a separate example, same split)."""
    knowledge_per_chunk: int = 3
    """Questions per article section."""
    critic_pieces: int = 150
    """Corpus scores analysed by the critic (about 0.2 s each); 0 skips the source."""
    critic_per_piece: int = 2
    """Levels (hence questions) per analysed score."""
    dialogues: int = 800
    """Multi-turn lessons in total, shared out over the splits by size."""
    validation_fraction: float = 0.05
    test_fraction: float = 0.05
    articles_dir: Path = field(default_factory=lambda: ARTICLES_DIR)


class DataCard(BaseModel):
    """What the dataset holds; written as ``data_card.json`` and ``data_card.md``."""

    seed: int
    config: dict[str, Any]
    total: int
    counts: dict[str, dict[str, int]]
    kinds: dict[str, int]
    levels: dict[str, int]
    groups: dict[str, int]
    dropped: dict[str, int]
    leakage: dict[str, int]
    notes: list[str]

    def markdown(self) -> str:
        """The card for people: what each source is and how many examples it gave."""
        lines = [
            "# Etude instruction dataset — data card",
            "",
            f"Seed {self.seed}; {self.total} examples. Built by `etude finetune data`.",
            "",
            "| source | " + " | ".join(SPLITS) + " | total |",
            "|---|" + "---:|" * (len(SPLITS) + 1),
        ]
        for source in SOURCES:
            row = self.counts.get(source, {})
            cells = [str(row.get(split, 0)) for split in SPLITS]
            lines.append(f"| {source} | " + " | ".join(cells) + f" | {sum(row.values())} |")
        lines += [
            "",
            "Sources: *theory* — questions answered by the exact theory engine "
            "(`compute_facts`), replies built on the computed fact; *knowledge* — questions "
            "answered from one section of a knowledge article, cited as [n]; *critic* — "
            "feedback lessons on music21 corpus scores from the critic's findings; *dialogue* "
            "— multi-turn lessons whose earlier turns are history.",
            "",
            "Every system prompt is the live tutor's (`tutor_system_prompt`) with the turn's "
            "evidence; every reply passes the tutor's grounding guard.",
            "",
            "## Split",
            "By source item (theory subject, article, corpus piece), never by paraphrase: "
            f"groups per split {self.groups}. Leakage check: {self.leakage}.",
            "",
            "## Kinds",
            ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items())),
            "",
            "## Levels",
            ", ".join(f"{k} {v}" for k, v in sorted(self.levels.items())),
            "",
            "## Dropped",
            ", ".join(f"{k} {v}" for k, v in sorted(self.dropped.items())) or "nothing",
        ]
        if self.notes:
            lines += ["", "## Notes", *[f"- {note}" for note in self.notes]]
        return "\n".join(lines) + "\n"


@dataclass
class BuiltDataset:
    """The examples of each split and their card."""

    splits: dict[Split, list[Example]]
    card: DataCard

    @property
    def all(self) -> list[Example]:
        return [e for split in SPLITS for e in self.splits[split]]


def deduplicate(examples: list[Example]) -> tuple[list[Example], int]:
    """Keep the first example of each (item, learner turns) pair; return how many were dropped.

    Two examples asking the same thing about the same item are duplicates even when their
    system prompts differ in the learner profile, since the model would see the question twice.
    """
    seen: set[tuple[str, tuple[str, ...]]] = set()
    kept: list[Example] = []
    for example in examples:
        key = (
            example.group,
            tuple(normalise(t.content) for t in example.messages if t.role == "user"),
        )
        if key in seen:
            continue
        seen.add(key)
        kept.append(example)
    return kept, len(examples) - len(kept)


def split_groups(groups: list[str], seed: int, validation: float, test: float) -> dict[str, Split]:
    """Assign each group to a split, reproducibly; any source with 3+ groups gets all three.

    >>> plan = split_groups([f"g{i}" for i in range(20)], seed=1, validation=0.1, test=0.1)
    >>> sorted(Counter(plan.values()).items())
    [('test', 2), ('train', 16), ('validation', 2)]
    """
    ordered = sorted(set(groups))
    random.Random(seed).shuffle(ordered)
    n = len(ordered)
    n_test = max(1, round(n * test)) if n >= 3 else 0
    n_val = max(1, round(n * validation)) if n >= 3 else 0
    plan: dict[str, Split] = {}
    for index, group in enumerate(ordered):
        plan[group] = (
            "test" if index < n_test else "validation" if index < n_test + n_val else "train"
        )
    return plan


def assign_splits(
    examples: list[Example],
    sources: Iterable[str],
    seed: int,
    validation: float,
    test: float,
) -> dict[Split, list[Example]]:
    """The examples in their splits, drawn per source item and per source (``split_groups``),
    each copied with its split set."""
    plan: dict[str, Split] = {}
    for source in sources:
        groups = [e.group for e in examples if e.source == source]
        plan.update(split_groups(groups, seed, validation, test))
    splits: dict[Split, list[Example]] = {split: [] for split in SPLITS}
    for example in examples:
        split = plan[example.group]
        splits[split].append(example.model_copy(update={"split": split}))
    return splits


def build_dataset(config: DataConfig | None = None) -> BuiltDataset:
    """Generate every source, deduplicate, split by item, add dialogues, and describe it all."""
    config = config or DataConfig()
    rng = random.Random(config.seed)
    notes: list[str] = []
    stats = TheoryStats()
    singles = [
        *theory_examples(random.Random(rng.random()), config.theory_per_subject, stats),
        *knowledge_examples(
            random.Random(rng.random()), config.knowledge_per_chunk, config.articles_dir
        ),
    ]
    if config.critic_pieces > 0:
        singles.extend(
            critic_examples(
                random.Random(rng.random()), config.critic_pieces, config.critic_per_piece, notes
            )
        )
    else:
        notes.append("critic source disabled (critic_pieces = 0)")
    singles, duplicates = deduplicate(singles)
    splits = assign_splits(
        singles, SOURCES, config.seed, config.validation_fraction, config.test_fraction
    )
    dialogue_rng = random.Random(rng.random())
    for split in SPLITS:
        share = round(config.dialogues * len(splits[split]) / max(1, len(singles)))
        made = [
            e.model_copy(update={"split": split})
            for e in dialogue_examples(splits[split], share, dialogue_rng)
        ]
        made, _ = deduplicate(made)
        splits[split].extend(made)
        dialogue_rng.shuffle(splits[split])
    card = describe(
        splits,
        config,
        notes,
        {
            "duplicates": duplicates,
            "theory_parse_mismatch": stats.parse_mismatch,
            "theory_ungrounded": stats.ungrounded,
        },
    )
    return BuiltDataset(splits=splits, card=card)


def leakage(splits: dict[Split, list[Example]]) -> dict[str, int]:
    """Groups and learner questions that occur in training and also in validation or test."""

    def groups(split: Split) -> set[str]:
        return {
            part for e in splits[split] for part in e.group.removeprefix("dialogue:").split("+")
        }

    def questions(split: Split) -> set[str]:
        return {normalise(e.question) for e in splits[split] if e.source != "dialogue"}

    train_groups, train_questions = groups("train"), questions("train")
    return {
        "shared_groups": len(train_groups & (groups("validation") | groups("test"))),
        "shared_test_questions": len(train_questions & questions("test")),
    }


def describe(
    splits: dict[Split, list[Example]],
    config: DataConfig,
    notes: list[str],
    dropped: dict[str, int],
) -> DataCard:
    examples = [e for split in SPLITS for e in splits[split]]
    counts: dict[str, dict[str, int]] = {}
    for example in examples:
        row = counts.setdefault(example.source, {})
        row[example.split] = row.get(example.split, 0) + 1
    settings = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}
    return DataCard(
        seed=config.seed,
        config=settings,
        total=len(examples),
        counts=counts,
        kinds=dict(Counter(e.kind for e in examples)),
        levels=dict(Counter(e.level for e in examples)),
        groups={split: len({e.group for e in splits[split]}) for split in SPLITS},
        dropped=dropped,
        leakage=leakage(splits),
        notes=notes,
    )


def write_dataset(built: BuiltDataset, out_dir: Path) -> dict[str, Path]:
    """``train/validation/test.jsonl`` plus the card, under ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for split in SPLITS:
        path = out_dir / f"{split}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for example in built.splits[split]:
                handle.write(example.model_dump_json() + "\n")
        paths[split] = path
    paths["card_json"] = out_dir / "data_card.json"
    paths["card_json"].write_text(built.card.model_dump_json(indent=2) + "\n", encoding="utf-8")
    paths["card_md"] = out_dir / "data_card.md"
    paths["card_md"].write_text(built.card.markdown(), encoding="utf-8")
    return paths
