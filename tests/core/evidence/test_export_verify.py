"""The verify.py shipped in every export, run as an auditor would: it passes, and names each forgery."""

from __future__ import annotations

import ast
import csv
import io
import json
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from core import ledger
from core.db import Database
from core.evidence import verifier
from core.models import LedgerRecord
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import export_zip
from tests.core.evidence.verify_support import (
    Edit,
    add_activity,
    failure,
    lines,
    replace,
    run_verifier,
    tamper,
)


@pytest.fixture
def exported(filled: Database, catalogue: Catalogue, tmp_path: Path) -> Path:
    """An export with evidence (one file), an acknowledgement, a question and a witness post."""
    add_activity(filled)
    out = tmp_path / "export.zip"
    export_zip(filled, catalogue, out).close()
    return out


def _table(export: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(export) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_the_shipped_verifier_passes_on_the_zip_and_on_the_unpacked_folder(
    exported: Path, filled: Database, tmp_path: Path
) -> None:
    with filled.session_scope() as session:
        seq, head = ledger.head(db_session=session)
    on_zip = run_verifier(exported, cwd=tmp_path)
    assert on_zip.returncode == 0, on_zip.stdout + on_zip.stderr
    assert f"Ledger head: record {seq}, hash {head}" in on_zip.stdout
    for check in ("chain", "evidence.csv", "acknowledgements.csv", "questions.csv", "files"):
        assert f"[ OK ] {check}:" in on_zip.stdout
    assert "[ OK ] witnesses.csv: 1 row" in on_zip.stdout
    assert on_zip.stdout.rstrip().endswith("VERIFIED: every check passed.")
    # The summary page tells the auditor how to run it and what it proves.
    index = zipfile.ZipFile(exported).read("index.html").decode()
    assert "python3 -I verify.py" in index and "What it proves" in index
    folder = tmp_path / "unpacked"
    zipfile.ZipFile(exported).extractall(folder)
    in_folder = run_verifier(folder)
    assert in_folder.returncode == 0, in_folder.stdout + in_folder.stderr
    assert f"{seq} records recompute from the first record ever" in in_folder.stdout


def test_every_row_names_the_ledger_record_it_is(exported: Path, filled: Database) -> None:
    with filled.session_scope() as session:
        kinds = {r.seq: r.kind for r in session.scalars(select(LedgerRecord))}
    expected = {
        "evidence.csv": "evidence_submitted",
        "acknowledgements.csv": "acknowledgement",
        "questions.csv": "answer",
        "controls.csv": "register_change",
    }
    for name, kind in expected.items():
        rows = _table(exported, name)
        assert rows and all(kinds[int(r["ledger_seq"])] == kind for r in rows), name
    accepted = _table(exported, "evidence.csv")[0]
    assert kinds[int(accepted["review_ledger_seq"])] == "evidence_accepted"


def test_ledger_jsonl_holds_the_records_exactly_as_hashed(exported: Path, filled: Database) -> None:
    with filled.session_scope() as session:
        stored = list(session.scalars(select(LedgerRecord).order_by(LedgerRecord.seq)))
        shipped = [
            json.loads(line)
            for line in zipfile.ZipFile(exported).read("ledger.jsonl").decode().splitlines()
        ]
        assert [r["hash"] for r in shipped] == [r.hash for r in stored]
        for line, record in zip(shipped, stored, strict=True):
            assert line["payload"] == record.payload and line["prev_hash"] == record.prev_hash
            # One hashing: the shipped verifier's equals the bot's on every record.
            assert verifier.chain_hash(
                line["prev_hash"], line["seq"], line["recorded_at"], line["kind"], line["payload"]
            ) == ledger.record_hash(
                record.prev_hash, record.seq, record.recorded_at, record.kind, record.payload
            )


def test_the_verifier_imports_nothing_but_the_standard_library() -> None:
    tree = ast.parse(Path(verifier.__file__).read_text())
    modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert modules and all(m.split(".")[0] in sys.stdlib_module_names for m in modules), modules


def _seq(export: Path, table: str, row: int = 0) -> int:
    return int(_table(export, table)[row]["ledger_seq"])


def _file(export: Path) -> str:
    return [n for n in zipfile.ZipFile(export).namelist() if n.startswith("files/")][0]


def _drop_line(index: int) -> Edit:
    return lines(lambda ls: ls[:index] + ls[index + 1 :])


def _swap_lines(i: int, j: int) -> Edit:
    def swap(ls: list[bytes]) -> list[bytes]:
        ls[i], ls[j] = ls[j], ls[i]
        return ls

    return lines(swap)


def test_an_edited_csv_cell_is_named_by_row_and_record(exported: Path, tmp_path: Path) -> None:
    seq = _seq(exported, "evidence.csv")
    forged = tamper(
        exported, tmp_path / "f.zip", {"evidence.csv": replace("Q4 review", "Q3 review")}
    )
    assert failure(run_verifier(forged)) == (
        f"FAILED: evidence.csv: evidence.csv row 1: text is 'Q3 review' but record {seq} says 'Q4 review'"
    )
    seq = _seq(exported, "acknowledgements.csv")
    forged = tamper(exported, tmp_path / "g.zip", {"acknowledgements.csv": replace(",U1,", ",U9,")})
    assert f"acknowledgements.csv row 1: user_id is 'U9' but record {seq} says 'U1'" in failure(
        run_verifier(forged)
    )


def test_a_row_pointed_at_another_record_is_caught(exported: Path, tmp_path: Path) -> None:
    seq = _seq(exported, "questions.csv")
    forged = tamper(
        exported, tmp_path / "f.zip", {"questions.csv": replace(f",{seq}\r\n", ",1\r\n")}
    )
    assert "questions.csv row 1: ledger_seq 1 names a register_change record, not answer" in (
        failure(run_verifier(forged))
    )


def test_a_swapped_file_is_named_with_its_record(exported: Path, tmp_path: Path) -> None:
    name, seq = _file(exported), _seq(exported, "evidence.csv")
    forged = tamper(exported, tmp_path / "f.zip", {name: lambda _: b"%PDF forged"})
    assert f"FAILED: files: {name} is not the file record {seq} states" in failure(
        run_verifier(forged)
    )


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (_drop_line(3), "record 4 is missing or out of place (ledger.jsonl line 4 holds record 5"),
        (
            _swap_lines(3, 4),
            "record 4 is missing or out of place (ledger.jsonl line 4 holds record 5",
        ),
        (
            replace('"owner\\":\\"alice', '"owner\\":\\"mallory'),
            "record 1 (register_change) was altered",
        ),
    ],
    ids=["deleted", "reordered", "edited"],
)
def test_a_deleted_reordered_or_edited_record_is_named(
    exported: Path, tmp_path: Path, edit: Edit, named: str
) -> None:
    forged = tamper(exported, tmp_path / "f.zip", {"ledger.jsonl": edit})
    assert failure(run_verifier(forged)).startswith(f"FAILED: chain: {named}")


def test_a_rewritten_chain_is_caught_by_the_witness_post(exported: Path, tmp_path: Path) -> None:
    """A forger who edits a record and recomputes every hash after it still differs from Slack."""

    def rehash(data: bytes) -> bytes:
        prev, out = verifier.GENESIS, []
        for line in data.decode().splitlines():
            r = json.loads(line)
            r["payload"] = r["payload"].replace("carol@", "mallory@")  # a field no CSV shows
            r["prev_hash"] = prev
            r["hash"] = prev = verifier.chain_hash(
                prev, r["seq"], r["recorded_at"], r["kind"], r["payload"]
            )
            out.append(json.dumps(r, ensure_ascii=False))
        return ("\n".join(out) + "\n").encode()

    forged = tamper(exported, tmp_path / "f.zip", {"ledger.jsonl": rehash})
    with zipfile.ZipFile(forged) as archive:
        last = json.loads(archive.read("ledger.jsonl").decode().splitlines()[-1])

    def new_head(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["ledger"]["head"]["hash"] = last["hash"]
        return json.dumps(manifest).encode()

    forged = tamper(forged, tmp_path / "g.zip", {"manifest.json": new_head})
    result = run_verifier(forged)
    assert "[ OK ] chain:" in result.stdout
    assert "witnesses.csv row 1: hash is '" in failure(result)
    assert f"but record {last['seq']} says '{last['hash']}'" in failure(result)


def test_an_edited_manifest_is_named(exported: Path, tmp_path: Path) -> None:
    def edit(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["files"]["evidence.csv"] = "0" * 64
        return json.dumps(manifest).encode()

    forged = tamper(exported, tmp_path / "f.zip", {"manifest.json": edit})
    assert failure(run_verifier(forged)) == (
        "FAILED: manifest: evidence.csv does not match its SHA-256 in manifest.json "
        "(changed after export)"
    )
    # An edited file whose manifest entry was left alone is named too.
    forged = tamper(
        exported, tmp_path / "g.zip", {"index.html": lambda d: d + b"<!-- -->"}, fix_manifest=False
    )
    assert "FAILED: manifest: index.html does not match its SHA-256" in failure(
        run_verifier(forged)
    )


def test_the_verifier_is_python_3_8_syntax() -> None:
    # Auditors run whatever python3 their machine has: no syntax newer than 3.8.
    ast.parse(Path(verifier.__file__).read_text(), feature_version=(3, 8))
