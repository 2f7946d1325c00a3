"""`incident-bot report [--since DATE] [--until DATE] [--format md|csv|html] [--all] [-o PATH]`."""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.db import make_engine, make_sessions
from bot.reporting import figures, render
from bot.reporting.periods import Period, report_period
from bot.reporting.sla import configured_targets

FORMATS = ("md", "csv", "html")


def report_text(settings: Settings, since: str | None, until: str | None, fmt: str, now: datetime, *,
                everything: bool = False) -> str:
    """The report from DATABASE_URL (no Slack needed). Raises InvalidInput for dates it cannot use."""
    config = settings.incident
    period = report_period(since, until, now, config.tz())
    engine = make_engine(settings.database_url)
    try:
        with make_sessions(engine)() as session:
            if fmt == "csv":
                return render.csv_text(figures.incident_rows(session, period, everything=everything))
            report = figures.report(session, period, configured_targets(config), now, config.initial_status)
    finally:
        engine.dispose()
    if fmt == "md":
        return render.markdown(report, config.tz(), now)
    return render.html_page(report, config.tz(), now, charts(report, settings, period))


def charts(report: figures.Report, settings: Settings, period: Period) -> list[tuple[str, bytes]]:
    """The HTML report's charts: (caption, PNG)."""
    from bot.reporting import charts as drawn  # matplotlib loads only for the HTML report

    config = settings.incident
    return [(f"Incidents per week by severity ({period.days:.0f} days)",
             drawn.incidents_per_week(report, config.severity_names)),
            ("Time to resolve per week: median and the band up to p90", drawn.time_to_resolve(report)),
            ("Time spent in each status per incident: median and p90",
             drawn.time_in_status(report, [s.name for s in config.statuses]))]
