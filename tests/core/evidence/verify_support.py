"""Exports for the verifier tests, tampered with the way an adversary would, and the shipped verify.py run."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from core import ledger
from core.campaigns import service as campaigns
from core.db import Database
from core.evidence import verifier
from core.models import LedgerWitness
from tests.core.evidence.support import add_campaign, off_topic, record_answer

Edit = Callable[[bytes], bytes | None]  # the new content of a file, or None to remove it


def add_activity(db: Database) -> None:
    """An acknowledgement, a question answered, and the head witnessed in Slack."""
    with db.session_scope() as session:
        campaign = add_campaign(session, "Acceptable use 2027", ("U1",))
        campaigns.acknowledge(campaign.id, "U1", db_session=session)
    record_answer(db, off_topic("what is for lunch?"), user_id="U2", surface="slack_dm")
    with db.session_scope() as session:
        witness(session)


def witness(session: Session) -> tuple[int, str]:
    """The current head, as the witness job records it after posting it to the security channel."""
    seq, head = ledger.head(db_session=session)
    session.add(LedgerWitness(seq=seq, hash=head, channel="CSEC", ts="1700000001.000100"))
    return seq, head


def run_verifier(target: Path, *, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The shipped verify.py under `python3 -I`: no project code, no site packages, no PYTHONPATH."""
    if target.is_dir():
        argv = [sys.executable, "-I", "-S", "verify.py"]
        cwd = target
    else:
        script = cwd or target.parent
        (script / "verify.py").write_bytes(_shipped(target))
        argv = [sys.executable, "-I", "-S", "verify.py", str(target)]
        cwd = script
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def _shipped(target: Path) -> bytes:
    """The export's own verify.py; for what is no export, the one every export ships."""
    if zipfile.is_zipfile(target):
        with zipfile.ZipFile(target) as archive:
            if "verify.py" in archive.namelist():
                return archive.read("verify.py")
    return Path(verifier.__file__).read_bytes()


def failure(result: subprocess.CompletedProcess[str]) -> str:
    """The verdict naming the first mismatch (asserting the verifier did fail)."""
    assert result.returncode == 1, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith("FAILED")][0]


def tamper(source: Path, out: Path, edits: dict[str, Edit], *, fix_manifest: bool = True) -> Path:
    """A copy of the export with files edited, and (like a careful forger) the manifest to match."""
    with zipfile.ZipFile(source) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    for name, edit in edits.items():
        if name == "manifest.json":
            manifest = json.loads(edit(json.dumps(manifest).encode()) or b"{}")
            continue
        content = edit(files[name])
        if content is None:
            del files[name]
        else:
            files[name] = content
            if fix_manifest and name in manifest["files"]:
                manifest["files"][name] = hashlib.sha256(content).hexdigest()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("manifest.json", json.dumps(manifest))
    return out


def lines(edit: Callable[[list[bytes]], list[bytes]]) -> Edit:
    """An edit of a file's lines (line ends kept)."""
    return lambda data: b"".join(edit(data.splitlines(keepends=True)))


def replace(old: str, new: str) -> Edit:
    """Replace the first occurrence of a text (it must be there)."""

    def edit(data: bytes) -> bytes:
        assert old.encode() in data, old
        return data.replace(old.encode(), new.encode(), 1)

    return edit
