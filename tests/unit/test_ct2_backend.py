"""Choosing the decoder (CTranslate2 or transformers) and the CTranslate2 chat model's stream
rules, without the model: the generator (CTranslate2's C++ engine) is the one thing replaced,
by a scripted one that yields the tokens a tokenizer encodes; the integration test
(tests/integration/test_ct2_backend.py) runs the real converted model."""

from __future__ import annotations

import logging
import sys
import threading
import time
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
    batch_id: int
    is_last: bool


class ScriptedGenerator:
    """``generate_batch`` with a per-step callback, as CTranslate2 runs it: each sequence of
    the batch yields its scripted reply's ids up to ``max_length``, and one whose callback
    returns True is stopped alone. Records each batch and how far each sequence went."""

    def __init__(self, *replies: list[int]) -> None:
        self.replies = {i: ids for i, ids in enumerate(replies)}
        self.by_prompt: dict[tuple[str, ...], list[int]] = {}
        self.calls: list[dict[str, Any]] = []
        self.produced: list[int] = []
        self.step_s = 0.0
        """Seconds a step takes (a real decode is not instant; a reader can stop midway)."""

    def generate_batch(self, prompts: list[list[str]], **options: Any) -> None:
        self.calls.append({"prompts": prompts, **options})
        callback = options["callback"]
        replies = [self.by_prompt.get(tuple(p), self.replies[0]) for p in prompts]
        replies = [r[: options["max_length"]] for r in replies]
        produced = [0] * len(prompts)
        live = set(range(len(prompts)))
        for step in range(max(len(r) for r in replies)):
            time.sleep(self.step_s)
            for index in sorted(live):
                reply = replies[index]
                if step >= len(reply):
                    live.discard(index)
                    continue
                produced[index] += 1
                last = step == len(reply) - 1
                if callback(_Step(reply[step], index, last)) or last:
                    live.discard(index)
        self.produced = produced


def _model(prompt_dir: Path, reply: str, **fields: Any) -> tuple[CT2ChatModel, ScriptedGenerator]:
    prompt = ChatPrompt(prompt_dir)
    generator = ScriptedGenerator(prompt.tokenizer.encode(reply, add_special_tokens=False).ids)
    generator.reply_ids = generator.replies[0]  # type: ignore[attr-defined]
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
    [tokens] = call["prompts"]
    assert tokens == model.prompt.tokens(model.prompt_ids(MESSAGES))
    reply_tokens = len(generator.reply_ids)
    # the reply ended before its budget: the end-of-sequence token counts, as in transformers
    assert (count.prompt, count.completion) == (len(tokens), reply_tokens + 1)
    _settled(model)
    assert model.gate.generations == 1


def test_max_tokens_caps_the_reply(prompt_dir: Path) -> None:
    model, generator = _model(prompt_dir, "G, B and D. The dominant of C major is G.")
    with usage.turn_usage() as count:
        text = model.invoke(MESSAGES, max_tokens=3).content
    assert generator.calls[0]["max_length"] == 3
    assert text == model.prompt.decode(generator.reply_ids[:3])
    assert count.completion == 3  # the budget ran out: no end token to count


def test_a_stop_sequence_ends_the_text_and_the_decode(prompt_dir: Path) -> None:
    model, generator = _model(prompt_dir, "G, B and D. The dominant of C major is G.")
    generator.step_s = 0.05
    text = model.invoke(MESSAGES, stop=[". The"]).content
    assert text == "G, B and D"
    _settled(model)
    assert generator.produced[0] < len(generator.reply_ids)


def test_a_reader_that_stops_reading_stops_the_decode(prompt_dir: Path) -> None:
    model, generator = _model(prompt_dir, "G, B and D. The dominant of C major is G.")
    generator.step_s = 0.05
    model.gate.acquire()  # the batch starts only once the reader has stopped
    stream = model.stream(MESSAGES)
    reader = threading.Thread(target=lambda: (next(stream), stream.close()))
    reader.start()
    time.sleep(0.2)
    model.gate.release()
    reader.join(5)
    _settled(model)
    # the reader stopped after its first words: the batch ended its sequence soon after
    assert 1 <= generator.produced[0] < len(generator.reply_ids) - 5


def test_concurrent_generations_share_one_batch_each_with_its_own_reply(
    prompt_dir: Path,
) -> None:
    model, generator = _model(prompt_dir, "G, B and D.")
    other = [HumanMessage("And a D major triad?")]
    other_reply = model.prompt.tokenizer.encode("D, F# and A.", add_special_tokens=False).ids
    generator.by_prompt[tuple(model.prompt.tokens(model.prompt_ids(other)))] = other_reply
    texts: dict[str, str] = {}

    def ask(name: str, messages: list[Any]) -> None:
        with usage.turn_usage() as count:
            texts[name] = str(model.invoke(messages).content)
        texts[name + " tokens"] = str(count.completion)

    model.gate.acquire()  # the model is busy: both requests gather for the next batch
    threads = [
        threading.Thread(target=ask, args=("one", MESSAGES)),
        threading.Thread(target=ask, args=("two", other)),
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    model.gate.release()
    for thread in threads:
        thread.join(5)
    assert texts["one"] == "G, B and D." and texts["two"] == "D, F# and A."
    assert texts["two tokens"] == str(len(other_reply) + 1)
    assert model.batcher.batches == [2]
    _settled(model)


def _settled(model: CT2ChatModel) -> None:
    """Wait (briefly) for the batch worker to hand the model back."""
    deadline = time.monotonic() + 5
    while model.gate.depth and time.monotonic() < deadline:
        time.sleep(0.01)
    assert model.gate.depth == 0
