"""role assignments; the incident's last status update time

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 00:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("assigned_by", sa.String(length=32), nullable=True),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("relieved_at", UTCDateTime(), nullable=True),
        sa.Column("relieved_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_role_assignments_incident_id_incidents"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignments")),
    )
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.create_index("ix_role_assignments_incident_id_role", ["incident_id", "role"], unique=False)
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_update_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("last_update_at")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_role_assignments_incident_id_role")
    op.drop_table("role_assignments")
