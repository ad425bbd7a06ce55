"""Coaching and scoring tables: team usage aggregates, group settings, shared drives,
coaching sessions and follow-ups, curriculum marks and published checklist sheets.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coaching_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('coach', sa.String(length=320), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_coaching_sessions_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coaching_sessions'))
    )
    op.create_index(op.f('ix_coaching_sessions_client_id'), 'coaching_sessions', ['client_id'], unique=False)
    op.create_table('curriculum_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('track', sa.String(length=64), nullable=False),
    sa.Column('item_id', sa.String(length=128), nullable=False),
    sa.Column('person_email', sa.String(length=320), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('marked_by', sa.String(length=320), nullable=False),
    sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_curriculum_marks_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curriculum_marks'))
    )
    op.create_index('ix_curriculum_marks_client_track_person', 'curriculum_marks', ['client_id', 'track', 'person_email'], unique=False)
    op.create_table('published_sheets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('track', sa.String(length=64), nullable=False),
    sa.Column('person_email', sa.String(length=320), nullable=False),
    sa.Column('spreadsheet_id', sa.String(length=128), nullable=False),
    sa.Column('drive_id', sa.String(length=128), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_published_sheets_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_sheets')),
    sa.UniqueConstraint('client_id', 'track', 'person_email', name=op.f('uq_published_sheets_client_id'))
    )
    op.create_table('team_usage',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('scope_type', sa.String(length=16), nullable=False),
    sa.Column('scope_key', sa.String(length=1000), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_team_usage_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_team_usage')),
    sa.UniqueConstraint('client_id', 'date', 'scope_type', 'scope_key', 'indicator', name=op.f('uq_team_usage_client_id'))
    )
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=320), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_follow_ups_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['coaching_sessions.id'], name=op.f('fk_follow_ups_session_id_coaching_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    op.create_index(op.f('ix_follow_ups_client_id'), 'follow_ups', ['client_id'], unique=False)
    op.create_index(op.f('ix_follow_ups_session_id'), 'follow_ups', ['session_id'], unique=False)
    op.create_table('group_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['directory_snapshots.id'], name=op.f('fk_group_settings_snapshot_id_directory_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_settings')),
    sa.UniqueConstraint('snapshot_id', 'group_id', name=op.f('uq_group_settings_snapshot_id'))
    )
    op.create_table('shared_drives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('snapshot_id', sa.Integer(), nullable=False),
    sa.Column('drive_id', sa.String(length=128), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('restrictions', sa.JSON(), nullable=False),
    sa.Column('organizers', sa.Integer(), nullable=False),
    sa.Column('permissions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['snapshot_id'], ['directory_snapshots.id'], name=op.f('fk_shared_drives_snapshot_id_directory_snapshots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shared_drives')),
    sa.UniqueConstraint('snapshot_id', 'drive_id', name=op.f('uq_shared_drives_snapshot_id'))
    )


def downgrade() -> None:
    op.drop_table('shared_drives')
    op.drop_table('group_settings')
    op.drop_index(op.f('ix_follow_ups_session_id'), table_name='follow_ups')
    op.drop_index(op.f('ix_follow_ups_client_id'), table_name='follow_ups')
    op.drop_table('follow_ups')
    op.drop_table('team_usage')
    op.drop_table('published_sheets')
    op.drop_index('ix_curriculum_marks_client_track_person', table_name='curriculum_marks')
    op.drop_table('curriculum_marks')
    op.drop_index(op.f('ix_coaching_sessions_client_id'), table_name='coaching_sessions')
    op.drop_table('coaching_sessions')
