"""Migrations are the schema: they run on SQLite and PostgreSQL and match the models."""

from alembic import command
from alembic.util.exc import CommandError

from bot.db import alembic_config, current_revision, head_revision, make_engine


def test_migrations_build_the_schema_the_models_describe(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision(engine)
        try:
            command.check(alembic_config(engine))
        except CommandError as exc:  # pragma: no cover - the failure message is the point
            raise AssertionError(f"models and migrations differ: {exc}") from exc
    finally:
        engine.dispose()
