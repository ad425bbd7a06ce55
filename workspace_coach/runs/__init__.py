"""Runs that look after themselves: every client at once (`--all`), one lock so two runs never
overlap, and each client's outcome recorded for the CLI and the dashboard (docs/operations.md).
"""
