"""Running the ``etude`` command as a user does: a separate process, its own environment."""

from __future__ import annotations

import ast
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


_MEASURED = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stdout.write(repr((done.returncode, done.stdout, done.stderr, peak_kb)))
"""
"""A small launcher, so that the peak it reports is the ``etude`` process's (and its parse
workers'), not the test process's: ``RUSAGE_CHILDREN`` counts the launcher's children only."""


def run_etude_measured(
    *args: str, timeout: float = 300, **env: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    """``run_etude`` that also returns the peak resident memory in MB of the command and of
    every process it started (the largest of them)."""
    launched = subprocess.run(
        [sys.executable, "-c", _MEASURED, sys.executable, "-m", "etude", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **env},
        check=True,
    )
    code, stdout, stderr, peak_kb = ast.literal_eval(launched.stdout)
    done = subprocess.CompletedProcess(args, code, stdout, stderr)
    return done, peak_kb / 1024
