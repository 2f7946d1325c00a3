"""catch-up claims: one replica at a time reads a channel back at start-up

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "timeline_catchups",
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("channel_id", name=op.f("pk_timeline_catchups")),
    )


def downgrade() -> None:
    op.drop_table("timeline_catchups")
