"""A synthetic checkpoint in the official MusicBERT's (fairseq's) format, for loader tests.

The real ``checkpoint_last_musicbert_base.pt`` is 1 GB and not redistributable here; these
tensors have its key names and shapes (at any size), and the dictionary lists the fields'
symbols in an order of its own, as the official ``dict.txt`` does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from etude.encoders.musicbert import MusicBertConfig


def write_dictionary(config: MusicBertConfig, path: Path) -> None:
    symbols = [f"<{i}-{v}>" for i, size in enumerate(config.vocab_sizes) for v in range(size)]
    np.random.default_rng(0).shuffle(symbols)
    path.write_text("".join(f"{s} 1\n" for s in symbols))


def official_checkpoint(config: MusicBertConfig, symbols: list[str]) -> dict[str, torch.Tensor]:
    """A synthetic state dict with fairseq RoBERTa/MusicBERT key names and shapes."""
    g = torch.Generator().manual_seed(3)
    h, f, vocab = config.hidden, config.ffn, len(symbols)
    p = "encoder.sentence_encoder."
    state = {
        p + "embed_tokens.weight": torch.randn(vocab, h, generator=g),
        p + "embed_positions.weight": torch.randn(config.max_notes + 2, h, generator=g),
        p + "emb_layer_norm.weight": torch.ones(h),
        p + "emb_layer_norm.bias": torch.zeros(h),
        p + "downsampling.0.weight": torch.randn(h, 8 * h, generator=g),
        p + "downsampling.0.bias": torch.zeros(h),
        p + "upsampling.0.weight": torch.randn(8 * h, h, generator=g),
        p + "upsampling.0.bias": torch.zeros(8 * h),
        "encoder.lm_head.dense.weight": torch.randn(h, h, generator=g),
        "encoder.lm_head.dense.bias": torch.zeros(h),
        "encoder.lm_head.layer_norm.weight": torch.ones(h),
        "encoder.lm_head.layer_norm.bias": torch.zeros(h),
        "encoder.lm_head.weight": torch.randn(vocab, h, generator=g),
        "encoder.lm_head.bias": torch.randn(vocab, generator=g),
    }
    for i in range(config.layers):
        q = f"{p}layers.{i}."
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            state[q + f"self_attn.{proj}.weight"] = torch.randn(h, h, generator=g)
            state[q + f"self_attn.{proj}.bias"] = torch.zeros(h)
        state[q + "self_attn_layer_norm.weight"] = torch.ones(h)
        state[q + "self_attn_layer_norm.bias"] = torch.zeros(h)
        state[q + "fc1.weight"] = torch.randn(f, h, generator=g)
        state[q + "fc1.bias"] = torch.zeros(f)
        state[q + "fc2.weight"] = torch.randn(h, f, generator=g)
        state[q + "fc2.bias"] = torch.zeros(h)
        state[q + "final_layer_norm.weight"] = torch.ones(h)
        state[q + "final_layer_norm.bias"] = torch.zeros(h)
    return state
