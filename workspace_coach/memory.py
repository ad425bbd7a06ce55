"""Python's cycle collector, paused around bulk work that makes no cycles.

A collect holds a thousand-row page, a thousand-person usage report and a queue of rows waiting
for the database at once; scoring builds a few hundred thousand small tuples. Each full pass of
the collector walks the whole heap, and while such work grows the heap it runs again and again:
in a 1,000-person collect it took about half of the process's CPU time. What this work builds is
plain data (dicts, lists, tuples of numbers and strings), freed by reference counting alone, so
the collector is paused for it and left to run once afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector for the `with` block (nested uses keep it paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
