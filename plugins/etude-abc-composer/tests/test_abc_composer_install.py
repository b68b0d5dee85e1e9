"""Acceptance 1 of issue #8, for real: pip installs this plug-in, Etude's router sends a request
to it without any change to Etude, pip uninstalls it and it is gone; a plug-in that raises at
import is listed as failed beside it. (A full turn of the graph with a broken plug-in installed
is ``tests/integration/test_plugins.py``'s; it is not repeated here, as it costs a model load.)

The installs go into a private virtual environment layered on the project's (a ``.pth`` file
adds the project's site-packages), so the developer's environment is never changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

PLUGIN = Path(__file__).resolve().parents[1]
ROOT = PLUGIN.parents[1]
BROKEN = ROOT / "tests" / "data" / "plugins" / "etude-plugin-broken"
REQUEST = "write an 8-bar melody in D dorian in 6/8 for flute"

PROBE = f"""
import json
from etude.agents.router import Router
from etude.knowledge.embeddings import shared_embedder
from etude.tools.registry import load_registry
registry = load_registry()
route, _ = Router(registry, shared_embedder()).classify({REQUEST!r}, has_attachment=False)
print(json.dumps({{"origins": {{spec.name: spec.origin for spec in registry}}, "route": route,
                  "failures": {{f.name: f.error for f in registry.failures}}}}))
"""


def _installed_here() -> bool:
    """Whether this environment itself has the plug-in installed (then its entry point would
    be seen from the layered environment too). Build metadata left in a source tree
    (``src/*.egg-info``) is not an installation."""
    try:
        found = distribution("etude-abc-composer")
    except PackageNotFoundError:
        return False
    return "-packages" in str(found.locate_file(""))


class Layered:
    """A virtual environment that sees the project's packages and takes its own installs."""

    def __init__(self, folder: Path, data_dir: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
        self.python = folder / "bin" / "python"
        site = subprocess.run(
            [str(self.python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        self.site = Path(site)
        parent = sysconfig.get_paths()["purelib"]
        (self.site / "_etude_project.pth").write_text(f"import site; site.addsitedir({parent!r})\n")
        # ETUDE_PLUGINS=1: the suite turns plug-ins off; this test is about loading them.
        self.env = {**os.environ, "ETUDE_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1",
                    "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
                    "ETUDE_PLUGINS": "1"}  # fmt: skip
        self.env.pop("PYTHONPATH", None)

    def pip(self, *args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(self.python), *args, "--quiet"],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.python), *args], capture_output=True, text=True, env=self.env,
            timeout=600, check=False,
        )  # fmt: skip

    def probe(self) -> dict[str, dict[str, str] | list[str]]:
        done = self.run("-c", PROBE)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.skipif(
    _installed_here(), reason="etude-abc-composer is installed in this environment itself"
)
def test_pip_install_route_uninstall(tmp_path: Path) -> None:
    env = Layered(tmp_path / "venv", tmp_path / "etude-data")
    before = env.probe()
    assert "abc_composer" not in before["origins"] and not before["failures"]

    # Built from copies, so that no build metadata is left in the source tree.
    plugin, broken = tmp_path / PLUGIN.name, tmp_path / BROKEN.name
    shutil.copytree(
        PLUGIN, plugin, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "build")
    )
    shutil.copytree(
        BROKEN, broken, ignore=shutil.ignore_patterns("*.egg-info", "__pycache__", "build")
    )
    env.pip("install", "--no-deps", "--no-build-isolation", "-e", str(plugin))
    env.pip("install", "--no-deps", "--no-build-isolation", str(broken))
    installed = env.probe()
    assert installed["origins"]["abc_composer"] == "plugin etude-abc-composer"  # type: ignore[index]
    assert installed["route"][0] == "abc_composer"  # type: ignore[index]
    assert "broken on purpose" in installed["failures"]["broken"]  # type: ignore[index]

    listed = env.run("-m", "etude", "tools", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    payload = json.loads(listed.stdout)
    assert [f["name"] for f in payload["failures"]] == ["broken"]

    env.pip("uninstall", "--yes", "etude-abc-composer", "etude-plugin-broken")
    after = env.probe()
    assert "abc_composer" not in after["origins"] and not after["failures"]
    leftovers = [
        p.name for p in env.site.iterdir() if "abc_composer" in p.name or "broken" in p.name
    ]
    assert leftovers == []
