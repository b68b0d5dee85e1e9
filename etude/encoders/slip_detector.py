"""A head on MusicBERT trained to say which note of a piece was moved: the wrong-note detector.

The masked model answers "how likely is this pitch here?" one note at a time; a wrong note is
one whose neighbours, read *together with it*, make no sense. So the detector reads the piece
unmasked, as a learner's piece arrives, and its own copy of MusicBERT's top layers, trained
on corpus windows with one note moved by ±1–2 semitones (as the wrong-note benchmark plants
them), scores every note against "no note was moved" (ELECTRA's replaced-token detection,
with realistic replacements). ``scripts/train_slip_detector.py`` trains it on a GPU.

It is trained in folds: each fold's head never sees the pieces of its fold, so the wrong-note
ranker (``etude.encoders.wrong_notes``), trained on those same corpus pieces, reads each
training piece through a head that has not seen it, and a learner's piece through all of
them (their mean).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from etude.encoders.model_config import (
    MusicBertConfig,
    half_overlapping_windows,
    joint_ids,
    note_slots,
)
from etude.encoders.octuple import BAR, DRUMS, INSTRUMENT, PITCH, POSITION

if TYPE_CHECKING:
    import torch
    from torch import nn

    from etude.encoders.musicbert import MusicBert
    from etude.encoders.surprise import ScoreDistributions

DETECTOR_FILE = "slip_detector.safetensors"
DETECTOR_CONFIG = "slip_detector.json"


def fold_of(name: str, folds: int) -> int:
    """The fold a corpus piece belongs to, by a hash of its name (not the held-out hash).

    >>> fold_of("bwv10.7.mxl", 2) in (0, 1)
    True
    """
    return int(hashlib.sha256(f"slip-fold:{name}".encode()).hexdigest(), 16) % folds


def canonical_order(tokens: np.ndarray) -> np.ndarray:
    """The row order the encoder gives notes (bar, position, instrument, pitch): a moved note
    is re-sorted among the notes of its onset as a re-encoded score would place it, so the
    detector cannot learn a note from being out of order.

    >>> t = np.zeros((3, 8), dtype=np.int64); t[:, PITCH] = [64, 60, 67]
    >>> canonical_order(t).tolist()
    [1, 0, 2]
    """
    keys = (tokens[:, PITCH], tokens[:, INSTRUMENT], tokens[:, POSITION], tokens[:, BAR])
    return np.lexsort(keys)


def plant_tokens(
    tokens: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, int] | None:
    """A copy of ``tokens`` with one pitched note moved by ±1 or ±2 semitones, re-sorted;
    with the order applied (to carry other per-row arrays along) and the moved row's index.

    >>> t = np.zeros((4, 8), dtype=np.int64)
    >>> t[:, PITCH], t[:, POSITION] = [60, 62, 64, 65], range(4)
    >>> moved, order, row = plant_tokens(t, np.random.default_rng(0))
    >>> int(np.abs(moved[:, PITCH] - t[order, PITCH]).sum()) in (1, 2)
    True
    >>> int(moved[row, POSITION]) == int(t[order[row], POSITION])
    True
    """
    pitched = np.nonzero((tokens[:, PITCH] < 128) & (tokens[:, INSTRUMENT] != DRUMS))[0]
    if not len(pitched):
        return None
    row = int(rng.choice(pitched))
    shift = int(rng.choice([-2, -1, 1, 2]))
    if not 0 <= tokens[row, PITCH] + shift < 128:
        shift = -shift
    moved = tokens.copy()
    moved[row, PITCH] += shift
    order = canonical_order(moved)
    return moved[order], order, int(np.nonzero(order == row)[0][0])


def detector_head(config: MusicBertConfig, layers: int) -> nn.Module:
    """The trainable part: ``layers`` encoder layers (initialised from MusicBERT's top ones by
    the training script), a score per note and one for "no note was moved"."""
    from torch import nn

    from etude.encoders.musicbert import EncoderLayer

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList(EncoderLayer(config) for _ in range(layers))
            self.note = nn.Linear(config.hidden, 1)
            self.none = nn.Linear(config.hidden, 1)

        def forward(
            self, x: torch.Tensor, padding: torch.Tensor
        ) -> tuple[torch.Tensor, torch.Tensor]:
            for layer in self.layers:
                x = layer(x, padding)
            notes = self.note(x).squeeze(-1).masked_fill(padding, float("-inf"))
            kept = (~padding).unsqueeze(-1).to(x.dtype)
            pooled = (x * kept).sum(1) / kept.sum(1).clamp(min=1.0)
            return notes, self.none(pooled).squeeze(-1)

    return Head()


@dataclass
class SlipDetector:
    """The trained heads of every fold over the checkpoint's MusicBERT."""

    base: MusicBert
    heads: list[nn.Module]
    layers: int

    @classmethod
    def load(cls, folder: Path, base: MusicBert) -> SlipDetector | None:
        """The detector saved beside the checkpoint in ``folder``, or None if there is none."""
        config_path, weights = folder / DETECTOR_CONFIG, folder / DETECTOR_FILE
        if not (config_path.is_file() and weights.is_file()):
            return None
        from safetensors.torch import load_file

        config = json.loads(config_path.read_text())
        state = load_file(str(weights))
        heads = []
        for fold in range(int(config["folds"])):
            head = detector_head(base.config, int(config["layers"]))
            prefix = f"fold{fold}."
            head.load_state_dict(
                {k[len(prefix) :]: v.float() for k, v in state.items() if k.startswith(prefix)}
            )
            heads.append(head.eval())
        return cls(base.eval(), heads, int(config["layers"]))

    def log_odds(
        self, tokens: np.ndarray, parts: np.ndarray | None = None, fold: int | None = None
    ) -> np.ndarray:
        """For every row of ``tokens`` (N, 8), the log-odds that it is the moved note rather
        than no note was moved: the mean over the folds' heads, or for a training piece of
        fold ``fold`` the one head that never saw it (head k trains on every fold but k).
        Pieces longer than the model's window are read in
        half-overlapping windows, each row from the one where it sits furthest from an edge;
        drum rows get -inf."""
        import torch

        tokens = np.asarray(tokens, dtype=np.int64)
        count, width = len(tokens), self.base.config.max_notes
        result = np.full(count, -np.inf)
        if count == 0:
            return result
        slots = note_slots(parts, self.base.config, count)
        heads = self.heads if fold is None else [self.heads[fold]]
        starts, owner = half_overlapping_windows(count, width)
        with torch.no_grad():
            for w, start in enumerate(starts):
                window = tokens[start : start + width].copy()
                window[:, BAR] -= window[0, BAR]
                ids = torch.as_tensor(joint_ids(self.base.config, window)[None])
                voice = torch.as_tensor(slots[start : start + width][None])
                depth = self.base.config.layers - self.layers
                states, padding = self.base.layer_states(ids, voice, depth=depth)
                below = states[-1]
                scores = []
                for head in heads:
                    notes, none = head(below, padding)
                    scores.append((notes - none[:, None])[0].float().numpy())
                mine = owner[start : start + len(window)] == w
                rows = np.arange(start, start + len(window))[mine]
                result[rows] = np.mean(scores, axis=0)[mine]
        result[tokens[:, INSTRUMENT] == DRUMS] = -np.inf
        return result


@lru_cache(maxsize=2)
def shipped_detector(folder: Path) -> SlipDetector | None:
    """The detector beside the checkpoint in ``folder`` over its torch model, loaded once."""
    from etude.encoders.embedding import load_model

    return SlipDetector.load(folder, load_model(folder))


_LAST: tuple[object, object, int | None, np.ndarray] | None = None
"""The last score's log-odds: the critic and the encoder tool both ask in one turn (kept by
identity with the distributions themselves, as ``etude.encoders.surprise`` keeps its pass)."""


def score_log_odds(
    found: ScoreDistributions, detector: SlipDetector, fold: int | None = None
) -> np.ndarray:
    """The detector's log-odds for every token row of a score read by
    ``etude.encoders.surprise`` (rows in ``found.rows``' numbering), each read with its part;
    ``fold``: a training piece's, as :meth:`SlipDetector.log_odds` reads it."""
    from etude.encoders.corpus import token_parts

    global _LAST
    last = _LAST
    if last is not None and last[0] is found and last[1] is detector and last[2] == fold:
        return last[3]
    parts = token_parts(found.notes, found.rows, len(found.tokens))
    result = detector.log_odds(found.tokens, parts, fold)
    _LAST = (found, detector, fold, result)
    return result
