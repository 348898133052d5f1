"""The other domains' register CSVs and files in the export: the shipped verify.py checks them too."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from core.db import Database
from core.evidence.export_links import TABLE_LINKS
from knowledge.catalogue import Catalogue
from tests.core.evidence.domains_support import add_domains, edit_cell
from tests.core.evidence.support import export_zip
from tests.core.evidence.verify_support import (
    add_activity,
    failure,
    replace,
    run_verifier,
    tamper,
)

REGISTERS = ("access_reviews.csv", "incidents.csv", "risks.csv", "suppliers.csv")


@pytest.fixture
def exported(filled: Database, catalogue: Catalogue, tmp_path: Path) -> Path:
    """An export with evidence, an access review, an incident, the risks and suppliers."""
    add_activity(filled)
    add_domains(filled, catalogue)
    out = tmp_path / "export.zip"
    export_zip(filled, catalogue, out).close()
    return out


def _kinds(export: Path) -> dict[int, str]:
    with zipfile.ZipFile(export) as archive:
        records = [json.loads(line) for line in archive.read("ledger.jsonl").splitlines()]
    return {r["seq"]: r["kind"] for r in records}


def _rows(export: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(export) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_an_export_with_every_register_verifies_with_the_shipped_script(exported: Path) -> None:
    result = run_verifier(exported)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads(zipfile.ZipFile(exported).read("manifest.json"))
    for name in REGISTERS:
        assert name in manifest["tables"] and _rows(exported, name), name
        assert f"{name}:" in result.stdout, name
    # Each file the domains put in the ZIP is tied to the record stating its hash.
    assert {"access_snapshot", "incident_timeline", "supplier_assurance"} <= {
        _kinds(exported)[b["seq"]] for b in manifest["blobs"].values()
    }
    # The records the rows name are in the exported chain.
    first = manifest["ledger"]["first_seq"]
    for name in REGISTERS:
        assert all(int(r["ledger_seq"]) >= first for r in _rows(exported, name) if r["ledger_seq"])


def test_every_mapped_register_column_is_a_column_of_its_csv(exported: Path) -> None:
    for name in REGISTERS:
        header = set(_rows(exported, name)[0])
        for link in TABLE_LINKS[name]:
            assert {link.seq_column, *link.columns} <= header, name


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("access_reviews.csv", "decided_by", "UMALLORY"),
        ("access_reviews.csv", "snapshot_sha256", "0" * 64),
        ("incidents.csv", "description", "Nothing happened"),
        ("incidents.csv", "status", "closed"),
        ("risks.csv", "owner", "mallory@example.com"),
        ("suppliers.csv", "criticality", "low"),
    ],
)
def test_an_edited_register_cell_is_named_by_table_row_and_column(
    exported: Path, tmp_path: Path, table: str, column: str, value: str
) -> None:
    rows = _rows(exported, table)
    row = next(n for n, r in enumerate(rows, 1) if r["decided_by"]) if column == "decided_by" else 1
    seq_column = {"snapshot_sha256": "snapshot_ledger_seq", "status": "status_ledger_seq"}.get(
        column, "ledger_seq"
    )
    seq, was = rows[row - 1][seq_column], rows[row - 1][column]
    assert was != value
    forged = tamper(exported, tmp_path / "f.zip", {table: edit_cell(row, column, value)})
    assert failure(run_verifier(forged)) == (
        f"FAILED: {table}: {table} row {row}: {column} is {value!r} but record {seq} says {was!r}"
    )


def test_a_swapped_domain_file_is_named_with_its_record(exported: Path, tmp_path: Path) -> None:
    archive = zipfile.ZipFile(exported)
    blobs = json.loads(archive.read("manifest.json"))["blobs"]
    for old, new in (("wiped", "kept!"), ("SOC 2", "SOC 1")):  # an incident's and a supplier's
        path = next(p for p in blobs if old.encode() in archive.read(p))
        forged = tamper(exported, tmp_path / f"{new}.zip", {path: replace(old, new)})
        seq = blobs[path]["seq"]
        assert f"{path} is not the file record {seq} states" in failure(run_verifier(forged))
