"""`incident-bot` (or `python -m bot`): serve, migrate, demo, runbooks check, timeline, postmortem, report."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dotenv import load_dotenv

from bot.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from bot.runtime import BotRuntime

DESCRIPTION = """\
Declare, run and learn from incidents without leaving Slack.

Settings come from the environment (and a .env file in the working directory):
  SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN (Socket Mode), SLACK_API_URL,
  DATABASE_URL (default sqlite:///incident-bot.db), INCIDENT_ANNOUNCE_CHANNEL,
  INCIDENT_TRIAGE_CHANNEL and INCIDENT_ALERT_TOKEN (alert intake), INCIDENT_STATUS_PAGE (on|off) and
  INCIDENT_PUBLIC_URL (the status page), INCIDENT_SETUP_LEASE_SECONDS, HOST, PORT, and
  INCIDENT_BOT_CONFIG (YAML: severities, statuses, roles, channel-name template, reminders and SLAs,
  alert sources and rules; see the README).
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="incident-bot", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser(
        "serve", help="run the bot (HTTP on $HOST:$PORT, or Socket Mode)",
        description="Run the bot. HTTP mode serves POST /slack/events (every Slack request, signature-checked) "
                    "and GET /healthz on $HOST:$PORT (default 0.0.0.0:3000); /healthz answers 503 naming the "
                    "problem while the database is down or after Slack refused the token. Needs SLACK_BOT_TOKEN and "
                    "SLACK_SIGNING_SECRET. Refuses a database that is behind: run `incident-bot migrate` first. "
                    "Declarations cut short by a crash or restart are finished at start-up (and by any running "
                    "replica once their lease, INCIDENT_SETUP_LEASE_SECONDS (default 15), runs out). SIGTERM stops "
                    "accepting requests, lets work in flight finish for up to 10 s and exits 0.")
    serve.add_argument("--socket-mode", action="store_true",
                       help="receive Slack requests over Socket Mode (needs SLACK_APP_TOKEN, no public URL); "
                            "/healthz is still served on $PORT")
    sub.add_parser("migrate", help="bring the database (DATABASE_URL) to the newest schema",
                   description="Apply every Alembic migration the database lacks. Safe to run repeatedly; run it "
                               "once per release (the Procfile's release step does).")
    demo = sub.add_parser(
        "demo", help="run incidents through the real app against the local Slack emulator",
        description="Start the bundled Slack emulator and the real bot on loopback, then play a user declaring "
                    "incidents (slash command, modal, drill) and print what Slack would show. Needs no tokens "
                    "and no network.")
    demo.add_argument("--database-url", default=None,
                      help="database to use (default: a fresh SQLite file in the output folder)")
    demo.add_argument("--output", default="incident-bot-demo", help="folder for the demo's files")
    runbooks = sub.add_parser("runbooks", help="work with the runbooks folder (runbooks check)",
                              description="Runbooks are Markdown files with front matter; see the README.")
    runbooks_sub = runbooks.add_subparsers(dest="runbooks_command", required=True, metavar="ACTION")
    check = runbooks_sub.add_parser(
        "check", help="validate every runbook file; exit 1 naming each file and problem",
        description="Validate every *.md runbook: front matter (title, categories, services, severities), "
                    "categories and severities known to INCIDENT_BOT_CONFIG (or the defaults), a non-empty "
                    "checklist of `- [ ] step` lines. Prints one line per problem and exits 1 if there is any.")
    check.add_argument("--dir", default=None,
                       help="the folder to check (default: runbooks_dir from INCIDENT_BOT_CONFIG, else the "
                            "runbooks that ship with the bot)")
    timeline = sub.add_parser(
        "timeline", help="print or export the full timeline of an incident (Markdown or JSON)",
        description="Print the timeline of incident <number> from DATABASE_URL: key events, then every "
                    "captured message (thread replies, files, links, edits with their earlier text, deleted "
                    "messages as tombstones) and every system event and note, oldest first. Times in the "
                    "configured timezone (Markdown) or ISO 8601 UTC (JSON). Needs no Slack token.")
    timeline.add_argument("number", type=int, help="the incident's number (inc-<number>-…)")
    timeline.add_argument("--format", choices=("md", "json"), default="md",
                          help="md: Markdown for people (default); json: for tools")
    timeline.add_argument("--output", "-o", default=None, help="write to this file instead of printing")
    postmortem = sub.add_parser(
        "postmortem", help="print an incident's postmortem (Markdown or an HTML page)",
        description="Print the postmortem of incident <number> from DATABASE_URL: the Markdown stored when it "
                    "was closed, or rendered now from the templates (templates_dir in INCIDENT_BOT_CONFIG "
                    "overrides the shipped ones) if it is still open. --format html renders a standalone page. "
                    "Needs no Slack token.")
    postmortem.add_argument("number", type=int, help="the incident's number (inc-<number>-…)")
    postmortem.add_argument("--format", choices=("md", "html"), default="md", help="md (default) or html")
    postmortem.add_argument("--output", "-o", default=None, help="write to this file instead of printing")
    _report_parser(sub)
    return parser


def _report_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser(
        "report", help="figures across incidents: MTTx, SLA breaches, follow-ups (Markdown, CSV or HTML)",
        description="Report on the incidents declared in a span of days from DATABASE_URL (default: the last 90 "
                    "days): count, mean, median and p90 of the time to detect, acknowledge, mitigate and resolve, "
                    "by severity, service, category and month; SLA breaches; follow-ups done and their age; time "
                    "spent in each status. Drills and declined incidents are left out and counted. --format csv: "
                    "one row per incident with every milestone and the durations in seconds; --format html: a "
                    "standalone page with PNG charts. Needs no Slack token.")
    report.add_argument("--since", default=None, metavar="DATE",
                        help="first day (YYYY-MM-DD, in the configured timezone); default 90 days before --until")
    report.add_argument("--until", default=None, metavar="DATE", help="last day, included (default: now)")
    report.add_argument("--format", choices=("md", "csv", "html"), default="md", help="md (default), csv or html")
    report.add_argument("--all", action="store_true", dest="everything",
                        help="CSV: list drills and declined incidents too (the figures always leave them out)")
    report.add_argument("--output", "-o", default=None, help="write to this file instead of printing")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    quiet = args.command in ("demo", "runbooks", "report")  # these print their own story; only problems are logged
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    load_dotenv(".env", override=False)
    try:
        if args.command == "demo":
            from bot.demo import run_demo

            return run_demo(database_url=args.database_url, output=args.output)
        settings = load_settings()
        if args.command == "timeline":
            return _timeline(settings, args.number, args.format, args.output)
        if args.command == "postmortem":
            return _postmortem(settings, args.number, args.format, args.output)
        if args.command == "report":
            return _report(settings, args)
        if args.command == "runbooks":
            return _check_runbooks(settings, args.dir)
        if args.command == "migrate":
            return _migrate(settings)
        return _serve(settings, socket_mode=args.socket_mode)
    except ConfigError as exc:
        print(f"incident-bot: error: {exc}", file=sys.stderr)
        return 2


def _migrate(settings: Settings) -> int:
    from bot.db import current_revision, make_engine, migrate

    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        print(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0


def _check_runbooks(settings: Settings, folder: str | None) -> int:
    from bot.runbooks.loader import load_library

    library = load_library(settings.incident, Path(folder) if folder else None)
    for problem in library.problems:
        print(problem, file=sys.stderr)
    if library.problems:
        print(f"{len(library.problems)} problem(s) in {library.folder}", file=sys.stderr)
        return 1
    print(f"{len(library.runbooks)} runbook(s) OK in {library.folder}: {', '.join(library.names) or 'none'}")
    return 0


def _require_valid_runbooks(settings: Settings) -> None:
    from bot.runbooks.loader import load_library

    problems = load_library(settings.incident).problems
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"runbook {problems[0]}{more}; fix it or run `incident-bot runbooks check`")


SHUTDOWN_TIMEOUT = 10.0  # seconds work in flight may take to finish after SIGTERM


def _serve(settings: Settings, *, socket_mode: bool) -> int:
    from bot.runtime import BotRuntime

    settings.require_slack(socket_mode=socket_mode)
    _require_valid_runbooks(settings)
    _require_valid_templates(settings)
    runtime = BotRuntime(settings)
    try:
        runtime.require_current_schema()
        _check_token(runtime)
        server = runtime.http(settings.host, settings.port, slack_over_http=not socket_mode)
        # SIGTERM: leave the serving loop (an exception raised in a handler could be swallowed by waitress)
        signal.signal(signal.SIGTERM, lambda signum, frame: server.stop_soon())
        runtime.start()  # timeline catch-up of open incidents, in the background
        log = logging.getLogger("bot")
        if socket_mode:
            runtime.connect_socket_mode()
            log.info("connected over Socket Mode; /healthz on %s:%s", settings.host, server.port)
        else:
            log.info("serving Slack at http://%s:%s/slack/events", settings.host, server.port)
        server.run()
        logging.getLogger("bot").info("stopping: finishing work in flight (up to %.0f s)", SHUTDOWN_TIMEOUT)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        finished = runtime.close(timeout=SHUTDOWN_TIMEOUT)
    if not finished:  # the pool's threads would hold the exit; what they leave is resumed on the next start
        logging.getLogger("bot").warning("stopped with work unfinished; it is resumed when the bot next starts")
        logging.shutdown()
        os._exit(0)
    return 0


def _timeline(settings: Settings, number: int, fmt: str, output: str | None) -> int:
    from bot.db import make_engine, make_sessions
    from bot.incidents.queries import by_number
    from bot.timeline.export import render

    engine = make_engine(settings.database_url)
    try:
        with make_sessions(engine).begin() as session:
            incident = by_number(session, settings.incident, number)
            if incident is None:
                print(f"incident-bot: There is no incident #{number}.", file=sys.stderr)
                return 1
            text = render(session, incident, fmt, settings.incident.tz())
    finally:
        engine.dispose()
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"timeline of incident #{number} written to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _postmortem(settings: Settings, number: int, fmt: str, output: str | None) -> int:
    from bot.errors import NotFound
    from bot.postmortem.printing import postmortem_text

    try:
        text = postmortem_text(settings, number, fmt)
    except NotFound as exc:
        print(f"incident-bot: {exc.message}", file=sys.stderr)
        return 1
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"postmortem of incident #{number} written to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from bot.errors import InvalidInput
    from bot.reporting.printing import report_text

    try:
        text = report_text(settings, args.since, args.until, args.format, datetime.now(UTC),
                           everything=args.everything)
    except InvalidInput as exc:
        print(f"incident-bot report: error: {exc.message}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"report written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _require_valid_templates(settings: Settings) -> None:
    from bot.postmortem.render import Templates
    from bot.postmortem.sample import sample_context

    Templates(settings.incident).validate(sample_context(settings.incident).as_template_vars())


def _check_token(runtime: BotRuntime) -> None:
    from slack_sdk.errors import SlackApiError

    try:
        identity = runtime.slack_client.auth_test()
    except SlackApiError as exc:
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({exc.response.get('error')})") from None
    except OSError as exc:
        raise ConfigError(f"Slack could not be reached at {runtime.settings.slack_api_url} ({exc})") from None
    logging.getLogger("bot").info("authenticated as %s in %s", identity.get("user"), identity.get("team"))


if __name__ == "__main__":
    sys.exit(main())
