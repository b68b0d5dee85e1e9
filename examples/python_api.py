"""Etude from Python: a short lesson, streamed, continued, read back, and a score analysed.

    python examples/python_api.py [SCORE]

SCORE is any MIDI, MusicXML or ABC file (default: a Bach chorale from music21's corpus). The
lesson is saved like any other: `etude sessions show ID` shows it afterwards. The API is
described in docs/API.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from etude import Mentor


def main(score: Path | None = None) -> None:
    with Mentor() as mentor:
        # One turn, streamed as it is written.
        reply = mentor.stream("Which notes are in a D7 chord?")
        for text in reply:
            print(text, end="", flush=True)
        print()
        session = reply.result.session

        # The same lesson, continued: a turn answered in full.
        answer = mentor.ask("And a G major triad?", session=session)
        print(answer.answer.splitlines()[0])

        # The lesson as saved, with the evidence behind each answer.
        lesson = mentor.history(session)
        for turn in lesson.turns:
            facts = [item.summary for item in turn.evidence if item.authoritative]
            print(f"turn {turn.number}: {turn.question!r} → {len(facts)} computed fact(s)")

        # The critic on a score: no language model involved.
        if score is None:
            from music21 import corpus

            score = Path(corpus.getWork("bach/bwv66.6"))
        report = mentor.analyze(score)
        print(f"{score.name}: {report.parts} parts, {report.key.tonic} {report.key.mode}, "
              f"{len(report.findings)} finding(s)")  # fmt: skip
        print(f"lesson {session} saved; `etude sessions show {session}` shows it")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
