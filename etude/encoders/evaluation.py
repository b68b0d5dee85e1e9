"""How we judge an encoder: linear probes on frozen piece embeddings, and masked-token accuracy.

A linear probe (multinomial logistic regression on fixed features) asks whether the
embedding makes a piece's collection or composer linearly separable; comparing a pre-trained
encoder with the same architecture randomly initialised and with hand-made musical features
tells whether pre-training learned anything beyond the architecture or the obvious statistics.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from etude.encoders.musicbert import MusicBert, bar_level_mask
from etude.encoders.octuple import BAR, DURATION, INSTRUMENT, PITCH, POSITION, VELOCITY


def handcrafted_features(tokens: np.ndarray) -> np.ndarray:
    """Pitch-class, interval, register, duration, onset-position and velocity histograms.

    >>> handcrafted_features(np.array([[0, 0, 0, 60, 8, 20, 9, 30]])).shape
    (113,)
    """
    pitch = tokens[:, PITCH] % 128
    parts = [
        np.bincount(pitch % 12, minlength=12),
        np.bincount(np.clip(np.diff(pitch) + 12, 0, 24), minlength=25)
        if len(pitch) > 1
        else np.zeros(25),
        np.bincount(pitch // 12, minlength=11)[:11],
        np.bincount(np.minimum(tokens[:, DURATION], 31), minlength=32),
        np.bincount(tokens[:, POSITION] % 16, minlength=16),
        np.bincount(tokens[:, VELOCITY] // 4, minlength=8)[:8],
        np.bincount(np.minimum(tokens[:, INSTRUMENT] // 16, 8), minlength=9),
    ]
    histogram = np.concatenate([p / max(1, p.sum()) for p in parts]).astype(np.float32)
    return histogram


def linear_probe(
    train_x: np.ndarray,
    train_y: np.ndarray,
    test_x: np.ndarray,
    test_y: np.ndarray,
    *,
    epochs: int = 300,
    weight_decay: float = 1e-3,
    seed: int = 0,
) -> float:
    """Test accuracy of a logistic regression trained on standardised features."""
    torch.manual_seed(seed)
    mean, std = train_x.mean(0), train_x.std(0) + 1e-6
    xs = torch.as_tensor((train_x - mean) / std, dtype=torch.float32)
    xt = torch.as_tensor((test_x - mean) / std, dtype=torch.float32)
    classes = int(max(train_y.max(), test_y.max())) + 1
    layer = torch.nn.Linear(xs.shape[1], classes)
    optimiser = torch.optim.Adam(layer.parameters(), lr=1e-2, weight_decay=weight_decay)
    targets = torch.as_tensor(train_y, dtype=torch.long)
    for _ in range(epochs):
        loss = torch.nn.functional.cross_entropy(layer(xs), targets)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        predicted = layer(xt).argmax(1).numpy()
    return float((predicted == test_y).mean())


@torch.no_grad()
def piece_embeddings(
    model: MusicBert, pieces: Sequence[np.ndarray], *, batch_size: int = 32
) -> np.ndarray:
    """(pieces, H): the piece vector :meth:`MusicBert.embed` gives, for many pieces at once.

    One piece at a time leaves a CPU mostly waiting on Python; here every piece's windows of
    ``max_notes`` notes are sorted by length and run in padded batches (padding is masked, so
    the vectors are the same up to rounding), which makes probing thousands of pieces practical.
    """
    model.eval()
    device = model.embed_tokens.weight.device
    size = model.config.max_notes
    if any(len(piece) == 0 for piece in pieces):
        raise ValueError("a piece without notes has no embedding")
    windows = [(i, start) for i, piece in enumerate(pieces) for start in range(0, len(piece), size)]
    windows.sort(key=lambda w: min(size, len(pieces[w[0]]) - w[1]))
    states: dict[tuple[int, int], np.ndarray] = {}
    for first in range(0, len(windows), batch_size):
        chunk = windows[first : first + batch_size]
        lengths = [min(size, len(pieces[i]) - start) for i, start in chunk]
        ids = np.full((len(chunk), max(lengths), 8), -1, dtype=np.int64)
        for row, ((i, start), length) in enumerate(zip(chunk, lengths, strict=True)):
            ids[row, :length] = pieces[i][start : start + length]
        hidden, _ = model.hidden_states(model.joint_ids(torch.as_tensor(ids, device=device)))
        hidden_np = hidden.float().cpu().numpy()
        for row, (key, length) in enumerate(zip(chunk, lengths, strict=True)):
            states[key] = hidden_np[row, :length]
    rows = []
    for i, piece in enumerate(pieces):
        notes = np.concatenate([states.pop((i, start)) for start in range(0, len(piece), size)])
        _, bar_of_note = np.unique(piece[:, BAR], return_inverse=True)
        sums = np.zeros((bar_of_note.max() + 1, notes.shape[1]))
        np.add.at(sums, bar_of_note, notes)
        rows.append((sums / np.bincount(bar_of_note)[:, None]).mean(0))
    return np.stack(rows).astype(np.float32)


@torch.no_grad()
def masked_token_accuracy(
    model: MusicBert, pieces: Sequence[np.ndarray], *, rate: float = 0.15, seed: int = 0
) -> dict[str, float]:
    """Share of bar-level-masked field values the model predicts exactly, per field."""
    from etude.encoders.octuple import FIELDS

    model.eval()
    device = model.embed_tokens.weight.device
    generator = torch.Generator(device=device).manual_seed(seed)
    right = np.zeros(8)
    total = np.zeros(8)
    for piece in pieces:
        tokens = torch.as_tensor(piece[: model.config.max_notes].astype(np.int64), device=device)[
            None
        ]
        batch = bar_level_mask(model, tokens, rate=rate, generator=generator)
        logits = model(batch.ids)
        for index, field_logits in enumerate(logits):
            chosen = batch.targets[..., index] != -100
            if chosen.any():
                guess = field_logits.argmax(-1)
                right[index] += int((guess[chosen] == batch.targets[..., index][chosen]).sum())
                total[index] += int(chosen.sum())
    result = {name: float(right[i] / total[i]) for i, name in enumerate(FIELDS) if total[i]}
    result["all"] = float(right.sum() / max(1, total.sum()))
    return result
