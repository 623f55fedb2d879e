"""What the plan's forms hold: the plan itself (form 04) and its monitoring and evaluation (form 06)."""

from __future__ import annotations

from portal.cases.forms_content import NOT_RECORDED, Facts, child_lines, day_of, dmy
from portal.cases.forms_layout import Block, FormDoc, Heading, Line, Table
from portal.cases.models import CasePlanAction

PLAN_STATUS = {
    "draft": "Dự thảo",
    "submitted": "Chờ phê duyệt",
    "approved": "Đã phê duyệt",
    "returned": "Trả lại để hoàn thiện",
    "superseded": "Đã được thay thế bằng kế hoạch mới",
}
VERDICT = {"done": "Đã thực hiện", "not_done": "Chưa thực hiện", "cancelled": "Hủy bỏ"}
OUTCOME = {
    "continue": "Tiếp tục thực hiện kế hoạch hỗ trợ, can thiệp",
    "new_plan": "Xây dựng kế hoạch hỗ trợ, can thiệp mới",
    "close": "Đóng hồ sơ: trẻ em đã an toàn, mục tiêu của kế hoạch đã đạt được",
}
ACTION_HEADERS = ("STT", "Hoạt động", "Người, cơ quan thực hiện", "Thời hạn")
ACTION_WIDTHS = (10, 85, 48, 22)


def action_rows(actions: list[CasePlanAction]) -> list[tuple[str, ...]]:
    return [(str(n), a.description, a.owner, dmy(a.due_on)) for n, a in enumerate(actions, start=1)]


def form_04(f: Facts) -> FormDoc:
    p = f.plan
    assert p is not None and p.submitted_at is not None
    body: list[Block] = [
        Heading("I. THÔNG TIN VỀ TRẺ EM"),
        *child_lines(f),
        Line("Kế hoạch lần thứ", str(p.number)),
        Line("Tình trạng kế hoạch", PLAN_STATUS.get(p.status, p.status)),
        Heading("II. MỤC TIÊU"),
        Line("", p.goals),
        Heading("III. CÁC HOẠT ĐỘNG HỖ TRỢ, CAN THIỆP"),
        Table(
            ("STT", "Hoạt động", "Người, cơ quan thực hiện", "Thời hạn"),
            action_rows(f.actions),
            (10, 85, 48, 22),
        ),
        Heading("IV. THỜI GIAN RÀ SOÁT, ĐÁNH GIÁ"),
        Line("Ngày rà soát kế hoạch", dmy(p.review_on)),
    ]
    return FormDoc(
        "04",
        f.issuer,
        f.filed(),
        f.place,
        day_of(p.submitted_at),
        "KẾ HOẠCH HỖ TRỢ, CAN THIỆP ĐỐI VỚI TRẺ EM BỊ XÂM HẠI HOẶC CÓ NGUY CƠ BỊ BẠO LỰC, BÓC LỘT, BỎ RƠI",
        None,
        body,
        ["NGƯỜI LẬP KẾ HOẠCH"],
        f.person(p.submitted_by or p.created_by),
    )


def form_06(f: Facts) -> FormDoc:
    r, p = f.review, f.plan
    assert r is not None and p is not None
    decision = f"theo Quyết định số {p.decision_ref}" if p.decision_ref else "theo quyết định"
    approved = f" ngày {dmy(p.approved_at)}" if p.approved_at else ""
    rows: list[tuple[str, ...]] = [
        (str(n), a.description, a.owner, VERDICT.get(v.status, v.status), v.result or "")
        for n, (a, v) in enumerate(f.verdicts, start=1)
    ]
    proposal = OUTCOME.get(r.outcome, r.outcome)
    if r.next_review_on is not None:
        proposal += f"; rà soát lần tiếp theo ngày {dmy(r.next_review_on)}"
    body: list[Block] = [
        Heading("I. THÔNG TIN VỀ TRẺ EM"),
        *child_lines(f),
        Line("Kế hoạch được theo dõi", f"Kế hoạch lần thứ {p.number}, phê duyệt {decision}{approved}"),
        Heading("II. KẾT QUẢ THỰC HIỆN CÁC HOẠT ĐỘNG"),
        Table(
            ("STT", "Hoạt động", "Người thực hiện", "Tình trạng", "Kết quả, nguyên nhân"),
            rows,
            (10, 55, 35, 25, 40),
            empty=NOT_RECORDED,
        ),
        Heading("III. TÌNH TRẠNG HIỆN TẠI CỦA TRẺ EM"),
        Line("", r.child_situation or NOT_RECORDED),
        Heading("IV. NHẬN XÉT, ĐÁNH GIÁ"),
        Line("", r.summary),
        Heading("V. ĐỀ XUẤT"),
        Line("", proposal, bold=True),
    ]
    return FormDoc(
        "06",
        f.issuer,
        f.filed(),
        f.place,
        day_of(r.reviewed_at),
        "PHIẾU THEO DÕI, ĐÁNH GIÁ VIỆC THỰC HIỆN KẾ HOẠCH HỖ TRỢ, CAN THIỆP",
        None,
        body,
        ["NGƯỜI THEO DÕI, ĐÁNH GIÁ"],
        f.person(r.reviewer_id),
    )
