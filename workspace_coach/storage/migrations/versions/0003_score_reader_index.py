"""An index for reading a scoring run's newest scores (the dashboard, reports, benchmark).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_scores_run_window_scope", "scores",
                    ["run_id", "window_days", "scope_type", "scope_key", "category", "date"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_scores_run_window_scope", table_name="scores")
