"""The auditor's report inside the export: index.html and the pages it links to, from templates."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.orm import Session

from core import ledger
from core.campaigns import service as campaigns
from core.config import Settings
from core.evidence import report_views as views
from core.evidence.export_files import download_only
from core.evidence.export_records import ExportRecords, Requirement
from core.models import EvidenceRequest
from core.readiness import Readiness, ReadinessError, readiness
from core.readiness.scope import FRAMEWORK_TITLES
from knowledge.catalogue import Catalogue

# The pages besides the summary and one page per requirement, in the order the menu shows them.
TABLE_PAGES = (
    ("controls.html", "Controls"),
    ("evidence.html", "Evidence"),
    ("acknowledgements.html", "Acknowledgements"),
    ("questions.html", "Questions"),
    ("incidents.html", "Incidents"),  # written by core.incidents.export
)


@dataclass(frozen=True)
class ReadinessScope:
    """What measuring readiness for the report needs: the catalogue and the settings that scope it."""

    catalogue: Catalogue
    soc2_categories: tuple[str, ...]
    zone: ZoneInfo

    @classmethod
    def of(cls, catalogue: Catalogue, settings: Settings) -> ReadinessScope:
        """The scope every readiness surface uses: SOC2_CATEGORIES and TZ from settings."""
        return cls(catalogue, tuple(settings.soc2_categories), settings.zone)


@dataclass(frozen=True)
class ReportInput:
    """The records the export selected, as the report shows them."""

    generated_at: datetime
    start: datetime | None
    end: datetime | None
    framework: str | None
    head: tuple[int, str]
    requirements: dict[str, Requirement]
    records: ExportRecords
    files: dict[int, str]  # submission ID -> its copy under files/
    downloads: list[str]  # the CSVs and manifest.json, linked from the summary
    attachments: tuple[str, ...] = ()  # other domains' files under files/, listed with the evidence
    zone: tzinfo = UTC  # the organisation's: the range and due dates are its days
    witnesses: int = 0  # the ledger witness posts listed in witnesses.csv


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates, autoescaped: every recorded value is shown as text, never as markup."""
    env = Environment(
        loader=PackageLoader("core.evidence", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = views.when
    env.filters["day"] = views.day
    env.filters["anchor"] = views.anchor
    env.globals.update(
        status_labels=views.STATUS_LABELS,
        surfaces=views.SURFACES,
        bar_order=views.BAR_ORDER,
        table_pages=TABLE_PAGES,
        framework_titles=FRAMEWORK_TITLES,
        chart={
            "label_width": views.LABEL_WIDTH,
            "bar_x": views.BAR_X,
            "bar_width": views.BAR_WIDTH,
            "bar_height": views.BAR_HEIGHT,
        },
    )
    return env


def _measure(
    data: ReportInput, scope: ReadinessScope | None, db_session: Session
) -> tuple[Readiness | None, str | None]:
    if scope is None:
        return None, "Readiness was not measured for this export."
    try:
        return (
            readiness(
                db_session=db_session,
                catalogue=scope.catalogue,
                soc2_categories=scope.soc2_categories,
                zone=scope.zone,
                framework=data.framework,
                now=data.generated_at,
            ),
            None,
        )
    except ReadinessError as exc:
        return None, str(exc)


def _requests_by_control(records: ExportRecords) -> dict[int, list[EvidenceRequest]]:
    requests: dict[int, list[EvidenceRequest]] = defaultdict(list)
    for request in records.requests:
        requests[request.control_id].append(request)
    return requests


def _requirement_pages(
    data: ReportInput, measured: Readiness | None, evidence: list[views.EvidenceItem]
) -> list[views.RequirementPage]:
    records = data.records
    by_ref = {c.ref: c for c in records.controls}
    requests = _requests_by_control(records)
    if measured is not None:
        groups = {g.id: g.title for fw in measured.frameworks for g in fw.groups}
        return [
            views.requirement_page(r, groups.get(r.group, r.group), by_ref, requests, evidence)
            for r in measured.requirements
        ]
    # Not measured: a page for each requirement the exported controls implement, without status.
    implemented = {r for c in records.controls for r in c.requirements if r in records.in_scope}
    return [
        _unmeasured_page(rid, data.requirements[rid], records, requests, evidence)
        for rid in sorted(implemented)
    ]


def _unmeasured_page(
    rid: str,
    req: Requirement,
    records: ExportRecords,
    requests: dict[int, list[EvidenceRequest]],
    evidence: list[views.EvidenceItem],
) -> views.RequirementPage:
    controls = tuple(
        views.control_view(c, None, requests.get(c.id, []), evidence)
        for c in records.controls
        if rid in c.requirements
    )
    return views.RequirementPage(
        id=rid,
        title=req.title,
        framework=req.framework,
        group="",
        status=None,
        owners=tuple(dict.fromkeys(v.owner for v in controls)),
        last_accepted="",
        due_at="",
        href=views.page_name(rid),
        controls=controls,
    )


def _campaigns(db_session: Session, now: datetime) -> list[campaigns.Status]:
    return [
        campaigns.status(c.id, db_session=db_session, now=now)
        for c in reversed(campaigns.list_campaigns(db_session=db_session))
    ]


def render_report(
    data: ReportInput, *, db_session: Session, scope: ReadinessScope | None = None
) -> dict[str, bytes]:
    """Every page of the report by its name in the ZIP: index.html links to all the others."""
    env = environment()
    measured, readiness_note = _measure(data, scope, db_session)
    evidence = _evidence(data)
    requirement_pages = _requirement_pages(data, measured, evidence)
    pages_by_id = {p.id: p.href for p in requirement_pages}
    common = _common(data, pages_by_id)
    summary = _summary(data, measured, readiness_note, requirement_pages, db_session)
    rendered = {"index.html": env.get_template("index.html").render(root="", **common, **summary)}
    for page in requirement_pages:
        rendered[page.href] = env.get_template("requirement.html").render(
            root="../", page=page, **common
        )
    for name, context in _table_pages(data, evidence, pages_by_id).items():
        rendered[name] = env.get_template(name).render(root="", **common, **context)
    return {name: html.encode("utf-8") for name, html in rendered.items()}


def _evidence(data: ReportInput) -> list[views.EvidenceItem]:
    records = data.records
    controls = {c.id: c for c in records.controls}
    requests = {r.id: r for r in records.requests}
    return views.evidence_items(records.submissions, requests, controls, data.files)


def _common(data: ReportInput, pages_by_id: dict[str, str]) -> dict[str, Any]:
    """What every page shows in its header and menu."""
    return {
        "generated_at": data.generated_at,
        "framework": FRAMEWORK_TITLES.get(data.framework or "", "ISO 27001:2022 and SOC 2"),
        "range": views.date_range(data.start, data.end, data.zone),
        "zone": data.zone,
        "requirement_pages": pages_by_id,
    }


def _summary(
    data: ReportInput,
    measured: Readiness | None,
    readiness_note: str | None,
    requirement_pages: list[views.RequirementPage],
    db_session: Session,
) -> dict[str, Any]:
    """The summary page: the verified ledger, readiness charts, campaigns, counts and downloads."""
    records = data.records
    return {
        "head": {"seq": data.head[0], "hash": data.head[1]},
        "verification": ledger.verify(db_session=db_session),
        "charts": views.charts(measured) if measured else [],
        "readiness_note": readiness_note,
        "plain_requirements": [] if measured else requirement_pages,
        "campaigns": _campaigns(db_session, data.generated_at),
        "counts": {
            "controls": len(records.controls),
            "evidence requests": len(records.requests),
            "evidence items": len(records.submissions),
            "files": len(data.files),
            "acknowledgements": len(records.acks),
            "questions answered": len(records.questions),
        },
        "downloads": data.downloads,
        "files": [
            (path, download_only(path))
            for path in sorted(set(data.files.values()) | set(data.attachments))
        ],
        "witnesses": data.witnesses,
    }


def _table_pages(
    data: ReportInput, evidence: list[views.EvidenceItem], pages_by_id: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Each table page by its template name, with what it lists."""
    records = data.records
    return {
        "controls.html": {"controls": _control_rows(records, pages_by_id)},
        "evidence.html": {"items": evidence},
        "acknowledgements.html": {"acks": records.acks, "failed": records.failed_quizzes},
        "questions.html": {"questions": records.questions},
    }


def _control_rows(records: ExportRecords, pages: dict[str, str]) -> list[dict[str, Any]]:
    requests = _requests_by_control(records)
    handed_in = Counter(s.request_id for s in records.submissions)
    return [
        {
            "control": c,
            "requirements": [
                (rid, pages.get(rid)) for rid in c.requirements if rid in records.in_scope
            ],
            "requests": [(r, handed_in[r.id]) for r in requests[c.id]],
        }
        for c in records.controls
    ]
