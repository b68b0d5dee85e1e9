"""A local transformers causal LM as a LangChain chat model.

Wrapping it as a ``BaseChatModel`` means the tutor talks to the embedded SmolLM2, a Llama-2 with
our adapter, or a remote vLLM server through the same interface, and LangGraph's streaming sees
the tokens.

The model and its caches are not thread-safe: every generation passes the process-wide
:data:`etude.llm.gate.IN_PROCESS_MODEL` gate, so the server's turns may run side by side while
their prose is written one at a time.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from etude.llm import usage
from etude.llm.gate import IN_PROCESS_MODEL, ModelGate, off_the_places

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "user"}


def to_chat_turns(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """LangChain messages as the role/content dicts chat templates expect.

    >>> from langchain_core.messages import HumanMessage, SystemMessage
    >>> to_chat_turns([SystemMessage("s"), HumanMessage("hi")])
    [{'role': 'system', 'content': 's'}, {'role': 'user', 'content': 'hi'}]
    """
    turns: list[dict[str, str]] = []
    for message in messages:
        role = _ROLES.get(message.type, "user")
        content = message.content if isinstance(message.content, str) else str(message.content)
        if turns and turns[-1]["role"] == role and role != "system":
            turns[-1]["content"] += "\n\n" + content
        else:
            turns.append({"role": role, "content": content})
    return turns


def llama2_prompt(turns: list[dict[str, str]]) -> str:
    """Llama-2-chat's ``[INST] <<SYS>>`` format, for tokenizers that ship no chat template.

    >>> llama2_prompt([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"}])
    '<s>[INST] <<SYS>>\\nS\\n<</SYS>>\\n\\nQ [/INST]'
    """
    system = ""
    if turns and turns[0]["role"] == "system":
        system, turns = turns[0]["content"], turns[1:]
    out: list[str] = []
    pending_system = f"<<SYS>>\n{system}\n<</SYS>>\n\n" if system else ""
    for turn in turns:
        if turn["role"] == "user":
            out.append(f"<s>[INST] {pending_system}{turn['content']} [/INST]")
            pending_system = ""
        else:
            out.append(f" {turn['content']} </s>")
    return "".join(out)


class LocalStreamingModel(BaseChatModel):
    """A model that decodes in this process: ``_generation`` yields its pieces; ``_stream`` and
    ``_generate`` are the same for every such backend (transformers, CTranslate2)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str = "local"
    max_new_tokens: int = 160
    temperature: float = 0.0
    repetition_penalty: float = 1.0
    """Above 1.0 it also penalises the prompt's tokens: the very facts the reply must repeat."""
    gate: ModelGate = Field(default=IN_PROCESS_MODEL, exclude=True)
    """Generations wait here for the model, one at a time: the model is not thread-safe, and on
    2 cores a second decode only slows the first (batching across learners is the way to share
    them)."""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # Off the server's working places while waiting for the model and reading its words:
        # the decode runs on the backend's own threads, and other turns' tools need the place.
        with off_the_places():
            yield from at_least_one(self._generation(messages, stop, run_manager, **kwargs))

    @abstractmethod
    def _generation(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """The backend's decode, piece by piece (empty when the model ends at once)."""

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "max_new_tokens": self.max_new_tokens}

    def _budget(self, overrides: dict[str, Any]) -> int:
        """The call's token budget: ``max_tokens`` (the name the OpenAI-compatible backend
        takes too, so a caller need not know the backend) caps ``max_new_tokens``."""
        cap = overrides.pop("max_tokens", None) or overrides.pop("max_new_tokens", None)
        return min(cap, self.max_new_tokens) if cap else self.max_new_tokens

    def _temperature(self, overrides: dict[str, Any]) -> float:
        """The call's temperature; 0 (the default) decodes greedily."""
        return float(overrides.pop("temperature", self.temperature) or 0.0)


class LocalChatModel(LocalStreamingModel):
    """A Hugging Face causal LM and tokenizer, run in-process."""

    hf_model: Any = Field(exclude=True)
    tokenizer: Any = Field(exclude=True)

    @property
    def _llm_type(self) -> str:
        return "etude-transformers"

    def _inputs(self, messages: list[BaseMessage]) -> dict[str, Any]:
        turns = to_chat_turns(messages)
        if getattr(self.tokenizer, "chat_template", None):
            encoded = self.tokenizer.apply_chat_template(
                turns, add_generation_prompt=True, return_dict=True, return_tensors="pt"
            )
        else:
            encoded = self.tokenizer(
                llama2_prompt(turns), return_tensors="pt", add_special_tokens=False
            )
        device = getattr(self.hf_model, "device", None)
        return {k: v.to(device) if device is not None else v for k, v in dict(encoded).items()}

    def _generation_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """Generation settings for ``generate``; see ``_budget`` and ``_temperature``."""
        kwargs: dict[str, Any] = {
            "max_new_tokens": self._budget(overrides),
            "repetition_penalty": self.repetition_penalty,
            "pad_token_id": self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
        }
        temperature = self._temperature(overrides)
        if temperature > 0:
            kwargs.update(do_sample=True, temperature=temperature, top_p=0.9)
        else:
            kwargs.update(do_sample=False)
        return kwargs

    def _generation(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        # The tokenizer is the model's too (its padding state is not thread-safe): the gate is
        # taken before the prompt is encoded.
        self.gate.acquire()
        try:
            inputs = self._inputs(messages)
        except BaseException:
            self.gate.release()
            raise
        prompt_tokens = int(inputs["input_ids"].shape[-1])
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []
        written: list[int] = []
        cancelled = threading.Event()

        class _Cancelled(StoppingCriteria):
            """Ends generation as soon as the consumer stops reading (a stop sequence, the
            tutor cutting a loop, a closed connection) instead of decoding into the void."""

            def __call__(self, input_ids: Any, scores: Any, **_: Any) -> bool:
                return cancelled.is_set()

        def work() -> None:
            try:
                with torch.inference_mode():
                    output = self.hf_model.generate(
                        **inputs,
                        streamer=streamer,
                        stopping_criteria=StoppingCriteriaList([_Cancelled()]),
                        **self._generation_kwargs(**kwargs),
                    )
                written.append(int(output.shape[-1]) - prompt_tokens)
            except BaseException as exc:  # surfaced in the caller's thread below
                failure.append(exc)
                streamer.end()

        def generate() -> None:
            # The decode owns the gate until it ends, whatever its reader does: a reader that
            # stops reading sets ``cancelled`` (below), and one that is never closed still
            # lets the decode run out its token budget into the streamer's unbounded queue.
            try:
                work()
            finally:
                self.gate.release()

        thread = threading.Thread(target=generate, daemon=True)
        try:
            thread.start()
        except BaseException:
            self.gate.release()
            raise
        emitted = ""
        finished = False
        try:
            for piece in streamer:
                if not piece:
                    continue
                if stop:
                    candidate = emitted + piece
                    cut = min((candidate.find(s) for s in stop if s in candidate), default=-1)
                    if cut >= 0:
                        piece = candidate[len(emitted) : cut]
                        if piece:
                            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
                        break
                emitted += piece
                if run_manager:
                    run_manager.on_llm_new_token(piece)
                yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
            else:
                finished = True
        finally:
            cancelled.set()
            if not finished:
                for _ in streamer:  # drain so the worker is never blocked on a full queue
                    pass
            thread.join()
            usage.record(prompt_tokens, written[0] if written else 0)
        if failure:
            raise failure[0]


def at_least_one(chunks: Iterator[ChatGenerationChunk]) -> Iterator[ChatGenerationChunk]:
    """``chunks``, or one empty chunk when there are none.

    A model with nothing to add ends its turn at once (the tuned adapter learned to, for a bridge
    it cannot verify), and LangChain's ``stream`` raises "No generation chunks were returned"
    for a stream that yields nothing, which the tutor would report as a failed model.

    >>> [c.text for c in at_least_one(iter([]))]
    ['']
    >>> [c.text for c in at_least_one(iter([ChatGenerationChunk(message=AIMessageChunk("Hi"))]))]
    ['Hi']
    """
    empty = True
    for chunk in chunks:
        empty = False
        yield chunk
    if empty:
        yield ChatGenerationChunk(message=AIMessageChunk(content=""))
