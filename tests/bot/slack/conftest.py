"""Fixtures shared by the Slack tests of this folder."""

from __future__ import annotations

import pytest

from core.evidence.register import import_rows, load_register
from tests.paths import EXAMPLES

EXAMPLE = EXAMPLES / "register.csv"


@pytest.fixture
def registered(slack_runtime):  # type: ignore[no-untyped-def]
    """The example register imported, AC-01 owned by UALICE."""
    rows = load_register(EXAMPLE, catalogue=slack_runtime.catalogue)
    with slack_runtime.db.session_scope() as session:
        import_rows(
            rows,
            db_session=session,
            actor="t",
            resolve_user=lambda e: "UALICE" if e.startswith("alice") else "UBOB",
        )
    return slack_runtime
