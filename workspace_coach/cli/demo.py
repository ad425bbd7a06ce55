"""`workspace-coach demo`: the main job end to end on the local sandbox."""

from __future__ import annotations


def demo() -> None:
    """Start the local sandbox, create a demo tenant and show what to try next."""
    raise NotImplementedError
