"""verify.py on bad input, on ranges that start later or hold nothing, with Slack witness links and the CLI."""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from bot.cli import app
from bot.slack_client import make_client
from core import ledger
from core.config import Settings
from core.db import Database
from core.evidence.audit import witness_permalinks
from core.evidence.export import build_export
from core.models import Question
from core.requirements import requirements
from knowledge.catalogue import Catalogue
from tests.core.evidence.support import (
    csv_rows,
    export_zip,
    hand_in_two,
    import_example_register,
    off_topic,
    record_answer,
)
from tests.core.evidence.verify_support import (
    add_activity,
    failure,
    lines,
    run_verifier,
    tamper,
    witness,
)

runner = CliRunner()


def _export(db: Database, catalogue: Catalogue, out: Path, **options: object) -> Path:
    export_zip(db, catalogue, out, **options).close()
    return out


def test_what_is_not_an_export_is_refused_with_exit_2(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("readme.txt", "not an export")
    with zipfile.ZipFile(tmp_path / "old.zip", "w") as archive:
        archive.writestr("manifest.json", json.dumps({"ledger_head": {"seq": 1}}))
    for name, says in (
        ("notes.txt", "is neither an unpacked export folder nor a ZIP file"),
        ("other.zip", "is not a compliance-bot export: it has no manifest.json"),
        ("old.zip", "is not that of a verifiable export"),
    ):
        result = run_verifier(tmp_path / name, cwd=tmp_path)
        assert result.returncode == 2 and says in result.stdout, result.stdout


def test_a_cut_short_ledger_is_named(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    add_activity(filled)
    exported = _export(filled, catalogue, tmp_path / "e.zip")
    mid_line = tamper(exported, tmp_path / "a.zip", {"ledger.jsonl": lambda d: d[: len(d) - 40]})
    last = len(zipfile.ZipFile(exported).read("ledger.jsonl").splitlines())
    assert failure(run_verifier(mid_line)) == (
        f"FAILED: chain: ledger.jsonl line {last} is not a whole ledger record (cut short or edited)"
    )
    whole_lines = tamper(exported, tmp_path / "b.zip", {"ledger.jsonl": lines(lambda ls: ls[:-2])})
    assert f"ledger.jsonl ends at record {last - 2} (" in failure(run_verifier(whole_lines))
    # Not even a JSON object: an editor's mangling.
    garbage = tamper(exported, tmp_path / "c.zip", {"ledger.jsonl": lambda d: b"[1, 2]\n" + d})
    assert "ledger.jsonl line 1 is not a whole ledger record" in failure(run_verifier(garbage))


def test_a_missing_file_is_named(filled: Database, catalogue: Catalogue, tmp_path: Path) -> None:
    exported = _export(filled, catalogue, tmp_path / "e.zip")
    name = [n for n in zipfile.ZipFile(exported).namelist() if n.startswith("files/")][0]
    forged = tamper(exported, tmp_path / "f.zip", {name: lambda _: None})
    assert failure(run_verifier(forged)) == f"FAILED: files: {name} is missing from the export"
    gone = tamper(exported, tmp_path / "g.zip", {"ledger.jsonl": lambda _: None})
    assert failure(run_verifier(gone)) == "FAILED: chain: ledger.jsonl is missing from the export"


def test_an_added_csv_is_not_taken_on_trust(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    exported = _export(filled, catalogue, tmp_path / "e.zip")

    def add(data: bytes) -> bytes:
        manifest = json.loads(data)
        manifest["files"]["extra.csv"] = hashlib.sha256(b"a,b\r\n").hexdigest()
        return json.dumps(manifest).encode()

    with zipfile.ZipFile(exported) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["manifest.json"] = add(files["manifest.json"])
    files["extra.csv"] = b"a,b\r\n"
    forged = tmp_path / "f.zip"
    with zipfile.ZipFile(forged, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    assert "extra.csv is not declared in manifest.json" in failure(run_verifier(forged))


def test_an_export_of_a_range_with_no_records_verifies_and_says_so(
    database_url: str, catalogue: Catalogue, tmp_path: Path
) -> None:
    db = Database(database_url)
    out = tmp_path / "empty.zip"
    with db.session_scope() as session:
        build_export(
            out, db_session=session, requirements=requirements(catalogue), allow_empty=True
        )
    result = run_verifier(out)
    assert result.returncode == 0, result.stdout
    assert "the export's range holds no ledger records: nothing to recompute" in result.stdout
    assert zipfile.ZipFile(out).read("ledger.jsonl") == b""


def test_a_range_that_starts_later_carries_the_anchor_and_the_records_it_needs(
    database_url: str, catalogue: Catalogue, settings: Settings, tmp_path: Path
) -> None:
    db = Database(database_url)
    record_answer(db, off_topic("an old question"), user_id="U1", surface="slack_dm")
    with db.session_scope() as session:
        session.execute(update(Question).values(asked_at=datetime(2020, 1, 1, tzinfo=UTC)))
        first_hash = ledger.head(db_session=session)[1]
    import_example_register(db, catalogue)
    with db.session_scope() as session:
        hand_in_two(session, settings, text="Q4", comment=None, link="https://x.example/r")
    out = _export(db, catalogue, tmp_path / "later.zip", start=datetime(2026, 1, 1, tzinfo=UTC))
    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    # The register changes the evidence depends on are carried; the old answer before them is not.
    assert manifest["ledger"]["first_seq"] == 2 and manifest["ledger"]["anchor"] == first_hash
    first = zipfile.ZipFile(out).read("ledger.jsonl").splitlines()[0]
    assert json.loads(first)["kind"] == "register_change"
    result = run_verifier(out)
    assert result.returncode == 0, result.stdout
    assert f"from record 2 (anchor {first_hash[:16]}…)" in result.stdout
    forged = tamper(out, tmp_path / "f.zip", {"ledger.jsonl": lines(lambda ls: ls[1:])})
    assert "FAILED: chain: record 2 is missing or out of place" in failure(run_verifier(forged))


def test_witness_posts_are_listed_with_their_slack_permalinks(
    filled: Database,
    catalogue: Catalogue,
    slack_settings: Settings,
    fake_slack,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    with filled.session_scope() as session:
        seq, head = witness(session)
    links = witness_permalinks(filled, make_client(slack_settings), since=None)
    assert fake_slack.named("chat.getPermalink")[0].params["message_ts"] == "1700000001.000100"
    out = tmp_path / "w.zip"
    with filled.session_scope() as session:
        build_export(
            out, db_session=session, requirements=requirements(catalogue), permalinks=links
        )
    (row,) = csv_rows(zipfile.ZipFile(out), "witnesses.csv")
    assert (int(row["seq"]), row["hash"], row["channel"]) == (seq, head, "CSEC")
    assert row["permalink"] == "https://fake.slack.test/archives/CSEC/p1700000001000100"
    assert run_verifier(out).returncode == 0


def test_cli_verify_export_runs_the_same_checks(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    exported = _export(filled, catalogue, tmp_path / "e.zip")
    limit = csv.field_size_limit()
    ok = runner.invoke(app, ["evidence", "verify", "--export", str(exported)])
    assert ok.exit_code == 0, ok.output
    # Checking in-process leaves the csv module's cap on one field as it was (imports rely on it).
    assert csv.field_size_limit() == limit
    assert "[ OK ] chain:" in ok.output and "VERIFIED: every check passed." in ok.output
    assert "The export's verify.py is this version's verifier" in ok.output
    seq = int(csv_rows(zipfile.ZipFile(exported), "evidence.csv")[0]["ledger_seq"])
    forged = tamper(
        exported,
        tmp_path / "f.zip",
        {"evidence.csv": lambda d: d.replace(b"Q4 review", b"Q3 review", 1)},
    )
    bad = runner.invoke(app, ["evidence", "verify", "--export", str(forged)])
    assert bad.exit_code == 1
    # The ZIP's own verify.py may have been edited too: the CLI's checks are its own, and it says so.
    edited = tamper(exported, tmp_path / "v.zip", {"verify.py": lambda d: d + b"\n# ok\n"})
    note = runner.invoke(app, ["evidence", "verify", "--export", str(edited)])
    assert "the export's verify.py differs from this version's verifier" in note.output
    assert f"FAILED: evidence.csv: evidence.csv row 1: text is 'Q3 review' but record {seq}" in (
        bad.output
    )
    missing = runner.invoke(app, ["evidence", "verify", "--export", str(tmp_path / "nope.zip")])
    assert missing.exit_code == 2 and "NOT VERIFIED" in missing.output


def test_the_control_as_it_was_when_evidence_came_in_is_carried(
    filled: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    from core.evidence.export_ledger import index_ledger, needed_seqs
    from core.evidence.export_records import select_records
    from core.evidence.register import import_rows, load_register
    from tests.core.evidence.support import EXAMPLE

    changed = tmp_path / "register.csv"
    changed.write_text(EXAMPLE.read_text().replace("Quarterly access review", "Access review v2"))
    with filled.session_scope() as session:
        rows = load_register(changed, catalogue=catalogue)
        import_rows(rows, db_session=session, actor="t", resolve_user=lambda _e: None)
    with filled.session_scope() as session:
        index = index_ledger(db_session=session)
        records = select_records(
            db_session=session,
            requirements=requirements(catalogue),
            start=None,
            end=None,
            framework=None,
            progress=lambda _m: None,
        )
        first, latest = index.changes["AC-01"][0], index.changes["AC-01"][-1]
        evidence = index.submissions[records.submissions[0].id]
        assert first < evidence < latest
        assert index.control("AC-01", before=evidence) == first
        assert {first, evidence, latest} <= needed_seqs(records, index, ())
    rows = csv_rows(export_zip(filled, catalogue, tmp_path / "e.zip"), "controls.csv")
    assert {int(r["ledger_seq"]) for r in rows if r["control_id"] == "AC-01"} == {latest}
    assert run_verifier(tmp_path / "e.zip").returncode == 0
