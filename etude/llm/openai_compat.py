"""The chat model on an OpenAI-compatible server, as vLLM, llama.cpp's server and Ollama read it.

Two differences from OpenAI's own API matter to Etude:

- **The token cap.** langchain-openai sends only ``max_completion_tokens`` (OpenAI's newer name).
  vLLM and llama.cpp read it, Ollama's OpenAI endpoint ignores it and reads ``max_tokens``, so a
  tiny bridge budget (``agents.tutor.BRIDGE_TOKENS``) became "write until you stop" there. Both
  names are sent, with the same value.
- **The adapter.** vLLM serves a LoRA adapter as a model of its own name
  (``vllm serve BASE --enable-lora --lora-modules smollm2-etude=/path/to/adapter``): with
  ``ETUDE_ADAPTER`` set to an adapter folder or name, that name is the model asked for
  (``served_model``), so the tuned tutor answers and not the base model.

It also asks for token usage when streaming (``stream_options.include_usage``, which vLLM,
llama.cpp's server, Ollama and ``transformers serve`` all honour) and reports each call's
usage to :mod:`etude.llm.usage` for ``/metrics``. A stream the tutor stops reading early ends
before the server's usage chunk, so such a call is not counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI

from etude.config import DEFAULT_ADAPTER, Settings
from etude.llm import usage


def _record(message: Any) -> None:
    """Report a reply's ``usage_metadata`` (LangChain's form of the server's ``usage``)."""
    meta = getattr(message, "usage_metadata", None)
    if meta:
        usage.record(meta.get("input_tokens", 0), meta.get("output_tokens", 0))


class CompatibleChatOpenAI(ChatOpenAI):
    """``ChatOpenAI`` that states its token cap under both names and reports its token usage
    (see the module docstring)."""

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs):
            _record(chunk.message)
            yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        result = super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
        for generation in result.generations:
            _record(getattr(generation, "message", None))
        return result

    def _get_request_payload(
        self, input_: LanguageModelInput, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
        if payload.get("max_completion_tokens") is not None:
            payload["max_tokens"] = payload["max_completion_tokens"]
        return payload


def served_model(settings: Settings) -> str:
    """The model name to ask the server for: the adapter's, when ``ETUDE_ADAPTER`` names one
    (its folder's name, as ``--lora-modules NAME=PATH`` serves it), else ``ETUDE_OPENAI_MODEL``.

    >>> served_model(Settings(openai_model="base", adapter="/runs/smollm2-etude/"))
    'smollm2-etude'
    >>> served_model(Settings(openai_model="base", adapter="none"))
    'base'
    >>> served_model(Settings(openai_model="base"))  # the default adapter is the embedded model's
    'base'
    """
    adapter = settings.adapter
    if adapter is None or adapter.lower() == "none" or adapter == DEFAULT_ADAPTER:
        return settings.openai_model
    return Path(adapter).name or settings.openai_model


def openai_chat_model(settings: Settings) -> CompatibleChatOpenAI:
    return CompatibleChatOpenAI(
        base_url=settings.openai_base_url,
        model=served_model(settings),
        api_key=settings.openai_api_key,  # type: ignore[arg-type]
        temperature=settings.temperature,
        max_completion_tokens=settings.max_new_tokens,
        streaming=True,
        stream_usage=True,
    )
