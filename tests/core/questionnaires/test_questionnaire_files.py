"""Questionnaire files: the question column is found, bad files get a clear message, output keeps every cell."""

from __future__ import annotations

import codecs
import io

import pytest
from openpyxl import Workbook, load_workbook

from core.questionnaires import AnsweredRow, Draft, QuestionnaireError, Source
from core.questionnaires.sheets import Questionnaire, open_questionnaire
from core.questionnaires.tables import decode_csv
from tests.questionnaire_support import ADDED, xlsx

CSV = 'Ref,Question,Notes\r\n1,Do you enforce MFA?,=HYPERLINK("x")\r\n2,Are backups tested?,\r\n'


def _answered(q: Questionnaire, answer: str = "Yes.") -> list[AnsweredRow]:
    draft = Draft(
        answer, "suggested", 0.5, (Source("A.8.5", "catalogue"), Source("AC-02", "control"))
    )
    return [AnsweredRow(x.row, x.text, draft, sheet=s.title, id=x.id) for s, x in q.entries()]


def _pairs(q: Questionnaire) -> list[tuple[int, str]]:
    return [(x.row, x.text) for x in q.questions]


def test_the_question_column_is_found_by_its_header_below_a_title() -> None:
    content = xlsx(
        [
            ["Acme vendor review"],
            [],
            ["Question ID", "Control question", "Comments"],
            ["Q1", "Is MFA enforced?", ""],
        ]
    )
    q = open_questionnaire("acme.xlsx", content)
    assert (q.header_row, q.question_column) == (3, 2)
    assert _pairs(q) == [(4, "Is MFA enforced?")]


def test_column_chooses_the_header_and_an_unknown_one_names_the_headers_found() -> None:
    content = xlsx([["Topic", "Text"], ["Access", "Is MFA enforced?"]])
    q = open_questionnaire("a.xlsx", content, column="text")
    assert _pairs(q) == [(2, "Is MFA enforced?")]
    with pytest.raises(QuestionnaireError) as caught:
        open_questionnaire("a.xlsx", content, column="Prompt")
    assert "'Topic', 'Text'" in str(caught.value) and "--column" in str(caught.value)


def test_no_question_column_names_the_headers_found_and_column() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        open_questionnaire("a.csv", b"Topic,Text\nAccess,Is MFA enforced?\n")
    message = str(caught.value)
    assert "no question column found" in message
    assert "Headers found: 'Topic', 'Text'" in message and "--column NAME" in message


@pytest.mark.parametrize(
    "name,content", [("empty.csv", b""), ("blank.csv", b"\r\n \r\n"), ("empty.xlsx", b"")]
)
def test_an_empty_file_says_so(name: str, content: bytes) -> None:
    with pytest.raises(QuestionnaireError, match="is empty"):
        open_questionnaire(name, content)


def test_an_empty_workbook_says_so() -> None:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(QuestionnaireError, match="is empty"):
        open_questionnaire("blank.xlsx", buffer.getvalue())


def test_a_header_with_no_questions_under_it_says_so() -> None:
    with pytest.raises(QuestionnaireError, match="no questions under it"):
        open_questionnaire("a.csv", b"Question,Answer\n")


def test_a_password_protected_workbook_is_named_as_such() -> None:
    # Excel writes an encrypted workbook as an OLE2 compound file holding an EncryptedPackage stream.
    content = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 500
        + "EncryptedPackage".encode("utf-16-le")
        + b"\0" * 100
    )
    with pytest.raises(QuestionnaireError, match="password-protected") as caught:
        open_questionnaire("secret.xlsx", content)
    assert "Remove the password" in str(caught.value)


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04 truncated zip",
        b"just some text, not a workbook",
        xlsx([["Question"], ["x?"]])[:300],
    ],
)
def test_a_corrupt_workbook_is_refused_clearly(content: bytes) -> None:
    with pytest.raises(QuestionnaireError, match="not a readable .xlsx workbook"):
        open_questionnaire("broken.xlsx", content)


def test_other_file_types_are_refused() -> None:
    with pytest.raises(QuestionnaireError, match="old Excel 97"):
        open_questionnaire("q.xls", b"whatever")
    with pytest.raises(QuestionnaireError, match="send a .xlsx or .csv file"):
        open_questionnaire("q.pdf", b"%PDF")


@pytest.mark.parametrize(
    "encoded,encoding",
    [
        ("Question\r\nDo you use café Wi-Fi – safely?\r\n".encode("cp1252"), "cp1252"),
        (
            codecs.BOM_UTF16_LE + "Question\r\nDo you use café Wi-Fi?\r\n".encode("utf-16-le"),
            "utf-16",
        ),
        ("Question\r\nDo you use café Wi-Fi?\r\n".encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF8 + "Question\r\nDo you use café Wi-Fi?\r\n".encode(), "utf-8-sig"),
    ],
)
def test_csv_in_common_encodings_is_read(encoded: bytes, encoding: str) -> None:
    assert decode_csv(encoded, "q.csv").encoding == encoding
    q = open_questionnaire("q.csv", encoded)
    assert q.questions[0].text.startswith("Do you use café Wi-Fi")


def test_a_csv_in_no_encoding_we_know_says_which_it_is_not() -> None:
    content = b"Question\nDo you?\n" + b"\x81\x9d\xff"
    with pytest.raises(QuestionnaireError) as caught:
        open_questionnaire("q.csv", content)
    message = str(caught.value)
    assert "not UTF-8" in message and "Windows-1252" in message and "CSV UTF-8" in message


def test_semicolon_csv_keeps_its_delimiter_cells_and_neutralises_formulas() -> None:
    content = (
        b"Nr;Frage / Question;Notiz\r\n1;Is MFA enforced?;=1+1\r\n2;Are backups tested?;-note\r\n"
    )
    q = open_questionnaire("q.csv", content)
    out = q.write(_answered(q, answer="=cmd|' /C calc'!A0")).decode("utf-8")
    lines = out.splitlines()
    assert lines[0] == "Nr;Frage / Question;Notiz;Answer;Status;Confidence;Sources"
    assert lines[1].startswith("1;Is MFA enforced?;'=1+1;'=cmd|")
    assert lines[2].startswith("2;Are backups tested?;'-note;")
    assert "A.8.5 (catalogue); AC-02 (control)" in lines[1]


def test_a_rerun_of_an_answered_file_fills_the_same_columns() -> None:
    q = open_questionnaire("q.csv", CSV.encode())
    once = q.write(_answered(q))
    again = open_questionnaire("q.csv", once)
    twice = again.write(_answered(again, answer="Changed.")).decode()
    assert twice.splitlines()[0] == "Ref,Question,Notes,Answer,Status,Confidence,Sources"
    assert "Changed." in twice and "Yes." not in twice


def test_xlsx_output_keeps_other_cells_sheets_and_the_customers_formulas() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Question", "Weight", "Owner note"])
    sheet.append(["Is MFA enforced?", 3, "=B2*2"])
    sheet.append(["Are backups tested?", 1.5, "ok"])
    book.create_sheet("Cover").append(["Customer", "Example Ltd", "=1+1"])
    buffer = io.BytesIO()
    book.save(buffer)
    q = open_questionnaire("q.xlsx", buffer.getvalue())
    result = load_workbook(io.BytesIO(q.write(_answered(q, answer="@SUM(1)"))))
    main = result["Sheet"]
    assert [c.value for c in main[1]] == ["Question", "Weight", "Owner note", *ADDED]
    assert [c.value for c in main[2]][:2] == ["Is MFA enforced?", 3]
    # The customer's own formulas stay formulas; an answer that looks like one is text.
    assert main["C2"].value == "=B2*2" and result["Cover"]["C1"].value == "=1+1"
    assert main["D2"].data_type == "s"
    assert (
        main["D2"].value == "'@SUM(1)"
        and main["E2"].value == "suggested"
        and main["F2"].value == 0.5
    )
    assert main["B3"].value == 1.5 and main["C3"].value == "ok"
    assert [c.value for c in result["Cover"][1]][:2] == ["Customer", "Example Ltd"]


def test_merged_section_titles_are_not_questions_and_merges_survive() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Question", "Guidance"])
    sheet.append(["1. Access control", None])
    sheet.merge_cells("A2:B2")
    sheet.append(["Is MFA enforced?", "All staff"])
    sheet.append(["Are access rights reviewed, and how often?", None])
    sheet.append([None, None])
    sheet.merge_cells("A4:A5")  # one question over two rows
    buffer = io.BytesIO()
    book.save(buffer)
    q = open_questionnaire("merged.xlsx", buffer.getvalue())
    assert _pairs(q) == [
        (3, "Is MFA enforced?"),
        (4, "Are access rights reviewed, and how often?"),
    ]
    result = load_workbook(io.BytesIO(q.write(_answered(q))))["Sheet"]
    assert {str(r) for r in result.merged_cells.ranges} == {"A2:B2", "A4:A5"}
    assert result["A2"].value == "1. Access control" and result["C4"].value == "Yes."


def test_a_questionnaire_too_big_to_answer_is_refused_before_any_search(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from core.questionnaires import sheets, tables

    rows = "".join(f"{n},Is control {n} in place?\r\n" for n in range(1, 20_002))
    with pytest.raises(QuestionnaireError) as many:
        open_questionnaire("huge.csv", ("Ref,Question\r\n" + rows).encode())
    assert str(many.value) == (
        f"huge.csv has 20,001 questions; I answer up to {sheets.MAX_QUESTIONS:,} per file. "
        "Split it into smaller files and send them one by one."
    )
    content = xlsx([["Question"], ["Is MFA enforced?"]])
    monkeypatch.setattr(tables, "MAX_UNPACKED_BYTES", 1024)  # the real limit is 200 MB
    with pytest.raises(QuestionnaireError, match=r"bomb\.xlsx unpacks to .* MB, more than"):
        open_questionnaire("bomb.xlsx", content)
