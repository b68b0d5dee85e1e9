"""Turning a GGUF checkpoint into a plain safetensors folder transformers loads in a second.

transformers de-quantises GGUF on every load (~20 s for SmolLM2 on this CPU) and refuses to
``save_pretrained`` a GGUF-loaded model, so the weights are copied once into a plain
``LlamaForCausalLM`` built from the same config and saved. This module needs only torch and
transformers (no Etude settings), so the GPU benchmark script, which runs where Etude's other
dependencies are not installed, converts the same way as the mentor does.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def dequantise(gguf: Path, target: Path) -> Path:
    """``target`` holding the GGUF's weights as float32 safetensors, with its tokenizer.

    Written into a staging folder beside ``target`` and renamed into place, so a crash never
    leaves a half-written model that a later start would take for a finished one.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    config = loaded.config
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")
    plain = LlamaForCausalLM(config)  # type: ignore[arg-type]
    plain.load_state_dict(loaded.state_dict(), strict=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        plain.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
