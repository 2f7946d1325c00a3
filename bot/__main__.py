"""`incident-bot` (or `python -m bot`): serve, migrate, demo."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
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
  INCIDENT_BOT_CONFIG (YAML: severities, statuses, roles, channel-name template), HOST, PORT.
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="incident-bot", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser(
        "serve", help="run the bot (HTTP on $HOST:$PORT, or Socket Mode)",
        description="Run the bot. HTTP mode serves POST /slack/events (every Slack request, signature-checked) "
                    "and GET /healthz on $HOST:$PORT (default 0.0.0.0:3000). Needs SLACK_BOT_TOKEN and "
                    "SLACK_SIGNING_SECRET. Refuses a database that is behind: run `incident-bot migrate` first.")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    quiet = args.command == "demo"  # the demo prints its own story; only problems are logged
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    load_dotenv(".env", override=False)
    try:
        if args.command == "demo":
            from bot.demo import run_demo

            return run_demo(database_url=args.database_url, output=args.output)
        settings = load_settings()
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


def _serve(settings: Settings, *, socket_mode: bool) -> int:
    from bot.runtime import BotRuntime

    settings.require_slack(socket_mode=socket_mode)
    runtime = BotRuntime(settings)
    try:
        runtime.require_current_schema()
        _check_token(runtime)
        server = runtime.http(settings.host, settings.port, slack_over_http=not socket_mode)
        log = logging.getLogger("bot")
        if socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(runtime.app, settings.slack_app_token)
            handler.connect()
            log.info("connected over Socket Mode; /healthz on %s:%s", settings.host, server.port)
        else:
            log.info("serving Slack at http://%s:%s/slack/events", settings.host, server.port)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        runtime.close()
    return 0


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
