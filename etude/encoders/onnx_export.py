"""Exporting a MusicBERT checkpoint to ONNX, for :mod:`etude.encoders.runtime`.

Needs torch and the ``onnx`` package (torch's exporter writes through it). The exporter used
is torch's TorchScript-based one (``dynamo=False``): on torch 2.13 it traces this model in
about a second, while the newer ``torch.export``-based exporter needs ``onnxscript`` as well.
It returns torch's answers to a probe input, so that the export is checked against the torch
model (``etude.encoders.runtime.check``) before anyone reads it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from etude.encoders.model_config import joint_ids, probe_voices
from etude.encoders.musicbert import MusicBert
from etude.encoders.octuple import PITCH

OPSET = 17
"""ONNX opset of the export (LayerNormalization is a single node from 17 on)."""


class _HiddenAndPitch(nn.Module):
    """The graph that is exported: joint ids (B, N, 8) → hidden states (B, N, H) and the pitch
    head's logits at every position (B, N, 128), as ``MusicBert.field_logits_at`` computes them
    for chosen positions."""

    def __init__(self, model: MusicBert) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, ids: torch.Tensor, voices: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        hidden, _ = self.model.hidden_states(ids, voices)
        batch, length, width = hidden.shape
        pitch = self.model.field_logits_at(hidden.reshape(-1, width), PITCH)[:, :128]
        return hidden, pitch.reshape(batch, length, 128)


def probe_ids(model: MusicBert, *, seed: int = 0) -> np.ndarray:
    """Joint ids (3, L, 8), L = 40 notes or the model's ``max_notes`` if fewer, of random
    field values, a third of the pitches masked and the last quarter of the second sequence
    padded: the shapes and cases the analysis feeds the graph."""
    rng = np.random.default_rng(seed)
    length = min(40, model.config.max_notes)
    sizes = np.asarray(model.config.vocab_sizes)
    tokens = (rng.random((3, length, 8)) * sizes).astype(np.int64)
    tokens[1, length - length // 4 :] = -1
    ids = joint_ids(model.config, tokens)
    masked = rng.random((3, length)) < 0.33
    ids[..., PITCH] = np.where(
        masked & (tokens[..., PITCH] >= 0), model.config.mask_id, ids[..., PITCH]
    )
    return ids


def export_graph(
    checkpoint: Path, target: Path, *, seed: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Write the export of ``checkpoint`` to ``target``; return a probe (a different seed
    from the one traced) with torch's answers to it, ``(ids, hidden, pitch_logits)``, for
    ``etude.encoders.runtime.check`` to compare the export with."""
    model = MusicBert.load(checkpoint)
    graph = _HiddenAndPitch(model).eval()
    example = probe_ids(model)
    inputs: tuple[torch.Tensor, ...] = (torch.as_tensor(example),)
    names = ["ids"]
    axes = {name: {0: "batch", 1: "notes"} for name in ("ids", "hidden", "pitch_logits")}
    voices = probe_voices(example, model.config)
    if voices is not None:  # a model with voice slots reads each note's slot beside its ids
        inputs, names = (*inputs, torch.as_tensor(voices)), [*names, "voices"]
        axes["voices"] = {0: "batch", 1: "notes"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            graph,
            inputs,
            str(target),
            dynamo=False,
            input_names=names,
            output_names=["hidden", "pitch_logits"],
            dynamic_axes=axes,
            opset_version=OPSET,
        )
        ids = probe_ids(model, seed=seed)
        slots = probe_voices(ids, model.config)
        hidden, pitch = graph(
            torch.as_tensor(ids), None if slots is None else torch.as_tensor(slots)
        )
    return ids, hidden.numpy(), pitch.numpy()
