"""Requests for the composer reach it, and adding it keeps Etude's own routing at 90 % or
better on Etude's labelled messages (a plug-in must not steal other tools' turns)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from etude_abc_composer import TOOL

from etude.agents.router import Router
from etude.knowledge.embeddings import shared_embedder
from etude.tools.registry import load_registry

HERE = Path(__file__).parent
CORE = HERE.parents[2] / "tests" / "data" / "routing_labelled.jsonl"


def _load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router(load_registry(plugins=False, extra=[TOOL]), shared_embedder())


def test_requests_for_the_tool_are_routed_to_it(router: Router) -> None:
    items = _load(HERE / "data" / "routing_labelled.jsonl")
    examples = {example.lower() for example in TOOL.examples}
    assert len(items) >= 15 and not [i for i in items if i["message"].lower() in examples]
    missed = [
        item["message"]
        for item in items
        if TOOL.name
        not in router.classify(item["message"], has_attachment=item.get("attachment", False))[0]
    ]
    assert len(missed) <= 0.1 * len(items), missed


def test_etude_routing_stays_at_least_90_percent(router: Router) -> None:
    items = _load(CORE)
    misses = [
        (item["message"], item["tools"], tools)
        for item in items
        if set(tools := router.classify(item["message"], has_attachment=item["attachment"])[0])
        != set(item["tools"])
    ]
    assert 1 - len(misses) / len(items) >= 0.9, misses
