"""Hugging Face models converted once for CTranslate2 and kept in the user's cache.

Two models run on CTranslate2 because it needs neither torch nor transformers at run time:
importing those costs several seconds of every ``etude`` process on a 2-core CPU, and C++
kernels run a small model's forward pass faster than PyTorch's per-call overhead allows. The
embedded chat model (:mod:`etude.llm.ct2`, int8) and the MiniLM sentence embedder
(:mod:`etude.knowledge.embeddings`, float32, so its vectors match the knowledge index built
with transformers) are converted here: once, into a folder named by the caller's key, written
beside its final place and renamed into it, so a reader never sees half a model and two
processes converting at once both end with the same one. Converting imports transformers and
torch; that happens only on the first run after the model changes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path


def is_converted(target: Path, needs: Iterable[str] = ("model.bin",)) -> bool:
    """Whether ``target`` holds a complete converted model: the weights and each file in
    ``needs`` (the rename in :func:`convert` makes it all or none)."""
    return all((target / name).is_file() for name in needs)


def convert(source: Path, target: Path, *, quantization: str, copy: Iterable[str] = ()) -> Path:
    """Write ``source`` (a Hugging Face model folder) as a CTranslate2 model with weights of
    type ``quantization`` at ``target``, with the files named in ``copy`` (a tokenizer's,
    say) copied beside it when ``source`` has them."""
    from ctranslate2.converters import TransformersConverter

    from etude.hf import offline_and_quiet

    offline_and_quiet()
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        TransformersConverter(str(source), low_cpu_mem_usage=True).convert(
            str(scratch), quantization=quantization, force=True
        )
        for name in copy:
            if (source / name).is_file():
                shutil.copy2(source / name, scratch / name)
        # another process that finished first leaves its copy: the same model
        with contextlib.suppress(OSError):
            os.replace(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def threads() -> int:
    """Threads for one CTranslate2 call: ``OMP_NUM_THREADS`` when set (the variable torch
    obeys, so either backend uses the cores it is given), else every core.

    >>> threads() >= 1
    True
    """
    given = os.environ.get("OMP_NUM_THREADS", "")
    return int(given) if given.isdigit() and int(given) > 0 else os.cpu_count() or 1


def available() -> bool:
    """Whether the ``ctranslate2`` package can be imported (a default dependency, but a
    platform without its wheel falls back to transformers). Imported, not just looked up: a
    broken install is as missing as an absent one, and the import takes 0.1 s."""
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True
