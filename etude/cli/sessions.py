"""``etude sessions list | show ID | export ID | delete ID``: the saved lessons, read from
the lesson database (SQLite, or PostgreSQL with ``ETUDE_DATABASE_URL``) without loading any
model.

``delete`` removes a lesson, its uploads and the server's records of them, as the server's
``DELETE /sessions/{id}`` does (``etude.server.erasure``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from etude.cli.console import err, out
from etude.cli.errors import InputError
from etude.config import Settings

if TYPE_CHECKING:
    # Imported where used: LangGraph's import costs every other command a few seconds.
    from etude.sessions import Persistence
    from etude.transcripts import Transcript

sessions_app = typer.Typer(
    help="List, read, export and delete your saved lessons.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
SessionArgument = Annotated[
    str, typer.Argument(help="The lesson's id (see `etude sessions list`).")
]


class ExportFormat(StrEnum):
    md = "md"
    json = "json"


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise InputError(str(exc)) from exc


@contextmanager
def _database() -> Iterator[Persistence]:
    from etude.sessions import open_persistence

    persistence = open_persistence(_settings())
    try:
        yield persistence
    finally:
        persistence.close()


def _lesson(persistence: Persistence, session: str) -> Transcript:
    from etude.transcripts import transcript

    found = transcript(persistence, session)
    if found is None:
        raise InputError(f"no lesson {session!r} (`etude sessions list` shows the saved ones)")
    return found


@sessions_app.command("list")
def list_sessions(as_json: JsonOption = False) -> None:
    """The saved lessons, most recent first: id, turns, last change and first question."""
    from etude.transcripts import summaries

    with _database() as persistence:
        found = summaries(persistence)
    if as_json:
        _print_json({"sessions": [s.model_dump(mode="json") for s in found]})
        return
    if not found:
        err.print("No saved lessons yet. Start one with `etude chat` or `etude ask`.")
        return
    width = max(len(summary.id) for summary in found)
    for summary in found:
        when = (summary.updated or "")[:16].replace("T", " ")
        question = summary.first_question
        if len(question) > 60:
            question = question[:59] + "…"
        turns = f"{summary.turns} turn{'s' if summary.turns != 1 else ''}"
        out.print(f"{summary.id:<{width}}  {when}  {turns:>9}  {question}", markup=False)


@sessions_app.command("show")
def show_session(session: SessionArgument, as_json: JsonOption = False) -> None:
    """A lesson's turns: your questions and scores, the answers, and the evidence behind them."""
    with _database() as persistence:
        lesson = _lesson(persistence, session)
    if as_json:
        _print_json(lesson.model_dump(mode="json"))
        return
    from rich.markdown import Markdown

    # Wrapped to the terminal (the console's soft wrap would crop a rendered paragraph).
    out.print(Markdown(lesson.markdown()), soft_wrap=False)


@sessions_app.command("export")
def export_session(
    session: SessionArgument,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="md (readable) or json (every field).")
    ] = ExportFormat.md,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """A lesson as a Markdown document or as JSON, to keep, share or analyse."""
    with _database() as persistence:
        lesson = _lesson(persistence, session)
    if format is ExportFormat.json:
        text = json.dumps(lesson.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    else:
        text = lesson.markdown()
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from exc
    err.print(
        f"Wrote lesson {session} ({len(lesson.turns)} turns) to {output}",
        soft_wrap=True,
        markup=False,
    )


@sessions_app.command("delete")
def delete_session(session: SessionArgument, as_json: JsonOption = False) -> None:
    """Delete a lesson (whoever owns it): its turns, uploads and the records made from them."""
    from etude.server.erasure import erase_lesson

    settings = _settings()
    with _database() as persistence:
        erased = erase_lesson(persistence, settings.data_dir / "uploads", session)
    if not erased.found:
        raise InputError(f"no lesson {session!r} (`etude sessions list` shows the saved ones)")
    if as_json:
        _print_json({"deleted": erased.model_dump()})
        return
    out.print(erased.sentence(), markup=False)


def _print_json(payload: object) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
    sys.stdout.flush()
