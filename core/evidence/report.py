"""The auditor's report inside the export: index.html and the pages it links to, from templates."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy.orm import Session

from core import ledger
from core.campaigns import service as campaigns
from core.config import Settings
from core.evidence import report_views as views
from core.models import Campaign, CampaignRecipient, EvidenceRequest, OrgControl, Question
from core.models import Submission as SubmissionRow
from core.readiness import Readiness, ReadinessError, readiness
from core.readiness.scope import FRAMEWORK_TITLES
from knowledge.catalogue import Catalogue

if TYPE_CHECKING:
    from core.evidence.export import Requirement

# The pages besides the summary and one page per requirement, in the order the menu shows them.
TABLE_PAGES = (
    ("controls.html", "Controls"),
    ("evidence.html", "Evidence"),
    ("acknowledgements.html", "Acknowledgements"),
    ("questions.html", "Questions"),
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
    in_scope: set[str]
    controls: list[OrgControl]
    requests: list[EvidenceRequest]
    submissions: list[SubmissionRow]
    acks: list[tuple[Campaign, CampaignRecipient]]
    failed_quizzes: Counter[tuple[int, str]]
    questions: list[Question]
    files: dict[int, str]  # submission ID -> its copy under files/
    downloads: list[str]  # the CSVs and manifest.json, linked from the summary


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


def _requirement_pages(
    data: ReportInput, measured: Readiness | None, evidence: list[views.EvidenceItem]
) -> list[views.RequirementPage]:
    by_ref = {c.ref: c for c in data.controls}
    requests: dict[int, list[EvidenceRequest]] = defaultdict(list)
    for request in data.requests:
        requests[request.control_id].append(request)
    if measured is not None:
        groups = {g.id: g.title for fw in measured.frameworks for g in fw.groups}
        return [
            views.requirement_page(r, groups.get(r.group, r.group), by_ref, requests, evidence)
            for r in measured.requirements
        ]
    # Not measured: a page for each requirement the exported controls implement, without status.
    pages = []
    for rid in sorted({r for c in data.controls for r in c.requirements if r in data.in_scope}):
        req = data.requirements[rid]
        controls = tuple(
            views.control_view(c, None, requests.get(c.id, []), evidence)
            for c in data.controls
            if rid in c.requirements
        )
        pages.append(
            views.RequirementPage(
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
        )
    return pages


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
    verification = ledger.verify(db_session=db_session)
    measured, readiness_note = _measure(data, scope, db_session)
    by_id = {c.id: c for c in data.controls}
    request_by_id = {r.id: r for r in data.requests}
    evidence = views.evidence_items(data.submissions, request_by_id, by_id, data.files)
    requirement_pages = _requirement_pages(data, measured, evidence)
    pages_by_id = {p.id: p.href for p in requirement_pages}
    common: dict[str, Any] = {
        "generated_at": data.generated_at,
        "framework": FRAMEWORK_TITLES.get(data.framework or "", "ISO 27001:2022 and SOC 2"),
        "range": views.date_range(data.start, data.end),
        "requirement_pages": pages_by_id,
    }
    summary = {
        "head": {"seq": data.head[0], "hash": data.head[1]},
        "verification": verification,
        "charts": views.charts(measured) if measured else [],
        "readiness_note": readiness_note,
        "plain_requirements": [] if measured else requirement_pages,
        "campaigns": _campaigns(db_session, data.generated_at),
        "counts": {
            "controls": len(data.controls),
            "evidence requests": len(data.requests),
            "evidence items": len(data.submissions),
            "files": len(data.files),
            "acknowledgements": len(data.acks),
            "questions answered": len(data.questions),
        },
        "downloads": data.downloads,
        "files": sorted(set(data.files.values())),
    }
    rendered = {"index.html": env.get_template("index.html").render(root="", **common, **summary)}
    for page in requirement_pages:
        rendered[page.href] = env.get_template("requirement.html").render(
            root="../", page=page, **common
        )
    tables: dict[str, dict[str, Any]] = {
        "controls.html": {"controls": _control_rows(data, pages_by_id)},
        "evidence.html": {"items": evidence},
        "acknowledgements.html": {"acks": data.acks, "failed": data.failed_quizzes},
        "questions.html": {"questions": data.questions},
    }
    for name, context in tables.items():
        rendered[name] = env.get_template(name).render(root="", **common, **context)
    return {name: html.encode("utf-8") for name, html in rendered.items()}


def _control_rows(data: ReportInput, pages: dict[str, str]) -> list[dict[str, Any]]:
    requests: dict[int, list[EvidenceRequest]] = defaultdict(list)
    for request in data.requests:
        requests[request.control_id].append(request)
    handed_in = Counter(s.request_id for s in data.submissions)
    return [
        {
            "control": c,
            "requirements": [
                (rid, pages.get(rid)) for rid in c.requirements if rid in data.in_scope
            ],
            "requests": [(r, handed_in[r.id]) for r in requests[c.id]],
        }
        for c in data.controls
    ]
