"""incident counters: the next incident number in a row that declarations lock, seeded from max(number)

Revision ID: 0008_counters
Revises: 0007
Create Date: 2026-11-26 00:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_counters"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_counters",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_incident_counters")),
    )
    op.execute("INSERT INTO incident_counters (name, next_number) "
               "SELECT 'incidents', COALESCE(MAX(number), 0) + 1 FROM incidents")


def downgrade() -> None:
    op.drop_table("incident_counters")
