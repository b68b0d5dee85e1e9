"""How many turns does the mentor need to detect and correct a misconception? (thesis RQ4)

A scripted, rule-based learner (``planted_misconceptions.py``) with one planted misconception
at a time takes a lesson from the real mentor: the real graph (router, lesson tool, critic, the
embedded chat model, SQLite checkpointer and store), one learner id and session per
misconception. The learner asks for the lesson that covers its misconception, then answers
every exercise the mentor sets: rightly, except where the misconception applies.

Per misconception the table reports, in learner turns (the opening request is turn 1):
  probed     the first turn whose answer the misconception changed;
  detected   the first turn whose reply names the specific error (the learner's own test:
             e.g. "G should be G#", "ends on D5 at bar 8 ... the 5th degree"); a bare
             "not yet" does not count;
  corrected  the first turn the learner, having dropped the misconception after
             ``convinced_after`` detecting replies, answers a probing exercise and the
             mentor confirms it right;
  misses     wrong answers the misconception caused.
"—" means it did not happen within ``--max-turns``: not probed (the mentor never set an
exercise where it shows), not detected (feedback too vague to convince), not corrected.
Turn counts depend on which exercises the mentor draws (seeded per learner, so reproducible).

    .venv/bin/python bench/simulated_learner.py [--max-turns 12] [--only ID ...] [--json OUT]

The verdicts lead every reply as authoritative evidence, so the model's prose is capped
(``--sentences 1 --max-new-tokens 48``) to keep a run of ~100 turns affordable on a CPU.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from planted_misconceptions import (
    GOOD_TUNE,
    MISCONCEPTIONS,
    Exercise,
    Misconception,
    solve,
    write_tune,
)

from etude.attachments import prepare_attachment
from etude.config import Settings
from etude.mentor import Mentor, TurnResult
from etude.tools.registry import load_registry


@dataclass
class Outcome:
    misconception: str
    description: str
    probed: int | None = None
    detected: int | None = None
    corrected: int | None = None
    misses: int = 0
    turns: int = 0
    seconds: float = 0.0
    transcript: list[dict[str, Any]] = field(default_factory=list)


def lesson_items(result: TurnResult, kind: str) -> list[dict[str, Any]]:
    return [e.data for e in result.evidence if e.tool == "lesson" and e.data.get("type") == kind]


def next_exercise(result: TurnResult) -> Exercise | None:
    exercises = lesson_items(result, "exercise")
    return dict(exercises[-1]["exercise"]) if exercises else None


class ScriptedLearner:
    """One learner with one misconception, answering whatever the mentor sets."""

    def __init__(self, mentor: Mentor, misconception: Misconception, workdir: Path) -> None:
        self.mentor = mentor
        self.misconception = misconception
        self.workdir = workdir
        self.name = f"sim-{misconception.id}"
        self.believes = True
        self.convinced = 0

    def say(self, message: str, attachment: Path | None = None) -> TurnResult:
        return self.mentor.ask(
            message,
            session=self.name,
            learner=self.name,
            attachment=prepare_attachment(attachment) if attachment else None,
        )

    def answer(self, exercise: Exercise, turn: int) -> tuple[str, Path | None, str, bool]:
        """(message, attachment, right answer, whether the misconception changed it)."""
        probing = self.misconception.probes(exercise)
        if exercise["kind"] == "compose":
            body = GOOD_TUNE
            if probing and self.believes:
                body = self.misconception.wrong(GOOD_TUNE, exercise)
            path = write_tune(body, exercise["key"], self.workdir, f"{self.name}-{turn}")
            return "Here is my melody for the exercise", path, GOOD_TUNE, probing
        right = solve(exercise)
        given = self.misconception.wrong(right, exercise) if probing and self.believes else right
        return given, None, right, probing

    def run(self, max_turns: int) -> Outcome:
        m = self.misconception
        outcome = Outcome(m.id, m.description)
        started = time.perf_counter()
        result = self.say(m.request)
        turn = 1
        outcome.transcript.append({"turn": 1, "said": m.request, "route": result.route})
        while turn < max_turns and outcome.corrected is None:
            exercise = next_exercise(result)
            if exercise is None:  # nothing set: ask for the next one, as a learner would
                result = self.say("Give me another exercise")
                turn += 1
                continue
            message, attachment, right, probing = self.answer(exercise, turn + 1)
            wrong_now = probing and self.believes
            result = self.say(message, attachment)
            turn += 1
            checks = lesson_items(result, "check")
            correct = bool(checks and checks[0]["result"]["correct"])
            outcome.transcript.append(
                {
                    "turn": turn,
                    "exercise": exercise["prompt"],
                    "said": message,
                    "route": result.route,
                    "probing": probing,
                    "correct": correct,
                }
            )
            if probing and outcome.probed is None:
                outcome.probed = turn
            if wrong_now:
                outcome.misses += int(not correct)
                if not correct and m.detected(result.answer, message, right):
                    outcome.detected = outcome.detected or turn
                    self.convinced += 1
                    if self.convinced >= m.convinced_after:
                        self.believes = False
            elif probing and not self.believes and correct:
                outcome.corrected = turn
        outcome.turns = turn
        outcome.seconds = round(time.perf_counter() - started, 1)
        return outcome


def table(outcomes: list[Outcome]) -> str:
    def show(value: int | None) -> str:
        return "—" if value is None else str(value)

    head = "| misconception | probed | detected | corrected | misses | turns | s |"
    lines = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for o in outcomes:
        lines.append(
            f"| {o.misconception} | {show(o.probed)} | {show(o.detected)} | "
            f"{show(o.corrected)} | {o.misses} | {o.turns} | {o.seconds:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-turns", type=int, default=12)
    parser.add_argument("--sentences", type=int, default=1, help="model sentences per reply")
    parser.add_argument("--max-new-tokens", type=int, default=48, help="model tokens per reply")
    parser.add_argument("--only", nargs="*", help="misconception ids to run")
    parser.add_argument("--json", type=Path, help="write outcomes and transcripts here")
    args = parser.parse_args()

    chosen = [m for m in MISCONCEPTIONS if not args.only or m.id in args.only]
    with tempfile.TemporaryDirectory(prefix="etude-simlearner-") as folder:
        workdir = Path(folder)
        settings = Settings.from_env().with_overrides(
            db_path=workdir / "lessons.sqlite",
            max_sentences=args.sentences,
            max_new_tokens=args.max_new_tokens,
        )
        mentor = Mentor(settings, registry=load_registry(plugins=False))
        mentor.warm_up()
        outcomes = []
        try:
            for misconception in chosen:
                outcome = ScriptedLearner(mentor, misconception, workdir).run(args.max_turns)
                outcomes.append(outcome)
                print(
                    f"{outcome.misconception}: probed {outcome.probed}, detected "
                    f"{outcome.detected}, corrected {outcome.corrected} ({outcome.seconds} s)",
                    file=sys.stderr,
                    flush=True,
                )
        finally:
            mentor.close()
    print(table(outcomes))
    detected = [o for o in outcomes if o.detected is not None]
    corrected = [o for o in outcomes if o.corrected is not None]
    print(
        f"\n{len(outcomes)} misconceptions: {len(detected)} detected, {len(corrected)} "
        f"corrected within {args.max_turns} turns"
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))


if __name__ == "__main__":
    main()
