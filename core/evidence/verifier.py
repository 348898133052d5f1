"""Check a compliance-bot export without trusting compliance-bot: Python 3.8+ standard library only.

Shipped in every export as verify.py: `python3 -I verify.py` in the unpacked export, or
`python3 -I verify.py export.zip` (-I: nothing beside it can stand in for the standard library).
It recomputes the chain, checks every CSV row (columns mapped in manifest.json) and file against its
record and the manifest; exit 1 names the first mismatch, exit 2: the input is not an export.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import zipfile
from collections.abc import Callable, Iterator
from typing import IO, Any

GENESIS = "0" * 64
FORMAT = "compliance-bot-export/2"
# A CSV cell starting with one of these was written with a leading ' so spreadsheets show text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
RECORD_KEYS = ("seq", "recorded_at", "kind", "payload", "prev_hash", "hash")


def canonical(value: Any) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, seq: int, recorded_at: str, kind: str, payload: str) -> str:
    """A record's hash: SHA-256 over the previous hash and the record's canonical fields."""
    body = canonical({"seq": seq, "recorded_at": recorded_at, "kind": kind, "payload": payload})
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


class NotAnExport(Exception):
    """The input cannot be checked at all."""


class Export:
    """The export's files, read from the unpacked folder or from the ZIP itself."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        if os.path.isdir(path):
            self.names = _folder_names(path)
        elif os.path.isfile(path) and zipfile.is_zipfile(path):
            self.zip = zipfile.ZipFile(path)
            self.names = {n for n in self.zip.namelist() if not n.endswith("/")}
        else:
            raise NotAnExport(f"{path} is neither an unpacked export folder nor a ZIP file")
        if "manifest.json" not in self.names:
            raise NotAnExport(f"{path} is not a compliance-bot export: it has no manifest.json")
        try:
            with self.open("manifest.json") as stream:
                self.manifest = json.load(stream)
        except ValueError:
            raise NotAnExport(f"{path}: manifest.json is not valid JSON") from None
        if not isinstance(self.manifest, dict) or self.manifest.get("format") != FORMAT:
            raise NotAnExport(
                f"{path}: manifest.json is not that of a verifiable export ({FORMAT})"
            )

    def open(self, name: str) -> IO[bytes]:
        """One file of the export, as bytes."""
        if self.zip is not None:
            return self.zip.open(name)
        return open(os.path.join(self.path, *name.split("/")), "rb")  # noqa: SIM115

    def text(self, name: str) -> Iterator[str]:
        """The lines of a text file, decoded as UTF-8 (CSV line ends kept for the csv module)."""
        with self.open(name) as raw:
            while line := raw.readline():
                yield line.decode("utf-8", errors="replace")  # a mangled byte fails its check


def _folder_names(root: str) -> set[str]:
    walked = (os.path.join(folder, f) for folder, _, files in os.walk(root) for f in files)
    names = {os.path.relpath(path, root).replace(os.sep, "/") for path in walked}
    return {n for n in names if not any(p[:1] == "." or p == "__pycache__" for p in n.split("/"))}


class Check:
    """One verdict: OK with a summary, or FAILED at its first problem (later ones often follow)."""

    def __init__(self, name: str) -> None:
        self.name, self.summary = name, ""
        self.problem: str | None = None

    def fail(self, problem: str) -> None:
        """Keep the first problem only."""
        self.problem = self.problem or problem

    def line(self) -> str:
        """The verdict as printed."""
        verdict = "[FAIL]" if self.problem else "[ OK ]"
        return f"{verdict} {self.name}: {self.problem or self.summary}"


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _digest_files(export: Export) -> dict[str, str]:
    digests = {}
    for name in sorted(export.names):
        sha = hashlib.sha256()
        with export.open(name) as stream:
            while chunk := stream.read(1 << 20):
                sha.update(chunk)
        digests[name] = sha.hexdigest()
    return digests


def check_manifest(export: Export, digests: dict[str, str]) -> Check:
    """Every file listed is present with its SHA-256; nothing unlisted was added."""
    check = Check("manifest")
    listed: dict[str, str] = export.manifest.get("files", {})
    for name, digest in listed.items():
        if name not in digests:
            check.fail(f"{name} is listed in manifest.json but missing from the export")
        elif digests[name] != digest:
            check.fail(f"{name} does not match its SHA-256 in manifest.json (changed after export)")
    for name in sorted(set(digests) - set(listed) - {"manifest.json"}):
        check.fail(f"{name} is in the export but not listed in manifest.json")
    check.summary = f"{_n(len(listed), 'file')} match their SHA-256"
    return check


class Needs:
    """What the checks need from the chain: kept while the chain streams by, nothing more."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.tables: dict[str, list[dict[str, Any]]] = manifest.get("tables", {})
        self.blobs: dict[str, dict[str, Any]] = manifest.get("blobs", {})
        self.blob_paths: dict[int, set[str]] = {}  # seq -> the value paths its files need
        for b in self.blobs.values():
            self.blob_paths.setdefault(int(b["seq"]), set()).add(b["path"])
        self.seqs: set[int] = set(self.blob_paths)
        self.kinds: dict[int, str] = {}  # seq -> kind, for every needed record seen
        links = [(t, i) for t, specs in self.tables.items() for i in range(len(specs))]
        # (table, link) -> seq -> a short digest of the cells the record says the row holds
        self.expected: dict[tuple[str, int], dict[int, bytes]] = {k: {} for k in links}
        self.named: dict[tuple[str, int], set[int]] = {k: set() for k in links}  # seqs rows name
        self.values: dict[tuple[int, str], Any] = {}  # (seq, path) -> value, for blobs

    def collect(self, export: Export) -> None:
        """First pass over the tables (check_table names a missing one): the seqs rows name."""
        for table, links in (t for t in self.tables.items() if t[0] in export.names):
            for row in csv.DictReader(export.text(table)):
                for i, link in enumerate(links):
                    seq = _seq(row.get(link["seq_column"], ""))
                    if seq is not None:
                        self.named[(table, i)].add(seq)
                        self.seqs.add(seq)

    def keep(self, record: dict[str, Any]) -> None:
        """Remember, for a needed record, the digest of each row that may name it."""
        seq = record["seq"]
        if seq not in self.seqs:
            return
        self.kinds[seq] = sys.intern(record["kind"])
        for (table, i), named in self.named.items():
            link = self.tables[table][i]
            if seq in named and _kind_fits(link, record["kind"]):
                self.expected[(table, i)][seq] = _digest(_expected(record, link))
        for path in self.blob_paths.get(seq, ()):
            self.values[(seq, path)] = _value(record, path)


def _seq(cell: str | None) -> int | None:
    return int(cell.strip()) if cell and cell.strip().isdigit() else None


def _kind_fits(link: dict[str, Any], kind: str) -> bool:
    return not link.get("kinds") or kind in link["kinds"]


def _value(record: dict[str, Any], path: str) -> Any:
    """The value at a dotted path: `hash`, `kind`, ... or `payload.x.y` inside the payload."""
    head, _, rest = path.partition(".")
    value: Any = record.get(head)
    if head == "payload":  # parsed once per record, however many columns read it
        value = record["\0parsed"] = record.get("\0parsed") or json.loads(record["payload"])
    for part in rest.split(".") if rest else []:
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


def cell(value: Any, spec: dict[str, Any]) -> str:
    """How the CSV writes a record's value: mapped, joined or as text, formulas neutralised."""
    if "values" in spec:
        key = canonical(value)
        text = spec["values"].get(key, key)
    elif value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = spec.get("join", " ").join(cell(v, {}) for v in value)
    elif isinstance(value, dict):
        text = canonical(value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _expected(record: dict[str, Any], link: dict[str, Any]) -> list[str]:
    if "\0specs" not in link:  # the column specs in their long form, worked out once per link
        link["\0specs"] = [
            {"path": s} if isinstance(s, str) else s for s in link["columns"].values()
        ]
    return [cell(_value(record, spec["path"]), spec) for spec in link["\0specs"]]


def _digest(cells: list[str]) -> bytes:
    # 128 bits are plenty to tell cells apart; a mismatch is then explained cell by cell.
    return hashlib.sha256(canonical(cells).encode()).digest()[:16]


def check_chain(export: Export, needs: Needs) -> Check:
    """Recompute every hash from the anchor to the head, streaming ledger.jsonl."""
    check = Check("chain")
    info = export.manifest.get("ledger", {})
    name = info.get("file", "ledger.jsonl")
    head = info.get("head", {})
    expected_seq, prev = int(info.get("first_seq", 1)), info.get("anchor", GENESIS)
    if expected_seq == 1 and prev != GENESIS:
        check.fail("manifest.json gives an anchor for a chain that starts at record 1")
    if name not in export.names:
        check.fail(f"{name} is missing from the export")
        return check
    count = 0
    for number, line in enumerate(export.text(name), start=1):
        record = _record(line)
        if record is None:
            check.fail(f"{name} line {number} is not a whole ledger record (cut short or edited)")
            break
        needs.keep(record)
        seq = record["seq"]
        if seq != expected_seq:
            check.fail(
                f"record {expected_seq} is missing or out of place ({name} line {number} "
                f"holds record {seq}: records removed or reordered)"
            )
        elif record["prev_hash"] != prev:
            check.fail(f"record {seq} does not follow record {seq - 1} (removed or reordered)")
        elif chain_hash(prev, seq, *(record[k] for k in RECORD_KEYS[1:4])) != record["hash"]:
            check.fail(
                f"record {seq} ({record['kind']}) was altered: its content gives another hash"
            )
        expected_seq, prev, count = seq + 1, record["hash"], count + 1
    if (expected_seq - 1, prev) != (head.get("seq"), head.get("hash")):
        check.fail(
            f"{name} ends at record {expected_seq - 1} ({prev[:16]}…) but manifest.json names "
            f"head record {head.get('seq')} ({str(head.get('hash'))[:16]}…): cut short or edited"
        )
    first, anchor = int(info.get("first_seq", 1)), str(info.get("anchor", GENESIS))
    start = "the first record ever" if first == 1 else f"record {first} (anchor {anchor[:16]}…)"
    check.summary = f"{_n(count, 'record')} recompute from {start} to the head"
    if not count:
        check.summary = "the export's range holds no ledger records: nothing to recompute"
    return check


def _record(line: str) -> dict[str, Any] | None:
    try:
        r = json.loads(line)
    except ValueError:
        return None
    whole = isinstance(r, dict) and all(k in r for k in RECORD_KEYS)
    return r if whole and isinstance(r["seq"], int) and isinstance(r["payload"], str) else None


def check_table(export: Export, needs: Needs, table: str) -> Check:
    """Every row names a record of the right kind, and its mapped cells say what the record says."""
    check, links, number = Check(table), needs.tables[table], 0
    if table not in export.names:
        check.fail(f"{table} is missing from the export")
        return check
    for number, row in enumerate(csv.DictReader(export.text(table)), start=1):
        for i, link in enumerate(links):
            problem = _row_problem(export, needs, table, i, link, row)
            if problem:
                check.fail(f"{table} row {number}: {problem}")
                return check  # the first is named; explaining every bad row would cost a pass each
    columns = _n(sum(len(link["columns"]) for link in links), "column")
    check.summary = f"{_n(number, 'row')} match the records they name ({columns} checked)"
    return check


def _row_problem(
    export: Export, needs: Needs, table: str, i: int, link: dict[str, Any], row: dict[str, str]
) -> str | None:
    column = link["seq_column"]
    seq = _seq(row.get(column))
    if seq is None:
        if link.get("optional") and not (row.get(column) or "").strip():
            return None
        return f"{column} {row.get(column)!r} names no ledger record"
    if seq not in needs.kinds:
        return f"{column} {seq} names a record that is not in the exported chain"
    if not _kind_fits(link, needs.kinds[seq]):
        return f"{column} {seq} names a {needs.kinds[seq]} record, not {' or '.join(link['kinds'])}"
    actual = [row.get(c, "") for c in link["columns"]]
    if needs.expected[(table, i)].get(seq) == _digest(actual):
        return None
    return _which_cell(export, seq, link, actual)


def _which_cell(export: Export, seq: int, link: dict[str, Any], actual: list[str]) -> str:
    """Stream the chain again to name the cell that differs (only ever done for a mismatch)."""
    name = export.manifest.get("ledger", {}).get("file", "ledger.jsonl")
    for line in export.text(name):
        record = _record(line)
        if record is not None and record["seq"] == seq:
            # (no strict=: verify.py runs on Python 3.8; the three have one entry per column)
            for column, want, have in zip(link["columns"], _expected(record, link), actual):  # noqa: B905
                if want != have:
                    return f"{column} is {have!r} but record {seq} says {want!r}"
    return f"does not match record {seq}"


def check_files(export: Export, needs: Needs, digests: dict[str, str]) -> Check:
    """Each file under files/ is the blob whose SHA-256 its record states."""
    check = Check("files")
    for path, spec in needs.blobs.items():
        seq = int(spec["seq"])
        want = needs.values.get((seq, spec["path"]))
        if path not in digests:
            check.fail(f"{path} is missing from the export")
        elif seq not in needs.kinds:
            check.fail(f"{path} names record {seq}, which is not in the exported chain")
        elif digests[path] != want:
            check.fail(f"{path} is not the file record {seq} states (SHA-256 {str(want)[:16]}…)")
    for path in sorted(n for n in export.names if n[:6] == "files/" and n not in needs.blobs):
        check.fail(f"{path} is tied to no ledger record in manifest.json")
    check.summary = f"{_n(len(needs.blobs), 'file')} match the SHA-256 their records state"
    return check


def verify(path: str, say: Callable[[str], None] = print) -> int:
    """Run every check on the export at `path`; 0 when all pass, 1 at a mismatch, 2 for no export."""
    try:
        export = Export(path)
    except (NotAnExport, OSError, zipfile.BadZipFile) as exc:
        say(f"NOT VERIFIED: {exc}")
        return 2
    head = export.manifest.get("ledger", {}).get("head", {})
    say(f"Export {path}, generated {export.manifest.get('generated_at')}")
    say(f"Ledger head: record {head.get('seq')}, hash {head.get('hash')}")
    limit = csv.field_size_limit(2**31 - 1)  # long evidence texts are one cell (put back after)
    try:
        checks = _run(export)
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, csv.Error) as exc:
        say(f"NOT VERIFIED: the export cannot be read ({type(exc).__name__}: {exc})")
        return 2
    finally:
        csv.field_size_limit(limit)
    for check in checks:
        say(check.line())
    failed = [c for c in checks if c.problem]
    if failed:
        say(f"FAILED: {failed[0].name}: {failed[0].problem}")
        return 1
    say("VERIFIED: every check passed.")
    return 0


def _run(export: Export) -> list[Check]:
    needs = Needs(export.manifest)
    declared, digests = Check("tables"), _digest_files(export)
    needs.collect(export)
    chain = check_chain(export, needs)
    tables = [check_table(export, needs, t) for t in needs.tables]
    # A .csv tied whole to a record's SHA-256 (handed in, a snapshot) is checked as a file.
    for name in sorted(n for n in export.names if n.endswith(".csv") and n not in needs.blobs and n not in needs.tables):  # fmt: skip
        declared.fail(f"{name} is not declared in manifest.json, so its rows are tied to nothing")
    declared.summary = f"{_n(len(needs.tables), 'table')} declared with their ledger columns"
    files, manifest = check_files(export, needs, digests), check_manifest(export, digests)
    return [chain, declared, *tables, files, manifest]


def main(argv: list[str]) -> int:
    """`verify.py [EXPORT]`: the folder this script is in (or the ZIP or folder named)."""
    here = os.path.dirname(os.path.abspath(argv[0])) if argv and argv[0] else os.getcwd()
    default = here if os.path.exists(os.path.join(here, "manifest.json")) else os.getcwd()
    return verify(argv[1] if len(argv) > 1 else default)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
