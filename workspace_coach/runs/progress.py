"""One `advance` function for a rich progress bar, shared by the threads of a collect."""

from __future__ import annotations

import threading
from collections.abc import Callable

from rich.progress import Progress, TaskID


def advancer(bar: Progress, task: TaskID, *, field: str | None = "description"
             ) -> Callable[..., None]:
    """`advance(n=1, *, description=None, total_more=0)` for `task`: moves it by `n`, adds
    `total_more` to its total (work found on the way, like the slices of a long listing), and
    shows `description` in the task's `field` (None: not shown). Safe across threads."""
    lock = threading.Lock()

    def advance(n: int = 1, *, description: str | None = None, total_more: int = 0) -> None:
        with lock:
            if total_more:
                current = next(t for t in bar.tasks if t.id == task)
                bar.update(task, total=(current.total or 0) + total_more)
            shown = {field: description} if field and description else {}
            bar.update(task, advance=n, **shown)  # type: ignore[arg-type]

    return advance
