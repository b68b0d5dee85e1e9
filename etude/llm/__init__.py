"""Chat-model backends: a local transformers model (the default), LoRA adapters on top of it,
or any OpenAI-compatible server.

The public names are imported lazily, so ``etude.llm.gguf`` (torch and transformers only) can be
used where Etude's settings and LangChain are not installed, such as the lent GPU.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etude.llm.loading import ModelLoadError, load_chat_model

__all__ = ["ModelLoadError", "load_chat_model"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("etude.llm.loading"), name)
    raise AttributeError(f"module 'etude.llm' has no attribute {name!r}")
