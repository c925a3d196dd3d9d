"""Progress of long steps: silent in the library, shown on a terminal by the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Bar:
    """What `Progress.bar` yields: `bar()` advances by one; `bar(total)` sets the total."""

    def __init__(self, update: Callable[[int | None, int], None]):
        self.update = update

    def __call__(self, total: int | None = None):
        if total is not None:
            self.update(total, 0)
            return self
        self.update(None, 1)
        return None


class Progress:
    """Report nothing; the base for progress displays. Safe to use from several threads."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        return None

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        yield

    @contextmanager
    def bar(self, description: str, total: int | None = None) -> Iterator[Bar]:
        yield Bar(lambda *_: None)


class RichProgress(Progress):
    """Show each step on one live display (rich) with its bar or spinner and elapsed time."""

    def __init__(self, console=None):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )
        from rich.progress import Progress as RichDisplay

        self.display = RichDisplay(
            SpinnerColumn(finished_text="[green]done"),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
        )

    def __enter__(self) -> RichProgress:
        self.display.start()
        return self

    def __exit__(self, *exc) -> None:
        self.display.stop()

    @contextmanager
    def step(self, description: str) -> Iterator[None]:
        task = self.display.add_task(description, total=1)
        yield
        self.display.update(task, completed=1)

    @contextmanager
    def bar(self, description: str, total: int | None = None) -> Iterator[Bar]:
        task = self.display.add_task(description, total=total)

        def update(new_total, n):
            if new_total is not None:
                self.display.update(task, total=new_total)
            else:
                self.display.advance(task, n)

        yield Bar(update)
