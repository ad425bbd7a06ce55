"""Errors a person can act on.

A `UserError` is a mistake in what the user gave us (a file, a flag, a profile). The CLI prints
its message as one line and exits non-zero, never with a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or environment, explained in one line."""

    exit_code: int = 1


class ConfigError(UserError):
    """A connection profile or configuration file is missing or malformed."""
