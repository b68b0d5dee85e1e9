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
from typing import Any


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


_NOT_COPIED = ("GGUF.", "general.architecture", "general.file_type", "general.quantization_version")
"""Keys the writer sets itself, or that describe the source's quantisation, not ours."""


def export_gguf(source: Path, model: Any, target: Path) -> Path:
    """Write ``model`` (a Llama-architecture transformers model, e.g. the embedded base with a
    tuned adapter merged in) as a GGUF file llama.cpp and Ollama can run.

    Everything that is not a weight — the tokenizer, its merges, the chat template, the
    architecture's sizes — is copied from ``source``, the GGUF the base model came from, so the
    export tokenises exactly as the original. Weights are written as float16 (norms as
    float32), in llama.cpp's tensor names, with the query and key projections put back into
    the rotary layout llama.cpp expects (transformers undoes it when it reads a GGUF).
    Written to a temporary name and renamed, so a crash leaves no half-written file.
    """
    import gguf
    import numpy as np

    reader = gguf.GGUFReader(source)
    architecture = str(reader.fields["general.architecture"].contents())
    if architecture != "llama":
        raise ValueError(f"only Llama-architecture models can be exported, not {architecture!r}")
    config = model.config
    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, config.num_hidden_layers)
    staging = target.with_name(f".{target.name}.partial")
    writer = gguf.GGUFWriter(staging, architecture)
    for key, field in reader.fields.items():
        if key.startswith(_NOT_COPIED):
            continue
        kinds = field.types
        if kinds[0] == gguf.GGUFValueType.ARRAY:
            writer.add_key_value(key, field.contents(), kinds[0], sub_type=kinds[-1])
        else:
            writer.add_key_value(key, field.contents(), kinds[0])
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    tied = bool(getattr(config, "tie_word_embeddings", False))
    for hf_name, tensor in model.state_dict().items():
        if tied and hf_name == "lm_head.weight":
            continue  # the output layer is the embedding, as in the source
        name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if name is None:
            raise ValueError(f"no llama.cpp name for tensor {hf_name!r}")
        data = tensor.detach().float().cpu().numpy()
        if name.endswith("attn_q.weight"):
            data = rotary_layout(data, config.num_attention_heads)
        elif name.endswith("attn_k.weight"):
            data = rotary_layout(data, config.num_key_value_heads)
        writer.add_tensor(name, data.astype(np.float16 if data.ndim > 1 else np.float32))
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        staging.replace(target)
    finally:
        staging.unlink(missing_ok=True)
    return target


def rotary_layout(weight: Any, heads: int) -> Any:
    """A query or key projection with each head's rows reordered from transformers' rotary
    layout (the two halves of a head rotate together) to llama.cpp's (neighbouring rows
    rotate together): row ``s * d/2 + i`` of a head of ``d`` rows goes to row ``2 * i + s``.

    >>> import numpy as np
    >>> rotary_layout(np.arange(8).reshape(8, 1), heads=2).ravel().tolist()
    [0, 2, 1, 3, 4, 6, 5, 7]
    """
    rows = weight.shape[0]
    return (
        weight.reshape(heads, 2, rows // heads // 2, *weight.shape[1:])
        .swapaxes(1, 2)
        .reshape(weight.shape)
    )
