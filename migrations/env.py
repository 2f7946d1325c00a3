"""Alembic environment: runs with the engine the bot hands over, or `-x url=...` from the command line."""

from alembic import context
from sqlalchemy import create_engine

import bot.incidents.models  # noqa: F401  (registers the tables on Base.metadata)
import bot.followups.models  # noqa: F401
import bot.postmortem.models  # noqa: F401
import bot.runbooks.models  # noqa: F401
import bot.statuspage.models  # noqa: F401
import bot.scheduling.models  # noqa: F401
import bot.timeline.models  # noqa: F401
import bot.alerts.models  # noqa: F401
from bot.db import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        url = context.get_x_argument(as_dictionary=True).get("url") or "sqlite:///incident-bot.db"
        engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
