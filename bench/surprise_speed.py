"""What the encoder section costs ``etude analyze --json`` (issue #22): a 4-part chorale.

Two views, each with and without MusicBERT (``--no-encoder``):

- in process, warm (what ``etude serve``'s ``POST /analyze`` pays once the model is loaded):
  the CLI's own steps, the median of ``--repeat`` runs after one warm-up run; the surprise
  section alone both through the runtime the analysis uses (the ONNX export run by ONNX
  Runtime, ``etude.encoders.runtime``) and through the torch model;
- the command itself, ``python -m etude analyze FILE --json [--no-encoder]``, wall time of a
  whole process (Python, torch and music21 imports included), median of ``--repeat`` after a
  warm-up (disk cache warm).

Run: ``python bench/surprise_speed.py [--repeat 5]`` (writes bwv66.6 as MIDI to a temp dir).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def median_time(step, repeat: int) -> float:  # type: ignore[no-untyped-def]
    step()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    from music21 import corpus

    from etude.api import analyze_score
    from etude.attachments import load_attachment
    from etude.encoders.embedding import inference_model, load_model
    from etude.encoders.runtime import describe
    from etude.encoders.surprise import encoder_section

    folder = Path(tempfile.mkdtemp())
    path = folder / "bwv66_6.mid"
    corpus.parse("bach/bwv66.6").write("midi", fp=str(path))
    score = load_attachment(path).score
    model = inference_model()  # what the analysis runs: the ONNX export where it can
    torch_model = load_model()
    runtime = describe(model)
    # A score's masked pass is kept for the next reader of the same score object
    # (etude.encoders.surprise.score_distributions), so every timed run gets its own copy,
    # made before the clock starts: each one pays for the pass, as a new upload does.
    copies = iter([copy.deepcopy(score) for _ in range(4 * (args.repeat + 1))])
    rows = [
        # what `etude analyze` runs (etude.api.analyze_score), at the default level
        (
            "critic only (--no-encoder)",
            lambda: analyze_score(path, level="intermediate", encoder=False),
        ),
        (
            f"critic + style + surprise ({runtime})",
            lambda: analyze_score(path, level="intermediate"),
        ),
        (f"surprise alone (stride 8, {runtime})", lambda: encoder_section(next(copies), model)),
        ("surprise alone (stride 8, pytorch)", lambda: encoder_section(next(copies), torch_model)),
        (
            f"surprise alone (stride 4, {runtime})",
            lambda: encoder_section(next(copies), model, stride=4),
        ),
        (
            "surprise alone (stride 4, pytorch)",
            lambda: encoder_section(next(copies), torch_model, stride=4),
        ),
    ]
    print("| step (in process, warm) | median s |")
    print("|---|---|")
    for label, step in rows:
        print(f"| {label} | {median_time(step, args.repeat):.3f} |")
    command = [sys.executable, "-m", "etude", "analyze", str(path), "--json"]
    print("\n| command (whole process) | median wall s |")
    print("|---|---|")
    for label, extra in (("--json --no-encoder", ["--no-encoder"]), ("--json", [])):
        seconds = median_time(
            lambda extra=extra: subprocess.run(
                command + extra, check=True, capture_output=True, timeout=120
            ),
            args.repeat,
        )
        print(f"| `etude analyze bwv66_6.mid {label}` | {seconds:.2f} |")


if __name__ == "__main__":
    main()
