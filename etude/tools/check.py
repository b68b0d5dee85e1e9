"""``etude tools check``: what a plug-in author runs before publishing a tool."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from etude.config import Settings
from etude.evidence import Evidence
from etude.tools.base import ToolRequest
from etude.tools.registry import load_registry


def check_tool(name: str, settings: Settings, report: Callable[[str], None]) -> list[str]:
    """Problems found with tool ``name`` (empty when it is fine)."""
    registry = load_registry()
    failure = next((f for f in registry.failures if f.name == name), None)
    if failure is not None:
        return [f"failed to load: {failure.error}"]
    if name not in registry:
        return [f"no tool named {name!r} (installed: {', '.join(registry.names())})"]
    spec = registry.get(name)
    report(f"loaded {name} from {spec.origin}")
    problems: list[str] = []

    from etude.agents.router import Router
    from etude.knowledge.embeddings import shared_embedder

    router = Router(registry, shared_embedder())
    for example in spec.examples:
        tools, _ = router.classify(example, has_attachment=spec.needs_attachment)
        if name not in tools:
            problems.append(f"example {example!r} routes to {tools or ['conversation']}")
    report(f"{len(spec.examples) - len(problems)}/{len(spec.examples)} examples route to {name}")
    if not spec.needs_attachment:
        # A trial run must not leave marks in the learner's own database (a stateful tool
        # such as the lesson tool would record a placement there), so it gets a scratch one.
        with tempfile.TemporaryDirectory(prefix="etude-check-") as scratch:
            trial = settings.with_overrides(db_path=Path(scratch) / "check.sqlite")
            evidence = spec.run(spec.input_model(question=spec.examples[0]), trial)
        if not isinstance(evidence, list) or not all(isinstance(e, Evidence) for e in evidence):
            problems.append("run() must return a list of etude.evidence.Evidence")
        else:
            report(f"run() on {spec.examples[0]!r} gave {len(evidence)} evidence item(s)")
    if spec.input_model is not ToolRequest and not issubclass(spec.input_model, ToolRequest):
        problems.append("input_model must extend etude.tools.base.ToolRequest")
    return problems
