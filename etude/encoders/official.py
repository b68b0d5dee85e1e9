"""Bringing the official MusicBERT (microsoft/muzic, fairseq) into Etude without fairseq.

The official release is a fairseq checkpoint (``checkpoint_last_musicbert_base.pt``) and its
``dict.txt``. :func:`import_fairseq_checkpoint` reads both, maps the weights onto
:class:`~etude.encoders.musicbert.MusicBert` and saves the folder format the rest of Etude loads
(``ETUDE_MUSICBERT=FOLDER``), so the conversion happens once and fairseq is never needed.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from etude.encoders.musicbert import (
    MusicBert,
    MusicBertConfig,
    config_from_fairseq,
    load_fairseq_state_dict,
    read_fairseq_dictionary,
)


class CheckpointError(ValueError):
    """The file is not a MusicBERT checkpoint this converter understands."""


def read_checkpoint(path: Path, *, trust: bool = False) -> dict[str, Any]:
    """The checkpoint as a dict, unpickled safely unless the user trusts the file.

    fairseq checkpoints are pickles; by default only tensors, containers and fairseq's
    ``argparse.Namespace`` of training arguments are allowed, so a hostile file cannot run
    code. ``trust`` lifts that for checkpoints that hold other objects.
    """
    try:
        if trust:
            blob = torch.load(path, map_location="cpu", weights_only=False)
        else:
            with torch.serialization.safe_globals([argparse.Namespace]):
                blob = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as error:  # torch raises UnpicklingError, RuntimeError, EOFError, ...
        hint = "" if trust else " (if you trust the file, try again with --trust)"
        raise CheckpointError(
            f"cannot read {path} as a PyTorch checkpoint{hint}: {error}"
        ) from error
    if not isinstance(blob, dict):
        raise CheckpointError(f"{path} holds a {type(blob).__name__}, not a checkpoint dict")
    return blob


def import_fairseq_checkpoint(
    checkpoint: Path, dictionary: Path, out: Path, *, trust: bool = False
) -> MusicBertConfig:
    """Convert an official MusicBERT checkpoint into a folder ``load_model`` can read."""
    blob = read_checkpoint(checkpoint, trust=trust)
    state = blob.get("model", blob)
    if not any(str(key).startswith("encoder.sentence_encoder.") for key in state):
        raise CheckpointError(f"{checkpoint} has no fairseq MusicBERT encoder weights")
    config = config_from_fairseq(state)
    heads = getattr(blob.get("args"), "encoder_attention_heads", None)
    if isinstance(heads, int) and heads > 0:  # the shapes cannot tell; the training args can
        config = replace(config, heads=heads)
    model = MusicBert(config)
    missing = load_fairseq_state_dict(model, state, read_fairseq_dictionary(dictionary))
    if missing:
        raise CheckpointError(f"{checkpoint} lacks parameters the model needs: {missing}")
    model.save(out)
    return config
