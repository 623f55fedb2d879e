"""The pages' words in Vietnamese (the default) and English, dates as dd/mm/yyyy, and field errors.

Services report problems as ``FieldError(field, message, code)`` in English; the pages show each
next to its field in the reader's language, from the code (and the field where the code is generic).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from infra.clock import VIETNAM
from infra.errors import FieldError

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

WORDS: dict[str, tuple[str, str]] = {
    "app": ("Cổng bảo vệ, chăm sóc trẻ em", "Child protection and care portal"),
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to main content"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "bad_login": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    "locked": (
        "Đăng nhập sai quá nhiều lần. Thử lại sau {n} giây.",
        "Too many failed logins. Try again in {n} seconds.",
    ),
    "language": ("Ngôn ngữ", "Language"),
    "home": ("Trang chủ", "Home"),
    "children": ("Trẻ em", "Children"),
    "children_of": ("Trẻ em của {unit}", "Children of {unit}"),
    "add_child": ("Thêm trẻ em", "Add a child"),
    "edit_child": ("Sửa thông tin", "Edit"),
    "save": ("Lưu", "Save"),
    "search": ("Tìm kiếm", "Search"),
    "search_hint": ("Họ tên (không cần dấu) hoặc số định danh", "Name (accents optional) or personal id"),
    "clear": ("Xóa tìm kiếm", "Clear search"),
    "no_children": ("Không có trẻ em nào.", "No children."),
    "found": ("{n} trẻ em", "{n} children"),
    "page_of": ("Trang {p}/{n}", "Page {p} of {n}"),
    "prev": ("Trang trước", "Previous page"),
    "next": ("Trang sau", "Next page"),
    "pagination": ("Phân trang", "Pagination"),
    "full_name": ("Họ và tên", "Full name"),
    "date_of_birth": ("Ngày sinh", "Date of birth"),
    "date_hint": ("dd/mm/yyyy, ví dụ 04/03/2018", "dd/mm/yyyy, e.g. 04/03/2018"),
    "sex": ("Giới tính", "Sex"),
    "male": ("Nam", "Male"),
    "female": ("Nữ", "Female"),
    "ethnicity": ("Dân tộc", "Ethnic group"),
    "hamlet_id": ("Thôn/Tổ dân phố", "Hamlet"),
    "national_id": ("Số định danh cá nhân", "Personal id number"),
    "birth_registered": ("Đã đăng ký khai sinh", "Birth registered"),
    "address": ("Địa chỉ", "Address"),
    "school_status": ("Tình trạng đi học", "Schooling"),
    "status": ("Tình trạng", "Status"),
    "notes": ("Ghi chú", "Notes"),
    "groups": ("Nhóm hoàn cảnh đặc biệt", "Special-circumstance group"),
    "group_since": ("Thuộc nhóm từ ngày", "In the group since"),
    "none": ("Không", "None"),
    "guardian": ("Người chăm sóc", "Guardian"),
    "guardian_name": ("Họ tên người chăm sóc", "Guardian's name"),
    "relationship": ("Quan hệ", "Relationship"),
    "phone": ("Điện thoại", "Phone"),
    "optional": ("không bắt buộc", "optional"),
    "form_errors": ("Chưa lưu: hãy sửa các ô được đánh dấu.", "Not saved: correct the marked fields."),
    "saved": ("Đã lưu.", "Saved."),
    "added": ("Đã thêm trẻ em.", "Child added."),
    "conflict": (
        "Hồ sơ vừa được người khác sửa. Trang đã tải lại bản mới nhất.",
        "Someone else changed this record. The page shows the latest version.",
    ),
    "history": ("Lịch sử thay đổi", "History of changes"),
    "when": ("Thời điểm", "When"),
    "who": ("Người thực hiện", "By"),
    "what": ("Nội dung", "What"),
    "created": ("Tạo hồ sơ", "Record created"),
    "updated": ("Cập nhật", "Updated"),
    "age": ("Tuổi", "Age"),
    "back": ("Quay lại", "Back"),
    "overview": ("Tổng quan {unit}", "Overview of {unit}"),
    "hamlets": ("Thôn/Tổ dân phố", "Hamlets"),
    "staff": ("Cán bộ, cộng tác viên", "Staff and collaborators"),
    "role": ("Vai trò", "Role"),
    "unit": ("Đơn vị", "Unit"),
    "total_children": ("Tổng số trẻ em", "Children in all"),
    "special": ("Trẻ em có hoàn cảnh đặc biệt", "In special circumstances"),
    "at_risk": ("Trẻ em có nguy cơ", "At risk"),
    "supported": ("Đang được trợ giúp", "Receiving support"),
    "by_sex": ("Theo giới tính", "By sex"),
    "by_age": ("Theo nhóm tuổi", "By age band"),
    "by_group": ("Theo nhóm hoàn cảnh đặc biệt", "By special-circumstance group"),
    "count": ("Số trẻ", "Children"),
    "dashboard": ("Bảng số liệu tổng hợp {unit}", "Aggregate dashboard of {unit}"),
    "aggregates_only": (
        "Chỉ số liệu tổng hợp; ô từ 1 đến 4 trẻ được ẩn (<5).",
        "Aggregates only; cells of 1 to 4 children are hidden (<5).",
    ),
    "as_of": ("Số liệu ngày {d}", "Figures as of {d}"),
    "targets": ("Chỉ tiêu kỳ {p}", "Targets, period {p}"),
    "target": ("Chỉ tiêu", "Target"),
    "rate": ("Tỷ lệ", "Rate"),
    "met": ("Đạt", "Met"),
    "not_met": ("Chưa đạt", "Not met"),
    "no_report": ("Chưa có báo cáo tổng hợp cho kỳ này.", "No consolidated report for this period yet."),
    "trend": ("Xu hướng các chỉ tiêu", "Trend of the targets"),
    "ranking": ("Xếp hạng đơn vị cấp dưới: {t}", "Sub-units ranked: {t}"),
    "export": ("Xuất danh sách (Excel)", "Export the register (Excel)"),
    "exports": ("Xuất dữ liệu", "Exports"),
    "progress": ("Tiến độ", "Progress"),
    "task_queued": ("Đang chờ xử lý…", "Waiting…"),
    "task_running": ("Đang xử lý…", "Working…"),
    "task_done": ("Hoàn thành.", "Done."),
    "task_failed": ("Thất bại: {e}", "Failed: {e}"),
    "download": ("Tải về", "Download"),
    "retry": ("Thử lại", "Retry"),
    "reports": ("Báo cáo định kỳ", "Periodic reports"),
    "consolidate": ("Tổng hợp", "Consolidate"),
    "consolidation": ("Tổng hợp báo cáo", "Report consolidation"),
    "units_done": ("{d}/{n} đơn vị", "{d} of {n} units"),
    "period": ("Kỳ", "Period"),
    "no_reports": ("Chưa có báo cáo.", "No reports yet."),
    "not_found": ("Không tìm thấy trang hoặc hồ sơ này.", "This page or record was not found."),
    "forbidden": ("Bạn không có quyền xem trang này.", "You may not see this page."),
    "csrf": (
        "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang và thử lại.",
        "The form expired or is not valid. Reload the page and try again.",
    ),
    "error": ("Đã có lỗi. Hãy thử lại sau.", "Something went wrong. Try again later."),
    "no_home": (
        "Tài khoản chưa được giao vai trò hoặc đơn vị. Liên hệ cán bộ quản lý.",
        "Your account has no role or unit yet. Contact your manager.",
    ),
    "menu": ("Điều hướng chính", "Main navigation"),
}

ROLE_WORDS = {
    "collaborator": ("Cộng tác viên", "Collaborator"),
    "ward_officer": ("Cán bộ cấp xã", "Ward officer"),
    "district_officer": ("Cán bộ cấp huyện", "District officer"),
    "provincial_inspector": ("Thanh tra, giám sát cấp tỉnh", "Provincial inspector"),
    "admin": ("Quản trị hệ thống", "Administrator"),
}
SCHOOL_WORDS = {
    "not_school_age": ("Chưa đến tuổi đi học", "Not of school age"),
    "kindergarten": ("Mầm non", "Kindergarten"),
    "primary": ("Tiểu học", "Primary"),
    "lower_secondary": ("Trung học cơ sở", "Lower secondary"),
    "upper_secondary": ("Trung học phổ thông", "Upper secondary"),
    "vocational": ("Học nghề", "Vocational"),
    "out_of_school": ("Không đi học", "Out of school"),
    "unknown": ("Chưa rõ", "Unknown"),
}
RELATIONSHIP_WORDS = {
    "father": ("Cha", "Father"),
    "mother": ("Mẹ", "Mother"),
    "grandparent": ("Ông/Bà", "Grandparent"),
    "sibling": ("Anh/Chị", "Sibling"),
    "relative": ("Người thân", "Relative"),
    "foster_parent": ("Cha/Mẹ nuôi", "Foster parent"),
    "legal_guardian": ("Người giám hộ", "Legal guardian"),
    "other": ("Khác", "Other"),
}
STATUS_WORDS = {
    "active": ("Đang theo dõi", "Active"),
    "moved_away": ("Đã chuyển đi", "Moved away"),
    "deceased": ("Đã mất", "Deceased"),
}
REPORT_STATUS_WORDS = {
    "draft": ("Đang soạn", "Draft"),
    "submitted": ("Đã nộp, chờ phê duyệt", "Submitted"),
    "approved": ("Đã phê duyệt", "Approved"),
    "returned": ("Bị trả lại", "Returned"),
}
AGE_WORDS = {"0-5": "0–5", "6-9": "6–9", "10-13": "10–13", "14-15": "14–15"}

# Messages by error code; (field, code) pairs first where the code alone says too little.
ERROR_WORDS: dict[str, tuple[str, str]] = {
    "required": ("Bắt buộc nhập.", "Required."),
    "malformed": ("Giá trị không đúng định dạng.", "Not in the expected format."),
    "bad_date": ("Ngày không hợp lệ: nhập theo dạng dd/mm/yyyy.", "Not a date: write it as dd/mm/yyyy."),
    "future_date": ("Ngày không được sau hôm nay.", "Must not be after today."),
    "too_old": (
        "Từ đủ 16 tuổi trở lên: không phải trẻ em theo Luật Trẻ em 2016.",
        "16 or older: not a child under the Law on Children 2016.",
    ),
    "duplicate": ("Số định danh này đã được đăng ký cho trẻ khác.", "Already registered to another child."),
    "out_of_scope": ("Thôn này ngoài địa bàn của bạn.", "This hamlet is outside your area."),
    "not_a_hamlet": ("Không phải thôn/tổ dân phố.", "Not a hamlet."),
    "unknown_code": ("Mã không có trong danh mục.", "Not a known code."),
    "invalid": ("Giá trị không hợp lệ.", "Not a valid value."),
}
FIELD_ERROR_WORDS: dict[tuple[str, str], tuple[str, str]] = {
    ("national_id", "invalid"): ("Phải gồm đúng 12 chữ số.", "Must be the 12-digit personal id number."),
    ("full_name", "invalid"): ("Tối đa 120 ký tự.", "At most 120 characters."),
    ("guardian_phone", "invalid"): ("Không phải số điện thoại.", "Not a phone number."),
    ("ethnicity", "invalid"): ("Dân tộc không có trong danh mục.", "Not one of the 54 ethnic groups."),
    ("group_since", "invalid"): ("Trước ngày sinh của trẻ.", "Before the child's date of birth."),
    ("date_of_birth", "invalid"): (
        "Sau ngày bắt đầu của một nhóm đã ghi nhận.",
        "After the start of a recorded group.",
    ),
}

_INDEX = re.compile(r"\[\d+\]")


def word(key: str, lang: str, **values: Any) -> str:
    pair = WORDS.get(key)
    text = key if pair is None else pair[1 if lang == "en" else 0]
    return text.format(**values) if values else text


def pick(table: dict[str, tuple[str, str]], key: str | None, lang: str) -> str:
    pair = table.get(key or "")
    return (key or "") if pair is None else pair[1 if lang == "en" else 0]


def form_field(service_field: str) -> str:
    """The form input a service field belongs to: ``guardians[0].phone`` -> ``guardian_phone``."""
    base = _INDEX.sub("", service_field)
    if base.startswith("guardians."):
        return "guardian_" + base.split(".", 1)[1].replace("full_name", "name")
    if base.startswith("groups."):
        return "group_since" if base.endswith((".since", ".until")) else "group"
    return base


def field_errors(errors: list[FieldError], lang: str) -> dict[str, str]:
    """Form input name -> the message shown next to it (the first problem of each input)."""
    out: dict[str, str] = {}
    for error in errors:
        name = form_field(error.field)
        message = (
            FIELD_ERROR_WORDS.get((name, error.code)) or ERROR_WORDS.get(error.code) or ERROR_WORDS["invalid"]
        )
        out.setdefault(name, message[1 if lang == "en" else 0])
    return out


def fmt_date(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy (and hh:mm in Vietnam's time for moments)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        moment = value.astimezone(VIETNAM) if value.tzinfo else value
        return f"{moment:%d/%m/%Y %H:%M}"
    return f"{value:%d/%m/%Y}"


def parse_date(text: str) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy); ISO yyyy-mm-dd is accepted too."""
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# --- reports and staff pages (routes_reports*.py, routes_staff.py) -----------------------------
WORDS.update(
    {
        "monthly_report": ("Báo cáo tháng", "Monthly report"),
        "open_report": ("Mở báo cáo", "Open the report"),
        "start_report": ("Bắt đầu báo cáo tháng này", "Start this month's report"),
        "hamlet_reports": ("Báo cáo của các thôn/tổ dân phố", "The hamlets' reports"),
        "prepare_drafts": ("Tạo dự thảo cho tất cả thôn", "Prepare drafts for every hamlet"),
        "no_report_yet": ("Chưa có báo cáo", "No report yet"),
        "enter_counts": ("Nhập số liệu", "Enter the counts"),
        "report_actions": ("Thao tác", "Actions"),
        "act_submit": ("Nộp báo cáo", "Submit"),
        "act_approve": ("Phê duyệt", "Approve"),
        "act_return": ("Trả lại", "Return"),
        "act_reopen": ("Mở lại để sửa", "Reopen"),
        "act_refresh": ("Tính lại từ dữ liệu trẻ em", "Recount from the register"),
        "comment": ("Nhận xét", "Comment"),
        "reason": ("Lý do", "Reason"),
        "with_missing": ("Kể cả khi còn đơn vị chưa được duyệt", "Even with units not yet approved"),
        "figures": ("Số liệu", "Figures"),
        "sub_units": ("Đơn vị cấp dưới", "Sub-units"),
        "missing_units": ("Đơn vị chưa có trong số liệu", "Units missing from the figures"),
        "report_documents": ("Văn bản báo cáo", "Report documents"),
        "report_document": ("Văn bản báo cáo", "Report document"),
        "make_document": ("Tạo tệp {f}", "Make a {f} file"),
        "report_conflict": (
            "Không thực hiện được: báo cáo vừa thay đổi hoặc đã khóa. Trang đã tải lại bản mới nhất.",
            "Not done: the report changed or is locked. The page shows the latest version.",
        ),
        "report_entered": ("Đã lưu số liệu.", "Counts saved."),
        "report_submit": ("Đã nộp báo cáo.", "Report submitted."),
        "report_approve": ("Đã phê duyệt báo cáo.", "Report approved."),
        "report_return": ("Đã trả lại báo cáo.", "Report returned."),
        "report_reopen": ("Đã mở lại báo cáo.", "Report reopened."),
        "report_refresh": ("Đã tính lại số liệu.", "Figures recounted."),
        "report_created": ("Đã tạo báo cáo.", "Report started."),
        "ev_create": ("Tạo báo cáo", "Report started"),
        "ev_compute": ("Tính lại từ dữ liệu trẻ em", "Recounted from the register"),
        "ev_enter": ("Nhập số liệu", "Counts entered"),
        "ev_consolidate": ("Tổng hợp từ đơn vị cấp dưới", "Consolidated from the sub-units"),
        "ev_submit": ("Nộp báo cáo", "Submitted"),
        "ev_approve": ("Phê duyệt", "Approved"),
        "ev_return": ("Trả lại", "Returned"),
        "ev_reopen": ("Mở lại để sửa", "Reopened"),
        "staff_title": ("Quản lý cán bộ, cộng tác viên", "Staff management"),
        "new_account": ("Tạo tài khoản", "Create an account"),
        "active": ("Đang hoạt động", "Active"),
        "inactive": ("Đã khóa", "Deactivated"),
        "deactivate": ("Khóa tài khoản", "Deactivate"),
        "activate": ("Mở lại tài khoản", "Reactivate"),
        "reset_code": ("Cấp mã đặt lại mật khẩu", "Issue a reset code"),
        "unit_id": ("Đơn vị", "Unit"),
        "setup_code_title": ("Mã đặt mật khẩu (chỉ hiển thị một lần)", "Password code (shown only once)"),
        "setup_code_hint": (
            "Đưa mã này cho {name}. Mã dùng một lần, hết hạn lúc {at}. Trang này sẽ không hiện lại mã.",
            "Give this code to {name}. It works once and expires at {at}. It will not be shown again.",
        ),
        "account_created": ("Đã tạo tài khoản {u}.", "Account {u} created."),
        "staff_deactivated": ("Đã khóa tài khoản.", "Account deactivated."),
        "staff_activated": ("Đã mở lại tài khoản.", "Account reactivated."),
        "hamlet_added": ("Đã thêm thôn/tổ dân phố.", "Hamlet added."),
        "hamlet_renamed": ("Đã đổi tên thôn/tổ dân phố.", "Hamlet renamed."),
        "new_hamlet": ("Thêm thôn/tổ dân phố", "Add a hamlet"),
        "rename": ("Đổi tên", "Rename"),
        "name": ("Tên", "Name"),
        "kind": ("Loại", "Kind"),
    }
)
ERROR_WORDS.update(
    {
        "not_integer": ("Phải là số nguyên không âm.", "Must be a whole number."),
        "negative": ("Không được là số âm.", "Must not be negative."),
        "too_large": ("Số quá lớn.", "Too large."),
        "exceeds": (
            "Lớn hơn số liệu mà ô này không được vượt quá.",
            "More than the figure it may not exceed.",
        ),
        "contradicts_registry": ("Mâu thuẫn với dữ liệu trẻ em.", "Contradicts the register."),
        "partition_mismatch": ("Tổng các ô thành phần không khớp.", "The parts do not add up."),
        "too_long": ("Quá dài.", "Too long."),
        "taken": ("Tên đăng nhập đã có người dùng.", "This username is taken."),
        "level": ("Vai trò không phù hợp với cấp đơn vị này.", "This role does not work at this level."),
        "closed": ("Đơn vị này không còn hoạt động.", "This unit is not in force."),
        "unknown": ("Không có trong danh mục.", "Not known."),
        "name_taken": ("Xã đã có thôn/tổ dân phố tên này.", "The commune already has a hamlet of this name."),
    }
)
FIELD_ERROR_WORDS.update(
    {
        ("username", "invalid"): (
            "3–64 ký tự: chữ thường a-z, chữ số, '.', '_' hoặc '-'.",
            "3 to 64 characters: a-z, digits, '.', '_' or '-'.",
        ),
    }
)
# --- end of reports and staff pages ------------------------------------------------------------


# --- case and inspection pages (routes_cases.py, routes_case_page.py, routes_inspections*.py) -------
# Added with setdefault: an entry of another block with the same key wins, none is rewritten.
for _key, _pair in {
    "cases": ("Vụ việc", "Cases"),
    "my_cases": ("Vụ việc của tôi", "My cases"),
    "case_new": ("Báo cáo vụ việc", "Report a case"),
    "case": ("Vụ việc", "Case"),
    "cases_found": ("{n} vụ việc", "{n} cases"),
    "no_cases": ("Chưa có vụ việc nào.", "No cases."),
    "case_ref": ("Số hồ sơ", "Reference"),
    "case_type": ("Loại vụ việc", "Type of case"),
    "channel": ("Nguồn tiếp nhận", "Received through"),
    "received_at": ("Thời điểm tiếp nhận", "Received at"),
    "moment_hint": ("dd/mm/yyyy hh:mm; để trống là bây giờ", "dd/mm/yyyy hh:mm; empty means now"),
    "case_description": ("Nội dung sự việc", "What happened"),
    "case_place": ("Nơi xảy ra", "Where"),
    "case_child": ("Trẻ em", "The child"),
    "case_child_chosen": ("Đã chọn", "Chosen"),
    "case_child_search": ("Tìm trẻ trong danh sách của bạn", "Find the child in your register"),
    "case_child_new": ("Trẻ chưa có trong danh sách: ghi mới", "Not in the register: record the child"),
    "informant": ("Người báo tin (được bảo mật)", "Informant (protected)"),
    "informant_protected": (
        "Thông tin người báo tin được bảo mật: chỉ cán bộ cấp xã phụ trách được xem.",
        "The informant is protected: only the commune's ward officers may read it.",
    ),
    "informant_anonymous": ("Người báo tin giấu tên", "The informant stays anonymous"),
    "case_file": ("Gửi báo cáo vụ việc", "File the case"),
    "case_filed": ("Đã tiếp nhận vụ việc.", "Case filed."),
    "case_conflict": (
        "Vụ việc vừa thay đổi hoặc thao tác không còn phù hợp. Trang đã tải lại bản mới nhất.",
        "The case changed or the action no longer applies. The page shows the latest version.",
    ),
    "next_deadline": ("Hạn tiếp theo", "Next deadline"),
    "overdue": ("Quá hạn", "Overdue"),
    "due": ("Hạn", "Due"),
    "deadlines": ("Thời hạn xử lý", "Deadlines"),
    "step": ("Bước", "Step"),
    "deadline_met": ("Đã thực hiện {d}", "Met {d}"),
    "deadline_cancelled": ("Không còn áp dụng", "No longer applies"),
    "deadline_open": ("Đang chờ", "Open"),
    "risk_level": ("Mức độ nguy cơ", "Risk level"),
    "case_worker": ("Người phụ trách", "Case worker"),
    "closure_reason": ("Lý do đóng hồ sơ", "Reason for closing"),
    "assessment": ("Đánh giá ban đầu", "Assessment"),
    "protection": ("Can thiệp khẩn cấp", "Emergency protection"),
    "measure": ("Biện pháp", "Measure"),
    "taken_at": ("Thời điểm thực hiện", "Taken at"),
    "plan": ("Kế hoạch hỗ trợ", "Support plan"),
    "plan_draft": ("dự thảo", "draft"),
    "plan_submitted": ("chờ phê duyệt", "awaiting approval"),
    "plan_approved": ("đã phê duyệt", "approved"),
    "plan_returned": ("bị trả lại", "returned"),
    "plan_superseded": ("đã thay thế", "superseded"),
    "plan_goals": ("Mục tiêu", "Goals"),
    "plan_action": ("Hoạt động {n}", "Action {n}"),
    "plan_owner": ("Người thực hiện", "Owner"),
    "review_on": ("Ngày rà soát", "Review on"),
    "decision_ref": ("Số quyết định", "Decision number"),
    "return_comment": ("Lý do trả lại", "Why returned"),
    "case_actions": ("Thao tác tiếp theo", "Next steps"),
    "act_assign": ("Phân công người phụ trách", "Assign a case worker"),
    "act_assess": ("Ghi đánh giá ban đầu", "Record the assessment"),
    "act_protect": ("Ghi can thiệp khẩn cấp", "Record emergency protection"),
    "act_draft_plan": ("Soạn kế hoạch hỗ trợ", "Write the support plan"),
    "act_submit_plan": ("Trình kế hoạch", "Submit the plan"),
    "act_approve_plan": ("Phê duyệt kế hoạch", "Approve the plan"),
    "act_return_plan": ("Trả lại kế hoạch", "Return the plan"),
    "act_review": ("Rà soát kế hoạch", "Review the plan"),
    "review_outcome": ("Kết quả rà soát", "Outcome"),
    "review_continue": ("Tiếp tục kế hoạch", "Continue the plan"),
    "review_new_plan": ("Lập kế hoạch mới", "A new plan"),
    "act_close": ("Đóng hồ sơ", "Close the case"),
    "act_note": ("Thêm ghi chú", "Add a note"),
    "attachments": ("Tài liệu đính kèm", "Attachments"),
    "attach_file": ("Tệp", "File"),
    "attach_hint": ("JPEG, PNG, TIFF hoặc PDF; tối đa 10 MB", "JPEG, PNG, TIFF or PDF; at most 10 MB"),
    "attach": ("Đính kèm", "Attach"),
    "alerts": ("Cảnh báo thời hạn", "Deadline alerts"),
    "no_alerts": ("Không có cảnh báo.", "No alerts."),
    "mark_read": ("Đánh dấu đã đọc", "Mark read"),
    "read_at": ("Đã đọc {d}", "Read {d}"),
    "inspections": ("Thanh tra, kiểm tra", "Inspections"),
    "no_inspections": ("Chưa có cuộc kiểm tra nào.", "No inspections."),
    "inspection_period": ("Thời kỳ kiểm tra", "Period inspected"),
    "inspection_status_planned": ("Đã lập kế hoạch", "Planned"),
    "inspection_status_in_progress": ("Đang kiểm tra", "In progress"),
    "inspection_status_closed": ("Đã kết thúc", "Closed"),
    "audited_unit": ("Đơn vị được kiểm tra", "Audited unit"),
    "checked_at": ("Kiểm tra lúc {d}", "Checked {d}"),
    "not_checked": ("Chưa chạy kiểm tra tự động.", "The automated checks have not run."),
    "check_item": ("Nội dung kiểm tra", "Checklist item"),
    "outcome": ("Kết quả", "Outcome"),
    "outcome_pass": ("Đạt", "Pass"),
    "outcome_fail": ("Chưa đạt", "Fail"),
    "outcome_na": ("Không có số liệu", "No data"),
    "value_threshold": ("Giá trị / ngưỡng", "Value / threshold"),
    "evidence": ("Căn cứ (số liệu, mã ẩn danh)", "Evidence (counts, anonymous ids)"),
    "anonymous_ids": ("Mã ẩn danh", "Anonymous ids"),
    "run_checks": ("Chạy kiểm tra tự động", "Run the automated checks"),
    "check_run": ("Kiểm tra tự động", "Automated checks"),
    "back_to_plan": ("Về cuộc kiểm tra", "Back to the inspection"),
    "findings": ("Phát hiện", "Findings"),
    "add_finding": ("Ghi phát hiện", "Add a finding"),
    "finding_text": ("Nội dung phát hiện", "Finding"),
    "severity": ("Mức độ", "Severity"),
    "severity_low": ("Thấp", "Low"),
    "severity_medium": ("Trung bình", "Medium"),
    "severity_high": ("Cao", "High"),
    "recommendations": ("Kiến nghị", "Recommendations"),
    "add_recommendation": ("Thêm kiến nghị", "Add a recommendation"),
    "rec_text": ("Nội dung kiến nghị", "Recommendation"),
    "responsible_unit": ("Đơn vị thực hiện", "Responsible unit"),
    "rec_deadline": ("Hạn thực hiện", "Deadline"),
    "rec_status_open": ("Chưa trả lời", "Open"),
    "rec_status_answered": ("Đã trả lời", "Answered"),
    "rec_status_accepted": ("Đã chấp nhận", "Accepted"),
    "rec_answer": ("Trả lời kiến nghị", "Answer"),
    "rec_accept": ("Chấp nhận", "Accept"),
    "rec_reopen": ("Yêu cầu thực hiện lại", "Reopen"),
    "rec_response": ("Nội dung", "Text"),
    "rec_answered": ("Đã gửi.", "Sent."),
    "my_recommendations": ("Kiến nghị gửi đơn vị", "Recommendations to your unit"),
    "no_recommendations": ("Không có kiến nghị.", "No recommendations."),
    "inspection_pdf": ("Biên bản kiểm tra (PDF)", "Inspection report (PDF)"),
    "make_pdf": ("Tạo biên bản PDF", "Make the PDF report"),
}.items():
    WORDS.setdefault(_key, _pair)
for _key, _pair in {
    "bad_moment": (
        "Thời điểm không hợp lệ: nhập theo dạng dd/mm/yyyy hh:mm.",
        "Not a moment: write it as dd/mm/yyyy hh:mm.",
    ),
    "future": ("Không được sau thời điểm hiện tại.", "Must not be in the future."),
    "too_early": ("Trước thời điểm tiếp nhận.", "Before the case was received."),
    "past": ("Ngày đã qua.", "This date has passed."),
    "too_far": ("Quá một năm kể từ hôm nay.", "More than a year ahead."),
    "too_long": ("Quá dài.", "Too long."),
    "inactive": ("Hồ sơ trẻ không còn theo dõi.", "The child's record is not active."),
    "conflict": (
        "Người giấu tên không ghi họ tên, điện thoại.",
        "An anonymous informant has no name or phone.",
    ),
    "not_eligible": ("Người này không thể phụ trách vụ việc.", "This person cannot be the case worker."),
    "too_large": ("Tệp lớn hơn 10 MB.", "The file is larger than 10 MB."),
    "unsupported_type": ("Chỉ nhận JPEG, PNG, TIFF hoặc PDF.", "Only JPEG, PNG, TIFF or PDF."),
    "type_mismatch": ("Nội dung tệp không khớp với loại tệp.", "The file's content does not match its type."),
    "empty": ("Tệp rỗng.", "The file is empty."),
    "too_many": ("Quá số lượng cho phép.", "Too many."),
    "outside": ("Ngoài phạm vi đơn vị được kiểm tra.", "Outside the audited unit."),
    "unknown": ("Không có trong danh mục.", "Not a known value."),
}.items():
    ERROR_WORDS.setdefault(_key, _pair)
# --- end of case and inspection pages ------------------------------------------------------------
import portal.web.i18n_audit  # noqa: E402,F401 - the audit pages add their words (portal/web/i18n_audit.py)
import portal.web.i18n_delegation  # noqa: E402,F401 - the staff pages' code delivery words
import portal.web.i18n_disclosure  # noqa: E402,F401 - month picker, perturbation note, month errors
import portal.web.i18n_input  # noqa: E402,F401 - the input boundary's page words (portal/web/i18n_input.py)
