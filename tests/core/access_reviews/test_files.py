"""Account and people files: columns found by name or --map, and every bad file refused clearly."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from core.access_reviews.errors import AccessReviewError
from core.access_reviews.files import parse_map, read_accounts, read_mappings, read_people
from tests.core.access_reviews.support import GITHUB_CSV


def test_csv_columns_are_read_by_their_usual_names() -> None:
    rows = read_accounts(GITHUB_CSV, "github.csv", {})
    assert [r.account_id for r in rows][:2] == ["alice-gh", "bob-gh"]
    bob = rows[1]
    assert bob.privileged and bob.role == "admin" and bob.email == "bob@example.com"
    assert rows[0].granted_by == "carol@example.com" and rows[0].last_login == "2026-11-30"


def test_xlsx_with_other_header_names_is_read_with_map() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Login Name", "Primary E-mail", "Is Superuser"])
    sheet.append(["ann", "Ann@Example.com", "yes"])
    buffer = io.BytesIO()
    book.save(buffer)
    mapping = parse_map(
        ["account_id=Login Name", "email=Primary E-mail", "privileged=Is Superuser"]
    )
    rows = read_accounts(buffer.getvalue(), "vpn.xlsx", mapping)
    assert rows[0].account_id == "ann" and rows[0].email == "ann@example.com" and rows[0].privileged


@pytest.mark.parametrize(
    ("content", "mapping", "expected"),
    [
        (
            b"Login Name,Seat\nann,1\n",
            {},
            "no account or email column. Headers found: 'Login Name', 'Seat'. Name yours with --map account_id=HEADER",
        ),
        (
            b"login,email\nann,a@x.io\nbob,b@x.io\nann,c@x.io\n",
            {},
            "the same account more than once: 'ann' (lines 2 and 4)",
        ),
        (b"", {}, "is empty"),
        (b"\n\n", {}, "is empty"),
        (b"login,email\n", {}, "has a header but no accounts"),
        (
            "login,email\nj\u00fcrgen,j@x.io\n".encode("latin-1"),
            {},
            "is not UTF-8 (byte 0xfc at position 13)",
        ),
        (b"login,admin\nann,maybe\n", {}, "line 2: privileged is 'maybe'; use yes or no"),
        (
            b"login\nann\n",
            {"email": "Mail"},
            "no column headed 'Mail' (--map email=...). Headers found: 'login'",
        ),
        (b"login\nann\n", {"colour": "x"}, "--map names unknown field(s) colour"),
    ],
    ids=[
        "no-account-column",
        "duplicates",
        "empty",
        "blank",
        "header-only",
        "latin-1",
        "bad-flag",
        "map-missing",
        "map-unknown",
    ],
)
def test_bad_account_files_are_refused_naming_the_problem(
    content: bytes, mapping: dict[str, str], expected: str
) -> None:
    with pytest.raises(AccessReviewError) as raised:
        read_accounts(content, "users.csv", mapping)
    assert expected in str(raised.value)


def test_malformed_map_and_unsupported_file_type_are_refused() -> None:
    with pytest.raises(AccessReviewError, match="is not FIELD=HEADER"):
        parse_map(["email"])
    with pytest.raises(AccessReviewError, match=r"send a \.csv or \.xlsx file"):
        read_accounts(b"x", "users.pdf", {})
    with pytest.raises(AccessReviewError, match="not a readable .xlsx"):
        read_accounts(b"not a zip", "users.xlsx", {})


def test_people_file_and_its_refusals() -> None:
    people = read_people(
        b"Email,Manager Email,Department,Status\nA@x.io,m@x.io,Eng,\nb@x.io,,Ops,terminated\n",
        "people.csv",
        {},
    )
    assert people[0].email == "a@x.io" and people[0].manager_email == "m@x.io"
    assert people[1].deactivated and not people[0].deactivated
    with pytest.raises(AccessReviewError, match="no email column. Headers found: 'Name'"):
        read_people(b"Name\nann\n", "people.csv", {})
    with pytest.raises(AccessReviewError, match="lists a@x.io twice"):
        read_people(b"email\na@x.io\nA@x.io\n", "people.csv", {})
    with pytest.raises(AccessReviewError, match="'ann' is not an email address"):
        read_people(b"email\nann\n", "people.csv", {})


def test_mapping_file_needs_its_three_columns() -> None:
    assert read_mappings(b"system,account_id,email\nGitHub,svc,D@x.io\n", "m.csv") == [
        ("github", "svc", "d@x.io")
    ]
    with pytest.raises(AccessReviewError, match="email not found"):
        read_mappings(b"system,account_id\ngithub,svc\n", "m.csv")
