"""Terminal output: data on stdout, progress and status on stderr (so ``--json`` stays clean)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)


@contextmanager
def status(message: str, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """A spinner for slow steps; the yielded function updates its text."""
    if quiet or not err.is_terminal:

        def announce(text: str) -> None:
            if not quiet:
                err.print(text, style="dim")

        announce(message)
        yield announce
        return
    with err.status(message) as spinner:
        yield lambda text: spinner.update(text)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
