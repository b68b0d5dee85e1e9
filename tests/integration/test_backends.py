"""The chat-model backends on the real embedded weights: base, base + LoRA adapter, and an
OpenAI-compatible server (a minimal one on loopback standing in for vLLM / llama.cpp)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import torch
from langchain_core.messages import HumanMessage

from etude.config import Settings
from etude.llm.loading import embedded_model_dir, load_chat_model

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def adapter_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LoRA adapter made with peft on the embedded model, with non-zero B so it matters."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(embedded_model_dir(Settings.from_env()))
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"]))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0, 0.5)
    path = tmp_path_factory.mktemp("adapter")
    model.save_pretrained(path)
    return path


def test_adapter_changes_the_model(adapter_dir: Path) -> None:
    settings = Settings.from_env().with_overrides(
        cpu_dtype="float32", max_new_tokens=8, decoder="transformers"
    )
    base = load_chat_model(settings)
    tuned = load_chat_model(settings.with_overrides(adapter=str(adapter_dir)))
    prompt = [HumanMessage("Name the notes of a C major triad.")]
    inputs = base._inputs(prompt)  # type: ignore[attr-defined]
    with torch.no_grad():
        base_logits = base.hf_model(**inputs).logits  # type: ignore[attr-defined]
        tuned_logits = tuned.hf_model(**inputs).logits  # type: ignore[attr-defined]
    assert not torch.allclose(base_logits, tuned_logits)


def test_the_merged_model_is_kept_and_loaded_back_unchanged(
    adapter_dir: Path, tmp_path: Path
) -> None:
    """Merging the adapter costs ~15 s on a CPU: the first load keeps the merged model, later
    loads read it back with the same weights; a changed adapter is merged again."""
    from etude.llm.loading import load_transformers_model

    base = str(embedded_model_dir(Settings.from_env()))
    cache = tmp_path / "merged"
    statuses: list[str] = []
    _, merged = load_transformers_model(
        base, adapter=str(adapter_dir), cpu_dtype="float32", merged_cache=cache
    )
    [kept] = list(cache.iterdir())
    assert (kept / "config.json").is_file()
    tokenizer, reloaded = load_transformers_model(
        base,
        adapter=str(adapter_dir),
        cpu_dtype="float32",
        merged_cache=cache,
        status=statuses.append,
    )
    assert not any("Applying adapter" in line for line in statuses), statuses
    inputs = tokenizer("Name the notes of a C major triad.", return_tensors="pt")
    with torch.no_grad():
        assert torch.allclose(merged(**inputs).logits, reloaded(**inputs).logits, atol=1e-5)
    changed = tmp_path / "changed-adapter"
    changed.mkdir()
    for path in adapter_dir.iterdir():
        (changed / path.name).write_bytes(path.read_bytes())
    load_transformers_model(base, adapter=str(changed), cpu_dtype="float32", merged_cache=cache)
    assert len(list(cache.iterdir())) == 2
    # a third merge prunes the least recently used one (the first, loaded before the second)
    load_transformers_model(base, adapter=str(changed), cpu_dtype="bfloat16", merged_cache=cache)
    assert len(list(cache.iterdir())) == 2 and not kept.exists()


def test_missing_adapter_is_a_clear_error(tmp_path: Path) -> None:
    from etude.llm.loading import ModelLoadError

    settings = Settings.from_env().with_overrides(adapter=str(tmp_path / "nope"))
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_chat_model(settings)


class _OpenAIStub(BaseHTTPRequestHandler):
    """Answers /v1/chat/completions the way OpenAI-compatible servers stream."""

    requests: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _OpenAIStub.requests.append(body)
        words = ["G", ", B", " and D", "."]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i, word in enumerate(words):
            chunk = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {
                        "index": 0,
                        "delta": {"content": word},
                        "finish_reason": "stop" if i == len(words) - 1 else None,
                    }
                ],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture()
def openai_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _OpenAIStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_compatible_backend_streams(openai_server: str) -> None:
    settings = Settings.from_env().with_overrides(
        openai_base_url=openai_server, openai_model="etude-test"
    )
    model = load_chat_model(settings)
    text = "".join(str(c.content) for c in model.stream([HumanMessage("G major triad?")]))
    assert text == "G, B and D."
    assert _OpenAIStub.requests[-1]["model"] == "etude-test"


def test_openai_backend_asks_for_the_adapter_and_caps_tokens_under_both_names(
    openai_server: str, tmp_path: Path
) -> None:
    """vLLM serves a LoRA adapter under its own model name (``--lora-modules NAME=PATH``);
    Ollama reads ``max_tokens`` and ignores ``max_completion_tokens``."""
    adapter = tmp_path / "smollm2-etude"
    settings = Settings.from_env().with_overrides(
        openai_base_url=openai_server, openai_model="base", adapter=str(adapter), max_new_tokens=99
    )
    model = load_chat_model(settings)
    "".join(str(c.content) for c in model.stream([HumanMessage("G major triad?")], max_tokens=48))
    sent = _OpenAIStub.requests[-1]
    assert sent["model"] == "smollm2-etude"
    assert sent["max_tokens"] == sent["max_completion_tokens"] == 48
    model.invoke([HumanMessage("and D major?")])
    assert _OpenAIStub.requests[-1]["max_tokens"] == 99


def test_the_embedded_model_counts_its_tokens_even_when_the_reader_stops_early() -> None:
    """``/metrics``' model tokens: the prompt and what ``generate`` wrote, also for a stream
    the tutor cut short (the tokens were spent all the same)."""
    from etude.llm import usage

    model = load_chat_model(
        Settings.from_env().with_overrides(max_new_tokens=12, decoder="transformers")
    )
    prompt = [HumanMessage("Name the notes of a C major triad.")]
    with usage.turn_usage() as whole:
        "".join(str(c.content) for c in model.stream(prompt))
    assert whole.calls == 1
    assert whole.prompt == model._inputs(prompt)["input_ids"].shape[-1]  # type: ignore[attr-defined]
    assert 0 < whole.completion <= 12
    with usage.turn_usage() as cut:
        for _ in model.stream(prompt):
            break
    assert cut.calls == 1 and 0 < cut.completion <= 12
