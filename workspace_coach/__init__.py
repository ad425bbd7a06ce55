"""Workspace Coach: bring small organisations onto Google Workspace and keep them thriving there."""

__version__ = "0.1.0"
