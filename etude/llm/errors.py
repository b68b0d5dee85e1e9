"""The chat-model error the CLI maps to exit code 2, in a module that imports nothing.

Why apart from ``etude.llm.loading``: every ``etude`` command catches it, and importing the
loader (LangChain's model classes) cost ~0.9 s of each process's start, ``etude analyze``'s
included, which never loads a chat model. ``etude.llm.loading`` re-exports it.
"""

from __future__ import annotations


class ModelLoadError(RuntimeError):
    """The configured model cannot be loaded; the message says what to change."""
