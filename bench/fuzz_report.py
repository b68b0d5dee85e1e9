"""Malformed and hostile score files through ``etude analyze`` semantics: 0 crashes expected.

MIDI, MusicXML/MXL and ABC files go through ``run_analyze`` (what ``etude analyze --json``
runs), and OctupleMIDI token grids through ``OctupleEncoder.decode``. Every input must be accepted
(a report comes back) or refused with ``ScoreError`` (the CLI's exit 2 and one ``error:`` line;
``EncodingError`` for tokens); anything else is a crash, and anything slower than
``--hang-seconds`` a hang. Crashing inputs are saved to ``tests/fuzz/corpus/`` so they become
regression tests. A few inputs also go through the real CLI in a subprocess, and the three
attack files of issue #9 (a 1 GB upload, an XML billion-laughs file, a MIDI file with ten
million notes) and seven more hostile files are each loaded by ``load_score`` and by
``etude analyze`` in fresh processes whose time and peak memory are measured.

Memory: every parse (and playback) worker reports how far its resident memory rose above what
it inherited (``etude.scores.sandbox.WORKER_PEAKS``); the report gives the largest per format,
for files admitted and refused, against the worker's cap (``Limits.parse_memory_bytes``).

    .venv/bin/python bench/fuzz_report.py --inputs 10000 --tokens 2000 --cli 30
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from etude.cli.analysis import run_analyze  # noqa: E402
from etude.encoders.octuple import EncodingError, OctupleEncoder  # noqa: E402
from etude.limits import DEFAULT_LIMITS  # noqa: E402
from etude.scores import ScoreError  # noqa: E402
from etude.scores.sandbox import WORKER_PEAKS  # noqa: E402
from tests.fuzz import hostile  # noqa: E402
from tests.fuzz.generators import GENERATORS, SUFFIXES  # noqa: E402

CORPUS = ROOT / "tests" / "fuzz" / "corpus"
SLOW_SECONDS = 10.0
ETUDE = (sys.executable, "-m", "etude")
"""The CLI of this checkout, whatever environment runs the report."""


class Hang(BaseException):
    """An input ran past the hang limit (a ``BaseException``, so that no ``except Exception``
    inside Etude can turn it into a refusal)."""


def _alarm(_signum: int, _frame: object) -> None:
    raise Hang


def run_in_process(
    count: int, token_grids: int, seed: int, hang_seconds: int, workdir: Path
) -> dict[str, object]:
    """``count`` score files (MIDI, MusicXML/MXL and ABC in turn) through ``run_analyze``, the
    very function ``etude analyze --json`` runs (critic, then the encoder's style estimate),
    then ``token_grids`` OctupleMIDI token grids. Inputs slower than ``SLOW_SECONDS`` are listed
    with the seed that rebuilds them."""
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    crashes: list[dict[str, str]] = []
    seconds: list[float] = []
    slow: list[dict[str, object]] = []
    formats = list(GENERATORS)
    encoder = OctupleEncoder()
    peaks: dict[str, list[int]] = {}
    started = time.perf_counter()
    for index in range(count + token_grids):
        fmt = formats[index % len(formats)] if index < count else "octuple"
        item_seed = rng.getrandbits(64)
        if fmt == "octuple":
            data = b""
            tokens = octuple_tokens(encoder, random.Random(item_seed))
        else:
            data = GENERATORS[fmt](random.Random(item_seed))
            path = workdir / f"input{SUFFIXES[fmt]}"
            path.write_bytes(data)
        began = time.perf_counter()
        WORKER_PEAKS.reset()
        verdict = "refused"
        signal.alarm(hang_seconds)
        try:
            if fmt == "octuple":
                encoder.decode(tokens).save(file=io.BytesIO())
            else:
                with contextlib.redirect_stdout(io.StringIO()):
                    run_analyze(path, level="intermediate", as_json=True)
            outcomes[f"{fmt}:accepted"] += 1
            verdict = "accepted"
        except EncodingError as exc:
            outcomes["octuple:refused" if str(exc) else "octuple:bad_message"] += 1
        except ScoreError as exc:
            text = str(exc)
            outcomes[f"{fmt}:refused" if text and "\n" not in text else f"{fmt}:bad_message"] += 1
        except Hang:
            outcomes[f"{fmt}:hang"] += 1
            crashes.append(_save(fmt, data or _token_bytes(tokens), "hang"))
        except Exception:  # a crash is what this report exists to find
            outcomes[f"{fmt}:crash"] += 1
            reason = traceback.format_exc(limit=3)
            crashes.append(_save(fmt, data or _token_bytes(tokens), reason))
        finally:
            signal.alarm(0)
        if WORKER_PEAKS.count:
            peaks.setdefault(f"{fmt}:{verdict}", []).append(WORKER_PEAKS.largest)
        elapsed = time.perf_counter() - began
        seconds.append(elapsed)
        if elapsed > SLOW_SECONDS:
            slow.append({"format": fmt, "seed": item_seed, "seconds": round(elapsed, 1)})
        if (index + 1) % 500 == 0:
            print(f"{index + 1} inputs, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    failures = sum(
        n for key, n in outcomes.items() if key.endswith((":crash", ":hang", ":bad_message"))
    )
    return {
        "score_files": count,
        "token_grids": token_grids,
        "seconds": round(time.perf_counter() - started, 1),
        "outcomes": dict(sorted(outcomes.items())),
        "crashes": len(crashes),
        "failures": failures,
        "crash_details": crashes[:10],
        "median_s": round(float(np.median(seconds)), 3) if seconds else 0.0,
        "p99_s": round(float(np.percentile(seconds, 99)), 3) if seconds else 0.0,
        "slowest_s": round(max(seconds), 2) if seconds else 0.0,
        "slow_inputs": sorted(slow, key=lambda item: -float(str(item["seconds"]))),
        "worker_peak_mb": {
            key: {
                "files": len(values),
                "median": round(float(np.median(values)) / 1e6, 1),
                "max": round(max(values) / 1e6, 1),
            }
            for key, values in sorted(peaks.items())
        },
        "worker_cap_mb": DEFAULT_LIMITS.parse_memory_bytes / 1e6,
        "report_peak_rss_mb": round(_own_peak_kb() / 1024, 1),
    }


def _own_peak_kb() -> int:
    with open("/proc/self/status") as status:
        return max(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def octuple_tokens(encoder: OctupleEncoder, rng: random.Random) -> np.ndarray:
    """A token grid as a model might emit it: any value of each field, sometimes one token
    outside the vocabulary (a corrupted token file), sometimes no tokens at all."""
    length = rng.choice([0, 1, 2, rng.randint(3, 64)])
    grid = np.array(
        [[rng.randrange(size) for size in encoder.config.vocab_sizes] for _ in range(length)],
        dtype=np.int64,
    ).reshape(length, 8)
    if length and rng.random() < 0.2:
        grid[rng.randrange(length), rng.randrange(8)] = rng.choice([-1, 256, 129, 2**31 - 1])
    return grid


def _token_bytes(tokens: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, tokens)
    return buffer.getvalue()


_SAVED: Counter[str] = Counter()


def _save(fmt: str, data: bytes, reason: str) -> dict[str, str]:
    """Keep a crashing input for the regression corpus (three per distinct failure)."""
    last_line = reason.strip().splitlines()[-1]
    _SAVED[last_line] += 1
    if _SAVED[last_line] > 3:
        return {"file": "", "reason": last_line}
    digest = hashlib.sha1(data).hexdigest()[:12]
    path = CORPUS / f"{fmt}-{digest}{SUFFIXES.get(fmt, '.npy')}"
    CORPUS.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {"file": str(path.relative_to(ROOT)), "reason": last_line}


def run_cli(count: int, seed: int, workdir: Path) -> dict[str, Any]:
    """Real ``etude analyze --json`` processes: exit 0 with JSON, or exit 2 with one line."""
    rng = random.Random(seed + 1)
    results: Counter[str] = Counter()
    failures = []
    formats = list(GENERATORS)
    for index in range(count):
        fmt = formats[index % len(formats)]
        path = workdir / f"cli{index}{SUFFIXES[fmt]}"
        path.write_bytes(GENERATORS[fmt](random.Random(rng.getrandbits(64))))
        done = subprocess.run(
            [*ETUDE, "analyze", str(path), "--json"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        stderr_lines = [line for line in done.stderr.splitlines() if line.strip()]
        if done.returncode == 0 and json.loads(done.stdout).get("notes", 0) > 0:
            results["exit0"] += 1
        elif (
            done.returncode == 2
            and len(stderr_lines) == 1
            and stderr_lines[0].startswith("error: ")
            and "Traceback" not in done.stderr
        ):
            results["exit2"] += 1
        else:
            results["bad"] += 1
            failures.append({"format": fmt, "code": done.returncode, "stderr": done.stderr[-400:]})
    return {"runs": count, "results": dict(results), "failures": failures[:5]}


_LOAD_PROBE = """
import resource, sys, time
from etude.scores import ScoreError, load_score
from etude.scores.sandbox import WORKER_PEAKS
began = time.perf_counter()
try:
    load_score(sys.argv[1])
    outcome = "accepted"
except ScoreError as exc:
    outcome = "refused: " + str(exc)
seconds = time.perf_counter() - began
with open("/proc/self/status") as status:
    own_kb = max(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(repr((outcome, seconds, max(own_kb, worker_kb) / 1024, WORKER_PEAKS.largest / 2**20)))
"""
"""``load_score`` in a fresh interpreter. Its peak is ``VmHWM`` (ru_maxrss would also count the
memory of the process that started it: Linux keeps the larger across ``exec``) or its parse
worker's, whichever is larger; and how far the parse worker grew above what it inherited."""

_CLI_PROBE = """
import resource, subprocess, sys, time
began = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
seconds = time.perf_counter() - began
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(repr((done.returncode, done.stdout[-200:], done.stderr, seconds,
            usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)))
"""
"""``etude analyze`` started from a small interpreter, so that the CLI's peak RSS (and that of
its parse worker) is measured without the fuzz report's own memory."""


def attack_files(workdir: Path) -> dict[str, tuple[Path, str]]:
    """Each hostile file and what must happen to it: the three attacks of issue #9 first, then
    the others ``etude.limits`` exists to stop."""
    builders: dict[str, tuple[str, Callable[[], bytes] | None, str]] = {
        "1 GB file (sparse)": ("huge.mid", None, "refused"),
        "XML billion laughs": ("laughs.musicxml", hostile.billion_laughs, "refused"),
        "MIDI with 10 million notes": (
            "ten_million.mid",
            lambda: hostile.midi_with_notes(10**7),
            "refused",
        ),
        "MIDI with 3 million notes (under the byte limit)": (
            "three_million.mid",
            lambda: hostile.midi_with_notes(3_000_000),
            "refused",
        ),
        # Readers skip chunks that are not tracks: the hidden notes must never be parsed.
        "MIDI with 3 million notes hidden in a non-track chunk": (
            "hidden.mid",
            hostile.midi_hidden_notes,
            "accepted",
        ),
        "MIDI with 2 million empty chunks": ("chunks.mid", hostile.midi_many_chunks, "refused"),
        "MIDI note 268 million quarter notes long": (
            "long.mid",
            hostile.midi_long_note,
            "refused",
        ),
        "MXL zip bomb (200 MB inflated)": ("bomb.mxl", hostile.zip_bomb, "refused"),
        "XML external entity (XXE)": ("xxe.musicxml", hostile.external_entity, "refused"),
        "MusicXML note a billion beats long": (
            "long.musicxml",
            lambda: hostile.musicxml(duration=10**9),
            "refused",
        ),
        # Issue #21.
        "MXL whose directory lies (1 kB claimed, 1 GB inflated)": (
            "lying.mxl",
            hostile.lying_zip_bomb,
            "refused",
        ),
        "MusicXML bar repeated 10^8 times": ("repeat.musicxml", hostile.musicxml_repeat, "refused"),
        "ABC tie chain, 700 bars (5 kB)": ("ties.abc", hostile.abc_tie_chain, "either"),
        "MIDI 128-note chord never released": ("cluster.mid", hostile.midi_cluster, "accepted"),
    }
    files = {}
    for label, (name, build, expected) in builders.items():
        path = workdir / name
        if build is None:
            hostile.sparse_file(path)
        else:
            path.write_bytes(build())
        files[label] = (path, expected)
    return files


def _probe(*command: str) -> Any:
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, cwd=ROOT)
    return eval(done.stdout.strip().splitlines()[-1])


def run_attacks(workdir: Path) -> list[dict[str, object]]:
    """Each attack file through ``load_score`` and through ``etude analyze``, each in a fresh
    process: outcome, seconds and peak RSS in MB (imports included). ``ok`` means the library
    gave the expected outcome within 5 s under 500 MB (``either``: accepted, or refused, within
    the parse budget), and the CLI agreed (exit 2 with one ``error:`` line, or exit 0) under
    500 MB; the CLI's wall time includes starting Python and importing Etude, so it is reported
    but not judged."""
    rows = []
    for label, (path, expected) in attack_files(workdir).items():
        outcome, seconds, peak_mb, worker_mb = _probe(sys.executable, "-c", _LOAD_PROBE, str(path))
        code, _stdout, stderr, cli_seconds, cli_cpu, cli_mb = _probe(
            sys.executable, "-c", _CLI_PROBE, *ETUDE, "analyze", str(path), "--json"
        )
        lines = [line for line in stderr.splitlines() if line.strip()]
        refused_ok = code == 2 and len(lines) == 1 and lines[0].startswith("error: ")
        if expected == "refused":
            cli_ok = refused_ok
        elif expected == "accepted":
            cli_ok = code == 0
        else:
            cli_ok = code == 0 or refused_ok
        rows.append(
            {
                "attack": label,
                "expected": expected,
                "outcome": outcome,
                "load_seconds": round(seconds, 3),
                "peak_rss_mb": round(peak_mb, 1),
                "worker_growth_mb": round(worker_mb, 1),
                "cli_exit": code,
                "cli_stderr": lines[-1] if lines else "",
                "cli_wall_seconds": round(cli_seconds, 2),
                "cli_cpu_seconds": round(cli_cpu, 2),
                "cli_peak_rss_mb": round(cli_mb, 1),
                "ok": (
                    outcome.startswith(expected) and seconds < 5
                    if expected != "either"
                    else seconds < DEFAULT_LIMITS.parse_seconds + 5
                )
                and peak_mb < 500
                and worker_mb * 2**20 < DEFAULT_LIMITS.parse_memory_bytes
                and cli_ok
                and cli_mb < 500,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="malformed score files")
    parser.add_argument("--tokens", type=int, default=2_000, help="OctupleMIDI token grids")
    parser.add_argument("--cli", type=int, default=30, help="inputs also run through the CLI")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--hang-seconds", type=int, default=40)
    parser.add_argument("--out", type=Path, default=None, help="write the JSON report here")
    parser.add_argument(
        "--no-attacks",
        action="store_true",
        help="skip the attack files (each starts two fresh processes: minutes on a busy box)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        in_process = run_in_process(args.inputs, args.tokens, args.seed, args.hang_seconds, workdir)
        cli = run_cli(args.cli, args.seed, workdir) if args.cli else None
        attacks = [] if args.no_attacks else run_attacks(workdir)
    report = {"in_process": in_process, "cli": cli, "attacks": attacks}
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    failures = in_process["failures"]
    cli_bad = (cli or {}).get("results", {}).get("bad", 0)
    attacks_ok = all(row["ok"] for row in attacks)
    sys.exit(0 if not failures and not cli_bad and attacks_ok else 1)


if __name__ == "__main__":
    main()
