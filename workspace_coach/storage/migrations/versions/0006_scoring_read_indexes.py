"""Indexes for what every scoring run reads: activity events by application and event name
(the Drive visibility changes among every Drive event), and team counts with their figures
(read whole on every run, from the index alone). The (client, app, time) index goes: the unique
key starts with the same columns and serves the same reads, and a collect wrote both.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_activity_events_client_app_name_time", "activity_events",
                    ["client_id", "app", "event_name", "time"], unique=False)
    op.create_index("ix_team_usage_client_date_figures", "team_usage",
                    ["client_id", "date", "scope_type", "scope_key", "indicator", "people",
                     "count"], unique=False)
    op.drop_index("ix_activity_events_client_app_time", table_name="activity_events")


def downgrade() -> None:
    op.create_index("ix_activity_events_client_app_time", "activity_events",
                    ["client_id", "app", "time"], unique=False)
    op.drop_index("ix_team_usage_client_date_figures", table_name="team_usage")
    op.drop_index("ix_activity_events_client_app_name_time", table_name="activity_events")
