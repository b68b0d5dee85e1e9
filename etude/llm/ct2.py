"""The embedded model on CTranslate2 (int8): about twice transformers' speed on a CPU.

transformers decodes SmolLM2-135M on a 2-core CPU at about 17 tokens a second, most of it
Python and PyTorch overhead per step, not arithmetic. CTranslate2 runs the same Llama graph in
C++ with int8 weights: 2x the tokens a second over real tutor prompts, ~3.5x per decode step, but
a slower first token on long prompts, and greedy text that differs from transformers'
bfloat16 on most prompts (bench/RESULTS.md, issue #23, "A faster CPU decoder"). The embedded
model is served this way by default (``ETUDE_DECODER``, see :class:`etude.config.Settings`);
training, GPUs and anyone who asks for it keep the transformers path.

- The model is converted once: the base with the adapter merged (the merged model that
  :mod:`etude.llm.loading` keeps) is written as a CTranslate2 directory beside the merged
  cache, keyed the same way, so a retrained adapter is converted again and never served stale.
- Generation needs neither torch nor transformers: the prompt is the tokenizer's own chat
  template rendered with jinja2 (as ``apply_chat_template`` does) and encoded with the
  ``tokenizers`` library; that keeps ``etude ask``'s cold start free of the ~6 s torch import.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

from etude import converted
from etude.llm import usage
from etude.llm.chat_model import LocalStreamingModel, llama2_prompt, to_chat_turns

log = logging.getLogger(__name__)

QUANTIZATION = "int8"
"""Weights' type in the converted model (``compute_type`` too); part of the cache's name."""

TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "chat_template.jinja",
    "special_tokens_map.json",
    "generation_config.json",
)
"""Copied into the converted directory, so it alone is enough to serve the model."""


def converted_key(merged_key: str | None, source: str) -> str:
    """The converted model's cache name: the merged model's key (which already covers the base,
    the adapter's files and the dtype) or, with no adapter, a digest of the base's path.

    >>> converted_key("8e3d827e0fd57558", "/any")
    '8e3d827e0fd57558-int8'
    >>> converted_key(None, "/a") != converted_key(None, "/b")
    True
    """
    if merged_key is None:
        merged_key = "base-" + hashlib.sha256(source.encode()).hexdigest()[:16]
    return f"{merged_key}-{QUANTIZATION}"


def is_converted(target: Path) -> bool:
    """Whether ``target`` holds a complete converted chat model, tokenizer included."""
    return converted.is_converted(target, needs=("model.bin", "tokenizer.json"))


def convert(source: Path, target: Path) -> Path:
    """Write ``source`` (a Hugging Face model directory with its tokenizer) as a CTranslate2
    int8 model at ``target``, with the tokenizer files that serving it needs."""
    return converted.convert(source, target, quantization=QUANTIZATION, copy=TOKENIZER_FILES)


class ChatPrompt:
    """A model's chat template and tokenizer without transformers: renders the turns as
    ``apply_chat_template(..., add_generation_prompt=True)`` does and encodes them the same way
    (no special tokens added; the template writes them), and turns ids back into text."""

    def __init__(self, directory: Path) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        config_path = directory / "tokenizer_config.json"
        config = json.loads(config_path.read_text()) if config_path.is_file() else {}
        template_path = directory / "chat_template.jinja"
        template = (
            template_path.read_text() if template_path.is_file() else config.get("chat_template")
        )
        self.special = {
            name: _token_text(config.get(name))
            for name in ("bos_token", "eos_token", "unk_token", "pad_token")
        }
        self.template: Any = None
        if template:
            from jinja2.sandbox import ImmutableSandboxedEnvironment

            env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
            self.template = env.from_string(template)
        eos = self.special.get("eos_token")
        self.eos_id: int | None = self.tokenizer.token_to_id(eos) if eos else None

    def text(self, turns: list[dict[str, str]]) -> str:
        if self.template is None:
            return llama2_prompt(turns)
        return str(
            self.template.render(
                messages=turns,
                add_generation_prompt=True,
                **{k: v for k, v in self.special.items() if v},
            )
        )

    def encode(self, turns: list[dict[str, str]]) -> list[int]:
        return list(self.tokenizer.encode(self.text(turns), add_special_tokens=False).ids)

    def tokens(self, ids: list[int]) -> list[str]:
        return [str(self.tokenizer.id_to_token(i)) for i in ids]

    def decode(self, ids: list[int]) -> str:
        return str(self.tokenizer.decode(ids, skip_special_tokens=True))


def _token_text(value: Any) -> str | None:
    if isinstance(value, dict):  # older tokenizer_config.json: {"content": "<s>", ...}
        value = value.get("content")
    return value if isinstance(value, str) else None


class CT2ChatModel(LocalStreamingModel):
    """A CTranslate2 generator as a LangChain chat model: the same prompts, stop and length
    rules and usage accounting as :class:`etude.llm.chat_model.LocalChatModel`."""

    generator: Any = Field(exclude=True)
    prompt: Any = Field(exclude=True)
    """A :class:`ChatPrompt`."""

    @property
    def _llm_type(self) -> str:
        return "etude-ctranslate2"

    def prompt_ids(self, messages: list[BaseMessage]) -> list[int]:
        return self.prompt.encode(to_chat_turns(messages))

    def _options(self, **overrides: Any) -> tuple[int, dict[str, Any]]:
        """The token budget and the generator's settings; ``max_tokens`` caps the length as
        in the other backends."""
        budget = self._budget(overrides)
        options: dict[str, Any] = {"repetition_penalty": self.repetition_penalty}
        temperature = self._temperature(overrides)
        if temperature > 0:
            options.update(sampling_topk=0, sampling_topp=0.9, sampling_temperature=temperature)
        else:
            options.update(sampling_topk=1)
        if self.prompt.eos_id is not None:
            options["end_token"] = [self.prompt.eos_id]
        return budget, options

    @staticmethod
    def _piece(text: str, run_manager: CallbackManagerForLLMRun | None) -> ChatGenerationChunk:
        if run_manager:
            run_manager.on_llm_new_token(text)
        return ChatGenerationChunk(message=AIMessageChunk(content=text))

    def _generation(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        run_manager: CallbackManagerForLLMRun | None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        budget, options = self._options(**kwargs)
        self.gate.acquire()
        ids: list[int] = []
        prompt_tokens = 0
        ended = False
        try:
            prompt = self.prompt_ids(messages)
            prompt_tokens = len(prompt)
            steps = self.generator.generate_tokens(
                self.prompt.tokens(prompt), max_length=budget, **options
            )
            emitted = ""
            try:
                for step in steps:
                    ids.append(int(step.token_id))
                    # Decoded whole each step: a character split across tokens shows as U+FFFD
                    # until its last byte arrives, so text is released only up to there.
                    text = self.prompt.decode(ids)
                    if text.endswith("\ufffd"):
                        continue
                    cut = _stop_at(text, stop)
                    if cut is not None:
                        if cut > len(emitted):
                            yield self._piece(text[len(emitted) : cut], run_manager)
                        return
                    safe = _safe_end(text, stop)
                    if safe > len(emitted):
                        yield self._piece(text[len(emitted) : safe], run_manager)
                        emitted = text[:safe]
                text = self.prompt.decode(ids)
                if len(text) > len(emitted):  # held back as a possible stop's beginning
                    yield self._piece(text[len(emitted) :], run_manager)
                ended = True
            finally:
                # Closing the iterator stops CTranslate2's decode: a reader that stops reading
                # (a stop sequence, the tutor cutting a loop, a closed connection) costs nothing.
                with contextlib.suppress(Exception):
                    steps.close()
        finally:
            self.gate.release()
            # transformers counts the end-of-sequence token it wrote; so is it counted here
            # (CTranslate2 does not yield it) when the model ended before its budget.
            written = len(ids) + (1 if ended and len(ids) < budget else 0)
            usage.record(prompt_tokens, written)


def _stop_at(text: str, stop: list[str] | None) -> int | None:
    """Where the first stop sequence in ``text`` begins, if one is there.

    >>> _stop_at("G, B and D. The", [". The"]), _stop_at("G, B", [". The"])
    (10, None)
    """
    found = [text.find(s) for s in stop or () if s and s in text]
    return min(found) if found else None


def _safe_end(text: str, stop: list[str] | None) -> int:
    """How much of ``text`` can be sent now: all but a tail that may be a stop sequence's
    beginning (it is sent once the next tokens show it is not).

    >>> _safe_end("G, B and D.", [". The"]), _safe_end("G, B and D", [". The"])
    (10, 10)
    """
    end = len(text)
    for sequence in stop or ():
        for size in range(min(len(sequence) - 1, len(text)), 0, -1):
            if text.endswith(sequence[:size]):
                end = min(end, len(text) - size)
                break
    return end


def load_ct2_chat_model(
    directory: Path,
    *,
    model_name: str,
    max_new_tokens: int,
    temperature: float,
) -> CT2ChatModel:
    """A :class:`CT2ChatModel` over a converted directory (see :func:`convert`)."""
    import ctranslate2

    generator = ctranslate2.Generator(
        str(directory),
        device="cpu",
        compute_type=QUANTIZATION,
        intra_threads=converted.threads(),
    )
    model = CT2ChatModel(
        generator=generator,
        prompt=ChatPrompt(directory),
        model_name=model_name,
        max_new_tokens=max_new_tokens,
        temperature=temperature,
    )
    atexit.register(_release, model)
    return model


def _release(model: CT2ChatModel) -> None:
    """Free the generator before the interpreter shuts down: a ``ctranslate2.Generator`` still
    alive when Python finalises can abort the process ("terminate called without an active
    exception", exit status 134; seen with a generator held in a module global and with one
    used from a worker thread, not so far through this loader), failing a command that
    otherwise succeeded."""
    model.generator = None
