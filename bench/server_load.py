"""Many learners at once against ``etude serve`` on loopback, embedded model.

Starts the server in a subprocess on a fresh data directory (or uses ``--url``), then lets
``--learners`` simulated learners (each its own cookie, so its own learner) open a lesson and
stream ``--turns`` turns concurrently over SSE. Every question asks for a different chord (up
to 272 turns), so a reply that reached the wrong learner is caught twice: by the session id in
its ``done`` event and by the computed chord tones in its evidence, which must be the asked
chord's. At the end every lesson's history must hold exactly its own questions, in order, and
a learner asking for someone else's lesson must get 404.

Reports errors, lost turns (answered with ``done`` but missing from the lesson's history),
crossed messages, p50/p95 turn latency (request to ``done``), time to the
first token and the server's own time per turn (``timings_ms.total``, from the moment the turn
had a place).

A plain chord question is answered from computed blocks without the model. With
``--prose-every K`` every K-th learner asks instead why its chord sounds as it does (same chord,
same evidence check), a turn on which the embedded model writes after the computed blocks; the
summary then splits time to first text and latency by kind. Issue #23: facts never queue
behind another learner's prose. ``--baseline-root DIR`` runs the same load twice in one
invocation, first on a server started from the source tree DIR (e.g. a checkout of the code
before issue #23, whose server ran whole turns one after another on one thread), then on this
tree, and prints both side by side.

With ``--workers 2 --postgres`` two ``etude serve`` processes share one throw-away PostgreSQL
(Debian's binaries, as the tests start it) and one data folder, and each learner's turns
alternate between them: a turn lost between workers (two writers on one lesson) or a reply
crossed between them shows in the same checks (issue #21).

    .venv/bin/python bench/server_load.py [--learners 50] [--turns 5] [--json]
    .venv/bin/python bench/server_load.py --learners 50 --turns 2 --prose-every 5 \
        --baseline-root /path/to/old/checkout
    .venv/bin/python bench/server_load.py --learners 30 --turns 2 --workers 2 --postgres

``--model-stub`` answers every turn with the deterministic stand-in model server
(``tests/model_stub.py``) instead of the embedded model, to measure the server, the database
and the checkpoints alone; ``--kb-from DIR`` copies a built knowledge index into the fresh data
folder instead of building one before the first turn.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_BIN = Path("/usr/lib/postgresql/15/bin")

ROOTS = (
    "C",
    "G",
    "D",
    "A",
    "E",
    "B",
    "F#",
    "C#",
    "F",
    "Bb",
    "Eb",
    "Ab",
    "Db",
    "Gb",
    "G#",
    "D#",
    "A#",
)
QUALITIES = (
    "major triad",
    "minor triad",
    "diminished triad",
    "augmented triad",
    "dominant seventh chord",
    "major seventh chord",
    "minor seventh chord",
    "half-diminished seventh chord",
    "diminished seventh chord",
    "minor major seventh chord",
    "augmented seventh chord",
    "suspended fourth chord",
    "suspended second chord",
    "major sixth chord",
    "minor sixth chord",
    "dominant ninth chord",
)


def questions() -> list[str]:
    """272 chord questions whose spelled notes all differ, so up to 272 turns (50 learners
    × 5 turns is 250) never ask the same thing twice and a reply's evidence names its turn.

    >>> pool = questions()
    >>> len(pool), len(set(pool)), pool[0]
    (272, 272, 'Which notes make up a C major triad?')
    """
    return [
        f"Which notes make up {'an' if root[0] in 'AEF' else 'a'} {root} {quality}?"
        for quality, root in itertools.product(QUALITIES, ROOTS)
    ]


def prose_question(question: str) -> str:
    """The same chord, asked so that the model writes too: a why-question's reply is the
    quoted reason and the computed chord, then the model's bridge.

    >>> prose_question("Which notes make up an F# minor triad?")
    'Why does an F# minor triad sound the way it does? Which notes make it up?'
    """
    chord = question.removeprefix("Which notes make up ").removesuffix("?")
    return f"Why does {chord} sound the way it does? Which notes make it up?"


def expected_notes(question: str) -> list[str]:
    from etude.theory.calculator import compute_facts

    facts = compute_facts(question)
    return list(facts[0].notes) if facts else []


@dataclass
class Learner:
    index: int
    asked: list[str] = field(default_factory=list)
    session: str = ""
    prose: bool = False
    """Asks why-questions, on which the model writes (``--prose-every``)."""
    latencies: list[float] = field(default_factory=list)
    service: list[float] = field(default_factory=list)
    first_tokens: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crossed: list[str] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    """Questions whose turn ended with a ``done`` event: each must be in the history."""
    lost: list[str] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)
    cut_off: bool = False
    """The time budget ended while this learner's last turn was still queued or running."""


async def stream_turn(client: httpx.AsyncClient, lesson: str, message: str) -> dict[str, Any]:
    """One turn over SSE; ``lesson`` is the lesson's path, ``/sessions/ID`` or a whole URL."""
    started = time.perf_counter()
    first_token: float | None = None
    tokens: list[str] = []
    result: dict[str, Any] | None = None
    async with client.stream(
        "POST",
        f"{lesson}/turns",
        json={"message": message},
        headers={"Accept": "text/event-stream"},
    ) as response:
        if response.status_code != 200:
            await response.aread()
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            event = json.loads(line[6:])
            if event["event"] == "token":
                tokens.append(event["text"])
                if first_token is None:
                    first_token = time.perf_counter() - started
            elif event["event"] == "error":
                raise RuntimeError(event["error"])
            elif event["event"] == "done":
                result = event["result"]
    if result is None:
        raise RuntimeError("the stream ended without a done event")
    return {
        "result": result,
        "streamed": "".join(tokens),
        "latency": time.perf_counter() - started,
        "first_token": first_token,
    }


async def run_learner(
    bases: list[str], learner: Learner, asks: list[str], expected: dict[str, list[str]]
) -> None:
    """One learner: a lesson opened on one worker, each turn sent to the next worker in turn
    (the learner's cookie goes to all of them: cookies are not per port)."""
    async with httpx.AsyncClient(timeout=httpx.Timeout(3600.0)) as client:
        created = await client.post(f"{bases[learner.index % len(bases)]}/sessions")
        learner.session = created.json()["id"]
        learner.cookies = dict(client.cookies)
        for number, message in enumerate(asks):
            learner.asked.append(message)
            base = bases[(learner.index + number + 1) % len(bases)]
            try:
                turn = await stream_turn(client, f"{base}/sessions/{learner.session}", message)
            except asyncio.CancelledError:
                learner.cut_off = True
                raise
            except (RuntimeError, httpx.HTTPError) as exc:
                learner.errors.append(f"{message}: {exc}")
                continue
            result = turn["result"]
            learner.acknowledged.append(message)
            learner.latencies.append(turn["latency"])
            learner.service.append(result["timings_ms"].get("total", float("nan")) / 1000)
            if turn["first_token"] is not None:
                learner.first_tokens.append(turn["first_token"])
            if result["session"] != learner.session:
                learner.crossed.append(f"answer for session {result['session']}")
            if turn["streamed"].strip() not in result["answer"]:
                learner.crossed.append(f"{message}: streamed tokens are not this turn's answer")
            facts = [e for e in result["evidence"] if e["kind"] == "fact"]
            if not facts or facts[0]["notes"] != expected[message]:
                got = facts[0]["notes"] if facts else None
                learner.crossed.append(f"{message}: evidence {got}, expected {expected[message]}")
            done_turns.append(1)
            if len(done_turns) % 10 == 0:
                print(f"  {len(done_turns)} turns done", file=sys.stderr, flush=True)


async def check_histories(base: str, learners: list[Learner]) -> None:
    """Each lesson's history holds exactly its learner's questions, in order. A turn cut off
    by the time budget may or may not have reached the history, so both are accepted then."""
    for learner in learners:
        if not learner.session:
            continue
        async with httpx.AsyncClient(base_url=base, cookies=learner.cookies, timeout=600) as c:
            history = (await c.get(f"/sessions/{learner.session}")).json()["messages"]
        mine = [m["content"] for m in history if m["role"] == "human"]
        missing = [q for q in learner.acknowledged if q not in mine]
        learner.lost.extend(f"{q!r} was answered but is not in the history" for q in missing)
        allowed = [learner.asked, learner.asked[:-1]] if learner.cut_off else [learner.asked]
        if mine not in allowed:
            learner.crossed.append(f"history holds {mine}, asked {learner.asked}")


async def check_isolation(base: str, learners: list[Learner]) -> list[str]:
    """A newcomer must not see any of the lessons."""
    problems = []
    async with httpx.AsyncClient(base_url=base, timeout=600) as stranger:
        for learner in learners:
            if not learner.session:
                continue
            response = await stranger.get(f"/sessions/{learner.session}")
            if response.status_code != 404:
                problems.append(f"a stranger got {response.status_code} for {learner.session}")
    return problems


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_server(
    data_dir: Path,
    database_url: str | None = None,
    extra_env: dict[str, str] | None = None,
    root: Path = ROOT,
) -> tuple[subprocess.Popen[bytes], str]:
    """``etude serve`` from the source tree ``root`` (``python -m etude`` run there imports
    that tree's package first), ready once its model has loaded."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "ETUDE_DATA_DIR": str(data_dir),
        "HF_HUB_OFFLINE": "1",
        **(extra_env or {}),
    }
    if database_url:
        env["ETUDE_DATABASE_URL"] = database_url
    log = (data_dir / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "etude", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited; see {data_dir}/serve-{port}.log")
        try:
            if httpx.get(f"{base}/health", timeout=2).json().get("model_ready"):
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("the server did not become ready in 600 s")


async def warm(base: str) -> None:
    """One turn before the clock starts: builds the knowledge index and fills caches."""
    async with httpx.AsyncClient(base_url=base, timeout=600) as client:
        session = (await client.post("/sessions")).json()["id"]
        await stream_turn(client, f"/sessions/{session}", "Which notes make up a G major triad?")


done_turns: list[int] = []
"""One entry per answered turn, for the progress line on stderr."""


async def load(
    bases: list[str], count: int, turns: int, budget_s: float | None, prose_every: int = 0
) -> tuple[list[Learner], float, list[str]]:
    """Run the learners; with ``budget_s``, turns still queued when it ends are cancelled
    (the client hangs up) and counted apart, so a slow machine still gives a verdict."""
    pool = questions()
    learners = [Learner(i, prose=bool(prose_every) and i % prose_every == 0) for i in range(count)]
    asks = [
        [
            prose_question(q) if learner.prose else q
            for q in (pool[(learner.index * turns + t) % len(pool)] for t in range(turns))
        ]
        for learner in learners
    ]
    expected = {q: expected_notes(q) for qs in asks for q in qs}
    started = time.perf_counter()
    tasks = [
        asyncio.create_task(run_learner(bases, lr, asks[lr.index], expected)) for lr in learners
    ]
    _, pending = await asyncio.wait(tasks, timeout=budget_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    wall = time.perf_counter() - started
    await check_histories(bases[0], learners)
    return learners, wall, await check_isolation(bases[-1], learners)


def _run(
    args: argparse.Namespace,
    database: str | None,
    stack: contextlib.ExitStack,
    extra_env: dict[str, str] | None = None,
    *,
    stub: bool = False,
    root: Path = ROOT,
) -> tuple[list[Learner], float, list[str], dict[str, Any]]:
    """Start the workers (the first one warms the knowledge index alone, so the others find it
    built), run the learners, stop the workers."""
    processes: list[subprocess.Popen[bytes]] = []
    bases = [args.url] if args.url else []

    def stop_all() -> None:
        for process in processes:
            process.terminate()
        for process in processes:
            try:  # turns cut off by the budget may still be running on the server
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()

    stack.callback(stop_all)
    data_dir = Path(tempfile.mkdtemp(prefix="etude-load-"))
    if args.kb_from:  # a built index, so that the first worker does not spend minutes on it
        shutil.copytree(args.kb_from, data_dir / "kb")
    if not bases:
        print(f"starting etude serve (data in {data_dir})…", file=sys.stderr)
        process, base = start_server(data_dir, database, extra_env, root)
        processes.append(process)
        bases.append(base)
    asyncio.run(warm(bases[0]))
    while len(bases) < args.workers:
        process, base = start_server(data_dir, database, extra_env, root)
        processes.append(process)
        bases.append(base)
    print(f"{args.learners} learners × {args.turns} turns on {len(bases)} worker(s)…",
          file=sys.stderr)  # fmt: skip
    done_turns.clear()
    learners, wall, isolation = asyncio.run(
        load(bases, args.learners, args.turns, args.budget_s, args.prose_every)
    )
    extra = {
        "workers": len(bases),
        "database": "postgresql" if database else "sqlite",
        "model": "stub (tests/model_stub.py)" if stub else "embedded SmolLM2-135M",
    }
    return learners, wall, isolation, extra


def summarise(
    args: argparse.Namespace,
    learners: list[Learner],
    wall: float,
    isolation: list[str],
    extra: dict[str, Any],
) -> dict[str, Any]:
    latencies = [v for lr in learners for v in lr.latencies]
    first = [v for lr in learners for v in lr.first_tokens]
    service = [v for lr in learners for v in lr.service]

    def of(kind: bool, attribute: str) -> list[float]:
        return [v for lr in learners if lr.prose == kind for v in getattr(lr, attribute)]

    summary = {
        "learners": args.learners,
        "turns_per_learner": args.turns,
        "prose_learners": sum(lr.prose for lr in learners),
        "turns_planned": args.learners * args.turns,
        "turns_ok": len(latencies),
        "turns_cut_off": sum(lr.cut_off for lr in learners),
        "budget_s": args.budget_s,
        "errors": [e for lr in learners for e in lr.errors],
        "lost": [lost for lr in learners for lost in lr.lost],
        "crossed": [c for lr in learners for c in lr.crossed] + isolation,
        "wall_s": round(wall, 1),
        "throughput_turns_per_min": round(60 * len(latencies) / wall, 2) if wall else None,
        "latency_p50_s": round(percentile(latencies, 0.5), 2),
        "latency_p95_s": round(percentile(latencies, 0.95), 2),
        "latency_max_s": round(max(latencies, default=float("nan")), 2),
        "first_token_p50_s": round(percentile(first, 0.5), 2),
        "first_token_p95_s": round(percentile(first, 0.95), 2),
        "server_turn_p50_s": round(percentile(service, 0.5), 2),
        "server_turn_p95_s": round(percentile(service, 0.95), 2),
        "wall_per_turn_s": round(wall / len(latencies), 2) if latencies else None,
        "mean_latency_s": round(statistics.fmean(latencies), 2) if latencies else None,
        **extra,
        "cpu_cores": os.cpu_count(),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }
    if summary["prose_learners"]:
        for kind, name in ((False, "facts"), (True, "prose")):
            firsts, lats = of(kind, "first_tokens"), of(kind, "latencies")
            summary[f"first_token_{name}_p50_s"] = round(percentile(firsts, 0.5), 2)
            summary[f"first_token_{name}_p95_s"] = round(percentile(firsts, 0.95), 2)
            summary[f"latency_{name}_p50_s"] = round(percentile(lats, 0.5), 2)
            summary[f"latency_{name}_p95_s"] = round(percentile(lats, 0.95), 2)
    return summary


def print_summary(summary: dict[str, Any]) -> None:
    for key, value in summary.items():
        if isinstance(value, list):
            print(f"{key}: {len(value)}")
            for item in value[:10]:
                print(f"  - {item}")
        else:
            print(f"{key}: {value}")


def print_side_by_side(runs: dict[str, dict[str, Any]]) -> None:
    """One row per measure, one column per run (lists shown as their length)."""
    names = list(runs)
    keys = [k for k in runs[names[0]] if all(k in run for run in runs.values())]
    print("| measure | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for key in keys:
        cells = [runs[name][key] for name in names]
        shown = [str(len(c)) if isinstance(c, list) else str(c) for c in cells]
        print(f"| {key} | " + " | ".join(shown) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--turns", type=int, default=5, help="turns per learner")
    parser.add_argument("--url", help="use this running server instead of starting one")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "--budget-s",
        type=float,
        help="stop after this many seconds of load: turns not answered by then are cancelled "
        "and reported as turns_cut_off (for machines too busy to finish the whole run)",
    )
    parser.add_argument("--workers", type=int, default=1, help="etude serve processes")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"keep lessons in a throw-away PostgreSQL (binaries in {PG_BIN}) the workers share",
    )
    parser.add_argument("--database-url", help="keep lessons in this PostgreSQL database")
    parser.add_argument(
        "--model-stub",
        action="store_true",
        help="answer with the deterministic stand-in model server (tests/model_stub.py) instead "
        "of the embedded model: measures the server, the database and the checkpoints, not the "
        "model (say so wherever its numbers are quoted)",
    )
    parser.add_argument(
        "--kb-from", type=Path, help="copy this built knowledge index (a data folder's kb/) in"
    )
    parser.add_argument(
        "--prose-every",
        type=int,
        default=0,
        metavar="K",
        help="every K-th learner asks why its chord sounds as it does (the model writes); "
        "0: every turn is a plain chord question (computed blocks only)",
    )
    parser.add_argument(
        "--turn-threads",
        type=int,
        help="ETUDE_TURN_THREADS for this tree's server(s): turns working at once (tools and "
        "blocks; a turn on the model does not count)",
    )
    parser.add_argument(
        "--baseline-root",
        type=Path,
        help="first run the same load on a server started from this source tree (e.g. a "
        "checkout of the code before issue #23), then on this one; print both side by side",
    )
    args = parser.parse_args()
    if args.baseline_root and args.url:
        parser.error("--baseline-root starts its own servers; it cannot use --url")

    compare = args.baseline_root is not None
    threads = str(args.turn_threads) if args.turn_threads else None
    settings: list[tuple[str, Path, str | None]] = []
    if compare:
        settings.append((f"baseline ({args.baseline_root})", args.baseline_root.resolve(), None))
    settings.append(("this tree", ROOT, threads))
    runs: dict[str, dict[str, Any]] = {}
    for name, root, threads in settings:
        load_before = round(os.getloadavg()[0], 2)
        with contextlib.ExitStack() as stack:
            database = args.database_url
            if args.postgres and database is None:
                from tests.servers import postgres_owner, postgres_server

                owner = postgres_owner()
                if owner is None:
                    raise SystemExit("running as root with no user to run PostgreSQL as")
                database = stack.enter_context(postgres_server(PG_BIN, owner))
            extra_env: dict[str, str] = {}
            if args.model_stub:
                from tests.servers import model_stub, stub_model_env

                folder = Path(tempfile.mkdtemp(prefix="etude-load-stub-"))
                extra_env.update(stub_model_env(stack.enter_context(model_stub(folder))))
            if threads is not None:
                extra_env["ETUDE_TURN_THREADS"] = threads
            print(f"run: {name}", file=sys.stderr)
            learners, wall, isolation, extra = _run(
                args, database, stack, extra_env or None, stub=args.model_stub, root=root
            )
        summary = summarise(args, learners, wall, isolation, extra)
        summary["source_tree"] = str(root)
        summary["turn_threads"] = threads or "default"
        summary["load_average_1m_at_start"] = load_before
        runs[name] = summary

    if args.json:
        print(json.dumps(runs if compare else runs[settings[-1][0]]))
    elif compare:
        print_side_by_side(runs)
    else:
        print_summary(runs[settings[-1][0]])
    if any(run["errors"] or run["crossed"] or run["lost"] for run in runs.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
