"""Terminal output: data on stdout, progress and status on stderr (so ``--json`` stays clean)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)

Update = Callable[[int, int], None]
"""``update(done, total)``: how far a long job has come."""


@contextmanager
def status(message: str, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A spinner for slow steps; the yielded function updates its text."""
    if quiet or not err.is_terminal:

        def announce(text: str) -> None:
            if not quiet:
                err.print(text, style="dim", soft_wrap=True)  # whole lines: paths stay copyable

        announce(message)
        yield announce
        return
    with err.status(message) as spinner:
        yield lambda text: spinner.update(text)


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Update]:
    """A bar on stderr with counts, elapsed time and the time left, for a job of known size.

    On a terminal it redraws in place (lines written to stdout meanwhile appear above it,
    unless stdout goes elsewhere); in a log it is printed once, when the job ends.
    """
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(
        *columns,
        console=err,
        transient=False,
        # Only a terminal shared with stdout may take stdout's lines (to print them above the
        # bar): `etude ask --batch … > answers.jsonl` must get every line in the file.
        redirect_stdout=sys.stdout.isatty(),
        # Other writes to stderr during the job (a library's log lines) also go above it.
        redirect_stderr=True,
    ) as bar:
        task = bar.add_task(description, total=total)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
