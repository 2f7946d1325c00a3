"""Workload 5: the postmortem of an incident whose channel holds 10,000 timeline entries.

The rows are bulk-inserted straight into the scratch database (no Slack involved): a mix of top-level
messages and thread replies, edited messages with their earlier texts (MessageRevision), a few deleted
ones (tombstones), some marked key, mentions and links in the text, and a few system events. Then the
bot's own code builds the template context and renders the shipped Markdown template, as closing an
incident does (the template compiled beforehand, as the bot's start-up validation does). It is timed
RUNS times without tracing (median reported), then once more under tracemalloc for the peak memory
(tracing slows Python down, so the two are not mixed).
"""

from __future__ import annotations

import gc
import random
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from bot.config import IncidentConfig
from bot.db import make_engine, make_sessions
from bot.incidents.models import Incident
from bot.postmortem.context import build
from bot.postmortem.render import MARKDOWN, Templates
from bot.timeline.kinds import EventKind
from bot.timeline.models import MessageRevision, TimelineEvent, TimelineMessage

CHANNEL = "CPOSTMORTEM"
USERS = [f"U{n:08d}" for n in range(1, 41)]
CHUNK = 2000  # rows per INSERT statement (executemany)
RUNS = 3      # timed runs; the median is reported (and the slowest), so one hiccup of a busy machine does not decide


def _names(ids: set[str]) -> dict[str, str]:
    """Made-up display names, as the users.info cache would give them."""
    return {i: f"Person {i[-3:]}" for i in ids}


def _seed(database_url: str, entries: int) -> int:
    """Insert one incident with `entries` messages and a few system events; returns the incident id."""
    rng = random.Random(7)
    engine = make_engine(database_url)
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    try:
        with engine.begin() as conn:
            incident_id = int(conn.execute(insert(Incident).values(
                number=1, title="Checkout outage", description="Payments failing for EU customers",
                severity="SEV1", status="closed", is_private=False, is_drill=False, reporter_id=USERS[0],
                declared_at=start, acknowledged_at=start + timedelta(minutes=3),
                mitigated_at=start + timedelta(hours=2), resolved_at=start + timedelta(hours=3),
                closed_at=start + timedelta(hours=4), setup_state="ready", channel_id=CHANNEL,
                channel_name="inc-1-checkout-outage", summary="Rolled back the payment gateway config.",
                impact="EU card payments failed for 2 hours.", root_cause="A config push with a bad TLS bundle.",
            ).returning(Incident.id)).scalar_one())
            conn.execute(insert(TimelineEvent), [
                {"incident_id": incident_id, "kind": kind, "occurred_at": start + timedelta(minutes=m),
                 "actor_id": USERS[m % len(USERS)], "text": text, "is_key": True, "data": data}
                for m, kind, text, data in [
                    (0, EventKind.DECLARED, "Declared", None),
                    (1, EventKind.CHANNEL_OPENED, "Channel opened", None),
                    (5, EventKind.SEVERITY_CHANGED, "Severity SEV2 → SEV1", {"from": "SEV2", "to": "SEV1"}),
                    (30, EventKind.STATUS_CHANGED, "Identified", {"from": "investigating", "to": "identified"}),
                    (60, EventKind.NOTE, "Rollback started by <@U00000003>", None),
                    (120, EventKind.STATUS_CHANGED, "Mitigated", {"from": "identified", "to": "mitigated"}),
                    (180, EventKind.RESOLVED, "Resolved", None),
                    (240, EventKind.STATUS_CHANGED, "Closed", {"from": "resolved", "to": "closed"}),
                ]])
            rows: list[dict[str, Any]] = []
            parents: list[str] = []
            for n in range(entries):
                posted = start + timedelta(seconds=n)
                ts = f"{int(posted.timestamp())}.{n:06d}"
                user = rng.choice(USERS)
                thread_ts = rng.choice(parents) if parents and rng.random() < 0.3 else None
                if thread_ts is None and rng.random() < 0.1:
                    parents.append(ts)
                deleted = rng.random() < 0.01
                edited = not deleted and rng.random() < 0.08
                text = f"message {n}: checking <@{rng.choice(USERS)}> the {rng.choice(['db', 'lb', 'api'])} graphs"
                if n % 17 == 0:
                    text += " see <https://grafana.example.com/d/abc?n=" + str(n) + "|dashboard> &amp; logs"
                rows.append({
                    "incident_id": incident_id, "channel_id": CHANNEL, "ts": ts, "thread_ts": thread_ts,
                    "user_id": user, "text": None if deleted else text + (" (fixed typo)" if edited else ""),
                    "files": [{"id": f"F{n}", "name": f"screenshot-{n}.png"}] if n % 97 == 0 and not deleted else None,
                    "links": None, "posted_at": posted,
                    "edited_at": posted + timedelta(seconds=30) if edited else None,
                    "edit_ts": f"{int(posted.timestamp()) + 30}.000000" if edited else None,
                    "deleted_at": posted + timedelta(seconds=60) if deleted else None,
                    "deleted_by": user if deleted else None,
                    "is_key": not deleted and rng.random() < 0.02,
                })
            for i in range(0, len(rows), CHUNK):
                conn.execute(insert(TimelineMessage), rows[i:i + CHUNK])
            edited_ids = conn.execute(select(TimelineMessage.id, TimelineMessage.posted_at).where(
                TimelineMessage.incident_id == incident_id, TimelineMessage.edited_at.is_not(None))).all()
            revisions = [{"message_id": mid, "edit_ts": f"{int(posted.timestamp()) + k}.000000",
                          "text": f"earlier text {k}", "edited_at": posted + timedelta(seconds=k)}
                         for mid, posted in edited_ids for k in range(1, 1 + (mid % 2) + 1)]
            for i in range(0, len(revisions), CHUNK):
                conn.execute(insert(MessageRevision), revisions[i:i + CHUNK])
    finally:
        engine.dispose()
    return incident_id


def _render(sessions: Any, config: IncidentConfig, templates: Templates, incident_id: int) -> tuple[float, float, int]:
    """(seconds in build, seconds in render, characters of Markdown), on a fresh session."""
    with sessions() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        started = time.perf_counter()
        ctx = build(session, config, incident, _names, datetime.now(UTC))
        built = time.perf_counter()
        markdown = templates.render_markdown(ctx.as_template_vars())
        done = time.perf_counter()
    return built - started, done - built, len(markdown)


def postmortem(database_url: str, entries: int) -> dict[str, Any]:
    """Workload 5: seed, then time build() + render_markdown(), then measure the peak under tracemalloc."""
    seeding = time.perf_counter()
    incident_id = _seed(database_url, entries)
    seed_s = time.perf_counter() - seeding
    config = IncidentConfig()
    templates = Templates(config)
    templates.markdown.get_template(MARKDOWN)  # compiled at start-up in the bot (Templates.validate)
    engine = make_engine(database_url)
    sessions = make_sessions(engine)
    try:
        _render(sessions, config, templates, incident_id)  # warm: connection, mapper and statement caches
        timed = []
        for _ in range(RUNS):
            gc.collect()
            timed.append(_render(sessions, config, templates, incident_id))
        build_s, render_s, size = sorted(timed, key=lambda t: t[0] + t[1])[len(timed) // 2]  # the median run
        slowest = max(b + r for b, r, _ in timed)
        gc.collect()
        tracemalloc.start()
        try:
            _render(sessions, config, templates, incident_id)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        engine.dispose()
    return {"entries": entries, "build_s": build_s, "render_s": render_s, "total_s": build_s + render_s,
            "slowest_s": slowest, "peak_mib": peak / 2**20, "markdown_kib": size / 1024, "seed_s": seed_s}
