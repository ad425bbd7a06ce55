"""The coaching logic runs on both databases, like the audit: reuse its `engine` fixture."""

from tests.audit.conftest import engine  # noqa: F401
