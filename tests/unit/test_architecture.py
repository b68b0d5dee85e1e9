"""Etude's architecture, checked: the import graph of ``etude/`` read from the source with ``ast``.

Four rules, each a test below, each failing with the offending imports and their lines:

* **No import cycles** between modules.
* **Layers**: a module imports only from its own layer or the layers below it (``LAYERS``, bottom
  to top). The music (theory, scores, critic, lessons…) never depends on the tools, the graph,
  the server or the CLI, so it can be read, tested and reused alone.
* **Adapters are closed**: outside ``etude/tools/``, a tool adapter is imported only for the
  names in its ``__all__``: always ``TOOL``, the tool's function, and whatever the adapter
  documents as public there (``etude.tools.theory.fact_evidence``). Anything else an adapter
  holds is its own business, free to change. The tool machinery (``base``, ``registry``,
  ``node``, ``check``) is open to all.
* **Adapters stay small**: at most ``ADAPTER_MAX_LINES`` lines each; the work belongs in the
  domain packages.

Which imports count:

* module-level, class-level and function-level (deferred) imports, ``import x`` and
  ``from x import y`` alike, relative imports resolved against the importing module's package;
* ``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``;
  importing ``pkg.mod`` is not also counted as importing ``pkg/__init__`` (as in grimp and
  import-linter: a package's ``__init__`` is a module like the others);
* imports under ``if TYPE_CHECKING:`` count for the layers and the adapters, but not for
  cycles. They never run, so they cannot make an import cycle, and they are the standard way
  to name a type without importing its module at run time (``etude.theory`` names its lazy
  exports that way). But a lower layer's signatures written in an upper layer's types still
  couple the two: the lower one cannot be understood, or type-checked, without the upper.
* ``importlib.import_module`` with a computed name is invisible to ``ast``; ``etude.theory``'s
  lazy ``__getattr__`` only reaches its own submodules, which its ``TYPE_CHECKING`` block names.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "etude"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / PACKAGE

# fmt: off
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Settings, limits and the typed evidence every layer passes around; imports no etude code.
    ("core", ("etude.config", "etude.lazy", "etude.limits", "etude.hf", "etude.converted",
              "etude.evidence", "etude.store_layout")),
    # The music and the models.
    ("domain", ("etude.theory", "etude.scores", "etude.knowledge", "etude.encoders",
                "etude.llm", "etude.learner")),
    # Built on the domain: the critic reads scores, the claim checker reads theory.
    ("analysis", ("etude.critic", "etude.claims")),
    # Lessons set theory drills and check compositions with the critic.
    ("teaching", ("etude.lessons",)),
    # One turn's data and where it persists: the graph's state, the attachment it carries
    # (``attachments`` validates a score into ``state.Attachment``), and the checkpointer and
    # store (``sessions``), which the lesson tool opens when called outside a graph.
    # ``transcripts`` reads a lesson back from those checkpoints.
    ("turn", ("etude.state", "etude.attachments", "etude.sessions", "etude.transcripts")),
    # The tool machinery and the adapters over the domain.
    ("tools", ("etude.tools",)),
    # The graph's nodes: intake, router, tutor, remember, and the prompt text.
    ("nodes", ("etude.agents",)),
    # What assembles and drives the nodes. ``etude tools check`` runs the router over a
    # plug-in's examples, so it sits here, above the nodes, not with the tool machinery.
    ("application", ("etude.graph", "etude.mentor", "etude.finetune", "etude.tools.check")),
    # The ways in: HTTP, the command line and the Python API (``etude.api``, which the
    # package's own ``__init__`` names lazily: ``from etude import Mentor``).
    ("interfaces", ("etude.server", "etude.cli", "etude.__main__", "etude.api", "etude")),
)
# fmt: on
"""Bottom to top. A module belongs to its longest matching entry (``etude.tools.check`` is not
in ``etude.tools``'s layer); ``etude`` itself matches only the package's ``__init__``."""

KNOWN_EXCEPTIONS: Mapping[tuple[str, str], str] = {}
"""Upward imports tolerated for now, ``(importer, imported): why``; each must still exist, so a
fixed one is taken off the list. Empty: today's code keeps to the layers."""

TOOLS = "etude.tools"
TOOL_MACHINERY = frozenset(
    {TOOLS, f"{TOOLS}.base", f"{TOOLS}.registry", f"{TOOLS}.node", f"{TOOLS}.check"}
)
"""Modules under ``etude/tools/`` that are not adapters; every other one is a tool adapter."""

ADAPTERS = ("theory", "critic", "encoder", "lesson", "memory")
ADAPTER_MAX_LINES = 150


@dataclass(frozen=True)
class Import:
    """One import statement's edge in the module graph."""

    importer: str
    imported: str
    line: int
    names: tuple[str, ...] = ()
    """For ``from m import a, b``: ``("a", "b")``; empty when the module itself is imported."""
    deferred: bool = False
    """Inside a function: runs on the first call, not when the importer is imported."""
    type_only: bool = False
    """Under ``if TYPE_CHECKING:``: never runs."""

    def __str__(self) -> str:
        how = " (TYPE_CHECKING)" if self.type_only else " (in a function)" if self.deferred else ""
        what = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.importer}:{self.line} imports {self.imported}{what}{how}"


# --- reading the source ----------------------------------------------------------------------


def discover(package_dir: Path) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its ``__init__``)."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _known(name: str, known: set[str]) -> str | None:
    """The longest prefix of ``name`` that is one of the ``known`` modules."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in known:
            return candidate
    return None


def imports_of(module: str, path: Path, modules: Iterable[str]) -> list[Import]:
    """The edges from ``module`` to other modules in ``modules`` (third-party ones are left out)."""
    known = set(modules)
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def add(
        target: str, node: ast.stmt, names: tuple[str, ...], deferred: bool, typed: bool
    ) -> None:
        resolved = _known(target, known)
        if resolved is not None and resolved != module:
            found.append(Import(module, resolved, node.lineno, names, deferred, typed))

    def visit(nodes: Iterable[ast.AST], deferred: bool, typed: bool) -> None:
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name, node, (), deferred, typed)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = module.split(".")
                    base = base if is_package else base[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                plain: list[str] = []
                for alias in node.names:
                    submodule = f"{source}.{alias.name}"
                    if submodule in known:  # ``from etude.theory import chords``
                        add(submodule, node, (), deferred, typed)
                    else:
                        plain.append(alias.name)
                if plain:
                    add(source, node, tuple(plain), deferred, typed)
            elif isinstance(node, ast.If) and _is_type_checking(node.test):
                visit(node.body, deferred, True)
                visit(node.orelse, deferred, typed)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(ast.iter_child_nodes(node), True, typed)
            else:
                visit(ast.iter_child_nodes(node), deferred, typed)

    visit(ast.parse(path.read_text(), filename=str(path)).body, False, False)
    return found


def import_graph(package_dir: Path) -> tuple[dict[str, Path], list[Import]]:
    modules = discover(package_dir)
    edges = [edge for name, path in modules.items() for edge in imports_of(name, path, modules)]
    return modules, edges


# --- the rules -------------------------------------------------------------------------------


def find_cycles(edges: Iterable[Import]) -> list[list[Import]]:
    """One shortest cycle through each strongly connected group of modules (type-only imports
    left out: they never run)."""
    graph: dict[str, dict[str, Import]] = {}
    for edge in edges:
        if not edge.type_only:
            graph.setdefault(edge.importer, {}).setdefault(edge.imported, edge)
    cycles = []
    for group in _strongly_connected(graph):
        start = min(group)
        # breadth-first from ``start`` back to itself, inside the group
        paths: dict[str, list[Import]] = {start: []}
        queue = [start]
        while queue:
            current = queue.pop(0)
            for target, edge in sorted(graph.get(current, {}).items()):
                if target == start:
                    cycles.append([*paths[current], edge])
                    queue = []
                    break
                if target in group and target not in paths:
                    paths[target] = [*paths[current], edge]
                    queue.append(target)
    return cycles


def _strongly_connected(graph: Mapping[str, Mapping[str, Import]]) -> list[set[str]]:
    """Tarjan's algorithm; groups of one module only when it imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph.get(node, {}):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, {}):
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def layer_of(module: str, layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS) -> int | None:
    """The rank of the module's layer (0 = bottom), by its longest matching entry."""
    best: tuple[int, int] | None = None
    for rank, (_, entries) in enumerate(layers):
        for entry in entries:
            matches = module == entry or (entry != PACKAGE and module.startswith(entry + "."))
            if matches and (best is None or len(entry) > best[0]):
                best = (len(entry), rank)
    return None if best is None else best[1]


def upward_imports(
    edges: Iterable[Import],
    layers: tuple[tuple[str, tuple[str, ...]], ...] = LAYERS,
    exceptions: Mapping[tuple[str, str], str] = KNOWN_EXCEPTIONS,
) -> list[str]:
    """Imports from a lower layer into a higher one, with both layers named."""
    problems = []
    for edge in edges:
        low, high = layer_of(edge.importer, layers), layer_of(edge.imported, layers)
        if low is None or high is None or high <= low:
            continue
        if (edge.importer, edge.imported) in exceptions:
            continue
        problems.append(f"{edge}: layer '{layers[low][0]}' imports from '{layers[high][0]}'")
    return problems


def public_names(path: Path) -> set[str] | None:
    """The literal ``__all__`` of a module, or None when it declares none."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return None


def adapter_intrusions(edges: Iterable[Import], public: Mapping[str, set[str]]) -> list[str]:
    """Imports from outside ``etude.tools`` that reach past an adapter's ``__all__``.

    ``public`` maps each adapter module to its public names. Importing the adapter module
    itself (``import etude.tools.theory``, ``from etude.tools import theory``) counts as
    reaching everything in it.
    """
    problems = []
    for edge in edges:
        if edge.imported not in public or edge.importer.startswith(TOOLS + "."):
            continue
        private = sorted(set(edge.names) - public[edge.imported]) if edge.names else ["*"]
        if private:
            problems.append(
                f"{edge}: {', '.join(private)} not in {edge.imported}.__all__ "
                f"({', '.join(sorted(public[edge.imported]))})"
            )
    return problems


# --- the tests on Etude's own code -----------------------------------------------------------


@pytest.fixture(scope="module")
def graph() -> tuple[dict[str, Path], list[Import]]:
    return import_graph(PACKAGE_DIR)


def _adapters(modules: Mapping[str, Path]) -> dict[str, Path]:
    return {
        name: path
        for name, path in modules.items()
        if name.startswith(TOOLS + ".") and name not in TOOL_MACHINERY
    }


def test_the_reader_sees_the_whole_package(graph: tuple[dict[str, Path], list[Import]]) -> None:
    modules, edges = graph
    assert {"etude.theory.chords", "etude.tools.node", "etude.cli.app"} <= modules.keys()
    pairs = {(e.importer, e.imported): e for e in edges}
    assert ("etude.graph", "etude.agents.intake") in pairs
    assert pairs["etude.mentor", "etude.graph"].deferred


def test_no_import_cycles(graph: tuple[dict[str, Path], list[Import]]) -> None:
    cycles = find_cycles(graph[1])
    assert not cycles, "import cycles:\n" + "\n".join(
        " → ".join([c[0].importer, *(e.imported for e in c)])
        + "\n    "
        + "\n    ".join(map(str, c))
        for c in cycles
    )


def test_every_module_has_a_layer(graph: tuple[dict[str, Path], list[Import]]) -> None:
    unplaced = [name for name in graph[0] if layer_of(name) is None]
    assert not unplaced, f"modules in no layer (add them to LAYERS): {unplaced}"


def test_no_module_imports_from_a_layer_above_its_own(
    graph: tuple[dict[str, Path], list[Import]],
) -> None:
    problems = upward_imports(graph[1])
    assert not problems, "imports against the layering (LAYERS, bottom to top):\n" + "\n".join(
        problems
    )


def test_known_exceptions_still_exist(graph: tuple[dict[str, Path], list[Import]]) -> None:
    present = {(e.importer, e.imported) for e in graph[1]}
    assert not [pair for pair in KNOWN_EXCEPTIONS if pair not in present], "fixed: remove them"


def test_the_layering_keeps_the_music_at_the_bottom() -> None:
    """The promises the layering exists for, so that no one 'fixes' an upward import by moving
    a layer: the domain never depends on the tools, the nodes, the graph or the ways in, and
    the theory engine never on the critic or the lessons."""
    domain = ["etude.theory", "etude.scores", "etude.knowledge", "etude.encoders", "etude.llm",
              "etude.learner", "etude.attachments", "etude.critic", "etude.claims",
              "etude.lessons"]  # fmt: skip
    above = ["etude.tools", "etude.agents", "etude.graph", "etude.mentor", "etude.server",
             "etude.cli", "etude.finetune"]  # fmt: skip
    ranks = {name: layer_of(name) for name in [*domain, *above]}
    assert None not in ranks.values(), ranks
    rank = {name: value or 0 for name, value in ranks.items()}
    assert max(rank[d] for d in domain) < min(rank[a] for a in above)
    assert rank["etude.theory"] < min(rank["etude.critic"], rank["etude.lessons"])


def test_adapters_are_imported_only_for_their_public_names(
    graph: tuple[dict[str, Path], list[Import]],
) -> None:
    modules, edges = graph
    adapters = _adapters(modules)
    assert {name.rsplit(".", 1)[1] for name in adapters} >= set(ADAPTERS)
    public = {name: public_names(path) or set() for name, path in adapters.items()}
    undeclared = [name for name, names in public.items() if "TOOL" not in names]
    assert not undeclared, f"adapters without an __all__ that holds TOOL: {undeclared}"
    problems = adapter_intrusions(edges, public)
    assert not problems, (
        "tool adapters reached past their public names (import from etude.tools.base/registry/"
        "node/check, the domain package, or add the name to the adapter's __all__):\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapters_are_thin(adapter: str) -> None:
    lines = len((PACKAGE_DIR / "tools" / f"{adapter}.py").read_text().splitlines())
    assert lines <= ADAPTER_MAX_LINES, (
        f"etude/tools/{adapter}.py has {lines} lines (at most {ADAPTER_MAX_LINES}): "
        "move the work into its domain package"
    )


# --- the checker finds what it must (so the tests above can fail) ----------------------------


def _write(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "etude"


def test_reader_resolves_every_form_of_import(tmp_path: Path) -> None:
    package = _write(
        tmp_path,
        {
            "etude/__init__.py": "",
            "etude/config.py": "",
            "etude/theory/__init__.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n"
                "    from etude.theory.chords import spell\n"
            ),
            "etude/theory/chords.py": "import json\nfrom . import scales\nfrom ..config import X\n",
            "etude/theory/scales.py": (
                "import etude.config\n"
                "class Scale:\n"
                "    from etude.theory import chords\n"
                "def late():\n"
                "    from etude.tools.theory import TOOL, helper\n"
            ),
            "etude/tools/__init__.py": "",
            "etude/tools/theory.py": "",
        },
    )
    _, edges = import_graph(package)
    assert sorted(edges, key=lambda e: (e.importer, e.line)) == [
        Import("etude.theory", "etude.theory.chords", 3, ("spell",), type_only=True),
        Import("etude.theory.chords", "etude.theory.scales", 2),
        Import("etude.theory.chords", "etude.config", 3, ("X",)),
        Import("etude.theory.scales", "etude.config", 1),
        Import("etude.theory.scales", "etude.theory.chords", 3),
        Import("etude.theory.scales", "etude.tools.theory", 5, ("TOOL", "helper"), deferred=True),
    ]


def test_checker_reports_a_cycle_an_upward_import_and_an_intrusion(tmp_path: Path) -> None:
    package = _write(
        tmp_path,
        {
            "etude/__init__.py": "",
            "etude/theory/__init__.py": "",
            # a cycle through a deferred import, and one through TYPE_CHECKING (not a cycle)
            "etude/theory/a.py": "from etude.theory.b import x\n",
            "etude/theory/b.py": "def f():\n    from etude.theory import a\n",
            "etude/theory/c.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import etude.theory.d\n"
            ),
            "etude/theory/d.py": "import etude.theory.c\n",
            # the theory engine reaching up into a tool adapter's internals
            "etude/theory/e.py": "from etude.tools.theory import _private\n",
            "etude/tools/__init__.py": "",
            "etude/tools/theory.py": "__all__ = ['TOOL']\nfrom etude.theory import a\n",
        },
    )
    modules, edges = import_graph(package)
    cycles = find_cycles(edges)
    assert [[(e.importer, e.imported) for e in c] for c in cycles] == [
        [("etude.theory.a", "etude.theory.b"), ("etude.theory.b", "etude.theory.a")]
    ]
    layers = (("domain", ("etude.theory",)), ("tools", ("etude.tools",)))
    assert upward_imports(edges, layers, {}) == [
        "etude.theory.e:1 imports etude.tools.theory (_private): "
        "layer 'domain' imports from 'tools'"
    ]
    assert upward_imports(edges, layers, {("etude.theory.e", "etude.tools.theory"): "why"}) == []
    public = {"etude.tools.theory": public_names(modules["etude.tools.theory"]) or set()}
    assert adapter_intrusions(edges, public) == [
        "etude.theory.e:1 imports etude.tools.theory (_private): _private not in "
        "etude.tools.theory.__all__ (TOOL)"
    ]
    whole = [Import("etude.cli", "etude.tools.theory", 1)]
    assert adapter_intrusions(whole, public)[0].endswith(
        "* not in etude.tools.theory.__all__ (TOOL)"
    )
