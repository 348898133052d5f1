"""Shared fixtures: a migrated database per test on SQLite and PostgreSQL, the real model once."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from core.config import Settings, load_settings
from core.db import dispose_engines
from core.migrate import upgrade
from knowledge.catalogue import Catalogue, load_standard

PG_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=["sqlite", "postgresql", "both"],
        default=os.environ.get("TEST_BACKEND", "both"),
        help="database backend(s) for database tests (default: both)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--backend")
        backends = ["sqlite", "postgresql"] if chosen == "both" else [chosen]
        metafunc.parametrize("backend", backends, scope="session")


def _pg_admin_url() -> str:
    return PG_SERVER


def _create_pg_database() -> str:
    name = f"cbtest_{uuid.uuid4().hex[:10]}"
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_SERVER}: {exc}. Start it or use --backend sqlite"
        )
    finally:
        engine.dispose()
    return PG_SERVER.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    dispose_engines()
    engine = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """One migrated PostgreSQL database for the session; tables are emptied per test."""
    url = _create_pg_database()
    upgrade(url)
    yield url
    _drop_pg_database(url)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        # A session a test left open holds its locks: fail naming that, rather than hang the suite.
        conn.execute(text("SET LOCAL lock_timeout = '30s'"))
        names = [n for n in inspect(conn).get_table_names() if n != "alembic_version"]
        if names:
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")
            )
    engine.dispose()


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A freshly migrated, empty database on the backend under test."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        upgrade(url)
        yield url
        dispose_engines()
    else:
        url = request.getfixturevalue("pg_database")
        _truncate_all(url)
        yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test database and a private index dir."""
    return load_settings(
        _env_file=None,
        database_url=database_url,
        index_dir=tmp_path / "index",
        security_team="USEC1,SSECGRP",
        security_channel="CSEC",
        slack_bot_token="xoxb-test",
        slack_signing_secret="test-secret",
        # Nothing in the tests may reach the real Slack: a closed loopback port unless a fake is set.
        slack_api_url="http://127.0.0.1:9/api/",
    )


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The bundled catalogue, validated once."""
    return load_standard()


@pytest.fixture(scope="session")
def real_embedder():  # type: ignore[no-untyped-def]
    """The real all-MiniLM-L6-v2 model, loaded once per test session."""
    from knowledge.embedder import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def shared_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index cache for the session, shared with CLI subprocesses so they reuse it."""
    return tmp_path_factory.mktemp("shared-index")


@pytest.fixture(scope="session")
def real_searcher(catalogue: Catalogue, real_embedder, shared_index_dir: Path):  # type: ignore[no-untyped-def]
    """A searcher over the bundled catalogue with the real model (built once per session)."""
    from knowledge.search import Searcher

    return Searcher(catalogue, real_embedder, shared_index_dir)


@pytest.fixture
def fake_slack():  # type: ignore[no-untyped-def]
    """A fake Slack Web API server on loopback."""
    from tests.fake_slack import FakeSlack

    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def slack_settings(settings: Settings, fake_slack) -> Settings:  # type: ignore[no-untyped-def]
    """Settings whose Web API calls go to the fake server."""
    return settings.model_copy(update={"slack_api_url": fake_slack.url})


@pytest.fixture
def slack_runtime(slack_settings: Settings, real_searcher, shared_index_dir: Path):  # type: ignore[no-untyped-def]
    """A Runtime on the fake Slack server that shares the session's model and index."""
    from bot.runtime import Runtime

    settings = slack_settings.model_copy(update={"index_dir": shared_index_dir})
    runtime = Runtime(settings, embedder=real_searcher.embedder)
    runtime._searcher = real_searcher  # the session's searcher: same catalogue, already built
    return runtime


@pytest.fixture
def slack_app(slack_runtime):  # type: ignore[no-untyped-def]
    """The real app served over HTTP, talking to the fake Slack server."""
    from tests.slack_support import SlackAppServer

    server = SlackAppServer(slack_runtime)
    yield server
    server.close()
