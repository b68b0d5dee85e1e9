"""Chat-model backends: a local transformers model (the default), LoRA adapters on top of it,
or any OpenAI-compatible server.

The public names are imported lazily, so ``etude.llm.gguf`` (torch and transformers only) can be
used where Etude's settings and LangChain are not installed, such as the lent GPU.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from etude.lazy import lazy_exports

if TYPE_CHECKING:
    from etude.llm.errors import ModelLoadError
    from etude.llm.loading import load_chat_model

__all__ = ["ModelLoadError", "load_chat_model"]


__getattr__ = lazy_exports(__name__, {"ModelLoadError": "errors", "load_chat_model": "loading"})
