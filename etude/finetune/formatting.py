"""Examples as model input: the chat template, token ids, and which tokens carry the loss.

A model whose tokenizer ships a chat template (SmolLM2, Llama-2-chat from Hugging Face) is
trained in that template; one without gets Llama-2's ``[INST] <<SYS>>`` format from
``llama2_prompt``, the same function the live chat model falls back to. The prompt is rendered
exactly as ``LocalChatModel`` renders it at inference time, and only the final reply (with its
end-of-turn marker, so the model learns to stop) contributes to the loss.

Everything here works on plain ``{"role", "content"}`` dicts as stored in the split files, so
training and evaluation import neither pydantic nor LangChain: the GPU machine lacks both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

IGNORE_INDEX = -100
"""Label value the loss skips: prompt tokens are context, not targets."""

Message = Mapping[str, str]


def read_records(path: str | Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The raw rows of one split file (the first ``limit`` if given), without validation."""
    rows: list[dict[str, Any]] = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(rows) >= limit:
                break
            if line.strip():
                rows.append(json.loads(line))
    return rows


def has_chat_template(tokenizer: Any) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def render(tokenizer: Any, turns: Sequence[Message], *, add_generation_prompt: bool) -> str:
    """The conversation as text in the model's format.

    Without a chat template the Llama-2 format is used; ``add_generation_prompt`` is implied by
    a conversation that ends on a user turn (``[/INST]`` is the generation prompt).
    """
    dicts = [{"role": t["role"], "content": t["content"]} for t in turns]
    if has_chat_template(tokenizer):
        return str(
            tokenizer.apply_chat_template(
                dicts, tokenize=False, add_generation_prompt=add_generation_prompt
            )
        )
    from etude.llm.chat_model import llama2_prompt  # LangChain: only for template-less models

    return llama2_prompt(dicts)


def prompt_and_reply(tokenizer: Any, messages: Sequence[Message]) -> tuple[str, str]:
    """The text the model is given and the text it must produce (end-of-turn marker included).

    >>> class Plain:  # a tokenizer without a chat template gets the Llama-2 format
    ...     chat_template = None
    >>> turns = [{"role": "system", "content": "S"}, {"role": "user", "content": "Q"},
    ...          {"role": "assistant", "content": "A."}]
    >>> prompt_and_reply(Plain(), turns)
    ('<s>[INST] <<SYS>>\\nS\\n<</SYS>>\\n\\nQ [/INST]', ' A. </s>')
    """
    prompt = render(tokenizer, messages[:-1], add_generation_prompt=True)
    full = render(tokenizer, messages, add_generation_prompt=False)
    if not full.startswith(prompt):
        raise ValueError(
            "the chat template renders the prompt differently with and without the reply; "
            "cannot mark the reply tokens"
        )
    return prompt, full[len(prompt) :]


def tokenize_messages(
    tokenizer: Any, messages: Sequence[Message], max_length: int
) -> dict[str, list[int]] | None:
    """``input_ids`` and ``labels`` (prompt masked with ``IGNORE_INDEX``; trl uses a ``labels``
    column as is); None when the prompt alone fills ``max_length``, since such an example would
    teach nothing."""
    prompt, reply = prompt_and_reply(tokenizer, messages)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    reply_ids = tokenizer(reply, add_special_tokens=False)["input_ids"]
    room = max_length - len(prompt_ids)
    if room < 4:
        return None
    reply_ids = reply_ids[:room]
    return {
        "input_ids": [*prompt_ids, *reply_ids],
        "labels": [IGNORE_INDEX] * len(prompt_ids) + list(reply_ids),
    }


def generation_prompt(tokenizer: Any, messages: Sequence[Message]) -> str:
    """The prompt to generate the final reply from, as the live tutor would send it."""
    return prompt_and_reply(tokenizer, messages)[0]
