"""The automated checklist: each item computed from the audited unit's subtree, so an inspection
starts from evidence. Counts only; children appear as anonymous ids (salted with the plan and the item).

Each count of children or cases is stored with the sum of the counted records' keys (under
:data:`KEYSUMS` in the evidence), so that :mod:`portal.inspections.published` can show it to
aggregate-only readers as every statistic is published. Outcomes are computed on the exact values.

Items: data completeness, support for children in special circumstances, case deadlines missed,
monthly reports on time (by each month's due date for communes, ``portal.reports.due``), child-friendly
communes, hazardous water points fenced, collaborators trained.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from infra.clock import today, utcnow
from portal.inspections.models import InspectionCheck, InspectionPlan, InspectionTarget
from portal.reports.dashboard import targets_for
from portal.reports.figures import staff_figures
from portal.reports.models import Report, ReportDefinition
from portal.reports.periods import containing
from portal.reports.timeliness import due_dates, first_submissions, state_of
from tenancy.models import Unit
from tenancy.structure import units_at_level_on

KEYSUMS = "keysums"  # evidence[KEYSUMS][count] = the cell key of that count (never sent to a reader)
ANONYMOUS_IDS = "anonymous_ids"


@dataclass(frozen=True)
class Item:
    code: str
    name_vi: str
    name_en: str
    threshold: float  # a rate (%) to reach, or for "late" items the most allowed
    higher_is_better: bool = True


CHECKLIST = (
    Item(
        "data_completeness",
        "Dữ liệu trẻ em đầy đủ (người chăm sóc, hộ, địa chỉ, khai sinh)",
        "Child records complete (caregiver, household, address, birth registration)",
        95.0,
    ),
    Item(
        "support_share", "Trẻ em có HCĐB được trợ giúp", "Children in special circumstances supported", 100.0
    ),
    Item("overdue_cases", "Bước xử lý vụ việc quá hạn", "Case steps past their legal deadline", 0.0, False),
    Item("reports_on_time", "Báo cáo tháng nộp đúng hạn", "Monthly reports submitted on time", 90.0),
    Item("child_friendly", "Xã, phường phù hợp với trẻ em", "Child-friendly communes", 100.0),
    Item("water_points", "Điểm nước nguy hiểm có rào chắn", "Hazardous water points fenced", 100.0),
    Item(
        "collaborator_training",
        "Cộng tác viên đã được tập huấn",
        "Collaborators trained",
        100.0,
    ),
)
BY_CODE = {i.code: i for i in CHECKLIST}


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 2)


def _evidence(session: Session, unit: Unit, plan: InspectionPlan) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    rows = session.execute(
        select(
            func.inspection_evidence(unit.path, plan.period_start, plan.period_end, plan.salt).table_valued(
                "item", "key", "n", "keysum"
            )
        )
    ).tuples()
    for item, key, n, keysum in rows:
        bucket = out.setdefault(item, {ANONYMOUS_IDS: []})
        if key.startswith("sample:"):
            bucket[ANONYMOUS_IDS].append(key.removeprefix("sample:"))
        else:
            bucket[key] = int(n)
            if keysum is not None:  # a count of children or cases
                bucket.setdefault(KEYSUMS, {})[key] = int(keysum)
    return out


def _reports(session: Session, unit: Unit, plan: InspectionPlan) -> dict[str, Any]:
    """Monthly commune reports of the period: on time, late, missing; and the last month's figures."""
    monthly = session.scalar(select(ReportDefinition).where(ReportDefinition.code == "monthly"))
    communes = units_at_level_on(session, unit, plan.period_end, "commune")
    months, cursor = [], containing("month", plan.period_start)
    while cursor.start <= plan.period_end:
        months.append(cursor)
        cursor = containing("month", cursor.end + timedelta(days=1))
    if monthly is None or not communes or not months:
        return {"expected": 0}
    reports = list(
        session.scalars(
            select(Report).where(
                Report.definition_id == monthly.id,
                Report.unit_id.in_([c.id for c in communes]),
                Report.period.in_([m.key for m in months]),
            )
        )
    )
    first_submit = first_submissions(session, [r.id for r in reports])
    due = {m.key: due_dates(session, monthly, m).get("commune") for m in months}
    on_time = sum(
        1
        for r in reports
        if (day := due[r.period]) is not None
        and state_of(r.status, first_submit.get(r.id), day, today()) == "on_time"
    )
    last = [r for r in reports if r.period == months[-1].key and r.status in ("submitted", "approved")]
    figures: dict[str, int] = {}
    for r in last:
        for key in (
            "child_friendly.recognised",
            "child_friendly.communes",
            "water_points.listed",
            "water_points.signed",
            "water_points.fenced",
        ):
            code, cell = key.split(".")
            figures[key] = figures.get(key, 0) + int(r.figures.get(code, {}).get(cell, 0))
    return {
        "expected": len(communes) * len(months),
        "submitted": len(first_submit),
        "on_time": on_time,
        "missing": len(communes) * len(months) - len(reports),
        "last_month": months[-1].key,
        "last_month_reports": len(last),
        **figures,
    }


def compute(
    session: Session, plan: InspectionPlan, target: InspectionTarget, unit: Unit
) -> list[dict[str, Any]]:
    """Every checklist item for one audited unit, as rows for ``inspection_checks``."""
    evidence = _evidence(session, unit, plan)
    reports = _reports(session, unit, plan)
    goals = targets_for(session, unit, plan.period_end.year)
    completeness, support = evidence.get("completeness", {}), evidence.get("support", {})
    cases = evidence.get("cases", {})
    # collaborators in place and trained at the period's end: the monthly report's own count (0034)
    staff = staff_figures(session, unit.path, plan.period_start, plan.period_end)
    training = {"collaborators": staff["in_place"], "trained": staff["trained"]}
    values: dict[str, tuple[float | None, float, dict[str, Any]]] = {
        "data_completeness": (
            _rate(
                completeness.get("children", 0) - completeness.get("incomplete", 0),
                completeness.get("children", 0),
            ),
            BY_CODE["data_completeness"].threshold,
            completeness,
        ),
        "support_share": (
            _rate(support.get("supported", 0), support.get("special", 0)),
            float(goals["special_supported"][0]),
            support,
        ),
        "overdue_cases": (float(cases.get("late_steps", 0)), 0.0, cases),
        "reports_on_time": (
            _rate(reports.get("on_time", 0), reports.get("expected", 0)),
            BY_CODE["reports_on_time"].threshold,
            {k: reports[k] for k in ("expected", "submitted", "on_time", "missing") if k in reports},
        ),
        "child_friendly": (
            _rate(reports.get("child_friendly.recognised", 0), reports.get("child_friendly.communes", 0)),
            float(goals["child_friendly"][0]),
            {
                k: v
                for k, v in reports.items()
                if k.startswith("child_friendly") or k.startswith("last_month")
            },
        ),
        "water_points": (
            _rate(reports.get("water_points.fenced", 0), reports.get("water_points.listed", 0)),
            float(goals["water_points_fenced"][0]),
            {k: v for k, v in reports.items() if k.startswith("water_points") or k.startswith("last_month")},
        ),
        "collaborator_training": (
            _rate(training.get("trained", 0), training.get("collaborators", 0)),
            BY_CODE["collaborator_training"].threshold,
            training,
        ),
    }
    rows = []
    for item in CHECKLIST:
        value, threshold, proof = values[item.code]
        if value is None:
            outcome = "na"
        elif item.higher_is_better:
            outcome = "pass" if value >= threshold else "fail"
        else:
            outcome = "pass" if value <= threshold else "fail"
        rows.append(
            {
                "target_id": target.id,
                "item": item.code,
                "outcome": outcome,
                "value": None if value is None else Decimal(str(value)),
                "threshold": Decimal(str(threshold)),
                "evidence": proof,
                "computed_at": utcnow(),
            }
        )
    return rows


def store(session: Session, rows: list[dict[str, Any]]) -> None:
    """Replace the target's checks (idempotent: one row per target and item)."""
    stmt = insert(InspectionCheck).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["target_id", "item"],
            set_={c: stmt.excluded[c] for c in ("outcome", "value", "threshold", "evidence", "computed_at")},
        )
    )


def check_target(session: Session, target_id: int) -> date | None:
    """Compute and store one target's checklist; None when the target is not visible to this scope."""
    target = session.get(InspectionTarget, target_id)
    if target is None:
        return None
    plan = session.get(InspectionPlan, target.plan_id)
    unit = session.get(Unit, target.unit_id)
    assert plan is not None and unit is not None
    store(session, compute(session, plan, target, unit))
    target.checked_at = utcnow()
    return plan.period_end
