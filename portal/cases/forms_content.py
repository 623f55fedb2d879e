"""What each form of Decree 56/2017/NĐ-CP holds, filled from the case: the facts every form starts from
and forms 01 to 03 (the plan's forms 04 and 06 are in ``forms_plan``, the decisions 05 and 07 in
``forms_decisions``). Pure functions of the facts the service loaded; the informant reaches form 01 only
when the service says the reader may read it (``Facts.informant``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from infra.clock import VIETNAM
from portal.cases.forms_layout import Block, FormDoc, Heading, Line
from portal.cases.models import (
    Case,
    CaseDetailedAssessment,
    CaseInformant,
    CasePlan,
    CasePlanAction,
    CaseReview,
    CaseReviewAction,
)
from portal.cases.reference import CASE_TYPES, CHANNELS, PROTECTION_MEASURES, RISK_LEVELS

SEX = {"male": "Nam", "female": "Nữ"}
HIDDEN_INFORMANT = "Được bảo mật (chỉ cán bộ làm công tác trẻ em cấp xã được biết)."
NOT_RECORDED = "Không ghi nhận."


def names(table: tuple[tuple[str, str, str], ...]) -> dict[str, str]:
    return {code: vi for code, vi, _en in table}


def day_of(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


def dmy(value: date | datetime | None, with_time: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM)
        return value.strftime("%H:%M ngày %d/%m/%Y" if with_time else "%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


@dataclass
class Facts:
    """The case and what its forms name, as the service loaded them for one reader."""

    case: Case
    issuer: str  # "UBND XÃ ..."
    commune: str  # "Xã ..." as the unit is named
    place: str  # the commune's name without "Xã"/"Phường": the place of the date line
    hamlet: str
    people: dict[int, str] = field(default_factory=dict)  # user id -> full name
    informant: CaseInformant | None = None  # only when the reader may read it
    informant_recorded: bool = False
    detailed: CaseDetailedAssessment | None = None
    plan: CasePlan | None = None
    actions: list[CasePlanAction] = field(default_factory=list)
    review: CaseReview | None = None
    verdicts: list[tuple[CasePlanAction, CaseReviewAction]] = field(default_factory=list)

    def person(self, user_id: int | None) -> str | None:
        return self.people.get(user_id) if user_id is not None else None

    def filed(self) -> str:
        return f"Hồ sơ số: {self.case.reference}"


def child_lines(f: Facts) -> list[Block]:
    c = f.case
    return [
        Line("Họ và tên trẻ em", c.child_name),
        Line("Ngày sinh", dmy(c.child_date_of_birth)),
        Line("Giới tính", SEX.get(c.child_sex, c.child_sex)),
        Line("Nơi cư trú", f"{f.hamlet}, {f.commune}"),
    ]


def _informant(f: Facts) -> list[Block]:
    if not f.informant_recorded:
        return [Line("", NOT_RECORDED)]
    i = f.informant
    if i is None:
        return [Line("", HIDDEN_INFORMANT)]
    if i.anonymous:
        return [Line("", "Người báo tin đề nghị giữ kín danh tính (ẩn danh).")]
    return [
        Line("Họ và tên", i.full_name or ""),
        Line("Số điện thoại", i.phone or ""),
        Line("Quan hệ với trẻ em", i.relationship or ""),
        Line("Địa chỉ", i.address or ""),
    ]


def form_01(f: Facts) -> FormDoc:
    c = f.case
    body: list[Block] = [
        Heading("I. THÔNG TIN TIẾP NHẬN"),
        Line("Thời điểm tiếp nhận", dmy(c.received_at, with_time=True)),
        Line("Hình thức tiếp nhận", names(CHANNELS).get(c.channel, c.channel)),
        Line("Loại vụ việc", names(CASE_TYPES).get(c.case_type, c.case_type)),
        Heading("II. THÔNG TIN VỀ TRẺ EM"),
        *child_lines(f),
        Heading("III. TÌNH TRẠNG CỦA TRẺ EM"),
        Line("Nơi xảy ra", c.place or NOT_RECORDED),
        Line("Mô tả sự việc", c.description),
        Line("Hoàn cảnh gia đình", c.family_situation or NOT_RECORDED),
        Line("Người đang chăm sóc trẻ em", c.caregiver or NOT_RECORDED),
        Line("Các biện pháp đã thực hiện", c.actions_taken or NOT_RECORDED),
        Heading("IV. NGƯỜI CUNG CẤP THÔNG TIN"),
        *_informant(f),
    ]
    return FormDoc(
        "01",
        f.issuer,
        f.filed(),
        f.place,
        day_of(c.received_at),
        "PHIẾU GHI CHÉP THÔNG TIN VỀ TRẺ EM BỊ XÂM HẠI HOẶC CÓ NGUY CƠ BỊ BẠO LỰC, BÓC LỘT, BỎ RƠI",
        None,
        body,
        ["NGƯỜI TIẾP NHẬN THÔNG TIN"],
        f.person(c.created_by),
    )


def form_02(f: Facts) -> FormDoc:
    c = f.case
    assert c.assessed_at is not None
    body: list[Block] = [
        Heading("I. THÔNG TIN VỀ TRẺ EM"),
        *child_lines(f),
        Line("Thông tin tiếp nhận lúc", dmy(c.received_at, with_time=True)),
        Heading("II. KẾT QUẢ ĐÁNH GIÁ NGUY CƠ BAN ĐẦU"),
        Line("Thời điểm đánh giá", dmy(c.assessed_at, with_time=True)),
        Line("Mức độ nguy cơ", names(RISK_LEVELS).get(c.risk_level or "", "")),
        Line("Nhận định", c.assessment or ""),
    ]
    if c.risk_level == "urgent":
        body.append(
            Line(
                "Đề xuất", "Áp dụng biện pháp can thiệp khẩn cấp bảo vệ trẻ em trong vòng 12 giờ.", bold=True
            )
        )
    if c.protected_at is not None:
        measure = names(PROTECTION_MEASURES).get(c.protection_measure or "", "")
        body.append(Line("Biện pháp bảo vệ khẩn cấp đã áp dụng", f"{measure} ({dmy(c.protected_at, True)})"))
    return FormDoc(
        "02",
        f.issuer,
        f.filed(),
        f.place,
        day_of(c.assessed_at),
        "PHIẾU ĐÁNH GIÁ NGUY CƠ BAN ĐẦU ĐỐI VỚI TRẺ EM BỊ XÂM HẠI HOẶC CÓ NGUY CƠ BỊ BẠO LỰC, "
        "BÓC LỘT, BỎ RƠI",
        None,
        body,
        ["NGƯỜI ĐÁNH GIÁ"],
        f.person(c.assessed_by),
    )


def form_03(f: Facts) -> FormDoc:
    d = f.detailed
    assert d is not None
    body: list[Block] = [
        Heading("I. THÔNG TIN VỀ TRẺ EM"),
        *child_lines(f),
        Heading("II. CUỘC HỌP ĐÁNH GIÁ"),
        Line("Ngày họp", dmy(d.meeting_on)),
        Line("Thành phần tham dự", d.participants),
        Line("Lần đánh giá", str(d.number)),
        Heading("III. KẾT QUẢ ĐÁNH GIÁ CHI TIẾT"),
        Line("1. Tình trạng thể chất", d.physical_state),
        Line("2. Tình trạng tâm lý, tinh thần", d.psychological_state),
        Line("3. Hoàn cảnh gia đình", d.family_situation),
        Line("4. Năng lực của cha mẹ, người chăm sóc trẻ em", d.caregiver_capacity),
        Line("5. Nhu cầu của trẻ em", d.needs),
    ]
    return FormDoc(
        "03",
        f.issuer,
        f.filed(),
        f.place,
        day_of(d.recorded_at),
        "PHIẾU ĐÁNH GIÁ CHI TIẾT VỀ TRẺ EM VÀ NHU CẦU HỖ TRỢ, CAN THIỆP",
        None,
        body,
        ["NGƯỜI ĐÁNH GIÁ"],
        f.person(d.recorded_by),
    )
