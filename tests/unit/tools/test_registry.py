from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from etude.tools import registry as registry_module
from etude.tools.base import ToolRequest, ToolSpec
from etude.tools.registry import ToolRegistry, load_registry


def _echo(request: ToolRequest, settings: object) -> list:
    return []


def test_builtins_are_registered_in_order() -> None:
    assert load_registry(plugins=False).names() == [
        "theory",
        "critic",
        "encoder",
        "memory",
        "lesson",
    ]


def test_broken_plugin_is_reported_not_fatal(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = EntryPoint("broken", "etude_no_such_module:TOOL", "etude.tools")
    wrong = EntryPoint("wrong", "etude.config:Settings", "etude.tools")
    monkeypatch.setattr(registry_module, "entry_points", lambda group: [broken, wrong])
    registry = load_registry()
    assert "theory" in registry
    assert [f.name for f in registry.failures] == ["broken", "wrong"]
    assert "ModuleNotFoundError" in registry.failures[0].error


def test_duplicate_names_are_rejected() -> None:
    registry = ToolRegistry()
    spec = ToolSpec(name="echo", description="d", examples=("e",), run=_echo)
    registry.add(spec)
    with pytest.raises(ValueError, match="clashes"):
        registry.add(spec)


def test_spec_validation() -> None:
    with pytest.raises(ValueError):
        ToolSpec(name="not valid", description="d", examples=("e",), run=_echo)
    with pytest.raises(ValueError):
        ToolSpec(name="ok", description="d", examples=(), run=_echo)
