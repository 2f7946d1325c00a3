"""public updates: the status page's copy of the updates published on it

Revision ID: 0011_public_updates
Revises: 0010_unthreaded_news
Create Date: 2026-11-27 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import UTCDateTime

revision: str = "0011_public_updates"
down_revision: str | None = "0010_unthreaded_news"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "public_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("posted_by", sa.String(length=32), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_public_updates_incident_id_incidents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_updates")),
    )
    op.create_index("ix_public_updates_incident_id_posted_at", "public_updates", ["incident_id", "posted_at"])


def downgrade() -> None:
    op.drop_index("ix_public_updates_incident_id_posted_at", table_name="public_updates")
    op.drop_table("public_updates")
