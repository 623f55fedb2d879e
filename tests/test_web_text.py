"""The pages' words, dates and field messages (pure functions, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from infra.errors import FieldError
from portal.locale import translate
from portal.web.i18n import field_errors, fmt_date, form_field, message
from portal.web.session import CONTENT_SECURITY_POLICY


def test_dates_are_written_as_dd_mm_yyyy():
    """(Read back in tests/test_form_input.py: only that form is.)"""
    assert fmt_date(date(2018, 3, 4)) == "04/03/2018"
    assert fmt_date("2018-03-04") == "04/03/2018"
    assert fmt_date(datetime(2026, 11, 23, 17, 5, tzinfo=UTC)) == "24/11/2026 00:05"  # Vietnam's time
    assert fmt_date(None) == ""


def test_periods_are_written_in_words():
    from portal.locale.periods import period_name

    vi = {"2026-12": "Tháng 12/2026", "2026-06": "Tháng 6/2026", "2026-Q4": "Quý 4/2026"}
    vi |= {"2026-H1": "6 tháng đầu năm 2026", "2026-H2": "6 tháng cuối năm 2026", "2026": "Năm 2026"}
    en = {
        "2026-12": "December 2026",
        "2026-Q4": "Q4 2026",
        "2026-H1": "First half of 2026",
        "2026": "Year 2026",
    }
    assert {k: period_name(k, "vi") for k in vi} == vi
    assert {k: period_name(k, "en") for k in en} == en
    assert period_name("2026-12") == "Tháng 12/2026"  # Vietnamese by default
    for other in ("2026-13", "2026-Q5", "26-12", "", None):
        assert period_name(other, "vi") == (other or "")  # not a period: shown as it is


def test_service_fields_map_to_form_inputs():
    assert form_field("guardians[0].phone") == "guardian_phone"
    assert form_field("guardians[0].full_name") == "guardian_name"
    assert form_field("groups[0].since") == "group_since"
    assert form_field("groups[0].code") == "group"
    assert form_field("date_of_birth") == "date_of_birth"


def test_field_messages_follow_the_language_and_the_first_problem_wins():
    errors = [
        FieldError("date_of_birth", "the person is 16 or older", "too_old"),
        FieldError("date_of_birth", "is in the future", "future_date"),
        FieldError("national_id", "must be the 12-digit personal identification number"),
        FieldError("guardians[0].phone", "is not a phone number"),
        FieldError("something_new", "whatever", "brand_new_code"),
    ]
    vi = field_errors(errors, "vi")
    assert vi["date_of_birth"].startswith("Từ đủ 16 tuổi")
    assert vi["national_id"] == "Phải gồm đúng 12 chữ số."
    assert vi["guardian_phone"] == "Không phải số điện thoại: nhập các chữ số, ví dụ 0912 345 678."
    assert vi["something_new"] == "Giá trị không hợp lệ."
    en = field_errors(errors, "en")
    assert en["date_of_birth"].startswith("16 or older") and en["national_id"].startswith(
        "Must be the 12-digit"
    )


def test_keys_chosen_at_run_time_are_translated():
    assert message("saved", "vi") == "Đã lưu." and message("saved", "en") == "Saved."
    assert message("task_failed", "vi", e="x") == "Thất bại: x"
    assert message("no-such-key", "vi") == "no-such-key"
    assert translate("vi", "Children") == "Trẻ em" and translate("en", "Children") == "Children"


def test_the_content_security_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_text_colours_have_at_least_aa_contrast():
    import re
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "portal" / "web" / "static" / "portal.css").read_text()
    colour = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [
        ("ink", "#ffffff"),
        ("ink", "bg"),
        ("muted", "#ffffff"),
        ("muted", "bg"),
        ("brand", "#ffffff"),
        ("brand-ink", "brand"),
        ("error", "#fdecec"),
        ("ok", "#e8f4ea"),
        ("error", "#ffffff"),
    ]
    for fg, bg in pairs:
        ratio = _contrast(colour.get(fg, fg), colour.get(bg, bg))
        assert ratio >= 4.5, (fg, bg, round(ratio, 2))
