"""What the auditor's report pages show: bar geometry, requirement pages and table rows."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo

from core.evidence.export_files import download_only
from core.localtime import local_day
from core.models import EvidenceRequest, OrgControl, Submission
from core.readiness import STATUSES, Readiness, RequirementStatus, Tally
from core.readiness.model import ControlState

# Stacked in this order: what is done first, what needs someone's action after it.
BAR_ORDER = ("current", "submitted", "no_evidence", "overdue", "gap", "not_applicable")
STATUS_LABELS = {
    "current": "Current",
    "submitted": "Awaiting review",
    "no_evidence": "No evidence yet",
    "overdue": "Overdue",
    "gap": "Gap (no control)",
    "not_applicable": "Not applicable",
}
assert set(BAR_ORDER) == set(STATUSES) == set(STATUS_LABELS)
SURFACES = {
    "slack_mention": "Slack mention",
    "slack_dm": "Slack DM",
    "slash": "/compliance",
    "console": "console",
    "cli": "CLI",
}

# Chart geometry in SVG user units; the SVG scales to the page width.
LABEL_WIDTH = 300
BAR_X = 310
BAR_WIDTH = 380
ROW_HEIGHT = 26
BAR_HEIGHT = 16


def when(value: datetime | None) -> str:
    """An instant as people read it, in UTC."""
    return f"{value:%Y-%m-%d %H:%M} UTC" if value is not None else ""


def day(value: date | datetime | None, zone: tzinfo = UTC) -> str:
    """A plain date; an instant as the day it falls on in zone."""
    if isinstance(value, datetime):
        return local_day(value, zone)
    return f"{value:%Y-%m-%d}" if value is not None else ""


def date_range(start: datetime | None, end: datetime | None, zone: tzinfo) -> str:
    """The export's range as the days typed, in zone (its end is the last day included)."""
    if start is None and end is None:
        return "all records (no date range)"
    first = day(start, zone) if start is not None else "the first record"
    last = day(end, zone) if end is not None else "the export"
    return f"{first} to {last} ({zone})"


def page_name(requirement_id: str) -> str:
    """The requirement's page inside the ZIP (catalogue IDs are letters, digits and dots)."""
    return f"requirements/{re.sub(r'[^A-Za-z0-9.-]+', '_', requirement_id)}.html"


def anchor(ref: str) -> str:
    """A register ref as an HTML id and URL fragment (refs are free text in the register)."""
    return "control-" + re.sub(r"[^A-Za-z0-9_-]+", "_", ref)


@dataclass(frozen=True)
class Segment:
    """One status's share of a bar."""

    status: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    """One row of a readiness chart: a group (or the whole framework) stacked by status."""

    id: str
    title: str
    y: int
    total: int
    ready: float | None
    segments: tuple[Segment, ...]
    strong: bool = False

    @property
    def ready_text(self) -> str:
        """`42% ready`, or why there is no share."""
        return "n/a" if self.ready is None else f"{round(self.ready * 100)}% ready"


def bar(tally: Tally, y: int, *, strong: bool = False) -> Bar:
    """A stacked bar for one tally: widths proportional to its counts."""
    total = tally.total
    x = float(BAR_X)
    segments = []
    for status in BAR_ORDER:
        count = tally.counts.get(status, 0)
        if not count:
            continue
        width = BAR_WIDTH * count / total
        segments.append(Segment(status, STATUS_LABELS[status], count, round(x, 2), round(width, 2)))
        x += width
    return Bar(tally.id, tally.title, y, total, tally.ready, tuple(segments), strong)


@dataclass(frozen=True)
class RequirementLink:
    """A requirement as the summary lists it: ID, title, status and its page."""

    id: str
    title: str
    status: str
    href: str


@dataclass(frozen=True)
class GroupView:
    """One group's bar and the links to its requirements' pages."""

    bar: Bar
    requirements: tuple[RequirementLink, ...]


@dataclass(frozen=True)
class Chart:
    """One framework's chart: the framework's bar first, then one per group."""

    framework: str
    title: str
    bars: tuple[Bar, ...]
    groups: tuple[GroupView, ...]
    height: int
    counts: dict[str, int]
    ready: float | None


def charts(report: Readiness) -> list[Chart]:
    """A chart per framework, with every requirement linked under its group."""
    out = []
    for fw in report.frameworks:
        bars = [bar(Tally(fw.framework, "All requirements", fw.tally.counts), 4, strong=True)]
        groups = []
        for n, tally in enumerate(fw.groups, start=1):
            row = bar(tally, 4 + n * ROW_HEIGHT + 8)
            bars.append(row)
            links = tuple(
                RequirementLink(r.id, r.title, r.status, page_name(r.id))
                for r in report.requirements
                if r.framework == fw.framework and r.group == tally.id
            )
            groups.append(GroupView(row, links))
        height = 4 + len(fw.groups) * ROW_HEIGHT + 8 + ROW_HEIGHT
        out.append(
            Chart(
                fw.framework,
                fw.title,
                tuple(bars),
                tuple(groups),
                height,
                fw.tally.counts,
                fw.ready,
            )
        )
    return out


@dataclass(frozen=True)
class EvidenceItem:
    """One submission as a person reads it, with its request's review."""

    id: int
    control: str
    period: str
    recorded_at: str
    effective_date: str
    submitted_by: str
    on_behalf: bool
    text: str
    link: str  # shown as text: an offline report follows no outside links
    file_name: str
    file_href: str | None  # the copy under files/, relative to the ZIP's root
    file_sha256: str
    download_only: bool  # stored with .bin added: it could run in a browser
    status: str
    reviewed_by: str
    reviewed_at: str
    review_comment: str


def evidence_items(
    submissions: list[Submission],
    requests: dict[int, EvidenceRequest],
    controls: dict[int, OrgControl],
    files: dict[int, str],
) -> list[EvidenceItem]:
    """Every submission with its control, period, review and file copy."""
    out = []
    for s in submissions:
        request = requests[s.request_id]
        out.append(
            EvidenceItem(
                id=s.id,
                control=controls[request.control_id].ref,
                period=request.period,
                recorded_at=when(s.recorded_at),
                effective_date=day(s.effective_date),
                submitted_by=s.submitted_by,
                on_behalf=s.on_behalf,
                text=s.text,
                link=s.link or "",
                file_name=s.file_name or "",
                file_href=files.get(s.id),
                file_sha256=s.file_sha256 or "",
                download_only=download_only(files.get(s.id) or ""),
                status=request.status,
                reviewed_by=request.reviewed_by or "",
                reviewed_at=when(request.reviewed_at),
                review_comment=request.review_comment or "",
            )
        )
    return out


@dataclass(frozen=True)
class ControlView:
    """A register control on a requirement page: where it stands and the evidence behind it."""

    ref: str
    title: str
    owner: str  # as the register wrote it, with the Slack user it resolved to
    cadence: str
    applicable: bool
    justification: str
    status: str | None
    due_at: str
    last_accepted: str
    requests: tuple[tuple[str, str, str], ...]  # (period, due date, status)
    evidence: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class RequirementPage:
    """One requirement's page."""

    id: str
    title: str
    framework: str
    group: str  # the group's title ("A.5 Organizational controls"), empty when not measured
    status: str | None  # None when readiness was not measured
    owners: tuple[str, ...]
    last_accepted: str
    due_at: str
    href: str
    controls: tuple[ControlView, ...] = field(default_factory=tuple)


def control_view(
    control: OrgControl,
    state: ControlState | None,
    requests: list[EvidenceRequest],
    evidence: list[EvidenceItem],
) -> ControlView:
    """A control with its state (when measured), its requests and its evidence."""
    resolved = control.owner_user_id
    return ControlView(
        ref=control.ref,
        title=control.title,
        owner=f"{control.owner} ({resolved})"
        if resolved and resolved != control.owner
        else control.owner,
        cadence=control.cadence,
        applicable=control.applicable,
        justification=control.justification,
        status=state.status if state else None,
        due_at=day(state.due_at) if state else "",
        last_accepted=day(state.last_accepted) if state else "",
        requests=tuple((r.period, day(r.due_at), r.status) for r in requests),
        evidence=tuple(e for e in evidence if e.control == control.ref),
    )


def requirement_page(
    status: RequirementStatus,
    group: str,
    controls: dict[str, OrgControl],
    requests: dict[int, list[EvidenceRequest]],
    evidence: list[EvidenceItem],
) -> RequirementPage:
    """A measured requirement's page: the readiness service's view plus the register's evidence."""
    views = tuple(
        control_view(controls[s.ref], s, requests.get(controls[s.ref].id, []), evidence)
        for s in status.controls
        if s.ref in controls
    )
    return RequirementPage(
        id=status.id,
        title=status.title,
        framework=status.framework,
        group=group,
        status=status.status,
        owners=tuple(dict.fromkeys(v.owner for v in views)),
        last_accepted=day(status.last_accepted),
        due_at=day(status.due_at),
        href=page_name(status.id),
        controls=views,
    )
