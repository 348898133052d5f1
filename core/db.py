"""Engine and unit-of-work helpers; SQLite gets WAL and foreign keys, PostgreSQL works unchanged."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_engines: dict[str, Engine] = {}


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs (SQLAlchemy would otherwise pick psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Several processes (bot, worker) share the file: wait instead of failing on a lock.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """Create an engine for url (cached per URL so a process keeps one pool)."""
    url = normalise_url(url)
    cache_key = url + ("#read-only" if read_only else "")
    if cache_key in _engines:
        return _engines[cache_key]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and read_only:
        engine = _read_only_sqlite(parsed.database or "")
    elif parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        # The server refuses any write in these sessions.
        options = {"options": "-c default_transaction_read_only=on"} if read_only else {}
        engine = create_engine(url, pool_pre_ping=True, connect_args=options)
    _engines[cache_key] = engine
    return engine


def _read_only_sqlite(path: str) -> Engine:
    """SQLite opened with mode=ro: nothing is written (so a full disk cannot fail a read)."""
    uri = f"file:{Path(path).resolve()}?mode=ro"
    engine = create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, timeout=10))

    def pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    event.listen(engine, "connect", pragmas)
    return engine


def dispose_engines() -> None:
    """Close every cached engine (tests and shutdown)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


class Database:
    """One database: an engine plus a session factory."""

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, read_only=read_only)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def is_sqlite(self) -> bool:
        """True when the backend is SQLite."""
        return self.engine.dialect.name == "sqlite"


def affected(session: Session, statement: Any) -> int:
    """Run an UPDATE/DELETE and return how many rows it touched (the basis of every claim)."""
    result = session.execute(statement)
    return int(cast(CursorResult[Any], result).rowcount)
