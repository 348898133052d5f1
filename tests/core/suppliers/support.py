"""Setup the supplier tests share: the example supplier register imported."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from core.db import Database
from core.suppliers.importing import ImportResult, import_rows, read_suppliers, validate
from tests.paths import EXAMPLES

EXAMPLE_SUPPLIERS = EXAMPLES / "suppliers.csv"
PEOPLE = {
    "alice@example.com": "UALICE",
    "bob@example.com": "UBOB",
    "U0OPSLEAD": "U0OPSLEAD",
    "UBOB": "UBOB",
}
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def import_suppliers(
    db: Database, path: Path = EXAMPLE_SUPPLIERS, *, now: datetime = T0
) -> ImportResult:
    """Validate and import a supplier file as the CLI does."""
    rows = validate(read_suppliers(path), people=PEOPLE, today=now.date())
    with db.session_scope() as session:
        return import_rows(rows, db_session=session, actor="tester", now=now)


def today() -> date:
    """The day the example suppliers are imported on."""
    return T0.date()
