"""MusicBERT's sizes, vocabulary layout and checkpoint digest, without PyTorch.

Why a module of its own: ``etude analyze`` runs the encoder through ONNX Runtime
(``etude.encoders.runtime``) and must not import torch (about 2.5 s of a 2-core machine's
cold start) just to read a checkpoint's ``config.json``. ``etude.encoders.musicbert`` imports
these names back, so ``from etude.encoders.musicbert import MusicBertConfig`` still works.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from etude.encoders.octuple import BAR, DEFAULT

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
PAD = 1


@dataclass(frozen=True)
class MusicBertConfig:
    """Sizes of a MusicBERT. ``base`` is the paper's; ``small`` is what we pre-train here."""

    vocab_sizes: tuple[int, ...] = DEFAULT.vocab_sizes
    hidden: int = 768
    layers: int = 12
    heads: int = 12
    ffn: int = 3072
    max_notes: int = 1024
    dropout: float = 0.1
    name: str = "musicbert-base"
    voices: int = 0
    """Voice slots read beside the octuples; 0 (the paper's layout) reads none. OctupleMIDI
    tells notes apart only by instrument, so in a chorale the four voices, all one program,
    are one stream of notes and a masked alto note is guessed without knowing which line it
    continues. Slot 0 means "voice not known"; see :func:`voice_slots`."""

    @classmethod
    def small(cls) -> MusicBertConfig:
        return cls(hidden=256, layers=4, heads=4, ffn=1024, name="musicbert-small")

    @property
    def offsets(self) -> list[int]:
        """Where each field's values start in the joint vocabulary (after the specials)."""
        starts = [len(SPECIALS)]
        for size in self.vocab_sizes[:-1]:
            starts.append(starts[-1] + size)
        return starts

    @property
    def mask_id(self) -> int:
        return len(SPECIALS) + sum(self.vocab_sizes)

    @property
    def joint_vocab(self) -> int:
        return self.mask_id + 1

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> MusicBertConfig:
        data = json.loads(text)
        data["vocab_sizes"] = tuple(data["vocab_sizes"])
        return cls(**data)


def voice_slots(parts: np.ndarray, voices: int) -> np.ndarray:
    """The voice slot of each note from the index of its part in the score (0 = the top
    part, as the score lists them; negative = not known): part k reads slot k + 1, parts
    beyond the last slot share it, and an unknown part reads slot 0.

    >>> voice_slots(np.array([0, 1, 3, 7, -1]), 5).tolist()
    [1, 2, 4, 4, 0]
    """
    parts = np.asarray(parts, dtype=np.int64)
    return np.where(parts < 0, 0, np.minimum(parts + 1, voices - 1))


def probe_voices(ids: np.ndarray, config: MusicBertConfig) -> np.ndarray | None:
    """Voice slots for the probe ``ids`` (every slot used, in turn) when the model reads them.

    >>> probe_voices(np.zeros((1, 3, 8)), MusicBertConfig(voices=2)).tolist()
    [[0, 1, 0]]
    """
    if not config.voices:
        return None
    return np.broadcast_to(np.arange(ids.shape[1]) % config.voices, ids.shape[:2]).copy()


def joint_ids(config: MusicBertConfig, tokens: np.ndarray) -> np.ndarray:
    """Field values (…, N, 8) → joint-vocabulary ids, as ``MusicBert.joint_ids`` computes them
    in torch; negative values mean <pad>.

    >>> config = MusicBertConfig.small()
    >>> joint_ids(config, np.array([[0, 0, 0, 60, 0, 0, 0, 0], [-1] * 8])).tolist()[1]
    [1, 1, 1, 1, 1, 1, 1, 1]
    >>> int(joint_ids(config, np.zeros((1, 8), dtype=np.int64))[0, 0]) == len(SPECIALS)
    True
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    ids = tokens + np.asarray(config.offsets, dtype=np.int64)
    return np.where(tokens < 0, PAD, ids)


def checkpoint_hash(folder: Path) -> str:
    """sha256 of the checkpoint's weights and config: what the corpus index and the ONNX export
    (``etude.encoders.runtime``) are valid for. Cached per
    file size and modification time, so a replaced checkpoint is hashed again."""
    files = [folder / "model.safetensors", folder / "config.json"]
    stamps = tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    return _hash(stamps)


@lru_cache(maxsize=4)
def _hash(stamps: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _, _ in stamps:
        with open(name, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def half_overlapping_windows(count: int, width: int) -> tuple[list[int], np.ndarray]:
    """Where the windows of ``width`` notes start that read ``count`` notes, each half
    overlapping the next (the last ending at the last note), and which window each note is
    read from: the one where it sits furthest from an edge. A note's score then never comes
    from a window that cuts its context short on one side when another does not.

    >>> half_overlapping_windows(3, 8)[0], half_overlapping_windows(3, 8)[1].tolist()
    ([0], [0, 0, 0])
    >>> starts, owner = half_overlapping_windows(10, 4)
    >>> starts, owner.tolist()
    ([0, 2, 4, 6], [0, 0, 0, 0, 1, 1, 2, 2, 3, 3])
    """
    starts = [0] if count <= width else list(range(0, count - width // 2, width // 2))
    starts = [min(s, max(count - width, 0)) for s in starts]
    owner = np.zeros(count, dtype=np.int64)
    if len(starts) > 1:
        centres = np.array([s + min(width, count - s) / 2 for s in starts])
        owner = np.abs(np.arange(count)[:, None] - centres[None, :]).argmin(1)
    return starts, owner


def note_slots(parts: np.ndarray | None, config: MusicBertConfig, count: int) -> np.ndarray:
    """The voice slot of each of ``count`` notes for a model that reads them (``voice_slots``
    of their parts), else every note in slot 0 ("not known").

    >>> note_slots(np.array([0, 1]), MusicBertConfig(voices=4), 2).tolist()
    [1, 2]
    >>> note_slots(None, MusicBertConfig(voices=4), 2).tolist()
    [0, 0]
    """
    if parts is not None and config.voices:
        return voice_slots(parts, config.voices)
    return np.zeros(count, dtype=np.int64)


def embed_windows(
    hidden: Callable[[np.ndarray, np.ndarray], np.ndarray],
    config: MusicBertConfig,
    tokens: np.ndarray,
    voices: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Bar vectors (bars, H) and a piece vector (H): ``hidden`` maps one window's joint ids
    (1, L, 8) and voice slots (1, L) to its hidden states (L, H); ``voices`` are the notes'
    slots (``voice_slots``; None: every note's voice unknown, slot 0). Pieces longer than
    ``max_notes`` are read in consecutive windows; a bar's vector is the mean of its notes'
    hidden states, the piece's the mean of its bars'. Both runtimes embed through this, so they
    differ only in ``hidden``.

    >>> config = MusicBertConfig(hidden=2, layers=1, heads=1, ffn=2, max_notes=2)
    >>> tokens = np.zeros((3, 8), dtype=np.int64); tokens[2, BAR] = 1
    >>> fake = lambda ids, slots: np.arange(ids.shape[1] * 2, dtype=np.float32).reshape(-1, 2)
    >>> bars, piece = embed_windows(fake, config, tokens)
    >>> bars.tolist(), piece.tolist()
    ([[1.0, 2.0], [0.0, 1.0]], [0.5, 1.5])
    """
    tokens = np.asarray(tokens, dtype=np.int64)
    slots = (
        np.zeros(len(tokens), dtype=np.int64)
        if voices is None
        else np.asarray(voices, dtype=np.int64)
    )
    states = [
        hidden(
            joint_ids(config, tokens[start : start + config.max_notes])[None],
            slots[start : start + config.max_notes][None],
        )
        for start in range(0, len(tokens), config.max_notes)
    ]
    notes = np.concatenate(states) if states else np.zeros((0, config.hidden))
    bars = tokens[:, BAR]
    bar_vectors = np.stack([notes[bars == b].mean(0) for b in np.unique(bars)])
    return bar_vectors, bar_vectors.mean(0)
