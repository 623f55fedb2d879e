"""The child register (sổ theo dõi trẻ em) of a unit's subtree as an XLSX workbook."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.registry.access import children_in
from portal.registry.models import Child
from tenancy.models import Unit
from tenancy.service import units_below

HEADERS = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Thôn/Tổ dân phố",
    "Nhóm HCĐB",
    "Nguy cơ",
    "Trợ giúp",
    "Người chăm sóc",
    "Điện thoại",
]
SEX_VI = {"male": "Nam", "female": "Nữ"}


def _rows(session: Session, unit: Unit) -> Iterable[Child]:
    stmt = (
        select(Child)
        .where(children_in(unit), Child.status == "active")
        .options(selectinload(Child.periods), selectinload(Child.guardians))
        .order_by(Child.unit_path, Child.sort_name, Child.id)
        .execution_options(yield_per=500)
    )
    return session.scalars(stmt)


def build_child_register(session: Session, unit: Unit) -> tuple[bytes, int]:
    """Returns the workbook bytes and the number of children in it. RLS limits what is read."""
    hamlets = {u.id: u.name for u in units_below(session, unit, level="hamlet")}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách trẻ em")
    ws.append([f"Danh sách trẻ em — {unit.name}"])
    ws.append(HEADERS)
    count = 0
    for count, child in enumerate(_rows(session, unit), start=1):
        open_periods = [p for p in child.periods if p.until is None]
        ws.append(
            [
                count,
                child.full_name,
                child.date_of_birth.strftime("%d/%m/%Y"),
                SEX_VI[child.sex],
                child.ethnicity,
                hamlets.get(child.hamlet_id, ""),
                ", ".join(p.code for p in open_periods if p.kind == "group"),
                ", ".join(p.code for p in open_periods if p.kind == "risk"),
                ", ".join(p.code for p in open_periods if p.kind == "support"),
                "; ".join(g.full_name for g in child.guardians),
                "; ".join(g.phone or "" for g in child.guardians),
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), count
