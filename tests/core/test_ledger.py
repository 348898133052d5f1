"""The hash-chained ledger: verify passes untouched and names the first tampered record."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from core import ledger
from core.db import Database
from core.models import LedgerWitness


def _fill(db: Database, n: int = 5) -> None:
    for i in range(n):
        with db.session_scope() as session:
            ledger.append("evidence_submitted", {"n": i, "control": f"C-{i}"}, db_session=session)


def _verify(db: Database) -> ledger.Verification:
    with db.session_scope() as session:
        return ledger.verify(db_session=session)


def test_untouched_ledger_verifies(database_url: str) -> None:
    db = Database(database_url)
    _fill(db)
    result = _verify(db)
    assert result.ok and result.records == 5
    with db.session_scope() as session:
        assert result.head == ledger.head(db_session=session)[1]


@pytest.mark.parametrize(
    ("sql", "bad_seq", "words"),
    [
        ("UPDATE ledger SET payload = replace(payload, 'C-2', 'C-X') WHERE seq = 3", 3, "altered"),
        ("UPDATE ledger SET kind = 'evidence_accepted' WHERE seq = 2", 2, "altered"),
        ("DELETE FROM ledger WHERE seq = 3", 3, "missing"),
        ("UPDATE ledger SET seq = seq + 100 WHERE seq = 1", 1, "missing"),
    ],
)
def test_single_row_tampering_is_named(
    database_url: str, sql: str, bad_seq: int, words: str
) -> None:
    db = Database(database_url)
    _fill(db)
    with db.engine.begin() as conn:
        conn.execute(text(sql))
    result = _verify(db)
    assert not result.ok
    assert result.bad_seq == bad_seq
    assert words in (result.problem or "")


def test_reordered_records_are_detected(database_url: str) -> None:
    db = Database(database_url)
    _fill(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE ledger SET seq = 100 WHERE seq = 2"))
        conn.execute(text("UPDATE ledger SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE ledger SET seq = 3 WHERE seq = 100"))
    result = _verify(db)
    assert not result.ok and result.bad_seq == 2


def test_deleting_the_witnessed_head_is_detected(database_url: str) -> None:
    db = Database(database_url)
    _fill(db)
    with db.session_scope() as session:
        seq, head = ledger.head(db_session=session)
        session.add(LedgerWitness(seq=seq, hash=head, channel="CSEC", ts="1.1"))
    with db.engine.begin() as conn:
        conn.execute(text(f"DELETE FROM ledger WHERE seq = {seq}"))
    result = _verify(db)
    assert not result.ok and result.bad_seq == seq
