"""Reference data with legal citations: loaded into ``reference_codes`` at seed time (idempotent)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from portal.registry.models import ReferenceCode

LAW = "Luật Trẻ em 102/2016/QH13, Điều 10"
DECREE = "Nghị định 56/2017/NĐ-CP"

# (code, Vietnamese, English) — Law on Children 2016, Art. 10 (letters as in the law; "đ" is "dd").
SPECIAL_GROUPS = [
    ("a", "Trẻ em mồ côi cả cha và mẹ", "Orphaned of both parents"),
    ("b", "Trẻ em bị bỏ rơi", "Abandoned"),
    ("c", "Trẻ em không nơi nương tựa", "Without anyone to rely on"),
    ("d", "Trẻ em khuyết tật", "With disabilities"),
    ("dd", "Trẻ em nhiễm HIV/AIDS", "Living with HIV/AIDS"),
    ("e", "Trẻ em vi phạm pháp luật", "In conflict with the law"),
    ("g", "Trẻ em nghiện ma túy", "Drug-addicted"),
    (
        "h",
        "Trẻ em phải bỏ học kiếm sống chưa hoàn thành phổ cập giáo dục trung học cơ sở",
        "Dropped out of school to earn a living before finishing lower secondary",
    ),
    (
        "i",
        "Trẻ em bị tổn hại nghiêm trọng về thể chất và tinh thần do bị bạo lực",
        "Seriously harmed by violence",
    ),
    ("k", "Trẻ em bị bóc lột", "Exploited"),
    ("l", "Trẻ em bị xâm hại tình dục", "Sexually abused"),
    ("m", "Trẻ em bị mua bán", "Trafficked"),
    (
        "n",
        "Trẻ em mắc bệnh hiểm nghèo hoặc bệnh phải điều trị dài ngày thuộc hộ nghèo hoặc hộ cận nghèo",
        "With a fatal or long-term illness in a poor or near-poor household",
    ),
    (
        "o",
        "Trẻ em di cư, trẻ em lánh nạn, tị nạn chưa xác định được cha mẹ hoặc không có người chăm sóc",
        "Migrant, displaced or refugee with unidentified parents or no caregiver",
    ),
]

# Sub-groups (Decree 56/2017): (group, code, Vietnamese, English).
SUBGROUPS = [
    ("a", "a1", "Không có người chăm sóc", "No caregiver"),
    ("a", "a2", "Đang được chăm sóc tại cơ sở trợ giúp xã hội", "In a social assistance facility"),
    ("a", "a3", "Đang sống cùng người thân thích", "Living with relatives"),
    ("a", "a4", "Đang được chăm sóc thay thế", "In alternative care"),
    ("d", "d1", "Khuyết tật đặc biệt nặng", "Extremely severe disability"),
    ("d", "d2", "Khuyết tật nặng", "Severe disability"),
    ("d", "d3", "Khuyết tật nhẹ", "Mild disability"),
]

RISKS = [
    ("poor_household", "Trẻ em thuộc hộ nghèo", "In a poor household"),
    ("near_poor_household", "Trẻ em thuộc hộ cận nghèo", "In a near-poor household"),
    ("single_parent", "Trẻ em sống với cha hoặc mẹ đơn thân", "Living with one parent"),
    ("parents_away", "Trẻ em có cha mẹ đi làm ăn xa", "Parents working far away"),
    ("parents_divorced", "Trẻ em có cha mẹ ly hôn", "Parents divorced"),
    ("violence_risk", "Trẻ em có nguy cơ bị bạo lực", "At risk of violence"),
    ("exploitation_risk", "Trẻ em có nguy cơ bị bóc lột", "At risk of exploitation"),
    ("abandonment_risk", "Trẻ em có nguy cơ bị bỏ rơi", "At risk of abandonment"),
    ("dropout_risk", "Trẻ em có nguy cơ bỏ học", "At risk of dropping out of school"),
    ("caregiver_addiction", "Trẻ em sống trong gia đình có người nghiện ma túy", "Caregiver uses drugs"),
    ("other_risk", "Nguy cơ khác", "Other risk"),
]

SUPPORTS = [
    ("monthly_allowance", "Trợ cấp xã hội hàng tháng", "Monthly social allowance", "Nghị định 20/2021/NĐ-CP"),
    ("health_insurance", "Thẻ bảo hiểm y tế", "Health insurance card", "Luật Bảo hiểm y tế"),
    (
        "tuition_support",
        "Miễn, giảm học phí, hỗ trợ chi phí học tập",
        "Tuition exemption or study support",
        "Nghị định 81/2021/NĐ-CP",
    ),
    ("care_support", "Hỗ trợ kinh phí chăm sóc, nuôi dưỡng", "Care allowance", "Nghị định 20/2021/NĐ-CP"),
    ("nutrition", "Hỗ trợ dinh dưỡng", "Nutrition support", None),
    ("psychological", "Hỗ trợ tâm lý", "Psychological support", DECREE),
    ("gift", "Quà, học bổng", "Gifts or scholarships", None),
    ("other_support", "Hỗ trợ khác", "Other support", None),
]

ETHNICITIES = [
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
    "Sán Chay",
    "Chăm",
    "Cơ Ho",
    "Xơ Đăng",
    "Sán Dìu",
    "Hrê",
    "Ra Glai",
    "Mnông",
    "Thổ",
    "Xtiêng",
    "Khơ Mú",
    "Bru Vân Kiều",
    "Cơ Tu",
    "Giáy",
    "Tà Ôi",
    "Mạ",
    "Giẻ Triêng",
    "Co",
    "Chơ Ro",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "La Chí",
    "Kháng",
    "Phù Lá",
    "La Hủ",
    "La Ha",
    "Pà Thẻn",
    "Lự",
    "Ngái",
    "Chứt",
    "Lô Lô",
    "Mảng",
    "Cơ Lao",
    "Bố Y",
    "Cống",
    "Si La",
    "Pu Péo",
    "Rơ Măm",
    "Brâu",
    "Ơ Đu",
    "Người nước ngoài",
]

SCHOOL_STATUSES = (
    "not_school_age",
    "kindergarten",
    "primary",
    "lower_secondary",
    "upper_secondary",
    "vocational",
    "out_of_school",
    "unknown",
)
RELATIONSHIPS = (
    "father",
    "mother",
    "grandparent",
    "sibling",
    "relative",
    "foster_parent",
    "legal_guardian",
    "other",
)
PERIOD_KINDS = {"groups": "group", "at_risk": "risk", "supports": "support"}


def reference_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i, (code, vi, en) in enumerate(SPECIAL_GROUPS):
        rows.append(
            dict(
                kind="group",
                code=code,
                parent_code=None,
                name_vi=vi,
                name_en=en,
                legal_basis=f"{LAW}, điểm {'đ' if code == 'dd' else code}",
                sort=i,
            )
        )
    for i, (group, code, vi, en) in enumerate(SUBGROUPS):
        rows.append(
            dict(
                kind="subgroup",
                code=code,
                parent_code=group,
                name_vi=vi,
                name_en=en,
                legal_basis=DECREE,
                sort=i,
            )
        )
    for i, (code, vi, en) in enumerate(RISKS):
        rows.append(
            dict(
                kind="risk",
                code=code,
                parent_code=None,
                name_vi=vi,
                name_en=en,
                legal_basis="Luật Trẻ em 2016, Điều 47-49",
                sort=i,
            )
        )
    for i, (code, vi, en, basis) in enumerate(SUPPORTS):
        rows.append(
            dict(
                kind="support", code=code, parent_code=None, name_vi=vi, name_en=en, legal_basis=basis, sort=i
            )
        )
    return rows


def load_reference(session: Session) -> int:
    rows = reference_rows()
    stmt = insert(ReferenceCode).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=["kind", "code"],
        set_={c: stmt.excluded[c] for c in ("parent_code", "name_vi", "name_en", "legal_basis", "sort")},
    )
    session.execute(stmt)
    return len(rows)


def stored_codes(session: Session) -> list[ReferenceCode]:
    """Every stored reference code, by kind and then in each kind's order."""
    return list(session.scalars(select(ReferenceCode).order_by(ReferenceCode.kind, ReferenceCode.sort)))
