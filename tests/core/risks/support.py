"""Setup the risk tests share: the example register and risk register imported."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from core.db import Database
from core.risks.importing import ImportResult, control_resolver, import_rows, read_risks, validate
from core.risks.scale import RiskScale
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import import_example_register
from tests.paths import EXAMPLES

EXAMPLE_RISKS = EXAMPLES / "risks.csv"
PEOPLE = {"alice@example.com": "UALICE", "bob@example.com": "UBOB", "U0OPSLEAD": "U0OPSLEAD"}
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def import_risks(
    db: Database,
    catalogue: Catalogue,
    path: Path = EXAMPLE_RISKS,
    *,
    people: dict[str, str] | None = None,
    now: datetime = T0,
    scale: RiskScale | None = None,
) -> ImportResult:
    """Validate and import a risk file as the CLI does, with owners looked up in `people`."""
    raw = read_risks(path)
    with db.session_scope() as session:
        rows = validate(
            raw,
            scale=scale or RiskScale(),
            resolve_control=control_resolver(catalogue, db_session=session),
            people=PEOPLE if people is None else people,
        )
        return import_rows(rows, db_session=session, actor="tester", now=now)


def filled_risks(database_url: str, catalogue: Catalogue) -> Database:
    """The example control register and the example risks."""
    db = Database(database_url)
    import_example_register(db, catalogue)
    import_risks(db, catalogue)
    return db
