"""Running the ``etude`` command as a user does: a separate process, its own environment."""

from __future__ import annotations

import os
import subprocess
import sys


def run_etude(*args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m etude ARGS`` with ``env`` added to this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "etude", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
        check=False,
    )
