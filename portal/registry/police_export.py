"""The work list as the XLSX the commune police verify (``portal.registry.police_form``).

Built synchronously in the request: a commune has at most a few thousand children, and the export is
bounded (``MAX_ROWS``; more is refused with a 422 asking for a hamlet or a problem). openpyxl's
write-only mode keeps a few thousand rows well under a second.
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize
from infra.clock import today
from infra.errors import FieldError, ValidationFailed
from portal.audit.service import record as audit
from portal.registry.police_form import HEADINGS, PROBLEM_WORDS, SEX_WORDS
from portal.registry.quality import item, work_list_statement
from tenancy.models import Unit

MAX_ROWS = 10_000
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def problem_text(entry: dict[str, Any]) -> str:
    """Column K: the problems in words, with the parts of the number and the fields missing."""
    words = []
    for problem in entry["problems"]:
        detail = (
            entry["id_parts"]
            if problem == "id_mismatch"
            else entry["missing"]
            if problem == "missing_info"
            else []
        )
        text = PROBLEM_WORDS[problem]
        if detail:
            text += " (" + ", ".join(PROBLEM_WORDS.get(d, d) for d in detail) + ")"
        words.append(text)
    return "; ".join(words)


def _row(n: int, entry: dict[str, Any]) -> list[Any]:
    born = entry["date_of_birth"]
    return [
        n,
        entry["id"],
        entry["full_name"],
        f"{born[8:10]}/{born[5:7]}/{born[0:4]}",
        SEX_WORDS[entry["sex"]],
        entry["ethnicity"],
        entry["birth_province_code"] or "",
        entry["national_id"] or "",
        entry["guardians"],
        ", ".join(x for x in (entry["hamlet"]["name"], entry["commune_name"]) if x),
        problem_text(entry),
        "",
        "",
        "",
    ]


def _bold(sheet: WriteOnlyWorksheet, value: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


def police_export(
    session: Session, caller: Caller, unit: Unit, problem: str | None = None
) -> tuple[str, bytes]:
    """The file name and XLSX bytes of ``unit``'s work list for the police; audited with the children."""
    authorize(caller, "child", "police_export", unit)
    stmt = work_list_statement(caller, unit, problem)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if total > MAX_ROWS:
        raise ValidationFailed(
            [
                FieldError(
                    "problem",
                    f"{total} children: at most {MAX_ROWS} per file; export by hamlet or problem",
                    "too_many",
                )
            ]
        )
    entries = [item(r) for r in session.execute(stmt)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Danh sach")
    sheet.append([_bold(sheet, "DANH SÁCH TRẺ EM ĐỀ NGHỊ XÁC MINH SỐ ĐỊNH DANH CÁ NHÂN (Đề án 06)")])
    sheet.append([f"Đơn vị: {unit.name}", "", "", f"Ngày lập: {today():%d/%m/%Y}"])
    sheet.append(["Công an xã điền cột L, M, N và gửi lại tệp này; không sửa cột Mã hồ sơ."])
    sheet.append([_bold(sheet, h) for h in HEADINGS])
    for n, entry in enumerate(entries, start=1):
        sheet.append(_row(n, entry))
    out = io.BytesIO()
    book.save(out)
    audit(
        caller.actor,
        "police_export",
        "child",
        "allowed",
        resource_ids=[e["id"] for e in entries],
        unit_id=unit.id,
        detail={"problem": problem or "all", "rows": len(entries)},
    )
    return f"xac-minh-dinh-danh-{unit.code or unit.id}-{today():%Y%m%d}.xlsx", out.getvalue()
