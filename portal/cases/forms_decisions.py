"""The two decisions among the case forms, issued by the commune People's Committee's chairman: form 05
(approving the support and intervention plan) and form 07 (an emergency protection measure).

The number is the decision reference recorded with the approval ("Số: 12/QĐ-UBND"), or
"Số: .../QĐ-UBND" left for the office to fill. The signature block is the committee's
("TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH") with the name of the person who recorded the approval; form 07 has
no recorded signatory, so its name line is left for the signature.
"""

from __future__ import annotations

from portal.cases.forms_content import Facts, child_lines, day_of, dmy, names
from portal.cases.forms_layout import Block, FormDoc, Heading, Line, Table
from portal.cases.forms_plan import action_rows
from portal.cases.reference import PROTECTION_MEASURES, RISK_LEVELS

SIGNER = ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
SEALED = "(Ký tên, đóng dấu)"
GROUNDS = [
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Luật Trẻ em ngày 05 tháng 4 năm 2016;",
    "Căn cứ Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ quy định chi tiết một số "
    "điều của Luật Trẻ em;",
]
BLANK_NUMBER = "Số: .../QĐ-UBND"


def decision_number(reference: str | None) -> str:
    """ "Số: <reference>" as recorded (without a "Số" of its own), or the blank to fill."""
    text = (reference or "").strip()
    if not text:
        return BLANK_NUMBER
    if text.lower().startswith("số"):
        text = text[2:].lstrip(" :.")
    return f"Số: {text}"


def _preamble(f: Facts, consider: str) -> list[Block]:
    return [
        Line("", f"CHỦ TỊCH ỦY BAN NHÂN DÂN {f.commune.upper()}", centred=True, bold=True),
        *(Line("", ground) for ground in GROUNDS),
        Line("", consider),
        Line("", "QUYẾT ĐỊNH:", centred=True, bold=True),
    ]


def form_05(f: Facts) -> FormDoc:
    p = f.plan
    assert p is not None and p.approved_at is not None
    c = f.case
    body: list[Block] = [
        *_preamble(f, "Xét đề nghị của cán bộ làm công tác bảo vệ trẻ em cấp xã,"),
        Line(
            "Điều 1",
            f"Phê duyệt Kế hoạch hỗ trợ, can thiệp (lần thứ {p.number}) đối với trẻ em {c.child_name}, sinh "
            f"ngày {dmy(c.child_date_of_birth)}, hồ sơ số {c.reference}, với mục tiêu và các hoạt động sau:",
        ),
        Line("Mục tiêu", p.goals),
        Table(
            ("STT", "Hoạt động", "Người, cơ quan thực hiện", "Thời hạn"),
            action_rows(f.actions),
            (10, 85, 48, 22),
        ),
        Line(
            "Điều 2",
            f"Cán bộ làm công tác bảo vệ trẻ em cấp xã theo dõi việc thực hiện kế hoạch và rà soát, đánh giá "
            f"vào ngày {dmy(p.review_on)}.",
        ),
        Line(
            "Điều 3",
            "Quyết định này có hiệu lực kể từ ngày ký. Cán bộ làm công tác bảo vệ trẻ em, các cơ quan, tổ "
            "chức, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
        ),
    ]
    return FormDoc(
        "05",
        f.issuer,
        decision_number(p.decision_ref),
        f.place,
        day_of(p.approved_at),
        "QUYẾT ĐỊNH",
        "Về việc phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em",
        body,
        SIGNER,
        f.person(p.approved_by),
        SEALED,
        ["Như Điều 3;", "Gia đình, người chăm sóc trẻ em;", "Lưu: VT, hồ sơ trường hợp."],
    )


def form_07(f: Facts) -> FormDoc:
    c = f.case
    assert c.protected_at is not None
    risk = names(RISK_LEVELS).get(c.risk_level or "", "")
    measure = names(PROTECTION_MEASURES).get(c.protection_measure or "", "")
    consider = (
        f"Xét kết quả đánh giá nguy cơ ngày {dmy(c.assessed_at)} (mức độ: {risk}) và đề nghị của cán bộ "
        "làm công tác bảo vệ trẻ em cấp xã,"
    )
    body: list[Block] = [
        *_preamble(f, consider),
        Line(
            "Điều 1",
            f"Áp dụng biện pháp can thiệp khẩn cấp đối với trẻ em sau, từ {dmy(c.protected_at, True)}:",
        ),
        *child_lines(f),
        Line("Biện pháp", measure, bold=True),
        Heading("Nội dung thực hiện"),
        Line("", c.protection_note or ""),
        Line(
            "Điều 2",
            "Quyết định này có hiệu lực kể từ ngày ký. Cán bộ làm công tác bảo vệ trẻ em, các cơ quan, tổ "
            "chức, cá nhân có liên quan chịu trách nhiệm thi hành Quyết định này.",
        ),
    ]
    return FormDoc(
        "07",
        f.issuer,
        BLANK_NUMBER,
        f.place,
        day_of(c.protected_at),
        "QUYẾT ĐỊNH",
        "Về việc áp dụng biện pháp can thiệp khẩn cấp để bảo vệ trẻ em",
        body,
        SIGNER,
        None,
        SEALED,
        ["Như Điều 2;", "Gia đình, người chăm sóc trẻ em;", "Lưu: VT, hồ sơ trường hợp."],
    )
