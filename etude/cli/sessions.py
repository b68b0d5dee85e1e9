"""``etude sessions list|show ID|export ID|delete ID``: the saved lessons, wherever the mentor
keeps them (the SQLite file, or PostgreSQL with ``ETUDE_DATABASE_URL``)."""

from __future__ import annotations

import json
import sys
from typing import Any

from etude.cli.console import out
from etude.cli.errors import InputError
from etude.config import Settings
from etude.sessions import open_persistence


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def run_list(settings: Settings, *, as_json: bool) -> None:
    persistence = open_persistence(settings)
    try:
        sessions = persistence.sessions()
    finally:
        persistence.close()
    if as_json:
        _print_json({"sessions": sessions})
        return
    for session in sessions:
        out.print(session, markup=False)


def run_show(settings: Settings, session: str, *, as_json: bool) -> None:
    """The lesson's history (``export`` is the same as JSON, for keeping)."""
    from etude.mentor import Mentor

    mentor = Mentor(settings)
    try:
        messages = mentor.history(session)
    finally:
        mentor.close()
    if not messages:
        raise InputError(f"no lesson {session!r} (etude sessions list shows them)")
    if as_json:
        _print_json({"session": session, "messages": messages})
        return
    for message in messages:
        who = "you" if message["role"] == "human" else "etude"
        out.print(f"[bold]{who}[/bold]: ", end="")
        out.print(message["content"], markup=False)


def run_delete(settings: Settings, session: str, *, as_json: bool) -> None:
    """Delete the lesson, its uploads and the server's records of them, for whichever learner
    owns it; say what was removed."""
    from etude.server.erasure import erase_lesson

    persistence = open_persistence(settings)
    try:
        erased = erase_lesson(persistence, settings.data_dir / "uploads", session)
    finally:
        persistence.close()
    if not erased.found:
        raise InputError(f"no lesson {session!r} (etude sessions list shows them)")
    if as_json:
        _print_json({"deleted": erased.model_dump()})
        return
    out.print(erased.sentence(), markup=False)
