"""MusicBERT through ONNX Runtime (``etude.encoders.runtime``): the same numbers as torch, an
export keyed by the checkpoint's content, torch as the fallback, and an analysis that never
imports torch.

The export is real (torch's exporter, then ONNX Runtime); nothing here is mocked except, in
the fallback test, whether ``onnxruntime`` can be imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from etude.encoders import runtime
from etude.encoders.embedding import CHECKPOINT, inference_model, load_model
from etude.encoders.musicbert import MusicBert, MusicBertConfig
from etude.encoders.octuple import Note, OctupleEncoder, Performance
from etude.encoders.surprise import pitch_distributions, score_piece

ROOT = Path(__file__).resolve().parents[3]


def _tiny(folder: Path, seed: int) -> MusicBert:
    """A small random MusicBERT saved as a checkpoint folder (fp16, as ``save`` writes it),
    returned as torch reads it back."""
    import torch

    torch.manual_seed(seed)
    MusicBert(
        MusicBertConfig(hidden=32, layers=2, heads=4, ffn=64, max_notes=64, name=f"tiny-{seed}")
    ).save(folder)
    return MusicBert.load(folder)


def _tokens(count: int = 90) -> np.ndarray:
    """A melody longer than the tiny model's window, so the windowed paths are exercised."""
    notes = [Note(i * 0.5, 0.5, 55 + (i * 7) % 17) for i in range(count)]
    return OctupleEncoder().encode(Performance(notes)).tokens


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Path]:
    runtime._open.cache_clear()
    yield tmp_path / "cache"
    runtime._open.cache_clear()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, runtime.OnnxMusicBert]:
    """A cache holding the shipped checkpoint's export (made once for this module)."""
    folder = tmp_path_factory.mktemp("shipped-cache")
    model = runtime.load_onnx(CHECKPOINT.resolve(), folder)
    assert model is not None
    return folder, model


def test_export_matches_torch(tmp_path: Path, cache: Path) -> None:
    torch_model = _tiny(tmp_path / "ckpt", seed=0)
    onnx_model = runtime.load_onnx(tmp_path / "ckpt", cache)
    assert isinstance(onnx_model, runtime.OnnxMusicBert)
    tokens = _tokens()
    for stride in (1, 4):
        theirs = pitch_distributions(torch_model, tokens, stride=stride)
        ours = pitch_distributions(onnx_model, tokens, stride=stride)
        assert np.abs(np.log(ours) - np.log(theirs)).max() < 1e-3
    (bars_t, piece_t), (bars_o, piece_o) = torch_model.embed(tokens), onnx_model.embed(tokens)
    assert bars_o.shape == bars_t.shape
    assert np.abs(bars_o - bars_t).max() < 1e-4 and np.abs(piece_o - piece_t).max() < 1e-4


def test_export_of_a_model_with_voice_slots_reads_them_as_torch_does(
    tmp_path: Path, cache: Path
) -> None:
    import torch

    torch.manual_seed(0)
    model = MusicBert(MusicBertConfig(hidden=32, layers=2, heads=4, ffn=64, voices=5, max_notes=64))
    with torch.no_grad():
        model.embed_voices.weight.normal_(0, 0.5)  # slots that differ, as after training
    model.save(tmp_path / "ckpt")
    torch_model = MusicBert.load(tmp_path / "ckpt")
    onnx_model = runtime.load_onnx(tmp_path / "ckpt", cache)
    assert isinstance(onnx_model, runtime.OnnxMusicBert)
    tokens = _tokens()
    parts = np.arange(len(tokens)) % 3
    theirs = pitch_distributions(torch_model, tokens, stride=4, parts=parts)
    ours = pitch_distributions(onnx_model, tokens, stride=4, parts=parts)
    assert np.abs(np.log(ours) - np.log(theirs)).max() < 1e-3
    unknown = pitch_distributions(onnx_model, tokens, stride=4)
    assert np.abs(np.log(unknown) - np.log(ours)).max() > 1e-2  # the parts were read
    slots = parts + 1
    (_, piece_t), (_, piece_o) = torch_model.embed(tokens, slots), onnx_model.embed(tokens, slots)
    assert np.abs(piece_o - piece_t).max() < 1e-4


def test_a_replaced_checkpoint_is_exported_again(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "ckpt"
    _tiny(folder, seed=0)
    first = runtime.load_onnx(folder, cache)
    replaced = _tiny(folder, seed=1)  # same folder, new weights (as a retrained checkpoint)
    second = runtime.load_onnx(folder, cache)
    assert first is not None and second is not None
    assert first.path != second.path and first.path.exists() and second.path.exists()
    tokens = _tokens(40)
    expected = pitch_distributions(replaced, tokens, stride=2)
    assert np.abs(pitch_distributions(second, tokens, stride=2) - expected).max() < 1e-4
    assert np.abs(pitch_distributions(first, tokens, stride=2) - expected).max() > 1e-3


def test_a_damaged_export_falls_back_to_torch_and_is_redone(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "ckpt"
    _tiny(folder, seed=0)
    target = runtime.export_path(folder, cache)
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not an onnx graph")
    assert runtime.load_onnx(folder, cache) is None  # this process: torch
    assert not target.exists()
    runtime._open.cache_clear()  # a later process
    assert isinstance(runtime.load_onnx(folder, cache), runtime.OnnxMusicBert)


def test_an_export_that_disagrees_with_torch_is_refused(tmp_path: Path, cache: Path) -> None:
    folder = tmp_path / "ckpt"
    torch_model = _tiny(folder, seed=0)
    exported = runtime.load_onnx(folder, cache)
    assert exported is not None
    from etude.encoders.onnx_export import probe_ids

    ids = probe_ids(torch_model, seed=3)
    hidden, pitch = exported.run(ids)
    assert runtime.check(exported, ids, hidden, pitch) == 0.0
    with pytest.raises(ValueError, match="differs from the torch model"):
        runtime.check(exported, ids, hidden + 0.01, pitch)


def test_an_input_the_model_cannot_read_is_a_value_error(tmp_path: Path, cache: Path) -> None:
    """As torch's IndexError was: `analysis_section` then leaves the encoder out."""
    _tiny(tmp_path / "ckpt", seed=0)
    exported = runtime.load_onnx(tmp_path / "ckpt", cache)
    assert exported is not None
    too_long = np.full((1, exported.config.max_notes + 5, 8), 4, dtype=np.int64)
    with pytest.raises(ValueError, match="cannot read this input"):
        exported.run(too_long)
    with pytest.raises(ValueError, match="cannot read this input"):
        exported.run(np.full((1, 3, 8), exported.config.joint_vocab + 10, dtype=np.int64))


def test_without_onnxruntime_inference_runs_torch(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    monkeypatch.setattr(runtime, "onnxruntime_available", lambda: False)
    monkeypatch.setenv("ETUDE_CACHE_DIR", str(cache))
    assert isinstance(inference_model(), MusicBert)
    assert not cache.exists()


def test_shipped_checkpoint_scores_a_chorale_as_torch_does(
    chorale_midi: Path, shipped: tuple[Path, runtime.OnnxMusicBert]
) -> None:
    from etude.scores import load_score

    score = load_score(chorale_midi).score
    onnx_model = shipped[1]
    theirs, ours = score_piece(score, load_model(CHECKPOINT)), score_piece(score, onnx_model)
    assert len(ours) == len(theirs) > 100
    assert max(abs(a.score - b.score) for a, b in zip(ours, theirs, strict=True)) < 1e-3
    top = sorted(range(len(ours)), key=lambda i: -theirs[i].score)[:10]
    assert [ours[i].expected[0][0] for i in top] == [theirs[i].expected[0][0] for i in top]


def test_etude_analyze_imports_neither_torch_nor_langchain(
    chorale_midi: Path, shipped: tuple[Path, runtime.OnnxMusicBert]
) -> None:
    """The cold-start contract (issue #23): with the export in the cache, `etude analyze`
    computes style and surprise without importing torch, and never loads the chat-model code."""
    program = (
        "import json, sys\n"
        "from etude.cli import main\n"
        f"sys.argv = ['etude', 'analyze', {str(chorale_midi)!r}, '--json']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "heavy = ('torch', 'transformers', 'langchain_core', 'sentence_transformers')\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & set(heavy))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**_env(), "ETUDE_CACHE_DIR": str(shipped[0])},
    )
    assert done.returncode == 0, done.stderr
    report_line, imported_line = done.stdout.strip().splitlines()[-2:]
    report = json.loads(report_line)
    assert report["encoder"]["surprise"] and report["style"]["model"] == "musicbert-small"
    assert json.loads(imported_line) == []


def _env() -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "ETUDE_MUSICBERT"}  # the shipped one
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env
