"""Choosing the decoder (CTranslate2 or transformers) and the CTranslate2 chat model's stream
rules, without the model: the generator (CTranslate2's C++ engine) is the one thing replaced,
by a scripted one that yields the tokens a tokenizer encodes; the integration test
(tests/integration/test_ct2_backend.py) runs the real converted model."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from etude.config import Settings
from etude.llm import usage
from etude.llm.ct2 import ChatPrompt, CT2ChatModel, converted_key
from etude.llm.gate import ModelGate
from etude.llm.loading import chosen_decoder

TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@pytest.fixture
def prompt_dir(tmp_path: Path) -> Path:
    """A real (tiny) byte-level BPE tokenizer, a chat template and the config naming EOS."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    corpus = ["G, B and D. The dominant of C major is G. système ♯ ♭ " * 3]
    tokenizer.train_from_iterator(corpus, trainer)
    tokenizer.save(str(tmp_path / "tokenizer.json"))
    (tmp_path / "chat_template.jinja").write_text(TEMPLATE)
    (tmp_path / "tokenizer_config.json").write_text(
        '{"eos_token": "<|im_end|>", "bos_token": "<|im_start|>"}'
    )
    return tmp_path


@dataclass
class _Step:
    token_id: int


class ScriptedGenerator:
    """Yields a fixed reply's token ids, one step each, as ``generate_tokens`` does, up to
    ``max_length``; records what it was asked and whether its stream was closed early."""

    def __init__(self, reply_ids: list[int]) -> None:
        self.reply_ids = reply_ids
        self.calls: list[dict[str, Any]] = []
        self.closed_after: int | None = None

    def generate_tokens(self, tokens: list[str], **options: Any) -> Iterator[_Step]:
        self.calls.append({"tokens": tokens, **options})
        produced = 0
        try:
            for token_id in self.reply_ids[: options["max_length"]]:
                produced += 1
                yield _Step(token_id)
        except GeneratorExit:
            self.closed_after = produced
            raise


def _model(prompt_dir: Path, reply: str, **fields: Any) -> tuple[CT2ChatModel, ScriptedGenerator]:
    prompt = ChatPrompt(prompt_dir)
    generator = ScriptedGenerator(prompt.tokenizer.encode(reply, add_special_tokens=False).ids)
    model = CT2ChatModel(generator=generator, prompt=prompt, gate=ModelGate(), **fields)
    return model, generator


MESSAGES = [SystemMessage("Be brief."), HumanMessage("Spell a G major triad.")]


def test_auto_runs_the_embedded_model_on_ctranslate2_and_others_on_transformers() -> None:
    assert chosen_decoder(Settings()) == "ctranslate2"
    assert chosen_decoder(Settings(model="/models/llama-2-7b-chat")) == "transformers"
    assert chosen_decoder(Settings(decoder="transformers")) == "transformers"
    assert chosen_decoder(Settings(model="/m", decoder="ctranslate2")) == "ctranslate2"


def test_without_ctranslate2_it_falls_back_to_transformers_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # what an absent package looks like
    with caplog.at_level(logging.WARNING, logger="etude.llm.loading"):
        assert chosen_decoder(Settings()) == "transformers"
        assert chosen_decoder(Settings(decoder="ctranslate2")) == "transformers"
        assert chosen_decoder(Settings(), quiet=True) == "transformers"
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2 and all("ctranslate2 is not installed" in line for line in lines)


def test_a_new_adapter_or_base_gets_a_new_conversion() -> None:
    assert converted_key("abc", "/base") == "abc-int8"
    assert converted_key("abd", "/base") != converted_key("abc", "/base")
    assert converted_key(None, "/base") != converted_key(None, "/other")


def test_the_prompt_is_the_chat_template_encoded_without_added_tokens(prompt_dir: Path) -> None:
    prompt = ChatPrompt(prompt_dir)
    text = prompt.text([{"role": "user", "content": "hi"}])
    assert text == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    ids = prompt.encode([{"role": "user", "content": "hi"}])
    assert ids[0] == prompt.tokenizer.token_to_id("<|im_start|>")
    assert prompt.decode(ids) == "user\nhi\nassistant\n"  # special tokens skipped
    assert prompt.eos_id == prompt.tokenizer.token_to_id("<|im_end|>")


def test_the_stream_is_the_reply_greedy_and_counted(prompt_dir: Path) -> None:
    reply = "The dominant of C major is G. système ♯"
    model, generator = _model(prompt_dir, reply)
    with usage.turn_usage() as count:
        pieces = [str(chunk.content) for chunk in model.stream(MESSAGES)]
    assert "".join(pieces) == reply
    assert not any("\ufffd" in piece for piece in pieces)  # no half characters
    [call] = generator.calls
    assert call["sampling_topk"] == 1 and call["max_length"] == 160
    assert call["end_token"] == [model.prompt.eos_id]
    assert call["tokens"] == model.prompt.tokens(model.prompt_ids(MESSAGES))
    reply_tokens = len(generator.reply_ids)
    # the reply ended before its budget: the end-of-sequence token counts, as in transformers
    assert (count.prompt, count.completion) == (len(call["tokens"]), reply_tokens + 1)
    assert model.gate.depth == 0 and model.gate.generations == 1


def test_max_tokens_caps_the_reply(prompt_dir: Path) -> None:
    model, generator = _model(prompt_dir, "G, B and D. The dominant of C major is G.")
    with usage.turn_usage() as count:
        text = model.invoke(MESSAGES, max_tokens=3).content
    assert generator.calls[0]["max_length"] == 3
    assert text == model.prompt.decode(generator.reply_ids[:3])
    assert count.completion == 3  # the budget ran out: no end token to count


def test_a_stop_sequence_ends_the_text_and_the_decode(prompt_dir: Path) -> None:
    model, generator = _model(prompt_dir, "G, B and D. The dominant of C major is G.")
    text = model.invoke(MESSAGES, stop=[". The"]).content
    assert text == "G, B and D"
    assert generator.closed_after is not None
    assert generator.closed_after < len(generator.reply_ids)
    assert model.gate.depth == 0


def test_a_reader_that_stops_reading_stops_the_decode(prompt_dir: Path) -> None:
    model, generator = _model(prompt_dir, "G, B and D. The dominant of C major is G.")
    stream = model.stream(MESSAGES)
    next(stream)
    stream.close()
    assert generator.closed_after is not None
    assert generator.closed_after < len(generator.reply_ids)
    assert model.gate.depth == 0


def test_a_model_with_nothing_to_add_streams_one_empty_chunk(prompt_dir: Path) -> None:
    """The tuned adapter ends a bridge it cannot verify at once; LangChain's stream raised "No
    generation chunks were returned" for that, and the tutor reported a failed model."""
    model, _ = _model(prompt_dir, "")
    chunks = list(model.stream(MESSAGES))  # raised "No generation chunks were returned"
    assert chunks and "".join(str(chunk.content) for chunk in chunks) == ""
    assert model.invoke(MESSAGES).content == ""
