"""A customer's own workbook: question sheets found, answered in its own columns, everything else intact."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from core.db import Database
from core.questionnaires import QuestionnaireError
from core.questionnaires.service import answer_questionnaire
from core.questionnaires.sheets import open_questionnaire
from knowledge.search import Searcher
from tests.questionnaire_support import fake_searcher, import_examples

BOLD = Font(bold=True, color="FFFFFF")
FILL = PatternFill("solid", fgColor="1F4E78")


def customer_workbook() -> bytes:
    """Cover, instructions, two domain sheets with IDs, choice and comment columns, and a hidden list."""
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["Vendor security assessment"])
    cover.merge_cells("A1:D1")
    cover["A1"].font = Font(bold=True, size=16)
    cover.append(["Vendor name", None])
    cover.append(["Total score", "=SUM(Governance!E5:E7)"])
    instructions = book.create_sheet("Instructions")
    instructions.append(["Column", "What to enter"])
    instructions.append(["Question", "The question we ask; do not change it."])
    instructions.append(["Answer", "Choose Yes, No or N/A from the list."])
    instructions.append(["Comments", "Explain your answer; add links to evidence."])
    governance = book.create_sheet("Governance")
    governance.append(["Governance"])
    governance.merge_cells("A1:E1")
    governance.append([])
    governance.append(["Question ID", "Question", "Answer", "Comments", "Score"])
    for cell in governance[3]:
        cell.font, cell.fill = BOLD, FILL
    governance.append([None, "GOV – Organisation and policy"])
    governance.append(
        [
            "GOV-01",
            "Do you have a dedicated information security team?",
            None,
            None,
            '=IF(C5="Yes",1,0)',
        ]
    )
    governance.append(
        [
            "GOV-02",
            "Is there a documented information security policy approved by management?",
            None,
            None,
            '=IF(C6="Yes",1,0)',
        ]
    )
    governance.append(
        ["GOV-03", "Do you have cyber insurance?", "No", "Renewal pending", '=IF(C7="Yes",1,0)']
    )
    governance.append(["GOV-04", "Have you had any violations of your privacy policies or laws?"])
    governance.column_dimensions["B"].width = 60
    choice = DataValidation(type="list", formula1="Lists!$A$1:$A$3", allow_blank=True)
    choice.add("C5:C40")
    governance.add_data_validation(choice)
    operations = book.create_sheet("Operations")
    operations.append(["Ref", "Control question", "Yes/No", "Additional information"])
    operations.append(["Backups"])
    operations.merge_cells("A2:D2")
    operations.append(["OPS-1", "Do you have physical security at your data center?"])
    operations.append(["OPS-2", "Have you experienced a data breach in the past three years?"])
    literal = DataValidation(type="list", formula1='"Yes,No,Not applicable"')
    literal.add("C3:C20")
    operations.add_data_validation(literal)
    lists = book.create_sheet("Lists")
    for value in ("Yes", "No", "N/A"):
        lists.append([value])
    lists.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    return fake_searcher(tmp_path_factory.mktemp("wbindex"))


@pytest.fixture
def db(database_url: str, searcher: Searcher) -> Database:
    db = Database(database_url)
    import_examples(db, searcher.catalogue)
    return db


def test_question_sheets_and_columns_are_found_and_explanation_sheets_skipped() -> None:
    q = open_questionnaire("vendor.xlsx", customer_workbook())
    assert [each.title for each in q.layouts] == ["Governance", "Operations"]
    gov, ops = q.layouts
    assert (gov.header_row, gov.id_column, gov.question_column) == (3, 1, 2)
    assert (gov.choice_column, gov.comment_column, gov.choices) == (3, 4, ("Yes", "No", "N/A"))
    assert (ops.choice_column, ops.comment_column) == (3, 4)
    assert ops.choices == ("Yes", "No", "Not applicable")
    assert [(x.id, x.section) for x in gov.questions] == [
        ("GOV-01", "GOV – Organisation and policy"),
        ("GOV-02", "GOV – Organisation and policy"),
        ("GOV-03", "GOV – Organisation and policy"),
        ("GOV-04", "GOV – Organisation and policy"),
    ]
    assert [(x.row, x.id, x.section) for x in ops.questions] == [
        (3, "OPS-1", "Backups"),
        (4, "OPS-2", "Backups"),
    ]
    assert q.describe()[0] == (
        "sheet 'Governance': header row 3, ID A 'Question ID', question B 'Question', "
        "answer C 'Answer' (Yes/No/N/A), comment D 'Comments'; 4 questions"
    )


def test_sheet_chooses_sheets_and_an_unknown_one_lists_them() -> None:
    q = open_questionnaire("vendor.xlsx", customer_workbook(), sheets=["operations"])
    assert [each.title for each in q.layouts] == ["Operations"]
    with pytest.raises(QuestionnaireError) as caught:
        open_questionnaire("vendor.xlsx", customer_workbook(), sheets=["Privacy"])
    assert str(caught.value) == (
        "vendor.xlsx has no sheet named 'Privacy'. Sheets: 'Cover', 'Instructions', 'Governance', "
        "'Operations', 'Lists'. Use --sheet with one of them."
    )


def _cells(sheet: Worksheet) -> dict[str, tuple[Any, ...]]:
    return {
        cell.coordinate: (
            cell.value,
            cell.data_type,
            cell.number_format,
            # Styles compared by their parameters (style objects of two books never compare equal).
            *(
                repr(getattr(cell, a))
                for a in ("font", "fill", "border", "alignment", "protection")
            ),
        )
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None or cell.has_style
    }


def _validations(sheet: Worksheet) -> list[tuple[str, str, str | None]]:
    return [(str(v.sqref), v.type, v.formula1) for v in sheet.data_validations.dataValidation]


def test_answered_in_place_with_every_other_cell_style_merge_validation_and_formula_intact(
    db: Database, searcher: Searcher
) -> None:
    from zoneinfo import ZoneInfo

    original = customer_workbook()
    with db.session_scope() as session:
        answered = answer_questionnaire(
            "vendor.xlsx", original, db_session=session, searcher=searcher, zone=ZoneInfo("UTC")
        )
    rows = {(r.sheet, r.id): r for r in answered.rows}
    assert rows[("Governance", "GOV-01")].draft.choice == "Yes"
    before = load_workbook(io.BytesIO(original))
    after = load_workbook(io.BytesIO(answered.content))
    assert after.sheetnames == [*before.sheetnames, "Answer review"]
    written = {
        ("Governance", "C5"): "Yes",
        ("Governance", "D5"): rows[("Governance", "GOV-01")].draft.answer,
        ("Governance", "C6"): "Yes",
        ("Governance", "D6"): rows[("Governance", "GOV-02")].draft.answer,
        ("Operations", "C3"): "Not applicable",
        ("Operations", "D3"): rows[("Operations", "OPS-1")].draft.answer,
    }
    assert written[("Governance", "D5")].startswith("Yes. A security team")
    assert "not applicable to us" in written[("Operations", "D3")]
    for title in before.sheetnames:
        old, new = before[title], after[title]
        old_cells, new_cells = _cells(old), _cells(new)
        mine = {coord: value for (sheet, coord), value in written.items() if sheet == title}
        assert {c: new_cells[c][0] for c in mine} == mine
        assert {c: v for c, v in new_cells.items() if c not in mine} == old_cells, title
        assert {str(r) for r in new.merged_cells.ranges} == {
            str(r) for r in old.merged_cells.ranges
        }
        assert _validations(new) == _validations(old)
        assert new.sheet_state == old.sheet_state
        assert (
            dict(new.column_dimensions.items()).keys() >= dict(old.column_dimensions.items()).keys()
        )
    # The customer's answer and comment, the event question and its choice: untouched.
    assert (
        after["Governance"]["C7"].value == "No"
        and after["Governance"]["D7"].value == "Renewal pending"
    )
    assert after["Governance"]["C8"].value is None and after["Operations"]["C4"].value is None
    assert after["Governance"]["E5"].value == '=IF(C5="Yes",1,0)'
    review = [[c.value for c in row] for row in after["Answer review"].iter_rows()]
    assert review[0] == [
        "Sheet",
        "Row",
        "ID",
        "Question",
        "Answer",
        "Status",
        "Confidence",
        "Sources",
    ]
    assert review[4][:3] == ["Governance", 8, "GOV-04"] and review[4][5] == "needs_review"
    assert len(review) == 1 + len(answered.rows)


def test_a_workbook_with_more_cells_than_the_cap_is_refused_before_it_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from core.questionnaires import tables

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Question", "Answer"])
    for n in range(1, 400):
        sheet.append([f"Q{n}", f"Is control {n} in place?", None])
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr(tables, "MAX_CELLS", 500)  # the real cap is far above
    loaded: list[bool] = []
    monkeypatch.setattr(tables, "load_workbook", lambda *a, **k: loaded.append(True))
    with pytest.raises(QuestionnaireError) as caught:
        open_questionnaire("wide.xlsx", buffer.getvalue())
    assert str(caught.value).startswith(
        "wide.xlsx has more than 500 cells, more than a questionnaire"
    )
    assert "only the sheets that hold questions" in str(caught.value) and not loaded


def test_cells_of_a_lying_dimension_are_not_read_one_by_one() -> None:
    # A sheet claiming A1:XFD1048576 reads in the streamed pass without padding every row.
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Question"])
    sheet.append(["Is MFA enforced?"])
    sheet["XFD1048576"] = "far away"
    buffer = io.BytesIO()
    book.save(buffer)
    q = open_questionnaire("far.xlsx", buffer.getvalue())
    assert [(x.row, x.text) for x in q.questions] == [(2, "Is MFA enforced?")]
