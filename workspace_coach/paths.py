"""Where Workspace Coach keeps its files by default (overridable with WC_DATA_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    """The per-user data directory, created on first use."""
    path = Path(os.environ.get("WC_DATA_DIR") or user_data_dir("workspace-coach", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
