"""runbook checklists and the state of their steps

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import UTCDateTime

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('runbook_checklists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('runbook', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by', sa.String(length=32), nullable=True),
    sa.Column('claimed_at', UTCDateTime(), nullable=False),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('posted_at', UTCDateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_runbook_checklists_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runbook_checklists')),
    sa.UniqueConstraint('incident_id', 'runbook', name=op.f('uq_runbook_checklists_incident_id_runbook'))
    )
    op.create_table('runbook_step_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checklist_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('changed_by', sa.String(length=32), nullable=False),
    sa.Column('changed_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['checklist_id'], ['runbook_checklists.id'], name=op.f('fk_runbook_step_states_checklist_id_runbook_checklists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runbook_step_states')),
    sa.UniqueConstraint('checklist_id', 'step', name=op.f('uq_runbook_step_states_checklist_id_step'))
    )


def downgrade() -> None:
    op.drop_table('runbook_step_states')
    op.drop_table('runbook_checklists')
