"""A re-check above its threshold becomes a recommendation (kiến nghị) of the inspections' follow-up.

The sampler's unit records it as an inspection of the re-checked unit (a plan, the unit as audited
target, a finding with the error rates, a recommendation addressed to the commune with a deadline), so
the commune answers it and the sampler accepts or re-opens it exactly as any inspection's
recommendation (``portal.inspections.followup``). A hamlet's re-check is addressed to its commune,
whose ward officer answers. The texts are records in Vietnamese, the administration's language.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from portal.audit.service import record as audit
from portal.inspections.models import Finding, InspectionPlan, InspectionTarget, Recommendation, TeamMember
from portal.rechecks.models import Recheck
from tenancy.models import Unit

LEGAL_BASIS = "Quyết định 3978/QĐ-BYT ngày 26/12/2025 của Bộ Y tế"
DEADLINE_DAYS = 30
FIELD_NAMES_VI = {
    "full_name": "Họ và tên",
    "date_of_birth": "Ngày sinh",
    "sex": "Giới tính",
    "ethnicity": "Dân tộc",
    "national_id": "Số định danh cá nhân",
    "guardian": "Cha/mẹ/người nuôi dưỡng",
    "hamlet": "Thôn/Tổ dân phố",
    "special_group": "Nhóm hoàn cảnh đặc biệt",
}


def _percent(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + "%"


def recommend(session: Session, caller: Caller, recheck: Recheck, above: list[dict[str, Any]]) -> int:
    """Record the re-check as an inspection of its unit by the sampler's unit, with a finding naming
    each field above the threshold and a recommendation to the commune. Returns the recommendation id."""
    unit = session.get(Unit, recheck.unit_id)
    assert unit is not None
    commune = session.get(Unit, unit.parent_id) if unit.level == "hamlet" and unit.parent_id else unit
    assert commune is not None
    day = today()
    plan = InspectionPlan(
        title=f"Phúc tra dữ liệu trẻ em: {unit.name} (PT-{recheck.id:04d})",
        inspecting_unit_id=recheck.sampler_unit_id,
        period_start=min(recheck.created_at.date(), day),
        period_end=day,
        legal_basis=LEGAL_BASIS,
        status="reported",
        salt=uuid.uuid4(),
        created_by=caller.user_id,
    )
    session.add(plan)
    session.flush()
    target = InspectionTarget(plan_id=plan.id, unit_id=commune.id)
    session.add_all([target, TeamMember(plan_id=plan.id, user_id=caller.user_id, lead=True)])
    session.flush()
    threshold = _percent(float(recheck.threshold))
    rates = "; ".join(
        f"{FIELD_NAMES_VI[f['field']]} {_percent(f['rate'])} ({f['mismatches']}/{f['checked']})"
        for f in above
    )
    finding = Finding(
        target_id=target.id,
        item=None,
        text=(
            f"Phúc tra {recheck.drawn} hồ sơ của {unit.name}: tỷ lệ sai sót vượt ngưỡng {threshold}: {rates}."
        ),
        severity="high" if any(f["rate"] > 2 * float(recheck.threshold) for f in above) else "medium",
        created_by=caller.user_id,
    )
    session.add(finding)
    session.flush()
    fields = ", ".join(FIELD_NAMES_VI[f["field"]] for f in above)
    rec = Recommendation(
        finding_id=finding.id,
        text=(
            f"Rà soát, điều chỉnh thông tin sai lệch trong cơ sở dữ liệu trẻ em ({fields}) theo kết quả "
            f"phúc tra PT-{recheck.id:04d} và báo cáo kết quả thực hiện."
        ),
        responsible_unit_id=commune.id,
        deadline=day + timedelta(days=DEADLINE_DAYS),
        status="open",
        created_by=caller.user_id,
    )
    session.add(rec)
    session.flush()
    audit(caller.actor, "recommend", "inspection", "allowed", resource_ids=[rec.id], unit_id=commune.id)
    return rec.id
