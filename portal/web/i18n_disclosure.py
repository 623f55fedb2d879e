"""Words of the disclosure policy on pages (portal.stats.disclosure): the month an aggregate-only reader
picks, the note that figures are perturbed, and the error codes of month-end dates and ended periods.
"""

from __future__ import annotations

from portal.web.i18n import ERROR_WORDS, WORDS

WORDS.update(
    {
        "figures_month": ("Số liệu tháng", "Figures for the month"),
        "month_end_of": ("Số liệu đến hết ngày {d}", "Figures as at the end of the day {d}"),
        "show": ("Xem", "Show"),
        "disclosure_note": (
            "Số liệu tổng hợp được bảo vệ để không lộ thông tin về từng trẻ em: ô từ 1 đến 4 hiển thị là "
            '"<5"; các số khác được điều chỉnh nhẹ (cộng hoặc trừ vài đơn vị, luôn như nhau cho cùng một '
            "số liệu), nên không thể trừ các số cho nhau để suy ra số bị ẩn và các phần có thể không cộng "
            "lại đúng bằng tổng. Số liệu theo tháng đã kết thúc.",
            "Aggregate figures are protected so that no child can be singled out: cells of 1 to 4 show as "
            '"<5"; other counts are slightly perturbed (by a few units, always the same for the same '
            "figure), so they cannot be subtracted from one another to recover a hidden count, and parts "
            "may not add up exactly to the total. Figures are for months that have ended.",
        ),
        "entries": ("Trẻ em mới vào trong tháng", "Children entering during the month"),
        "exits": ("Trẻ em ra khỏi danh sách trong tháng", "Children leaving during the month"),
    }
)
ERROR_WORDS.update(
    {
        "month_end": (
            "Phải là ngày cuối tháng (số liệu tổng hợp theo tháng).",
            "Must be the last day of a month (figures are monthly).",
        ),
        "month_start": (
            "Phải là ngày đầu tháng (số liệu tổng hợp theo tháng).",
            "Must be the first day of a month (figures are monthly).",
        ),
        "month_not_ended": (
            "Tháng này chưa kết thúc: chọn một tháng đã qua.",
            "This month has not ended: choose a past month.",
        ),
        "period_not_ended": (
            "Kỳ báo cáo này chưa kết thúc: chọn một kỳ đã qua.",
            "This period has not ended: choose a past period.",
        ),
        "before_window": (
            "Trước khoảng thời gian có số liệu tổng hợp.",
            "Before the months for which figures are kept.",
        ),
    }
)
