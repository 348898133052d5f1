"""The risk register in the auditor export: a heat-map page, a page per risk, and risks.csv."""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.localtime import local_day
from core.risks.models import Risk, RiskVersion
from core.risks.scale import RiskScale
from core.risks.service import record_of, residual_score, risks, score
from core.spreadsheet import csv_bytes

CSV_HEADER = [
    "id",
    "title",
    "owner",
    "owner_user_id",
    "assets",
    "likelihood",
    "impact",
    "score",
    "level",
    "treatment",
    "controls",
    "treatment_plan",
    "residual_likelihood",
    "residual_impact",
    "residual_score",
    "residual_level",
    "review_cadence",
    "last_reviewed",
    "next_review",
    "version",
    "ledger_seq",
]
_COLOURS = ("#cfe8cf", "#fbe7a6", "#f6bd8a", "#ec8f8f", "#d76a9c", "#b36ad7")
CELL = 44


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The risk pages' templates, autoescaped: recorded text is shown as text, never as markup."""
    return Environment(
        loader=PackageLoader("core.risks", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def page_name(ref: str) -> str:
    """Where a risk's page is in the ZIP (IDs are letters, digits, '.', '_' and '-')."""
    return f"risks/{re.sub(r'[^A-Za-z0-9._-]', '_', ref)}.html"


def heat_map(
    title: str, cells: dict[tuple[int, int], list[str]], scale: RiskScale
) -> dict[str, Any]:
    """A likelihood × impact grid: each cell's position, colour by level, and the risks in it."""
    names = [name for name, _ in scale.levels]
    out = []
    for likelihood in range(1, scale.top + 1):
        for impact in range(1, scale.top + 1):
            refs = cells.get((likelihood, impact), [])
            level = scale.level(likelihood * impact)
            out.append(
                {
                    "x": 40 + (impact - 1) * CELL,
                    "y": (scale.top - likelihood) * CELL,
                    "likelihood": likelihood,
                    "impact": impact,
                    "score": likelihood * impact,
                    "level": level,
                    "fill": _COLOURS[min(names.index(level), len(_COLOURS) - 1)],
                    "refs": refs,
                    "count": len(refs),
                }
            )
    return {"title": title, "cells": out, "cell": CELL, "size": CELL * scale.top}


def _current_seq(risk: Risk, versions: list[Any]) -> int | None:
    return next((v.ledger_seq for v in versions if v.version == risk.version), None)


def ledger_seqs(*, db_session: Session) -> set[int]:
    """The ledger records risks.csv rows name: each risk's current version."""
    versions = db_session.execute(
        select(RiskVersion.risk_id, RiskVersion.version, RiskVersion.ledger_seq)
    )
    seqs = {(risk_id, version): seq for risk_id, version, seq in versions}
    named = {seqs.get((r.id, r.version)) for r in risks(db_session=db_session)}
    return {s for s in named if s is not None}


def risk_files(
    *, db_session: Session, scale: RiskScale, zone: tzinfo, now: datetime
) -> dict[str, bytes]:
    """risks/index.html, one page per risk and risks.csv, as they stand now."""
    env = environment()
    common = {"root": "../", "generated_at": f"{now:%Y-%m-%d %H:%M} UTC"}
    inherent: dict[tuple[int, int], list[str]] = {}
    residual: dict[tuple[int, int], list[str]] = {}
    rows, table, files = [], [], {}
    for risk in risks(db_session=db_session):
        record = record_of(risk, db_session=db_session)
        seq = _current_seq(risk, record.versions)
        inherent.setdefault((risk.likelihood, risk.impact), []).append(risk.ref)
        residual.setdefault((risk.residual_likelihood, risk.residual_impact), []).append(risk.ref)
        s, rs = score(risk.likelihood, risk.impact), residual_score(risk)
        files[page_name(risk.ref)] = (
            env.get_template("risk.html")
            .render(
                **common,
                r=risk,
                score=s,
                level=scale.level(s),
                residual=rs,
                residual_level=scale.level(rs),
                next_review=local_day(risk.next_review_at, zone),
                actions=record.actions,
                versions=record.versions,
                reviews=record.reviews,
                acceptances=record.acceptances,
            )
            .encode("utf-8")
        )
        overdue = risk.next_review_at < now
        table.append(
            {
                "ref": risk.ref,
                "page": page_name(risk.ref).removeprefix("risks/"),
                "title": risk.title,
                "owner": risk.owner,
                "score": s,
                "level": scale.level(s),
                "treatment": risk.treatment,
                "residual": rs,
                "residual_level": scale.level(rs),
                "controls": ", ".join(risk.controls + risk.requirements),
                "next_review": local_day(risk.next_review_at, zone),
                "overdue": overdue,
                "ledger_seq": seq,
            }
        )
        rows.append(_csv_row(risk, scale, zone, seq))
    maps = [
        heat_map("Inherent risk (before treatment)", inherent, scale),
        heat_map("Residual risk (after treatment)", residual, scale),
    ]
    files["risks/index.html"] = (
        env.get_template("risks.html")
        .render(**common, risks=table, maps=maps, top=scale.top, levels=scale.levels)
        .encode("utf-8")
    )
    files["risks.csv"] = csv_bytes(CSV_HEADER, rows)
    return files


def _csv_row(risk: Risk, scale: RiskScale, zone: tzinfo, seq: int | None) -> list[Any]:
    s, rs = score(risk.likelihood, risk.impact), residual_score(risk)
    return [
        risk.ref,
        risk.title,
        risk.owner,
        risk.owner_user_id,
        "; ".join(risk.assets),
        risk.likelihood,
        risk.impact,
        s,
        scale.level(s),
        risk.treatment,
        ", ".join(risk.controls + risk.requirements),
        "; ".join(f"{step['due']} {step['text']}" for step in risk.plan),
        risk.residual_likelihood,
        risk.residual_impact,
        rs,
        scale.level(rs),
        risk.review_cadence,
        local_day(risk.last_reviewed_at, zone) if risk.last_reviewed_at else "",
        local_day(risk.next_review_at, zone),
        risk.version,
        seq,
    ]
