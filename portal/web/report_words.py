"""What a report page says happened, in the reader's language: "Đã nộp báo cáo tháng 12/2026 của Tổ dân
phố số 2" (a bulk decision's summary is said by its template, report_month.html).

A confirmation is shown as the page's flash: a message key (translated where it is shown) or, for
one that names the report, its text already in the reader's words (``i18n.message`` shows a text that
is not a key as it is).
"""

from __future__ import annotations

from portal.web.i18n import message
from portal.web.report_periods import in_sentence

# ?msg=… after an action: those that name the report, and those said as they are.
NAMED = {
    "submit": "report_submit",
    "approve": "report_approve",
    "return": "report_return",
    "reopen": "report_reopen",
    "created": "report_created",
}
PLAIN = {
    "entered": "report_entered",
    "refresh": "report_refresh",
    "from_months": "report_from_months",
    "explained": "report_explained",
}


def confirmation(key: str, lang: str, period: str, unit_name: str) -> str | None:
    """The flash for ``?msg=key`` on a report of ``unit_name`` for ``period``; None for no known key."""
    if key in NAMED:
        return message(NAMED[key], lang, period=in_sentence(period, lang), unit=unit_name)
    return PLAIN.get(key)
