"""Chat-model backends: a local transformers model (the default), LoRA adapters on top of it,
or any OpenAI-compatible server."""

from etude.llm.loading import ModelLoadError, load_chat_model

__all__ = ["ModelLoadError", "load_chat_model"]
