"""reporting indexes: incidents by declaration time (reports, /incident stats) and by status (/metrics)

Revision ID: 0014_reporting
Revises: 0013_alerts
Create Date: 2026-11-27 00:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0014_reporting"
down_revision: str | None = "0013_alerts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # every column the figures read, so a long span is read from the index alone (bot/incidents/models.py)
    op.create_index("ix_incidents_declared_at", "incidents", ["declared_at", "is_drill", "status", "severity",
                                                              "acknowledged_at", "mitigated_at", "resolved_at",
                                                              "service", "category"])
    op.create_index("ix_incidents_status", "incidents", ["status"])


def downgrade() -> None:
    op.drop_index("ix_incidents_status", table_name="incidents")
    op.drop_index("ix_incidents_declared_at", table_name="incidents")
