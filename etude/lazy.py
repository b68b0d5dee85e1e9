"""Public names of a package imported on first use (PEP 562), not when the package is.

``from etude.theory import notes_in`` must not pay for music21, and ``etude.llm.gguf`` must
load where LangChain is not installed: each package names where its public names live, and
this builds the module ``__getattr__`` that fetches them.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any


def lazy_exports(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.<home>`` for each public name.

    >>> getattr_ = lazy_exports("etude.theory", {"notes_in": "spelling"})
    >>> getattr_("notes_in")("C and E")
    ['C', 'E']
    """

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{home}"), name)

    return __getattr__
