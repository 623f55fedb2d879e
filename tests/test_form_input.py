"""Form fields into request structs (portal.web.form_input): dd/mm/yyyy, blanks, checkboxes, errors."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from infra.errors import FieldError
from portal.cases.schemas import AssignIn, InformantIn, PlanActionIn, PlanIn, ProtectIn
from portal.locale.field_errors import error_message
from portal.registry.schemas import GuardianIn, PeriodIn
from portal.web.form_input import day_input, read_form
from portal.web.i18n import field_errors
from portal.web.typed_dates import BadDay, read_day, read_moment


def test_days_and_moments_are_read_as_the_pages_write_them():
    errors: list[FieldError] = []
    action = read_form(
        {"actions_0_description": " Thăm nhà ", "actions_0_owner": "CTV", "actions_0_due_on": "03/02/2027"},
        PlanActionIn,
        errors,
        "actions_0_",
    )
    assert errors == []
    assert action == PlanActionIn(description="Thăm nhà", owner="CTV", due_on=date(2027, 2, 3))
    protect = read_form({"measure": "m", "note": "n", "taken_at": "03/02/2027 14:05"}, ProtectIn, errors)
    assert protect is not None and protect.taken_at == datetime(2027, 2, 3, 14, 5)


def test_every_problem_is_named_with_its_field_and_nothing_is_made():
    errors: list[FieldError] = []
    form = {"goals": "", "review_on": "31/02/2027", "version": "x"}
    assert read_form(form, PlanIn, errors, given={"actions": []}) is None
    found = {(e.field, e.code) for e in errors}
    assert found == {("goals", "required"), ("review_on", "no_such_day"), ("version", "invalid")}
    errors = []
    bad = {"actions_1_description": "d", "actions_1_owner": "", "actions_1_due_on": "2027-03-01"}
    assert read_form(bad, PlanActionIn, errors, "actions_1_", field_prefix="actions[1].") is None
    assert [(e.field, e.code, e.params) for e in errors] == [
        ("actions[1].owner", "required", {}),
        ("actions[1].due_on", "date_form", {"form": "dd/mm/yyyy", "example": "01/03/2027"}),
    ]
    errors = []
    assert read_form({"taken_at": "hôm qua", "measure": "m", "note": "n"}, ProtectIn, errors) is None
    assert [(e.field, e.code, e.params["form"]) for e in errors] == [
        ("taken_at", "date_form", "dd/mm/yyyy hh:mm")
    ]


def test_blanks_take_defaults_numbers_are_converted_and_a_checkbox_is_true_when_sent():
    errors: list[FieldError] = []
    assert read_form({"user_id": "12", "version": ""}, AssignIn, errors) == AssignIn(user_id=12)
    informant = read_form({"informant_anonymous": "on"}, InformantIn, errors, "informant_")
    assert informant == InformantIn(anonymous=True)
    informant = read_form({"informant_full_name": "Bà A"}, InformantIn, errors, "informant_")
    assert informant == InformantIn(anonymous=False, full_name="Bà A")
    assert errors == []


def test_only_the_inputs_the_page_has_are_read():
    errors: list[FieldError] = []
    form = {"full_name": "Bà A", "address": "posted but not an input of this page"}
    informant = read_form(form, InformantIn, errors, inputs=("full_name",))
    assert informant == InformantIn(full_name="Bà A") and errors == []


@pytest.mark.parametrize("typed", ["04/03/2018", "4/3/2018", "04/3/2018", " 04/03/2018 "])
def test_a_day_is_dd_mm_yyyy(typed):
    assert read_day(typed) == date(2018, 3, 4)


@pytest.mark.parametrize(
    ("typed", "code", "example"),
    [
        ("2018-03-04", "date_form", "04/03/2018"),  # year first: one reading
        ("2018/3/4", "date_form", "04/03/2018"),
        ("04.03.2018", "date_form", "04/03/2018"),  # day first with another separator
        ("04-03-2018", "date_form", "04/03/2018"),
        ("04 03 2018", "date_form", "04/03/2018"),
        ("04032018", "date_form", "04/03/2018"),  # a number pad without "/"
        ("20180304", "date_form", "04/03/2018"),
        ("03/25/2018", "date_form", "25/03/2018"),  # month first: there is no month 25
        ("4/3/18", "date_form", "04/03/2018"),  # which century? the sample, not a reading
        ("2018-02-31", "date_form", "04/03/2018"),  # no reading at all: the sample
        ("hôm qua", "date_form", "04/03/2018"),
        ("03/2018", "date_form", "04/03/2018"),
        ("31/02/2018", "no_such_day", "04/03/2018"),  # the form, but no such day
        ("00/01/2018", "no_such_day", "04/03/2018"),
    ],
)
def test_any_other_shape_is_refused_with_its_reading_where_it_has_one(typed, code, example):
    with pytest.raises(BadDay) as refused:
        read_day(typed)
    assert (refused.value.code, refused.value.params) == (code, {"form": "dd/mm/yyyy", "example": example})


def test_moments_take_the_same_days():
    assert read_moment("04/03/2018 14:30") == datetime(2018, 3, 4, 14, 30)
    assert read_moment("4/3/2018 9h05") == datetime(2018, 3, 4, 9, 5)
    assert read_moment("04/03/2018") == datetime(2018, 3, 4)  # a day alone: its midnight
    for typed, example in [
        ("2018-03-04 14:30", "04/03/2018 14:30"),
        ("04.03.2018 14:30", "04/03/2018 14:30"),
        ("04/03/2018 25:00", "04/03/2018 14:30"),
        ("hôm qua", "04/03/2018 14:30"),
    ]:
        with pytest.raises(BadDay) as refused:
            read_moment(typed)
        assert refused.value.params == {"form": "dd/mm/yyyy hh:mm", "example": example}, typed


def test_the_message_names_the_field_the_form_and_what_was_typed_read_as_a_day():
    errors: list[FieldError] = []
    assert day_input("deadline", "  ", errors) is None and errors == []
    assert day_input("deadline", "05/06/2027", errors) == date(2027, 6, 5)
    assert day_input("deadline", "2027-06-05", errors) is None
    errors.append(
        FieldError(
            "date_of_birth",
            "is not a dd/mm/yyyy date",
            "date_form",
            {"form": "dd/mm/yyyy", "example": "04/03/2018"},
        )
    )
    read_form({"rk_1_code": "x", "rk_1_since": "31/02/2020"}, PeriodIn, errors, "rk_1_")
    vi = field_errors(errors, "vi")
    assert vi["deadline"] == "Hạn thực hiện: nhập theo dạng dd/mm/yyyy, ví dụ 05/06/2027."
    assert vi["date_of_birth"] == "Ngày sinh: nhập theo dạng dd/mm/yyyy, ví dụ 04/03/2018."
    assert vi["rk_1_since"].startswith("Nguy cơ 2 – Từ ngày: không có ngày này.")
    en = field_errors(errors, "en")
    assert en["date_of_birth"] == "Date of birth: write it as dd/mm/yyyy, e.g. 04/03/2018."
    assert en["rk_1_since"] == (
        "Risks 2 – Since: there is no such day. Write it as dd/mm/yyyy (day, month, year), e.g. 04/03/2018."
    )
    # said without its params (not from a page's input), the code falls back to the plain message
    assert error_message("date_of_birth", "date_form", "en") == "Not a date: write it as dd/mm/yyyy."


def test_a_rows_problems_show_beside_the_row_with_the_fields_message():
    errors: list[FieldError] = []
    form = {"gd_2_full_name": "Bà A", "gd_2_relationship": "", "gd_2_phone": "0912"}
    assert read_form(form, GuardianIn, errors, "gd_2_", field_prefix="guardians[0].") is None
    errors.append(FieldError("guardians[1].phone", "is not a phone number"))  # as the service names it
    inputs = {"guardians[0].relationship": "gd_2_relationship", "guardians[1].phone": "gd_4_phone"}
    shown = field_errors(errors, "vi", inputs)
    assert shown == {
        "gd_2_relationship": "Chọn quan hệ của người này với trẻ.",
        "gd_4_phone": "Không phải số điện thoại: nhập các chữ số, ví dụ 0912 345 678.",
    }
    assert GuardianIn.__struct_fields__ == ("full_name", "relationship", "phone", "lives_with_child")
