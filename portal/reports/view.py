"""How a report is shown: the API's JSON and the data a document is rendered from.

Readers who do not keep the unit's records see every count of children or cases through the disclosure
policy: registry cells as the statistics layer publishes them, the others perturbed with a hashed cell
key, small cells "<5" (see portal.reports.figures.for_reader).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import VIETNAM, utcnow
from portal.audit.aggregate import audit_aggregate
from portal.reports import figures as fig
from portal.reports.consolidation import sub_unit_statuses
from portal.reports.dashboard import Rates, Reader
from portal.reports.due import due_date
from portal.reports.models import ConsolidationRun, Report, ReportDefinition, ReportEvent
from portal.reports.official import official_parts
from portal.reports.periods import Period, parse, previous
from portal.reports.workflow import allowed_actions
from tenancy.models import Unit

STATUS_VI = {
    "draft": "Đang soạn",
    "submitted": "Đã nộp, chờ phê duyệt",
    "approved": "Đã phê duyệt",
    "returned": "Bị trả lại",
    "missing": "Chưa có báo cáo",
}
ACTION_VI = {
    "create": "Tạo báo cáo",
    "compute": "Tính lại từ dữ liệu trẻ em",
    "enter": "Nhập số liệu",
    "consolidate": "Tổng hợp từ đơn vị cấp dưới",
    "submit": "Nộp báo cáo",
    "approve": "Phê duyệt",
    "return": "Trả lại",
    "reopen": "Mở lại để sửa",
}
LEVEL_VI = {
    "province": "Tỉnh/Thành phố",
    "district": "Quận/Huyện",
    "commune": "Xã/Phường",
    "hamlet": "Thôn/Tổ dân phố",
}
PERIOD_VI = {"month": "Tháng", "quarter": "Quý", "half": "6 tháng", "year": "Năm"}


def _events(session: Session, report_id: int) -> list[ReportEvent]:
    return list(
        session.scalars(
            select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
        )
    )


def report_json(
    session: Session, caller: Caller, report: Report, definition: ReportDefinition, unit: Unit
) -> dict[str, Any]:
    catalog = fig.for_report(session, definition, report)
    reader = Reader(session, caller, catalog, unit, [_period(definition, report)])
    exact = reader.exact
    lowest = unit.level == definition.lowest_level
    due = due_date(session, definition, report.period_end, unit.level)
    run = session.scalar(
        select(ConsolidationRun)
        .where(ConsolidationRun.report_id == report.id)
        .order_by(ConsolidationRun.id.desc())
    )
    shown: dict[str, Any] = {
        "id": report.id,
        "definition": {
            "code": definition.code,
            "name_vi": definition.name_vi,
            "name_en": definition.name_en,
            "period_type": definition.period_type,
            "lowest_level": definition.lowest_level,
        },
        "unit": unit.ref(),
        "period": report.period,
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "due_date": due.isoformat() if due else None,
        "status": report.status,
        "version": report.version,
        "suppressed": not exact,
        "figures": reader.figures(report),
        "entered": fig.for_reader(catalog, report.entered, exact, unit.id, report.period),
        "entry_indicators": [i.code for i in catalog.entered_at(unit.level)],
        "from_months": None
        if report.from_months is None
        else {
            **report.from_months,
            "values": fig.for_reader(catalog, report.from_months["values"], exact, unit.id, report.period),
        },
        "reasons": report.reasons,
        "missing_units": report.missing_units,
        "comment": report.comment,
        "computed_at": report.computed_at.isoformat() if report.computed_at else None,
        "consolidated_at": report.consolidated_at.isoformat() if report.consolidated_at else None,
        "submitted_at": report.submitted_at.isoformat() if report.submitted_at else None,
        "approved_at": report.approved_at.isoformat() if report.approved_at else None,
        "sub_units": [] if lowest else sub_unit_statuses(session, report, unit),
        "consolidation": run.as_json() if run else None,
        "allowed_actions": allowed_actions(session, caller, report, unit, lowest),
        "events": [
            {
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "comment": e.comment,
                "by": e.actor_username,
                "at": e.at.isoformat(),
            }
            for e in _events(session, report.id)
        ],
    }
    audit_aggregate(
        caller,
        "report",
        unit.id,
        {
            "definition": definition.code,
            "period": report.period,
            "version": report.version,
            "suppressed": not exact,
        },
        resource_ids=[report.id],
    )
    return shown


def document_data(session: Session, report_id: int, exact: bool, generated_by: str | None) -> dict[str, Any]:
    """Everything a rendered document shows, in Vietnamese (see portal.reports.render_*)."""
    report = session.get(Report, report_id)
    assert report is not None
    definition = session.get(ReportDefinition, report.definition_id)
    unit = session.get(Unit, report.unit_id)
    assert definition is not None and unit is not None
    catalog = fig.for_report(session, definition, report)
    periods = previous(definition.period_type, _period(definition, report), 6)
    layered = {} if exact else fig.layered(session, unit, periods)

    def published(one: Report) -> dict[str, dict[str, int | str]] | None:
        if exact:
            return None
        return fig.for_reader(catalog, one.figures, False, unit.id, one.period, layered.get(one.period))

    shown = published(report) or {code: dict(cells) for code, cells in report.figures.items()}
    rates = Rates(session)
    goals = rates.goals(unit, report.period_end.year)
    past = {
        r.period: r
        for r in session.scalars(
            select(Report).where(
                Report.definition_id == definition.id,
                Report.unit_id == unit.id,
                Report.period.in_([p.key for p in periods]),
            )
        )
    }
    trend_rates = {
        p.key: {
            r["code"]: r["pct"] for r in rates.rows(past[p.key].figures, goals, p, published(past[p.key]))
        }
        for p in periods
        if p.key in past
    }
    targets = rates.rows(report.figures, goals, _period(definition, report), published(report))
    lowest = unit.level == definition.lowest_level
    subs = [] if lowest else sub_unit_statuses(session, report, unit)
    missing_ids = {m["id"] for m in report.missing_units}
    period_label = f"{PERIOD_VI[definition.period_type]} {_label(report.period)}"
    return {
        "title": definition.name_vi,
        "official": official_parts(session, report, definition, unit, period_label.lower(), generated_by),
        "unit": {"name": unit.name, "code": unit.code, "level_vi": LEVEL_VI[unit.level]},
        "period": report.period,
        "period_label": period_label,
        "period_start": f"{report.period_start:%d/%m/%Y}",
        "period_end": f"{report.period_end:%d/%m/%Y}",
        "status": report.status,
        "status_vi": STATUS_VI[report.status],
        "version": report.version,
        "generated_at": f"{utcnow().astimezone(VIETNAM):%d/%m/%Y %H:%M}",
        "generated_by": generated_by or "",
        "suppressed": not exact,
        "indicators": [
            {
                "code": i.code,
                "name": i.name_vi,
                "legal_basis": i.legal_basis,
                "cells": [
                    # a cell the stored figures lack (made before it was in the catalogue): "—"
                    {"key": c["key"], "name": c["name_vi"], "value": shown.get(i.code, {}).get(c["key"])}
                    for c in i.cells
                ],
            }
            for i in catalog.held_at(unit.level)
        ],
        "sub_units": [
            {
                "name": s["unit"]["name"],
                "code": s["unit"]["code"],
                "status_vi": STATUS_VI[s["status"]],
                "included": s["unit"]["id"] not in missing_ids and report.consolidated_at is not None,
            }
            for s in subs
        ],
        "missing_units": [
            {"name": m["name"], "code": m["code"], "status_vi": STATUS_VI.get(m["status"], m["status"])}
            for m in report.missing_units
        ],
        "targets": [
            {
                "name": t["name_vi"],
                "numerator": t["numerator"],
                "denominator": t["denominator"],
                "pct": t["pct"],
                "target_pct": t["target_pct"],
                "met": t["met"],
            }
            for t in targets
        ],
        "trend": {
            "periods": [p.key for p in periods],
            "series": [
                {"name": t["name_vi"], "values": [trend_rates.get(p.key, {}).get(t["code"]) for p in periods]}
                for t in targets
            ],
        },
        "events": [
            {
                "at": f"{e.at.astimezone(VIETNAM):%d/%m/%Y %H:%M}",
                "actor": e.actor_username,
                "action_vi": ACTION_VI.get(e.action, e.action),
                "comment": e.comment,
            }
            for e in _events(session, report.id)
        ],
    }


def _rows(
    rates: Rates,
    report: Report,
    goals: dict[str, Any],
    period: Period,
    published: Callable[[Report], dict[str, dict[str, int | str]] | None],
) -> list[dict[str, Any]]:
    return rates.rows(report.figures, goals, period, published(report))


def _period(definition: ReportDefinition, report: Report) -> Period:
    found = parse(definition.period_type, report.period)
    assert found is not None
    return found


def _label(key: str) -> str:
    if "-Q" in key or "-H" in key:
        year, part = key.split("-")
        return f"{part[1]}/{year}"
    if "-" in key:
        year, month = key.split("-")
        return f"{month}/{year}"
    return key
