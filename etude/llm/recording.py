"""A chat model that records what it is asked and answers nothing.

It stands where the real model stands in the graph, so what it records is exactly what the tutor
sends (system prompt with the turn's evidence, history, question, and the token budget); its
empty answer leaves the reply as the computed blocks alone. The bridge dataset
(``etude.finetune.bridge_data``) and the decoder benchmark (``bench/decoder_speed.py``) collect
real prompts with it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field


class RecordingChatModel(BaseChatModel):
    """Keeps every message list it is sent (``calls``) with its ``max_tokens`` (``budgets``).

    >>> from langchain_core.messages import HumanMessage
    >>> model = RecordingChatModel()
    >>> model.invoke([HumanMessage("Spell G7")], max_tokens=48).content
    ''
    >>> [m.content for m in model.calls[0]], model.budgets
    (['Spell G7'], [48])
    """

    calls: list[list[BaseMessage]] = Field(default_factory=list)
    budgets: list[int | None] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "recording"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append(list(messages))
        self.budgets.append(kwargs.get("max_tokens"))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(""))])
