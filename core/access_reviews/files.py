"""Account and people files (CSV or XLSX): find the columns, read the rows, refuse bad input clearly."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import PurePath

from core.access_reviews.errors import AccessReviewError
from core.questionnaires.model import QuestionnaireError
from core.questionnaires.tables import cell_text, open_workbook

# Accepted header names per field (compared lower case, spaces and _ - alike); the README lists them.
ACCOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "account_id": ("account_id", "account", "username", "user_name", "login", "user_id", "id"),
    "email": ("email", "e_mail", "mail", "email_address", "primary_email"),
    "name": ("name", "full_name", "display_name"),
    "role": ("role", "roles", "permissions", "permission", "group", "groups"),
    "privileged": ("privileged", "admin", "is_admin"),
    "last_login": ("last_login", "last_login_at", "last_sign_in", "last_seen"),
    "status": ("status", "state", "suspended"),
    "granted_by": ("granted_by", "approved_by", "granter"),
    "manager_email": ("manager_email", "manager"),
}
PEOPLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e_mail", "mail", "email_address", "work_email"),
    "manager_email": ("manager_email", "manager", "manager_e_mail", "line_manager"),
    "department": ("department", "team", "dept"),
    "status": ("status", "state", "employment_status"),
}
MAX_ROWS = 200_000
_TRUE = {"yes", "y", "true", "1", "admin", "privileged", "x"}
_FALSE = {"no", "n", "false", "0", ""}
_INACTIVE = {"suspended", "inactive", "disabled", "deactivated", "left", "terminated", "true"}


@dataclass(frozen=True)
class AccountRow:
    """One account as a file or connector gives it."""

    account_id: str
    email: str | None = None
    name: str | None = None
    role: str = ""
    privileged: bool = False
    last_login: str | None = None
    suspended: bool = False
    granted_by: str | None = None
    manager_email: str | None = None

    def as_json(self) -> dict[str, object]:
        """The row as plain data (what a connector's snapshot stores)."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class PersonRow:
    """One line of a people file."""

    email: str
    manager_email: str | None
    department: str | None
    deactivated: bool


def _key(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").replace("_", " ").split())


def _text(content: bytes, name: str) -> str:
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AccessReviewError(
            f"{name} is not UTF-8 (byte {content[exc.start]:#04x} at position {exc.start}); "
            "nothing was imported. Save it as 'CSV UTF-8' (or .xlsx) and import it again."
        ) from None


def read_grid(content: bytes, name: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows of a CSV (UTF-8) or the first sheet of an XLSX, with their line numbers."""
    suffix = PurePath(name).suffix.lower()
    if not content.strip():
        raise AccessReviewError(f"{name} is empty: there is no header and no account in it.")
    if suffix == ".xlsx":
        try:
            sheet = open_workbook(content, name).worksheets[0]
        except QuestionnaireError as exc:
            raise AccessReviewError(str(exc)) from None
        rows = [
            (n, [cell_text(v) for v in values])
            for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    elif suffix in {".csv", ".txt", ""}:
        text = _text(content, name)
        try:
            dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            rows = [(reader.line_num, row) for row in reader]
        except csv.Error as exc:
            raise AccessReviewError(
                f"{name} line {reader.line_num}: not valid CSV ({exc})."
            ) from None
    else:
        raise AccessReviewError(f"{name}: send a .csv or .xlsx file (this one is '{suffix}').")
    kept = [(n, [c.strip() for c in row]) for n, row in rows if any(c.strip() for c in row)]
    if not kept:
        raise AccessReviewError(f"{name} is empty: there is no header and no account in it.")
    if len(kept) > MAX_ROWS:
        raise AccessReviewError(f"{name} has {len(kept):,} rows; at most {MAX_ROWS:,} are read.")
    return kept


def parse_map(pairs: list[str]) -> dict[str, str]:
    """`--map field=Header` options as {field: header}; a malformed pair is refused."""
    out: dict[str, str] = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise AccessReviewError(
                f"--map '{pair}' is not FIELD=HEADER (e.g. --map email='Primary Email')."
            )
        out[field.strip().lower()] = header.strip()
    return out


def _columns(
    header: list[str], known: dict[str, tuple[str, ...]], mapping: dict[str, str], name: str
) -> dict[str, int]:
    keys = [_key(h) for h in header]
    unknown = sorted(set(mapping) - set(known))
    if unknown:
        raise AccessReviewError(
            f"--map names unknown field(s) {', '.join(unknown)}; the fields are {', '.join(known)}."
        )
    found: dict[str, int] = {}
    for field, aliases in known.items():
        if field in mapping:
            wanted = _key(mapping[field])
            if wanted not in keys:
                raise AccessReviewError(
                    f"{name} has no column headed '{mapping[field]}' (--map {field}=...). "
                    f"Headers found: {_shown(header)}."
                )
            found[field] = keys.index(wanted)
            continue
        index = next((keys.index(a) for a in aliases if a in keys), None)
        if index is not None and index not in found.values():
            found[field] = index
    return found


def _shown(header: list[str]) -> str:
    return ", ".join(f"'{h}'" for h in header if h)[:400] or "none"


def _flag(value: str, line: int, field: str, name: str) -> bool:
    low = value.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise AccessReviewError(
        f"{name} line {line}: {field} is '{value[:40]}'; use yes or no. Nothing was imported."
    )


def read_accounts(content: bytes, name: str, mapping: dict[str, str]) -> list[AccountRow]:
    """Every account in the file; all-or-nothing, each refusal names the file, line or header."""
    grid = read_grid(content, name)
    (_, header), body = grid[0], grid[1:]
    cols = _columns(header, ACCOUNT_COLUMNS, mapping, name)
    if "account_id" not in cols and "email" not in cols:
        raise AccessReviewError(
            f"{name} has no account or email column. Headers found: {_shown(header)}. "
            "Name yours with --map account_id=HEADER or --map email=HEADER."
        )
    if not body:
        raise AccessReviewError(f"{name} has a header but no accounts; nothing was imported.")
    rows: list[AccountRow] = []
    seen: dict[str, int] = {}
    dupes: list[str] = []
    for line, cells in body:

        def cell(field: str, cells: list[str] = cells) -> str:
            index = cols.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        account = cell("account_id") or cell("email")
        if not account:
            raise AccessReviewError(
                f"{name} line {line}: no account ID or email; fill it in or remove the line."
            )
        if account.lower() in seen:
            dupes.append(f"'{account}' (lines {seen[account.lower()]} and {line})")
            continue
        seen[account.lower()] = line
        status = cell("status").lower()
        rows.append(
            AccountRow(
                account_id=account,
                email=cell("email").lower() or (account.lower() if "@" in account else None),
                name=cell("name") or None,
                role=cell("role"),
                privileged=_flag(cell("privileged"), line, "privileged", name),
                last_login=cell("last_login") or None,
                suspended=status in _INACTIVE,
                granted_by=cell("granted_by").lower() or None,
                manager_email=cell("manager_email").lower() or None,
            )
        )
    if dupes:
        raise AccessReviewError(
            f"{name} lists the same account more than once: {', '.join(dupes[:5])}"
            f"{' and more' if len(dupes) > 5 else ''}. Keep one line per account; nothing was imported."
        )
    return rows


def read_people(content: bytes, name: str, mapping: dict[str, str]) -> list[PersonRow]:
    """Every person in a people file (email, manager email, department, status)."""
    grid = read_grid(content, name)
    (_, header), body = grid[0], grid[1:]
    cols = _columns(header, PEOPLE_COLUMNS, mapping, name)
    if "email" not in cols:
        raise AccessReviewError(
            f"{name} has no email column. Headers found: {_shown(header)}. "
            "Name it with --map email=HEADER."
        )
    out: list[PersonRow] = []
    seen: dict[str, int] = {}
    for line, cells in body:

        def cell(field: str, cells: list[str] = cells) -> str:
            index = cols.get(field)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        email = cell("email").lower()
        if "@" not in email:
            raise AccessReviewError(
                f"{name} line {line}: '{email[:60]}' is not an email address. Nothing was imported."
            )
        if email in seen:
            raise AccessReviewError(
                f"{name} lists {email} twice (lines {seen[email]} and {line}). Nothing was imported."
            )
        seen[email] = line
        manager = cell("manager_email").lower() or None
        out.append(
            PersonRow(
                email, manager, cell("department") or None, cell("status").lower() in _INACTIVE
            )
        )
    if not out:
        raise AccessReviewError(f"{name} has a header but nobody in it; nothing was imported.")
    return out


MAPPING_COLUMNS: dict[str, tuple[str, ...]] = {
    "system": ("system",),
    "account_id": ACCOUNT_COLUMNS["account_id"],
    "email": ("email", "e_mail", "mail", "person_email", "owner_email"),
}


def read_mappings(content: bytes, name: str) -> list[tuple[str, str, str]]:
    """(system, account ID, email) per line of a mapping file."""
    grid = read_grid(content, name)
    (_, header), body = grid[0], grid[1:]
    cols = _columns(header, MAPPING_COLUMNS, {}, name)
    missing = [f for f in MAPPING_COLUMNS if f not in cols]
    if missing:
        raise AccessReviewError(
            f"{name} needs the columns system, account_id and email; {', '.join(missing)} "
            f"not found. Headers found: {_shown(header)}."
        )
    out = []
    for line, cells in body:
        values = [cells[cols[f]].strip() if cols[f] < len(cells) else "" for f in MAPPING_COLUMNS]
        if not all(values) or "@" not in values[2]:
            raise AccessReviewError(
                f"{name} line {line}: give a system, an account ID and an email. Nothing was imported."
            )
        out.append((values[0].lower(), values[1], values[2].lower()))
    return out
