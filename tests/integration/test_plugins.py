"""Plug-ins installed for real with pip (into a private folder, so .venv stays untouched)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
METRONOME = ROOT / "examples" / "etude-plugin-metronome"
BROKEN = ROOT / "tests" / "data" / "plugins" / "etude-plugin-broken"


def pip_install(project: Path, target: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(project),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _env(site: Path | None, data_dir: Path) -> dict[str, str]:
    """This process's environment with the plug-ins on (the suite turns them off) and those
    installed in ``site`` visible."""
    env = {**os.environ, "ETUDE_DATA_DIR": str(data_dir), "ETUDE_PLUGINS": "1"}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return env


def run_with(site: Path | None, code: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = _env(site, data_dir)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


LIST_AND_ROUTE = """
import json
from etude.agents.router import Router
from etude.knowledge.embeddings import shared_embedder
from etude.tools.registry import load_registry
registry = load_registry()
router = Router(registry, shared_embedder())
tools, _ = router.classify("Could you make me a practice plan going from 70 to 110 bpm?",
                           has_attachment=False)
print(json.dumps({"names": registry.names(), "route": tools,
                  "failures": [[f.name, f.error] for f in registry.failures]}))
"""


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    pip_install(METRONOME, site)
    pip_install(BROKEN, site)
    return site


def test_installed_plugin_is_routed_to(plugin_site: Path, data_dir: Path) -> None:
    done = run_with(plugin_site, LIST_AND_ROUTE, data_dir)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert "metronome" in result["names"]
    assert result["route"] == ["metronome"]


def test_plugin_that_raises_is_listed_as_failed(plugin_site: Path, data_dir: Path) -> None:
    done = run_with(plugin_site, LIST_AND_ROUTE, data_dir)
    failures = dict(json.loads(done.stdout.splitlines()[-1])["failures"])
    assert "broken on purpose" in failures["broken"]
    listed = subprocess.run(
        [sys.executable, "-m", "etude", "tools", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_env(plugin_site, data_dir),
    )
    assert listed.returncode == 0, listed.stderr
    payload = json.loads(listed.stdout)
    assert [f["name"] for f in payload["failures"]] == ["broken"]


def test_full_turn_with_plugin_and_broken_plugin(plugin_site: Path, data_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "etude", "ask", "--json", "How long is one beat at 120 bpm?"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=_env(plugin_site, data_dir),
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["route"] == ["metronome"]
    assert "500 ms" in payload["answer"]


def test_uninstalled_plugin_is_gone(data_dir: Path) -> None:
    done = run_with(None, LIST_AND_ROUTE, data_dir)
    result = json.loads(done.stdout.splitlines()[-1])
    assert "metronome" not in result["names"] and not result["failures"]


def test_tools_check_validates_the_plugin(plugin_site: Path, data_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "etude", "tools", "check", "metronome"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_env(plugin_site, data_dir),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok metronome" in done.stdout
