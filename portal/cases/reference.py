"""The vocabularies of case management, with their Vietnamese names and legal basis.

Kept as data in one place: the database CHECK constraints of migration 0007 list the same codes.
"""

from __future__ import annotations

from typing import Any

DECREE_56 = "Nghị định 56/2017/NĐ-CP, Chương III"
LAW_ON_CHILDREN = "Luật Trẻ em 2016"

# (code, name_vi, name_en)
CASE_TYPES = (
    ("physical_violence", "Bạo lực thể chất", "Physical violence"),
    ("psychological_violence", "Bạo lực tinh thần", "Psychological violence"),
    ("sexual_abuse", "Xâm hại tình dục", "Sexual abuse"),
    ("neglect", "Bỏ mặc, sao nhãng", "Neglect"),
    ("abandonment", "Bỏ rơi", "Abandonment"),
    ("exploitation", "Bóc lột", "Exploitation"),
    ("trafficking", "Mua bán", "Trafficking"),
    ("other", "Khác", "Other"),
)
CHANNELS = (
    ("hotline_111", "Tổng đài 111", "Hotline 111"),
    ("collaborator", "Cộng tác viên", "Collaborator"),
    ("school", "Nhà trường", "School"),
    ("police", "Công an", "Police"),
    ("neighbour", "Hàng xóm", "Neighbour"),
    ("child", "Trẻ em tự báo", "The child"),
    ("family", "Gia đình", "Family"),
    ("health_facility", "Cơ sở y tế", "Health facility"),
    ("other", "Khác", "Other"),
)
RISK_LEVELS = (
    ("low", "Thấp", "Low"),
    ("medium", "Trung bình", "Medium"),
    ("high", "Cao", "High"),
    ("urgent", "Nguy hiểm khẩn cấp (can thiệp trong 12 giờ)", "Urgent danger (protection within 12 hours)"),
)
PROTECTION_MEASURES = (
    ("temporary_separation", "Tạm thời cách ly trẻ khỏi môi trường nguy hiểm", "Temporary separation"),
    ("medical_care", "Chăm sóc y tế", "Medical care"),
    ("safe_shelter", "Nơi ở an toàn", "Safe shelter"),
    ("police_protection", "Bảo vệ của công an", "Police protection"),
    ("other", "Khác", "Other"),
)
CLOSURE_REASONS = (
    (
        "child_safe",
        "Trẻ em đã an toàn, mục tiêu kế hoạch đạt được",
        "The child is safe; the plan's goals are met",
    ),
    ("unfounded", "Thông tin không có cơ sở", "The report was unfounded"),
    ("duplicate", "Trùng với hồ sơ khác", "Duplicate of another case"),
    ("transferred", "Chuyển cơ quan, địa phương khác", "Transferred to another agency or commune"),
    ("moved_away", "Trẻ em chuyển đi", "The child moved away"),
    ("turned_16", "Trẻ em đủ 16 tuổi", "The child turned 16"),
    ("deceased", "Trẻ em đã mất", "The child died"),
    ("other", "Khác", "Other"),
)
# Reasons that need no support plan: a case may be closed on them before the plan runs.
EARLY_CLOSURE = frozenset(
    {"unfounded", "duplicate", "transferred", "moved_away", "turned_16", "deceased", "other"}
)
STEPS = (
    ("assessment", "Đánh giá ban đầu (12 giờ)", "Initial assessment (12 hours)"),
    ("emergency_protection", "Can thiệp khẩn cấp (12 giờ)", "Emergency protection (12 hours)"),
    ("plan", "Kế hoạch hỗ trợ, can thiệp (5 ngày làm việc)", "Support plan (5 working days)"),
    ("review", "Rà soát, đánh giá kế hoạch", "Plan review"),
)
STATUSES = (
    ("received", "Đã tiếp nhận", "Received"),
    ("assessed", "Đã đánh giá", "Assessed"),
    ("plan_submitted", "Kế hoạch chờ phê duyệt", "Plan awaiting approval"),
    ("in_progress", "Đang thực hiện kế hoạch", "Plan in progress"),
    ("closed", "Đã đóng", "Closed"),
)

CODES = {
    "case_type": {c for c, *_ in CASE_TYPES},
    "channel": {c for c, *_ in CHANNELS},
    "risk_level": {c for c, *_ in RISK_LEVELS},
    "measure": {c for c, *_ in PROTECTION_MEASURES},
    "reason": {c for c, *_ in CLOSURE_REASONS},
}
STEP_NAMES = {c: (vi, en) for c, vi, en in STEPS}


def reference_json() -> dict[str, Any]:
    def rows(items: tuple[tuple[str, str, str], ...]) -> list[dict[str, str]]:
        return [{"code": c, "name_vi": vi, "name_en": en} for c, vi, en in items]

    return {
        "legal_basis": DECREE_56,
        "case_types": rows(CASE_TYPES),
        "channels": rows(CHANNELS),
        "risk_levels": rows(RISK_LEVELS),
        "protection_measures": rows(PROTECTION_MEASURES),
        "closure_reasons": rows(CLOSURE_REASONS),
        "steps": rows(STEPS),
        "statuses": rows(STATUSES),
    }
