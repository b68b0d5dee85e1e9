"""How the CLI fails: bad input is exit 2 with one ``error:`` line, our faults are exit 1.

Never a traceback for a learner; ``ETUDE_DEBUG=1`` shows it to a developer.
"""

from __future__ import annotations

import sys
import traceback

from etude.config import Settings


class InputError(ValueError):
    """The user asked for something impossible (missing file, bad option value)."""


def fail(message: str, code: int) -> None:
    print(f"error: {message}", file=sys.stderr)
    if debugging():
        traceback.print_exc()
    raise SystemExit(code)


def debugging() -> bool:
    """Whether ETUDE_DEBUG asks for tracebacks. Read on its own, because the failure being
    reported may be a bad value of another setting."""
    try:
        return bool(Settings.one_from_env("debug"))
    except ValueError:
        return True  # set, but to neither yes nor no: show the traceback rather than hide it


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
