"""The agreed form of the list exchanged with the commune police (Project 06, Đề án 06): one XLSX sheet,
three title rows, then a heading row and one row per child. The police fill the last three columns and
send the same file back; the import finds the columns by their headings, so their order may change.

Columns (headings in Vietnamese, as the police read them):

===  =========================================  ==========================================================
A    STT                                        row number
B    Mã hồ sơ                                   the record's id in the portal: how a returned row finds
                                                its child (do not change it)
C    Họ và tên                                  full name
D    Ngày sinh                                  date of birth, dd/mm/yyyy
E    Giới tính                                  Nam / Nữ
F    Dân tộc                                    ethnic group
G    Mã tỉnh nơi đăng ký khai sinh              the three digits of Circular 07/2016/TT-BCA, if recorded
H    Số định danh hiện có                       the number the record holds now, if any
I    Họ tên cha/mẹ/người nuôi dưỡng             guardians, ``;``-separated
J    Nơi thường trú (thôn, xã)                  hamlet, commune
K    Vấn đề                                     what is wrong (no number, which part does not fit, what
                                                is missing)
L    Kết quả xác minh                           filled by the police: Đã cấp / Đã sửa / Không tìm thấy
M    Số định danh đã xác minh                   filled by the police: the verified number
N    Ghi chú của công an                        filled by the police: free text (not imported)
===  =========================================  ==========================================================
"""

from __future__ import annotations

from portal.registry.text import fold

TITLE_ROWS = 3
HEADINGS = (
    "STT",
    "Mã hồ sơ",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Dân tộc",
    "Mã tỉnh nơi đăng ký khai sinh",
    "Số định danh hiện có",
    "Họ tên cha/mẹ/người nuôi dưỡng",
    "Nơi thường trú (thôn, xã)",
    "Vấn đề",
    "Kết quả xác minh",
    "Số định danh đã xác minh",
    "Ghi chú của công an",
)
RECORD, RESULT, VERIFIED_ID = "Mã hồ sơ", "Kết quả xác minh", "Số định danh đã xác minh"
RESULTS = {fold("Đã cấp"): "issued", fold("Đã sửa"): "corrected", fold("Không tìm thấy"): "not_found"}
"""The police's words (accents and case do not matter) and the results they mean."""
RESULT_WORDS = {"issued": "Đã cấp", "corrected": "Đã sửa", "not_found": "Không tìm thấy"}
SEX_WORDS = {"male": "Nam", "female": "Nữ"}
PROBLEM_WORDS = {
    "no_id": "Chưa có số định danh",
    "id_mismatch": "Số định danh không khớp",
    "missing_info": "Thiếu thông tin",
    "id_province": "mã tỉnh",
    "id_century_sex": "mã thế kỷ, giới tính",
    "id_year": "năm sinh",
    "full_name": "họ tên",
    "ethnicity": "dân tộc",
    "guardians": "cha/mẹ/người nuôi dưỡng",
}
