"""Converting the official MusicBERT checkpoint: faithful weights, and safe unpickling."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import torch

from etude.encoders.embedding import load_model
from etude.encoders.musicbert import MusicBertConfig, read_fairseq_dictionary
from etude.encoders.official import CheckpointError, import_fairseq_checkpoint
from tests.fairseq_fixture import official_checkpoint, write_dictionary

SMALL = MusicBertConfig(hidden=64, layers=2, heads=2, ffn=128, max_notes=64)


class Gadget:
    """Any object a checkpoint should not be allowed to smuggle in."""


def fairseq_file(folder: Path, **extra: object) -> tuple[Path, Path, dict[str, torch.Tensor]]:
    write_dictionary(SMALL, folder / "dict.txt")
    state = official_checkpoint(SMALL, read_fairseq_dictionary(folder / "dict.txt"))
    blob = {"args": argparse.Namespace(encoder_attention_heads=2), "model": state, **extra}
    torch.save(blob, folder / "checkpoint_last_musicbert_base.pt")
    return folder / "checkpoint_last_musicbert_base.pt", folder / "dict.txt", state


def test_a_converted_checkpoint_loads_with_the_official_weights(tmp_path: Path) -> None:
    checkpoint, dictionary, state = fairseq_file(tmp_path)
    config = import_fairseq_checkpoint(checkpoint, dictionary, tmp_path / "converted")
    assert (config.hidden, config.layers, config.heads, config.max_notes) == (64, 2, 2, 64)
    model = load_model(tmp_path / "converted")
    assert model.config.heads == 2  # from the training arguments; shapes cannot tell
    official = state["encoder.sentence_encoder.layers.1.fc1.weight"]
    assert torch.allclose(model.layers[1].fc1.weight, official.half().float())


def test_an_unexpected_object_is_refused_unless_trusted(tmp_path: Path) -> None:
    checkpoint, dictionary, _ = fairseq_file(tmp_path, extra_state={"gadget": Gadget()})
    with pytest.raises(CheckpointError, match="--trust"):
        import_fairseq_checkpoint(checkpoint, dictionary, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    import_fairseq_checkpoint(checkpoint, dictionary, tmp_path / "out", trust=True)
    assert (tmp_path / "out" / "model.safetensors").exists()


def test_a_file_without_musicbert_weights_is_refused(tmp_path: Path) -> None:
    torch.save({"model": {"decoder.weight": torch.zeros(2)}}, tmp_path / "other.pt")
    write_dictionary(SMALL, tmp_path / "dict.txt")
    with pytest.raises(CheckpointError, match="no fairseq MusicBERT encoder"):
        import_fairseq_checkpoint(tmp_path / "other.pt", tmp_path / "dict.txt", tmp_path / "o")
