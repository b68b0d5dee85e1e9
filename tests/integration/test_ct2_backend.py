"""The CTranslate2 decoder on the real embedded model: converted once from the merged model
(base + shipped adapter), prompts encoded exactly as transformers encodes them, a short
greedy reply streamed and counted, and the conversion reused by the next load."""

from __future__ import annotations

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from etude.config import Settings
from etude.llm import usage
from etude.llm.chat_model import to_chat_turns
from etude.llm.ct2 import CT2ChatModel, is_converted
from etude.llm.loading import (
    EMBEDDED_CACHE_NAME,
    _converted_dir,
    ct2_model_dir,
    embedded_model_ready,
    load_chat_model,
)

pytestmark = pytest.mark.integration

pytest.importorskip("ctranslate2")

MESSAGES = [
    SystemMessage("You are a music theory tutor. Answer in one sentence."),
    HumanMessage("Which notes make up a G major triad?"),
]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.from_env().with_overrides(decoder="ctranslate2", max_new_tokens=8)


@pytest.fixture(scope="module")
def model(settings: Settings) -> CT2ChatModel:
    chat = load_chat_model(settings)
    assert isinstance(chat, CT2ChatModel)
    return chat


def test_the_converted_model_is_kept_and_the_loader_reports_it_ready(
    model: CT2ChatModel, settings: Settings
) -> None:
    source = str(settings.model_cache_dir / EMBEDDED_CACHE_NAME)
    target = _converted_dir(settings, source)
    assert is_converted(target) and embedded_model_ready(settings)
    statuses: list[str] = []
    assert ct2_model_dir(settings, source, statuses.append) == target
    assert statuses == []  # nothing merged or converted again
    # the base alone is another model, so another conversion
    assert _converted_dir(settings.with_overrides(adapter="none"), source) != target


def test_prompts_are_the_tokens_transformers_would_feed(model: CT2ChatModel) -> None:
    from transformers import AutoTokenizer

    source = Settings.from_env().model_cache_dir / EMBEDDED_CACHE_NAME
    tokenizer = AutoTokenizer.from_pretrained(source)
    for messages in (MESSAGES, [HumanMessage("Spell an E♭ major seventh chord — please.")]):
        expected = tokenizer.apply_chat_template(
            to_chat_turns(messages), add_generation_prompt=True, return_dict=True
        )["input_ids"]
        assert model.prompt_ids(messages) == list(expected)


def test_a_short_greedy_reply_streams_and_is_counted(model: CT2ChatModel) -> None:
    with usage.turn_usage() as count:
        pieces = [str(chunk.content) for chunk in model.stream(MESSAGES, max_tokens=6)]
    text = "".join(pieces)
    assert text.strip() and len(pieces) > 1  # token by token, not one block
    assert count.prompt == len(model.prompt_ids(MESSAGES))
    assert 1 <= count.completion <= 6
    again = model.invoke(MESSAGES, max_tokens=6).content
    assert again == text  # greedy: the same words every time
