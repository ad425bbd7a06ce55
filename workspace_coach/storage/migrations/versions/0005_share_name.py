"""Whether a client lets its name appear in reports for funders (`share_name_in_reports`).

Existing clients get false: a portfolio report shows them as "client A, B, ..." until their
connection profile says otherwise and the next collect records it.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("share_name_in_reports", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("share_name_in_reports")
