"""``etude chat``: an interactive lesson that streams the tutor's words as they come."""

from __future__ import annotations

import sys

from langchain_core.runnables import RunnableConfig
from rich.prompt import Prompt

from etude.attachments import prepare_attachment
from etude.cli.console import err, out, status
from etude.cli.errors import first_line
from etude.config import LEVELS, Level, Settings
from etude.mentor import Mentor, new_session_id
from etude.scores.loading import ScoreError
from etude.state import Attachment

HELP = (
    "Commands: /attach FILE (send a score with your next message), /level LEVEL, "
    "/new (start a new lesson), /history, /quit"
)


def run_chat(settings: Settings, *, session: str | None, level: Level | None) -> None:
    with status("Starting Etude (loading the models)…") as say:
        mentor = Mentor(settings, status=say)
        mentor.warm_up()
    session = session or new_session_id()
    attachment: Attachment | None = None
    out.print(f"[bold]Etude[/bold] — lesson [cyan]{session}[/cyan]. {HELP}")
    try:
        while True:
            try:
                line = Prompt.ask("[bold green]you[/bold green]", console=out).strip()
            except EOFError:
                break
            if not line:
                continue
            if line in ("/quit", "/exit", "/q"):
                break
            if line == "/new":
                session = new_session_id()
                attachment = None
                out.print(f"New lesson [cyan]{session}[/cyan].")
                continue
            if line == "/history":
                for message in mentor.history(session):
                    out.print(f"[dim]{message['role']}:[/dim] {message['content']}")
                continue
            if line.startswith("/level"):
                value = line.removeprefix("/level").strip()
                if value in LEVELS:
                    level = value
                    out.print(f"Teaching at {value} level.")
                else:
                    out.print(f"Levels: {', '.join(LEVELS)}")
                continue
            if line.startswith("/attach"):
                try:
                    attachment = prepare_attachment(line.removeprefix("/attach").strip())
                    out.print(f"Attached {attachment['path']} ({attachment['format']}).")
                except ScoreError as exc:
                    out.print(f"[red]error:[/red] {first_line(exc)}")
                continue
            if line.startswith("/"):
                out.print(HELP)
                continue
            out.print("[bold magenta]etude[/bold magenta] ", end="")
            for event in mentor.stream_turn(
                line, session=session, attachment=attachment, level=level
            ):
                if event["event"] == "token":
                    sys.stdout.write(event["text"])
                    sys.stdout.flush()
            sys.stdout.write("\n")
            attachment = None
    finally:
        saved = _has_turns(mentor, session)
        mentor.close()
        if saved:
            err.print(f"[dim]Lesson saved. Resume with: etude chat --session {session}[/dim]")


def _has_turns(mentor: Mentor, session: str) -> bool:
    """Whether the lesson has a saved turn: quitting before asking anything saves nothing."""
    config: RunnableConfig = {"configurable": {"thread_id": session}}
    return mentor.persistence.checkpointer.get_tuple(config) is not None
