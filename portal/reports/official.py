"""The parts of a report document that Decree 30/2020/NĐ-CP (administrative documents, Appendix I) fixes:
issuing body under its superior body, national heading and motto, number and symbol, place and date,
title, addressees, "Nơi nhận" and the signature block. The renderers lay them out (render_pdf,
render_xlsx); this module decides what they say.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.reports.models import Report, ReportDefinition
from portal.reports.numbering import BODY, KIND, number_of
from tenancy.models import Unit
from tenancy.structure import parent_on

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
SIGNATURE_NOTE = "(Ký, ghi rõ họ tên, đóng dấu)"
RECIPIENTS_LABEL = "Nơi nhận:"
# Children's affairs went from the Labour ministry to the Health ministry on 1 March 2025 (Decree 42/2025).
MINISTRY_FROM = date(2025, 3, 1)
LEVEL_WORDS = ("Thành phố", "Thị trấn", "Thị xã", "Đặc khu", "Tỉnh", "Huyện", "Quận", "Phường", "Xã")
_LEVEL = re.compile(rf"^({'|'.join(LEVEL_WORDS)})\s+(.+)$", re.IGNORECASE)


def place_name(name: str) -> str:
    """The place of the date line (Decree 30, Appendix I): the unit's name without its level word
    ("Xã Kim Chung" -> "Kim Chung"), kept when the rest is a number ("Phường 12")."""
    found = _LEVEL.match(name.strip())
    if found is None or found.group(2)[:1].isdigit():
        return name.strip()
    return found.group(2)


def date_line(place: str, day: date | None, year: int) -> str:
    """ "Kim Chung, ngày 05 tháng 01 năm 2027": a day below 10 and the months 1 and 2 take a leading zero;
    before the report is issued the day and month are left blank to be written in."""
    if day is None:
        return f"{place}, ngày      tháng      năm {year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def subtitle(name: str, period_label: str) -> str:
    """What the report is about, under "BÁO CÁO": "Báo cáo tháng công tác bảo vệ, chăm sóc trẻ em" of
    "tháng 12/2026" -> "Công tác bảo vệ, chăm sóc trẻ em tháng 12/2026"."""
    rest = name.removeprefix("Báo cáo ").strip()
    for word in ("6 tháng", "tháng", "quý", "năm"):
        if rest.startswith(word + " "):
            rest = rest.removeprefix(word).strip()
            break
    return f"{rest[:1].upper()}{rest[1:]} {period_label}"


def body_of(unit: Unit) -> str:
    """The unit's issuing body in capitals: "UBND XÃ KIM CHUNG"; a hamlet (not a state body) by its name."""
    return unit.name.upper() if unit.level == "hamlet" else f"UBND {unit.name.upper()}"


def addressee(parent: Unit | None, on: date) -> str:
    """Who the report goes to: the People's Committee above, or for a province the ministry in charge."""
    if parent is None:
        return "Bộ Y tế" if on >= MINISTRY_FROM else "Bộ Lao động - Thương binh và Xã hội"
    words = parent.name.split(" ", 1)
    lowered = f"{words[0].lower()} {words[1]}" if len(words) == 2 else parent.name
    return f"Ủy ban nhân dân {lowered}"


def _signer(session: Session, report: Report, unit: Unit, requester: str | None) -> dict[str, str | None]:
    """The chairman signs for the People's Committee of a commune that has a chairman's account;
    otherwise the person who submitted the report (for a draft, who asked for it) signs as its author."""
    if unit.level == "commune":
        chairman = session.scalar(
            select(User.full_name)
            .where(User.unit_id == unit.id, User.role == "commune_chairman", User.is_active)
            .order_by(User.id)
        )
        if chairman:
            return {"authority": "TM. ỦY BAN NHÂN DÂN", "position": "CHỦ TỊCH", "name": chairman}
    by = report.submitted_by
    name = session.scalar(select(User.full_name).where(User.id == by)) if by else None
    if name is None and requester:
        name = session.scalar(select(User.full_name).where(User.username == requester))
    return {"authority": None, "position": "NGƯỜI LẬP BÁO CÁO", "name": name or ""}


def official_parts(
    session: Session,
    report: Report,
    definition: ReportDefinition,
    unit: Unit,
    period_label: str,
    requester: str | None,
) -> dict[str, Any]:
    """Everything Decree 30 puts around the report's body, in Vietnamese."""
    parent = parent_on(session, unit, report.period_end)
    number = number_of(session, report.id)
    symbol = f"{KIND}-{BODY}" if unit.level != "hamlet" else KIND
    place_unit = parent if unit.level == "hamlet" and parent is not None else unit
    year = number.issued_on.year if number else report.period_end.year
    return {
        "superior": body_of(parent) if parent is not None else None,
        "issuer": body_of(unit),
        "number": f"Số: {number.seq}/{symbol}" if number else f"Số:      /{symbol}",
        "issued": number is not None,
        "nation": NATION,
        "motto": MOTTO,
        "date_line": date_line(place_name(place_unit.name), number.issued_on if number else None, year),
        "title": "BÁO CÁO",
        "subtitle": subtitle(definition.name_vi, period_label),
        "addressees": [addressee(parent, report.period_end)],
        "recipients": ["Như trên;", "Lưu: VT."],
        "signer": _signer(session, report, unit, requester),
        "signature_note": SIGNATURE_NOTE,
    }
