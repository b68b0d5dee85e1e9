"""MusicBERT at inference without PyTorch: the checkpoint exported once to ONNX, run by ONNX
Runtime.

Why: a fresh ``etude analyze`` process spent most of its time on torch, not on music —
importing it (~2.5 s on a 2-core machine) and its first forward pass (~1 s of thread-pool and
kernel start-up) — against ~0.1 s each for importing ONNX Runtime and opening the exported
graph. The analysis (style estimate, surprise per note, pieces like yours) only runs the model
forward, so it runs the export; PyTorch stays the path for training, for making the export,
and for inference where ``onnxruntime`` is missing or the export cannot be made.

The export is one graph, joint ids (B, N, 8) → the last layer's hidden states (B, N, H) and the
pitch head's logits for every position (B, N, 128): the style estimate and the similar pieces
read the first, the surprise scores the second (the head costs little next to the layers, so
computing it for unmasked positions too is cheaper than a second graph). It lives in the
user's cache dir under the digest of the checkpoint's weights and config, so a replaced
checkpoint is exported again on first use and never read through a stale export; it is
written to a temporary name, checked against torch on a probe input, and only then renamed
into place.
"""

from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from etude.encoders.model_config import (
    PAD,
    MusicBertConfig,
    checkpoint_hash,
    embed_windows,
    probe_voices,
)

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1
"""Part of the export's file name: raise it when the exported graph's inputs or outputs change,
so exports made by an older Etude are not read."""

TOLERANCE = 1e-3
"""Largest difference allowed between the export and torch on the probe input, for the hidden
states and for the pitch log-probabilities (they agree to ~1e-5 in float32)."""


class EncoderModel(Protocol):
    """What the analysis needs of a MusicBERT, whichever runtime runs it
    (:class:`~etude.encoders.musicbert.MusicBert` in torch or :class:`OnnxMusicBert`)."""

    @property
    def config(self) -> MusicBertConfig: ...

    def embed(
        self, tokens: np.ndarray, voices: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Bar vectors (bars, H) and a piece vector (H) for one piece's octuples (``voices``:
        the notes' voice slots, for a model that reads them)."""
        ...

    def masked_pitch_probabilities(
        self, ids: np.ndarray, masked: np.ndarray, voices: np.ndarray | None = None
    ) -> np.ndarray:
        """p(pitch) (M, 128) at the M positions where ``masked`` (B, N) is true, in row-major
        order, for joint ids ``ids`` (B, N, 8) whose masked pitches are already <mask>
        (``voices`` (B, N): their voice slots)."""
        ...


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float32, as torch computes the pitch distributions.

    >>> softmax(np.array([[0.0, np.log(3.0)]])).round(3).tolist()
    [[0.25, 0.75]]
    """
    shifted = logits.astype(np.float32) - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    result: np.ndarray = exp / exp.sum(axis=-1, keepdims=True)
    return result


class OnnxMusicBert:
    """A MusicBERT checkpoint's export, run by ONNX Runtime (see the module docstring)."""

    def __init__(self, path: Path, config: MusicBertConfig) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about unused initialisers are not news
        # Idle worker threads sleep instead of spinning: on a shared 2-core machine (or in
        # `etude serve`, between requests) spinning burns a core that others need.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # OMP_NUM_THREADS caps the threads as it does for torch and CTranslate2 (a server that
        # answers several learners at once may want one per request); else ONNX Runtime's
        # default, one per physical core.
        given = os.environ.get("OMP_NUM_THREADS", "")
        if given.isdigit() and int(given) > 0:
            options.intra_op_num_threads = int(given)
        self.path = path
        self._config = config
        self._session = onnxruntime.InferenceSession(
            str(path), options, providers=["CPUExecutionProvider"]
        )

    @property
    def config(self) -> MusicBertConfig:
        return self._config

    def run(
        self, ids: np.ndarray, voices: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Hidden states (B, N, H) and pitch logits (B, N, 128) for joint ids (B, N, 8) (and,
        for a model with voice slots, the notes' slots (B, N); None: all unknown).

        ONNX Runtime's own errors (an id outside the vocabulary, a piece longer than the
        positions) become ``ValueError``, as torch's ``IndexError`` was for the analysis: the
        encoder section is then left out, never the whole analysis."""
        inputs = {"ids": np.ascontiguousarray(ids, np.int64)}
        if self._config.voices:
            inputs["voices"] = (
                np.zeros(ids.shape[:2], np.int64)
                if voices is None
                else np.ascontiguousarray(np.clip(voices, 0, self._config.voices - 1), np.int64)
            )
        try:
            hidden, pitch = self._session.run(None, inputs)
        except Exception as exc:  # onnxruntime's exception types share no useful base class
            raise ValueError(f"MusicBERT (ONNX Runtime) cannot read this input: {exc}") from exc
        return hidden, pitch

    def embed(
        self, tokens: np.ndarray, voices: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        return embed_windows(
            lambda ids, slots: self.run(ids, slots)[0][0], self._config, tokens, voices
        )

    def masked_pitch_probabilities(
        self, ids: np.ndarray, masked: np.ndarray, voices: np.ndarray | None = None
    ) -> np.ndarray:
        return softmax(self.run(ids, voices)[1][np.asarray(masked, dtype=bool)])


def onnxruntime_available() -> bool:
    """Whether ONNX Runtime can be imported (it is a dependency; a broken install falls back
    to torch rather than failing the analysis)."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export_path(checkpoint: Path, cache_dir: Path) -> Path:
    """Where the export of ``checkpoint`` lives: named by the digest of its weights and config
    (``checkpoint_hash``, as the corpus index is keyed) and by :data:`EXPORT_FORMAT`."""
    return (
        cache_dir / "musicbert-onnx" / f"{checkpoint_hash(checkpoint)[:32]}-f{EXPORT_FORMAT}.onnx"
    )


def load_onnx(checkpoint: Path, cache_dir: Path | None = None) -> OnnxMusicBert | None:
    """The checkpoint's export, exporting it first if the cache has none; None when ONNX
    Runtime is missing or the export cannot be made (the caller then uses torch). A failed
    export is logged once per process and not retried in it."""
    if not onnxruntime_available():
        return None
    if cache_dir is None:
        from etude.config import Settings

        cache_dir = Path(Settings.one_from_env("cache_dir"))
    try:
        target = export_path(checkpoint, cache_dir)
    except OSError:
        return None
    return _open(target, checkpoint)


@lru_cache(maxsize=4)
def _open(target: Path, checkpoint: Path) -> OnnxMusicBert | None:
    config = MusicBertConfig.from_json((checkpoint / "config.json").read_text())
    if not target.exists():
        try:
            export(checkpoint, target)
        except Exception as exc:  # any failure of the exporter means: run torch instead
            log.warning("MusicBERT: no ONNX export (%s); running it in PyTorch", exc)
            return None
    try:
        return OnnxMusicBert(target, config)
    except Exception as exc:  # a damaged file: export again next time
        log.warning("MusicBERT: the ONNX export %s cannot be opened (%s)", target, exc)
        target.unlink(missing_ok=True)
        return None


def export(checkpoint: Path, target: Path) -> Path:
    """Export ``checkpoint`` to ``target`` (needs torch and the ``onnx`` package), checked
    against torch (:func:`check`) before it is renamed into place, so a reader never sees a
    partial or unchecked file."""
    from etude.encoders.onnx_export import export_graph

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(suffix=".onnx.part", dir=target.parent)
    os.close(handle)
    try:
        reference = export_graph(checkpoint, Path(temporary))
        config = MusicBertConfig.from_json((checkpoint / "config.json").read_text())
        check(OnnxMusicBert(Path(temporary), config), *reference)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would keep it from other local users
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def check(
    model: OnnxMusicBert,
    ids: np.ndarray,
    hidden: np.ndarray,
    pitch_logits: np.ndarray,
    *,
    tolerance: float = TOLERANCE,
) -> float:
    """The largest difference between ``model`` and torch's ``hidden`` states and pitch
    log-probabilities for the probe ``ids`` (padding positions aside, they are no one's answer);
    ``ValueError`` above ``tolerance``."""
    real = ids[..., 0] != PAD
    got_hidden, got_pitch = model.run(ids, probe_voices(ids, model.config))
    worst = max(
        float(np.abs(got_hidden[real] - hidden[real]).max()),
        float(np.abs(_log_softmax(got_pitch[real]) - _log_softmax(pitch_logits[real])).max()),
    )
    if not worst <= tolerance:
        raise ValueError(
            f"the ONNX export differs from the torch model by {worst:.2e} (> {tolerance:g})"
        )
    return worst


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    result: np.ndarray = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return result


def describe(model: Any) -> str:
    """Which runtime runs ``model``, for benchmarks and ``etude doctor``-style reports.

    >>> describe(object())
    'pytorch'
    """
    return "onnxruntime" if isinstance(model, OnnxMusicBert) else "pytorch"
