"""Words of the audit pages (a child's access log, the access counts by unit), in Vietnamese and English.

Imported once at the end of portal.web.i18n, which it extends; keys start with ``audit_`` so they
cannot replace a word of another page.
"""

from __future__ import annotations

from portal.web.i18n import ERROR_WORDS, WORDS

AUDIT_WORDS: dict[str, tuple[str, str]] = {
    "audit_access_log": ("Lịch sử truy cập", "Access log"),
    "audit_access_log_of": ("Lịch sử truy cập: {name}", "Access log: {name}"),
    "audit_access_hint": (
        "Những ai đã xem, thấy trong danh sách, sửa hoặc bị từ chối khi mở hồ sơ này; mới nhất trước.",
        "Who read, listed, changed or was refused this record; newest first.",
    ),
    "audit_no_entries": ("Chưa có lượt truy cập nào.", "Nothing recorded yet."),
    "audit_found": ("{n} lượt", "{n} entries"),
    "audit_full_name": ("Họ và tên cán bộ", "Staff member"),
    "audit_action": ("Thao tác", "Action"),
    "audit_outcome": ("Kết quả", "Outcome"),
    "audit_summary": ("Số lượt truy cập theo đơn vị", "Access counts by unit"),
    "audit_summary_of": ("Số lượt truy cập trong {unit}", "Access counts in {unit}"),
    "audit_summary_hint": (
        "Số lượt cán bộ của từng đơn vị xem hồ sơ, thay đổi, bị từ chối và xem số liệu tổng hợp, theo ngày. "
        "Không có tên trẻ em hay nội dung hồ sơ.",
        "How often each unit's staff read records, changed them, were refused and read aggregate figures, "
        "per day. No children's names, no record contents.",
    ),
    "audit_from": ("Từ ngày", "From"),
    "audit_to": ("Đến ngày", "To"),
    "audit_show": ("Xem", "Show"),
    "audit_day": ("Ngày", "Day"),
    "audit_reads": ("Xem hồ sơ", "Record reads"),
    "audit_changes": ("Thay đổi", "Changes"),
    "audit_refusals": ("Bị từ chối", "Refusals"),
    "audit_aggregate_reads": ("Xem số liệu tổng hợp", "Aggregate reads"),
    "audit_total": ("Cộng", "Total"),
    "audit_no_counts": ("Không có lượt truy cập nào trong khoảng này.", "Nothing recorded in this range."),
}

ACTION_WORDS: dict[str, tuple[str, str]] = {
    "read": ("Xem hồ sơ", "Read the record"),
    "list": ("Hiện trong danh sách", "Shown in a list"),
    "history": ("Xem lịch sử sửa đổi", "Read the change history"),
    "create": ("Tạo hồ sơ", "Created the record"),
    "update": ("Sửa hồ sơ", "Changed the record"),
    "write": ("Ghi hồ sơ", "Wrote the record"),
    "access_log": ("Xem lịch sử truy cập", "Read the access log"),
}

OUTCOME_WORDS: dict[str, tuple[str, str]] = {
    "allowed": ("Được phép", "Allowed"),
    "denied": ("Bị từ chối", "Refused"),
    "unauthenticated": ("Chưa đăng nhập", "Not logged in"),
    "locked": ("Bị khóa tạm thời", "Locked"),
}

AUDIT_ERROR_WORDS: dict[str, tuple[str, str]] = {
    "range": ("Ngày kết thúc trước ngày bắt đầu.", "The end is before the start."),
    "range_start": ("Không được trước năm 2000.", "Must not be before 2000."),
    "range_too_long": ("Khoảng thời gian dài hơn một năm.", "The range is longer than a year."),
}

_CLASHES = (set(AUDIT_WORDS) & set(WORDS)) | (set(AUDIT_ERROR_WORDS) & set(ERROR_WORDS))
if _CLASHES:
    raise RuntimeError(f"audit words would replace existing ones: {sorted(_CLASHES)}")
WORDS.update(AUDIT_WORDS)
ERROR_WORDS.update(AUDIT_ERROR_WORDS)
