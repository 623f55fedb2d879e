"""Words of the input boundary's pages (portal.boundary): refused characters, ranges, sizes, uploads.

Error codes are looked up as ``input_<code>`` first, so these messages do not change the meaning of a
code another block already uses (``too_large`` is a count there).
"""

from __future__ import annotations

from portal.web.i18n import ERROR_WORDS, WORDS

WORDS.update(
    {
        "input_refused": ("Dữ liệu gửi lên không hợp lệ", "The data sent is not valid"),
        "input_refused_hint": (
            "Không có gì được lưu. Quay lại trang trước, sửa các ô dưới đây rồi gửi lại.",
            "Nothing was saved. Go back, correct the fields below and send again.",
        ),
        "body_too_large": ("Dữ liệu gửi lên quá lớn", "What was sent is too large"),
        "body_too_large_hint": (
            "Không có gì được lưu. Tệp đính kèm tối đa 10 MB.",
            "Nothing was saved. An attachment may be at most 10 MB.",
        ),
        "go_back": ("Quay lại trang trước", "Back to the previous page"),
        "field": ("Ô", "Field"),
        "problem": ("Vấn đề", "Problem"),
    }
)
ERROR_WORDS.update(
    {
        "input_control_character": (
            "Có ký tự điều khiển không được phép (chỉ ghi chú, mô tả, địa chỉ mới được xuống dòng).",
            "Contains a control character (line breaks only in notes, descriptions and addresses).",
        ),
        "input_bidi_control": (
            "Có ký tự đảo chiều viết (U+202E...) không được phép.",
            "Contains a character that reverses the writing direction (U+202E...).",
        ),
        "input_out_of_range": (
            "Giá trị nằm ngoài khoảng cho phép.",
            "The value is out of the allowed range.",
        ),
        "input_too_many": ("Quá số lượng cho phép.", "Too many items."),
        "input_malformed": ("Tên ô không hợp lệ.", "Not an accepted field name."),
    }
)
