"""Which ledger record each export CSV row names, and which of its columns the record must match.

verify.py (core/evidence/verifier.py) reads these declarations from manifest.json and stays
generic: a register CSV added to the export declares its links here and is verified with the rest.
See docs/export.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The one column name every export CSV uses for "the ledger record this row is".
SEQ_COLUMN = "ledger_seq"
YES_NO = {"true": "yes", "false": "no"}


@dataclass(frozen=True)
class Column:
    """How a CSV cell is written from a record: a dotted path, optional value map or list join."""

    path: str  # "payload.x.y" inside the payload, or a record field: "hash", "kind", "seq"
    values: dict[str, str] | None = None  # canonical JSON of the value -> the cell
    join: str | None = None  # a list is written joined by this

    def spec(self) -> str | dict[str, Any]:
        """The manifest's form: the bare path when nothing else is needed."""
        if self.values is None and self.join is None:
            return self.path
        out: dict[str, Any] = {"path": self.path}
        if self.values is not None:
            out["values"] = self.values
        if self.join is not None:
            out["join"] = self.join
        return out


@dataclass(frozen=True)
class Link:
    """A CSV column naming a ledger seq, the record kinds it may name, and the cells it vouches for."""

    columns: dict[str, Column]
    kinds: tuple[str, ...] = ()  # empty: any kind
    seq_column: str = SEQ_COLUMN
    optional: bool = False  # an empty seq cell is allowed (e.g. evidence not yet reviewed)

    def spec(self) -> dict[str, Any]:
        """The manifest's form of this link."""
        out: dict[str, Any] = {
            "seq_column": self.seq_column,
            "kinds": list(self.kinds),
            "columns": {name: c.spec() for name, c in self.columns.items()},
        }
        if self.optional:
            out["optional"] = True
        return out


def _p(path: str, **options: Any) -> Column:
    return Column(f"payload.{path}", **options)


TABLE_LINKS: dict[str, tuple[Link, ...]] = {
    "controls.csv": (
        Link(
            kinds=("register_change",),
            columns={
                "control_id": _p("control"),
                "control_title": _p("title"),
                "owner": _p("owner"),
                "applicable": _p("applicable", values=YES_NO),
            },
        ),
    ),
    "evidence.csv": (
        Link(
            kinds=("evidence_submitted",),
            columns={
                "submission_id": _p("submission"),
                "control_id": _p("control"),
                "period": _p("period"),
                "submitted_by": _p("by"),
                "on_behalf": _p("on_behalf", values=YES_NO),
                "effective_date": _p("effective_date"),
                "text": _p("text"),
                "link": _p("link"),
                "file_name": _p("file_name"),
                "file_sha256": _p("file_sha256"),
            },
        ),
        Link(
            seq_column="review_ledger_seq",
            kinds=("evidence_accepted", "evidence_rejected"),
            optional=True,
            columns={
                "control_id": _p("control"),
                "period": _p("period"),
                "reviewed_by": _p("by"),
                "review_comment": _p("comment"),
            },
        ),
    ),
    "acknowledgements.csv": (
        Link(
            kinds=("acknowledgement",),
            columns={
                "campaign_id": _p("campaign"),
                "user_id": _p("user"),
                "acknowledged_at": _p("at"),
                "document_sha256": _p("document_sha256"),
                "quiz_score": _p("quiz_score"),
            },
        ),
    ),
    "questions.csv": (
        Link(
            kinds=("answer",),
            columns={
                "asked_at": _p("asked_at"),
                "user_id": _p("user"),
                "surface": _p("surface"),
                "channel": _p("channel"),
                "question": _p("text"),
                "top_results": _p("ids", join=" "),
                "confidence": _p("confidence"),
                "answered": _p("answered", values={"true": "yes", "false": "no (gap)"}),
            },
        ),
    ),
    # The ledger witness posts: each names the record whose hash was posted to Slack.
    "witnesses.csv": (Link(seq_column="seq", columns={"hash": Column("hash")}),),
    # Other domains' register CSVs: add `"<name>.csv": (Link(...),)` below, one block per domain.
    # access reviews (issue 22): a row is the account's decision; undecided rows name no record.
    "access_reviews.csv": (
        Link(
            kinds=("access_decision",),
            optional=True,
            columns={
                "review_id": _p("review"),
                "system": _p("system"),
                "account_id": _p("account"),
                "email": _p("email"),
                "privileged": _p("privileged", values=YES_NO),
                "flags": _p("flags", join=" "),
                "decision": _p("decision"),
                "reason": _p("reason"),
                "decided_by": _p("by"),
                "removal_id": _p("removal"),
            },
        ),
        Link(
            seq_column="snapshot_ledger_seq",
            kinds=("access_snapshot",),
            columns={"system": _p("system"), "snapshot_sha256": _p("sha256")},
        ),
    ),
    # incidents (issue 23): a row names the incident's report, and its last status change.
    "incidents.csv": (
        Link(
            kinds=("incident_reported",),
            columns={
                "id": _p("incident"),
                "reporter": _p("reporter"),
                "description": _p("description"),
            },
        ),
        Link(
            seq_column="status_ledger_seq",
            kinds=("incident_status",),
            optional=True,  # still "reported": no status change yet
            columns={"id": _p("incident"), "status": _p("new")},
        ),
    ),
    # risks and suppliers (issue 24): a row names the change that made its current version.
    "risks.csv": (
        Link(
            kinds=("risk_change",),
            columns={
                "id": _p("risk"),
                "title": _p("title"),
                "owner": _p("owner"),
                "assets": _p("assets", join="; "),
                "likelihood": _p("likelihood"),
                "impact": _p("impact"),
                "treatment": _p("treatment"),
                "residual_likelihood": _p("residual_likelihood"),
                "residual_impact": _p("residual_impact"),
                "review_cadence": _p("review_cadence"),
                "version": _p("version"),
            },
        ),
    ),
    "suppliers.csv": (
        Link(
            kinds=("supplier_change",),
            columns={
                "id": _p("supplier"),
                "name": _p("name"),
                "owner": _p("owner"),
                "service": _p("service"),
                "data_handled": _p("data_handled"),
                "criticality": _p("criticality"),
                "assurance_type": _p("assurance_type"),
                "assurance_expires": _p("assurance_expires"),
                "review_cadence": _p("review_cadence"),
                "version": _p("version"),
            },
        ),
    ),
}


def tables_spec(names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The manifest's "tables": the links of every CSV in the export that declares some."""
    return {n: [link.spec() for link in TABLE_LINKS[n]] for n in names if n in TABLE_LINKS}


@dataclass
class BlobLinks:
    """files/ paths and the record stating each one's SHA-256."""

    paths: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, path: str, seq: int, field_path: str = "payload.file_sha256") -> None:
        """Tie a file in the ZIP to the record whose payload states its hash."""
        self.paths[path] = {"seq": seq, "path": field_path}
