"""The one registry of tools: the built-ins plus plug-ins found through entry points.

A plug-in is any installed distribution that declares an entry point in the ``etude.tools``
group whose object is a :class:`ToolSpec` (or a function returning one). A plug-in that fails to
import or describe itself is recorded as a failure and skipped: one broken package must never
take the mentor down.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from importlib.metadata import EntryPoint, entry_points

from etude.tools.base import ToolSpec

ENTRY_POINT_GROUP = "etude.tools"


@dataclass(frozen=True)
class LoadFailure:
    """A plug-in that could not be loaded, and why."""

    name: str
    origin: str
    error: str


@dataclass
class ToolRegistry:
    """Ordered collection of tools by name."""

    _tools: dict[str, ToolSpec] = field(default_factory=dict)
    failures: list[LoadFailure] = field(default_factory=list)

    def add(self, spec: ToolSpec) -> None:
        if spec.name in self._tools:
            raise ValueError(
                f"tool {spec.name!r} from {spec.origin} clashes with one from "
                f"{self._tools[spec.name].origin}"
            )
        self._tools[spec.name] = spec

    def get(self, name: str) -> ToolSpec:
        try:
            return self._tools[name]
        except KeyError:
            raise KeyError(f"no tool named {name!r}; known: {', '.join(self._tools)}") from None

    def names(self) -> list[str]:
        return list(self._tools)

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self._tools.values())

    def __len__(self) -> int:
        return len(self._tools)

    def __contains__(self, name: object) -> bool:
        return name in self._tools


def builtin_tools() -> list[ToolSpec]:
    """The tools that ship with Etude, in the order the tutor presents their evidence."""
    from etude.tools.critic import TOOL as critic
    from etude.tools.encoder import TOOL as encoder
    from etude.tools.lesson import TOOL as lesson
    from etude.tools.memory import TOOL as memory
    from etude.tools.theory import TOOL as theory

    return [theory, critic, encoder, memory, lesson]


def _spec_from_entry_point(entry: EntryPoint) -> ToolSpec:
    loaded = entry.load()
    spec = loaded() if callable(loaded) and not isinstance(loaded, ToolSpec) else loaded
    if not isinstance(spec, ToolSpec):
        raise TypeError(f"entry point gave {type(spec).__name__}, expected etude ToolSpec")
    origin = f"plugin {entry.dist.name if entry.dist else entry.value}"
    return replace(spec, origin=origin)


def load_registry(
    *, plugins: bool = True, extra: Iterable[ToolSpec] = (), skip: Iterable[str] = ()
) -> ToolRegistry:
    """Build the registry: built-ins, then each ``etude.tools`` entry point, then ``extra``."""
    registry = ToolRegistry()
    skipped = set(skip)
    for spec in builtin_tools():
        if spec.name not in skipped:
            registry.add(spec)
    if plugins:
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            if entry.name in skipped:
                continue
            try:
                registry.add(_spec_from_entry_point(entry))
            except Exception as exc:  # a plug-in's failure is reported, never fatal
                registry.failures.append(
                    LoadFailure(entry.name, entry.value, f"{type(exc).__name__}: {exc}")
                )
    for spec in extra:
        registry.add(spec)
    return registry
