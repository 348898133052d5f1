"""Migrations apply on empty SQLite and PostgreSQL databases; SQLite gets WAL and foreign keys."""

from __future__ import annotations

from sqlalchemy import inspect, text

from core.db import Database, make_engine
from core.migrate import current_revision, head_revision, upgrade
from core.models import Base


def test_migrations_reach_head_and_match_models(database_url: str) -> None:
    assert current_revision(database_url) == head_revision()
    tables = set(inspect(make_engine(database_url)).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_upgrade_twice_is_harmless(database_url: str) -> None:
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()


def test_empty_database_is_migrated_from_scratch(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    assert current_revision(url) is None
    upgrade(url)
    assert current_revision(url) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    upgrade(url)
    db = Database(url)
    with db.session_scope() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_plain_postgresql_url_uses_psycopg3() -> None:
    from core.db import normalise_url

    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
