"""The case register (sổ theo dõi) of a commune as XLSX: the commune's ward officers only, audited with
every case id it holds. No description and no informant: it is a list to follow the work, not the file."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import VIETNAM
from infra.errors import Forbidden
from portal.audit.service import record as audit
from portal.auth.models import User
from portal.cases.access import cases_in, in_ward, visible_clause
from portal.cases.models import Case, CaseDeadline
from portal.cases.reference import CASE_TYPES, CHANNELS, CLOSURE_REASONS, RISK_LEVELS, STATUSES
from tenancy.models import Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    "STT",
    "Mã hồ sơ",
    "Ngày tiếp nhận",
    "Kênh tiếp nhận",
    "Loại vụ việc",
    "Trẻ em",
    "Ngày sinh",
    "Giới tính",
    "Thôn/Tổ dân phố",
    "Mức độ nguy cơ",
    "Trạng thái",
    "Người phụ trách",
    "Hạn tiếp theo",
    "Lý do đóng",
)
SEX_VI = {"male": "Nam", "female": "Nữ"}


def _names(items: tuple[tuple[str, str, str], ...]) -> dict[str, str]:
    return {code: vi for code, vi, _en in items}


def build_register(session: Session, caller: Caller, unit: Unit) -> tuple[bytes, str]:
    authorize(caller, "case", "export", unit)
    if not in_ward(caller, unit.path):
        raise Forbidden(
            "only the commune's ward officer exports its case register",
            resource="case",
            action="export",
            unit_id=unit.id,
        )
    next_due = (
        select(func.min(CaseDeadline.due_at))
        .where(
            CaseDeadline.case_id == Case.id,
            CaseDeadline.met_at.is_(None),
            CaseDeadline.cancelled_at.is_(None),
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Case, Unit.name, User.full_name, next_due)
        .join(Unit, Unit.id == Case.hamlet_id)
        .outerjoin(User, User.id == Case.assigned_to)
        .where(visible_clause(caller), cases_in(unit))
        .order_by(Case.received_at, Case.reference)
    ).tuples()
    names = {
        k: _names(v)
        for k, v in (
            ("type", CASE_TYPES),
            ("channel", CHANNELS),
            ("risk", RISK_LEVELS),
            ("status", STATUSES),
            ("reason", CLOSURE_REASONS),
        )
    }
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Sổ theo dõi trường hợp")
    ws.append([f"Sổ theo dõi trường hợp trẻ em bị xâm hại — {unit.name}"])
    ws.append(list(HEADERS))
    ids = []
    for n, (case, hamlet, worker, due) in enumerate(rows, start=1):
        ids.append(case.id)
        ws.append(
            [
                n,
                case.reference,
                case.received_at.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M"),
                names["channel"][case.channel],
                names["type"][case.case_type],
                case.child_name,
                case.child_date_of_birth.strftime("%d/%m/%Y"),
                SEX_VI.get(case.child_sex, case.child_sex),
                hamlet,
                names["risk"].get(case.risk_level or "", ""),
                names["status"][case.status],
                worker or "",
                due.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M") if due else "",
                names["reason"].get(case.closure_reason or "", ""),
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    audit(
        caller.actor,
        "export",
        "case",
        "allowed",
        resource_ids=ids,
        unit_id=unit.id,
        detail={"rows": len(ids)},
    )
    return out.getvalue(), f"so-theo-doi-truong-hop-{unit.id}.xlsx"
