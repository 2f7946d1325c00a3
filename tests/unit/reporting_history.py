"""A small incident history whose figures are worked out by hand (in the tests that use it).

T is Monday 2026-03-02 10:00 UTC; the counted incidents are #1 to #5 (seconds after their declaration):

| # | sev  | service | category    | ack | mitigated | resolved | closed | status changes (to at s)   |
|---|------|---------|-------------|-----|-----------|----------|--------|----------------------------|
| 1 | SEV1 | api     | application |  60 |       600 |     1200 |   5000 | identified 60, monitoring  |
|   |      |         |             |     |           |          |        | 600, resolved 1200, closed |
|   |      |         |             |     |           |          |        | 5000                       |
| 2 | SEV1 | api     | application | 180 |       900 |     3000 |      - | identified 180, resolved   |
|   |      |         |             |     |           |          |        | 3000                       |
| 3 | SEV1 | db      | database    | 300 |         - |        - |      - | none (investigating)       |
| 4 | SEV2 | api     | -           | 120 |      1800 |     3600 |   4000 | identified 120, resolved   |
|   |      |         |             |     |           |          |        | 3600, closed 4000          |
| 5 | SEV2 | -       | -           | 240 |      7200 |     7200 |   8000 | resolved 7200, closed 8000 |

Left out: #6 (a drill, SEV1, ack 900) and #7 (declined, SEV3); #8 is declared after the period.
Follow-ups: #1 one done (recorded T+100, done an hour later) and one open (recorded T+200); #4 one open
(recorded T+1000); the drill one open. NOW is T + 1 day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.followups.models import Followup
from bot.incidents.models import Incident
from bot.reporting.periods import Period
from bot.timeline.models import TimelineEvent

T = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOW = T + timedelta(days=1)
PERIOD = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))


def _s(seconds: int | None) -> datetime | None:
    return None if seconds is None else T + timedelta(seconds=seconds)


ROWS: list[tuple[Any, ...]] = [
    # number, severity, service, category, status, drill, ack, mitigated, resolved, closed, changes
    (1, "SEV1", "api", "application", "closed", False, 60, 600, 1200, 5000,
     [("identified", 60), ("monitoring", 600), ("resolved", 1200), ("closed", 5000)]),
    (2, "SEV1", "api", "application", "resolved", False, 180, 900, 3000, None,
     [("identified", 180), ("resolved", 3000)]),
    (3, "SEV1", "db", "database", "investigating", False, 300, None, None, None, []),
    (4, "SEV2", "api", None, "closed", False, 120, 1800, 3600, 4000,
     [("identified", 120), ("resolved", 3600), ("closed", 4000)]),
    (5, "SEV2", None, None, "closed", False, 240, 7200, 7200, 8000, [("resolved", 7200), ("closed", 8000)]),
    (6, "SEV1", "api", "application", "resolved", True, 900, 1000, 2000, None, [("resolved", 2000)]),
    (7, "SEV3", "api", "application", "declined", False, None, None, None, None, [("declined", 50)]),
]


def seed(session: Session) -> dict[int, int]:
    """Insert the history; returns number → id."""
    ids: dict[int, int] = {}
    for number, sev, service, category, status, drill, ack, mit, res, closed, changes in ROWS:
        ids[number] = _incident(session, number, sev, service, category, status, drill, T, ack, mit, res, closed)
        previous = "investigating"
        for to, at in changes:
            session.execute(insert(TimelineEvent).values(
                incident_id=ids[number], kind="status_changed", occurred_at=_s(at), actor_id="U1",
                text=f"Status: {previous} → {to}", is_key=True, data={"from": previous, "to": to, "reopened": False}))
            previous = to
    _incident(session, 8, "SEV3", "api", None, "investigating", False, datetime(2026, 4, 5, tzinfo=UTC),
              None, None, None, None)
    for number, created, done in ((1, 100, 3700), (1, 200, None), (4, 1000, None), (6, 100, None)):
        session.execute(insert(Followup).values(incident_id=ids[number], text="fix it", created_by="U1",
                                                created_at=_s(created), done_at=_s(done)))
    return ids


def _incident(session: Session, number: int, severity: str, service: str | None, category: str | None,
              status: str, drill: bool, declared: datetime, ack: int | None, mit: int | None, res: int | None,
              closed: int | None) -> int:
    def after(s: int | None) -> datetime | None:
        return None if s is None else declared + timedelta(seconds=s)
    return int(session.execute(insert(Incident).values(
        number=number, title=f"Incident {number}", severity=severity, priority="P2", service=service,
        category=category, status=status, is_drill=drill, is_private=False, reporter_id="U1", declared_at=declared,
        acknowledged_at=after(ack), mitigated_at=after(mit), resolved_at=after(res), closed_at=after(closed),
        setup_state="ready", channel_id=f"C{number:04d}").returning(Incident.id)).scalar_one())
