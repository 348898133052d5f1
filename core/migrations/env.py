"""Alembic environment: runs against the URL handed in by core.migrate (or alembic.ini / DATABASE_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

# Domain packages keep their models beside their services: import them so metadata is complete.
import core.access_reviews.models  # noqa: F401  (access reviews)
import core.incidents.models  # noqa: F401  (domain models live beside their services)
import core.reminders.models  # noqa: F401 - domain models register their tables on Base

# Models kept beside their domain's services are imported so the metadata holds their tables.
import core.risks.models  # noqa: F401  (risks and suppliers, issue 24)
import core.suppliers.models  # noqa: F401
from core.db import make_engine
from core.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from core.config import get_settings

        url = get_settings().database_url
    return str(url)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Apply migrations on a live connection."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with make_engine(_url()).connect() as conn:
        _run(conn)
        conn.commit()


run_migrations_online()
