"""Form fields into request structs (portal.web.form_input): dd/mm/yyyy, blanks, checkboxes, errors."""

from __future__ import annotations

from datetime import date, datetime

from infra.errors import FieldError
from portal.cases.schemas import AssignIn, InformantIn, PlanActionIn, PlanIn, ProtectIn
from portal.web.form_input import read_form


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
    assert found == {("goals", "required"), ("review_on", "bad_date"), ("version", "invalid")}
    errors = []
    bad = {"actions_1_description": "d", "actions_1_owner": "", "actions_1_due_on": "2027-13-01"}
    assert read_form(bad, PlanActionIn, errors, "actions_1_", field_prefix="actions[1].") is None
    assert {(e.field, e.code) for e in errors} == {
        ("actions[1].owner", "required"),
        ("actions[1].due_on", "bad_date"),
    }
    errors = []
    assert read_form({"taken_at": "hôm qua", "measure": "m", "note": "n"}, ProtectIn, errors) is None
    assert [(e.field, e.code) for e in errors] == [("taken_at", "bad_moment")]


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
