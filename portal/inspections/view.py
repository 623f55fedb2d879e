"""An inspection as shown: the plan, its audited units with their checks, findings and
recommendations; and the data of the inspection report document. Counts and anonymous ids only, each
as the reader may see them (portal.inspections.published)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.inspections.access import keeps_records
from portal.inspections.checks import ANONYMOUS_IDS, BY_CODE, CHECKLIST
from portal.inspections.facility_targets import facility_ref
from portal.inspections.followup import recommendation_json
from portal.inspections.models import (
    Finding,
    InspectionCheck,
    InspectionPlan,
    InspectionTarget,
    Recommendation,
    TeamMember,
)
from portal.inspections.published import check_period, shown_check
from portal.locale import translate
from portal.locale.evidence import EVIDENCE, PERIOD_VALUES
from portal.locale.periods import period_name
from tenancy.models import Unit

OUTCOME_VI = {"pass": "Đạt", "fail": "Chưa đạt", "na": "Không có số liệu"}


def plan_json(session: Session, plan: InspectionPlan, records: str | None) -> dict[str, Any]:
    """What the caller may see of the plan (row-level security hides other audited units).

    ``records``: the reader's records scope. Evidence is exact, with anonymous ids, only on the audited
    units whose records the reader keeps; elsewhere it is published (counts perturbed or "<5", no ids).
    """
    inspecting = session.get(Unit, plan.inspecting_unit_id)
    team = session.execute(
        select(User.username, User.full_name, TeamMember.lead)
        .join(TeamMember, TeamMember.user_id == User.id)
        .where(TeamMember.plan_id == plan.id)
        .order_by(User.username)
    ).all()
    targets = []
    for target, unit in session.execute(
        select(InspectionTarget, Unit)
        .join(Unit, Unit.id == InspectionTarget.unit_id)
        .where(InspectionTarget.plan_id == plan.id)
        .order_by(Unit.code, Unit.name)
    ).tuples():
        checks = {
            c.item: c
            for c in session.scalars(select(InspectionCheck).where(InspectionCheck.target_id == target.id))
        }
        findings = list(
            session.scalars(select(Finding).where(Finding.target_id == target.id).order_by(Finding.id))
        )
        recs = (
            list(
                session.scalars(
                    select(Recommendation)
                    .where(Recommendation.finding_id.in_([f.id for f in findings]))
                    .order_by(Recommendation.id)
                )
            )
            if findings
            else []
        )
        exact = keeps_records(unit.path, records)
        shown = []
        for i in CHECKLIST:
            if i.code not in checks:
                continue
            check = checks[i.code]
            period = check_period(i.code, plan.period_start, plan.period_end)
            value, evidence = shown_check(i.code, check.value, check.evidence, exact, period)
            shown.append(
                {
                    "item": i.code,
                    "name_vi": i.name_vi,
                    "name_en": i.name_en,
                    "outcome": check.outcome,
                    "value": value,
                    "threshold": float(check.threshold) if check.threshold is not None else None,
                    "evidence": evidence,
                }
            )
        targets.append(
            {
                "id": target.id,
                "unit": unit.ref(),
                "facility": facility_ref(session, target.facility_id),
                "checked_at": target.checked_at.isoformat() if target.checked_at else None,
                "disclosure": "exact" if exact else "published",
                "checks": shown,
                "findings": [
                    {"id": f.id, "item": f.item, "text": f.text, "severity": f.severity} for f in findings
                ],
                "recommendations": [recommendation_json(session, r) for r in recs],
            }
        )
    return {
        "id": plan.id,
        "title": plan.title,
        "status": plan.status,
        "inspecting_unit": inspecting.ref() if inspecting else None,
        "period_start": plan.period_start.isoformat(),
        "period_end": plan.period_end.isoformat(),
        "visit_from": plan.visit_from.isoformat() if plan.visit_from else None,
        "visit_to": plan.visit_to.isoformat() if plan.visit_to else None,
        "legal_basis": plan.legal_basis,
        "team": [{"username": u, "full_name": n, "lead": lead} for u, n, lead in team],
        "targets": targets,
    }


def _cell(value: object) -> str:
    """A value or count as printed: "—" when withheld, "<5" as it is, numbers without trailing zeros."""
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def evidence_words(key: str, value: object, lang: str = "vi") -> str:
    """One count of a check's evidence as the report prints it ("Trẻ em: 12")."""
    name = translate(lang, EVIDENCE[key]) if key in EVIDENCE else key
    shown = period_name(value, lang) if key in PERIOD_VALUES and isinstance(value, str) else _cell(value)
    return f"{name}: {shown}"


def checks_table(target: dict[str, Any]) -> list[list[str]]:
    rows = []
    for check in target["checks"]:
        counts = ", ".join(evidence_words(k, v) for k, v in check["evidence"].items() if k != ANONYMOUS_IDS)
        ids = check["evidence"].get(ANONYMOUS_IDS) or []
        if ids:
            counts += f"; mã ẩn danh: {', '.join(ids[:10])}" + ("…" if len(ids) > 10 else "")
        rows.append(
            [
                BY_CODE[check["item"]].name_vi,
                _cell(check["value"]),
                f"{check['threshold']:g}",
                OUTCOME_VI[check["outcome"]],
                counts,
            ]
        )
    return rows
