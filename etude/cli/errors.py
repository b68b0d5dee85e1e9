"""How the CLI fails: bad input is exit 2 with one ``error:`` line, our faults are exit 1.

Never a traceback for a learner; ``ETUDE_DEBUG=1`` shows it to a developer.
"""

from __future__ import annotations

import os
import sys
import traceback


class InputError(ValueError):
    """The user asked for something impossible (missing file, bad option value)."""


def fail(message: str, code: int) -> None:
    print(f"error: {message}", file=sys.stderr)
    if os.environ.get("ETUDE_DEBUG"):
        traceback.print_exc()
    raise SystemExit(code)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
