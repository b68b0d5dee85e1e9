"""bench/mtb_engine.py: generated MusicTheoryBench items through the engine alone.

Items of another seed than the one the engine was measured on, so a template the grammar
reads only by accident shows here too."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[3] / "bench"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


def test_the_engine_names_one_right_option_with_its_steps() -> None:
    mtb = load("mtb_generated")
    engine = load("mtb_engine")
    rows = [row for item in mtb.build_items(seed=11, items=48) for row in mtb.rows_of(item)[:2]]
    wrong, unsteady, misread = [], [], []
    for row in rows:
        reply = engine.reply_of(mtb.batch_question(row))
        letter, status = mtb.extract_letter(reply["answer"])
        if (letter, status) != (row["answer"], "ok"):
            wrong.append((row["stem"], reply["answer"][:200]))
        if row["depth"] >= 2 and not mtb.steps_shown(reply["answer"], row["depth"]):
            unsteady.append(row["stem"])
        misread += mtb.chord_misreads(row, reply["evidence"])
    assert not wrong and not unsteady and not misread, (wrong, unsteady, misread)
