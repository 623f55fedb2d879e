"""The messages of field error codes (``FieldError.code``), for the pages and the API alike.

Services report ``FieldError(field, message, code)`` with an English sentence; readers see the
catalogue's message for the code, or the field's own message where the code alone says too little.
"""

from __future__ import annotations

import re

from portal.locale import N_, NP_, Msg, translate

ERRORS: dict[str, Msg] = {
    "required": N_("Required."),
    "malformed": N_("Not in the expected format."),
    "bad_date": N_("Not a date: write it as dd/mm/yyyy."),
    "future_date": N_("Must not be after today."),
    "too_old": N_("16 or older: not a child under the Law on Children 2016."),
    "duplicate": N_("Already registered to another child."),
    "out_of_scope": N_("This hamlet is outside your area."),
    "not_a_hamlet": N_("Not a hamlet."),
    "unknown_code": N_("Not a known code."),
    "unknown_child": N_("No such child that you may read."),
    "invalid": N_("Not a valid value."),
    "not_integer": N_("Must be a whole number."),
    "negative": N_("Must not be negative."),
    "too_large": N_("Too large."),
    "exceeds": N_("More than the figure it may not exceed."),
    "contradicts_registry": N_("Contradicts the register."),
    "partition_mismatch": N_("The parts do not add up."),
    "outside_campaign": N_("Typed only in the months of its campaign."),
    "too_long": N_("Too long."),
    "reason_required": N_("Differs from the approved months' figure: say why."),
    "taken": N_("This username is taken."),
    "level": N_("This role does not work at this level."),
    "closed": N_("This unit is not in force."),
    "unknown": N_("Not known."),
    # DHIS2 exchange (portal/exchange)
    "bad_code": N_("Must be 1 to 50 letters, digits, '_', '.' or '-' (a DHIS2 code)."),
    "code_taken": N_("This code is already given to another."),
    "unmapped": N_("Has no DHIS2 code yet: an administrator maps it."),
    "nothing": N_("No approved figures of a unit with a DHIS2 code for this period."),
    "data_set": N_("The file must name one dataSet for all its values."),
    "not_json": N_("Not a JSON file."),
    "not_xml": N_("Not a well-formed XML file."),
    "shape": N_("Not a DHIS2 dataValueSets or ADX document."),
    "mixed": N_("Must be the same period as the first value."),
    "bad_period": N_("Not a period of this report in the file's format."),
    "duplicate_value": N_("The same cell is given twice."),
    "locked": N_("The report is submitted or approved: its figures are locked."),
    "name_taken": N_("The commune already has a hamlet of this name."),
    "bad_moment": N_("Not a moment: write it as dd/mm/yyyy hh:mm."),
    "date_form": N_("%(field)s: write it as %(form)s, e.g. %(example)s."),
    "no_such_day": N_(
        "%(field)s: there is no such day. Write it as %(form)s (day, month, year), e.g. %(example)s."
    ),
    "future": N_("Must not be in the future."),
    "too_early": N_("Before the case was received."),
    "past": N_("This date has passed."),
    "too_far": N_("More than a year ahead."),
    "inactive": N_("The child's record is not active."),
    "conflict": N_("An anonymous informant has no name or phone."),
    "not_eligible": N_("This person cannot be the case worker."),
    "unsupported_type": N_("Only JPEG, PNG, TIFF or PDF."),
    "type_mismatch": N_("The file's content does not match its type."),
    "empty": N_("The file is empty."),
    "too_many": N_("Too many."),
    "outside": N_("Outside the audited unit."),
    "range": N_("The end is before the start."),
    "range_start": N_("Must not be before 2000."),
    "range_too_long": N_("The range is longer than a year."),
    "month_end": N_("Must be the last day of a month (figures are monthly)."),
    "month_start": N_("Must be the first day of a month (figures are monthly)."),
    "month_not_ended": N_("This month has not ended: choose a past month."),
    "period_not_ended": N_("This period has not ended: choose a past period."),
    "before_window": N_("Before the months for which figures are kept."),
    "input_control_character": N_(
        "Contains a control character (line breaks only in notes, descriptions and addresses)."
    ),
    "input_bidi_control": N_("Contains a character that reverses the writing direction (U+202E...)."),
    "input_out_of_range": N_("The value is out of the allowed range."),
    "input_too_many": N_("Too many items."),
    "input_malformed": N_("Not an accepted field name."),
    "forbidden": N_("You may not do this."),
    "too_short": N_("Too short: at least 10 characters."),
    "contains_username": N_("Must not be or contain the username."),
    "common": N_("Too common or too easy to guess: choose another."),
    "out_of_unit": N_("This person does not work in this unit."),
    "missing": N_("Missing."),
    "duplicate_period": N_("Repeats an earlier period (same code and start)."),
    "not_officer": N_("Not an active officer."),
    "future_period": N_("This period has not started yet."),
    "not_enterable": N_("Not entered by hand at this level."),
    "computed": N_("Computed, not entered."),
    "not_a_commune": N_("Not a commune or ward."),
    "same_commune": N_("This is the child's own commune: change the hamlet instead."),
    "not_active": N_("Only a child recorded as living here can move."),
    "not_destination_hamlet": N_("Must be an open hamlet of the commune the child moves to."),
    "own_commune": N_("The case is already in this commune."),
    "not_receiving_hamlet": N_("Must be an open hamlet of your commune."),
    "not_a_child": N_("Not the date of birth or the age of a child under 18."),
    "same_case": N_("A case is not linked to itself."),
    "mismatch": N_("The two passwords are not the same."),
    "invalid_code": N_("The code is invalid, expired or already used: ask your manager for a new one."),
    "not_sampled_level": N_("Must be a commune or a hamlet."),
    "not_made_here": N_("This report is not made at this level."),
    "no_records": N_("This unit has too few records to sample (fewer than 5)."),
    "unknown_hamlet": N_("No hamlet of this name in your area."),
    "duplicate_in_file": N_("Repeats an earlier row of the file."),
    "suspected_duplicate": N_(
        "Perhaps a child already recorded (same name and date of birth): decide when applying."
    ),
    "year_only": N_("Only the year was given: recorded as 1 January of that year."),
    "unconfirmed": N_("Tick the box to confirm."),
    "no_account": N_("No active account with this username."),
    "not_grantee": N_("A case is shared only with the collaborators of its hamlet and with ward officers."),
    "choose_one": N_("Choose a person from the list or type a username, not both."),
    "period_kind": N_(
        "Not a period of this kind of report: a month for a monthly report, a quarter for a quarterly one, "
        "and so on."
    ),
    "not_percentage": N_("Must be a percentage from 0 to 100, e.g. 90 or 92,5."),
    "not_period": N_("Choose a period from the list: a month, a quarter, a half year or a year."),
    "not_listed": N_("Choose one from the list."),
    "out_of_range": N_("Out of the allowed range."),
    "not_boolean": N_("Choose yes or no."),
    "no_evidence": N_("Give the document's reference (number, date, issuer) or attach the document."),
    "not_object": N_("Not a valid value."),
    "not_text": N_("Must be text."),
    "date_range": N_("Must be a date from 2000 to the end of next year."),
    "year_range": N_("Must be a year from 2000 to five years ahead."),
    "rule_blocking": N_("A blocking data check fails: correct the figures it names."),
    "explanation_required": N_("Explain this warning before submitting."),
    "not_warning": N_("Not a warning this report now fails: reload the page."),
    "report_unit": N_(
        "This unit does not make this report for this period (not at its level, or it was not in force then)."
    ),
    "out_of_vietnam": N_(
        "Outside Vietnam: check the coordinates (latitude 8 to 23.5, longitude 102 to 118)."
    ),
    "not_applicable": N_("Leave it empty: there is none."),
    "before_listed": N_("Before the day the water point was listed."),
    "photo_too_large": N_("The photo is larger than 5 MB."),
    "not_a_photo": N_("Only a JPEG or PNG photo."),
    "not_owner_level": N_("Must be a commune, district or province."),
}

# The parts of the personal identification number (Decree 137/2015/NĐ-CP, Art. 13), on the child's record
# and on a row of the police's verified list alike.
_ID_PROVINCE = N_("The first three digits are not the code of the province where the birth was registered.")
_ID_CENTURY_SEX = N_("The fourth digit does not fit the child's sex and century of birth.")
_ID_YEAR = N_("Digits 5 and 6 are not the last two digits of the year of birth.")

FIELD_ERRORS: dict[tuple[str, str], Msg] = {
    ("national_id", "invalid"): N_("Must be the 12-digit personal id number."),
    ("full_name", "invalid"): N_("At most 120 characters."),
    ("guardian_phone", "invalid"): N_("Not a phone number: write its digits, e.g. 0912 345 678."),
    ("guardian_name", "required"): N_("Give the person's name, or leave the whole row empty."),
    ("guardian_relationship", "required"): N_("Choose how this person is related to the child."),
    ("guardian_relationship", "invalid"): N_("Choose one of the listed relationships."),
    ("ethnicity", "invalid"): N_("Not one of the 54 ethnic groups."),
    ("group_since", "invalid"): N_("Before the child's date of birth."),
    ("date_of_birth", "invalid"): N_("After the start of a recorded group."),
    ("username", "invalid"): N_("3 to 64 characters: a-z, digits, '.', '_' or '-'."),
    ("email", "required"): N_("Give the person's e-mail address: the one-time code is sent there."),
    ("email", "invalid"): N_("Not an e-mail address."),
    ("email", "taken"): N_("Already registered to another account."),
    ("phone", "invalid"): N_("Not a phone number."),
    ("phone", "taken"): NP_("phone", "Already registered to another account."),
    ("file", "too_large"): N_("The file is larger than 10 MB."),
    ("destination_note", "required"): N_("Say where the child went, since the commune is not known."),
    ("note", "required"): N_("Give the reason."),
    ("hamlet_id", "required"): N_("Choose the hamlet the child joins."),
    ("response", "required"): N_("Give the reason for the refusal."),
    ("to_unit_id", "required"): N_("Give the commune, or the service the case goes to."),
    ("case_id", "out_of_scope"): N_("No case with this reference that you may read."),
    ("destination", "required"): N_(
        "Give the commune's code or part of its name, or tick that the destination is not known yet."
    ),
    ("destination", "not_found"): N_("No commune or ward in force has this code or name."),
    ("moved_on", "invalid"): N_("Before the child's date of birth."),
    ("sample_size", "required"): N_("Give either the number of records or the percentage to sample."),
    ("rechecker", "out_of_unit"): N_("Must be an officer of your unit or of a unit below it."),
    ("national_id", "id_province"): _ID_PROVINCE,
    ("national_id", "id_century_sex"): _ID_CENTURY_SEX,
    ("national_id", "id_year"): _ID_YEAR,
    ("birth_province_code", "unknown_code"): N_(
        "Not one of the 63 province codes of Circular 07/2016/TT-BCA."
    ),
    ("rows.verified_id", "invalid"): N_("The verified number must have 12 digits."),
    ("rows.verified_id", "id_province"): _ID_PROVINCE,
    ("rows.verified_id", "id_century_sex"): _ID_CENTURY_SEX,
    ("rows.verified_id", "id_year"): _ID_YEAR,
    ("rows.record", "not_found"): N_("No active child with this record id in your area."),
    ("rows.record", "malformed"): N_("Not a record id of the exported list."),
    ("rows.record", "duplicate"): N_("This record is already on an earlier row."),
    ("rows.result", "unknown_code"): N_("Write Đã cấp, Đã sửa or Không tìm thấy."),
    ("file", "malformed"): N_(
        "Not the list exported for the police: no heading row with Mã hồ sơ, Kết quả xác minh and "
        "Số định danh đã xác minh."
    ),
    ("verified_by", "required"): N_("Name the police officer or unit who verified the list."),
    ("problem", "unknown_code"): N_("Choose all, no_id, id_mismatch or missing_info."),
    ("sex", "invalid"): N_("Write Nam or Nữ."),
    ("groups", "unknown_code"): N_("Not an Art. 10 group: write its letter (a to o) or its name."),
    ("hamlet", "required"): N_("Give the hamlet (thôn, tổ dân phố)."),
    ("data", "unsupported_type"): N_(
        "Not an XLSX workbook or a CSV file (an old .xls file: save it as .xlsx)."
    ),
    ("data", "too_large"): N_("The file is larger than 20 MB."),
    ("data", "too_many_rows"): N_("The file has more than 200,000 rows."),
    ("data", "too_many"): N_("The file has more than 60 columns."),
    ("data", "no_headings"): N_("No heading row found (Họ và tên, Ngày sinh, ...)."),
    ("data", "encoding"): N_("Not UTF-8 or Windows-1258 text."),
    ("mapping", "unknown_code"): N_("Not a field of the import."),
    ("duplicates", "required"): N_("Decide on the suspected duplicates: skip them or import them."),
    ("user_ids", "required"): N_("Choose at least one person."),
    ("user_ids", "unknown"): N_("No such account in your area."),
    ("user_ids", "inactive"): N_("This account is deactivated."),
    ("user_ids", "out_of_unit"): N_("This person does not work under the unit that held the training."),
    ("user_ids", "not_collaborator"): N_("A commune's training is for its collaborators."),
    ("unit_id", "not_commune"): N_("Briefings are held by a commune or ward."),
    ("entries", "required"): N_("Mark at least one collaborator present or absent."),
    ("entries", "not_held"): N_("The briefing has not taken place yet: record who attended afterwards."),
    ("entries.user_id", "unknown"): N_("Not an active collaborator of the commune."),
    ("entries.user_id", "duplicate"): N_("Given twice."),
    ("entries.absence_reason", "required"): N_("Give the reason for the absence."),
    ("entries.absence_reason", "present"): N_("Leave the reason empty for someone present."),
    ("held_on", "future"): N_("Attendance is recorded: the date cannot move to the future."),
    ("due_on", "out_of_range"): N_("Must be a date from 2000 to five years ahead."),
    ("status", "unknown"): N_("Choose a status from the list."),
    ("held_on", "invalid"): N_("Must be a date from 2000 to the end of next year."),
    ("commune_id", "required"): N_("Choose the commune."),
    ("year", "out_of_range"): N_("Not a year for which trainings are kept."),
    ("user_id", "no_account"): N_("No active account: choose another person."),
    ("plan", "required"): N_("Write the support plan first, then submit it."),
    ("unit_ids", "required"): N_("Tick at least one unit to inspect."),
    ("unit_ids", "outside"): N_("Must be a district or commune below your unit."),
    ("unit_ids", "unknown"): N_("No such unit."),
    ("team", "outside"): N_("Must be an officer of your unit or of a unit below it."),
    ("team", "unknown"): N_("No such account."),
    ("period_start", "required"): N_("Choose the first month."),
    ("period_end", "required"): N_("Choose the last month."),
    ("period_end", "invalid"): N_("Before the first month."),
    ("number", "taken"): N_("A plan with this number is already recorded for this unit and year."),
    ("name", "taken"): N_("Already kept for this unit."),
    ("owner_unit_id", "required"): N_("Choose the unit in charge, or write the office in charge."),
    ("owner_unit_id", "outside"): N_("Must be the plan's unit or a unit below it."),
    ("progress", "invalid"): N_("An activity done is 100% done."),
    ("held_on", "range"): N_("Before the decision establishing the committee."),
    ("left_on", "range"): N_("Before the decision establishing the committee."),
    ("ended_on", "range"): N_("Before the decision establishing the committee."),
    ("attended", "unknown"): N_("Not a member of the committee on that day."),
    ("unit_id", "level"): N_(
        "Does not fit this unit's level: a department is kept under a province, a People's Committee under a "
        "district or commune."
    ),
    ("addressee_id", "outside"): N_("Not an addressee of this inspection's area."),
    ("addressee_id", "choose_one"): N_("Choose either a unit or an addressee, not both."),
    ("period_end", "range"): N_("Before the first month."),
    ("visit_to", "invalid"): N_("Before the first day of the visit."),
    ("visit_from", "out_of_range"): N_("Must be from 2000 to the end of next year."),
    ("visit_to", "out_of_range"): N_("Must be from 2000 to the end of next year."),
    ("period", "required"): N_("Choose a period."),
    ("definition", "required"): N_("Choose a report."),
    ("definition", "unknown"): N_(
        "Choose a kind of report from the list: month, quarter, six months or year."
    ),
    ("pick", "required"): N_("Tick at least one submitted report."),
    ("pct", "required"): N_("Type at least one percentage."),
    ("year", "invalid"): N_("Must be a year from 2000 to 2100."),
    ("period", "invalid"): N_(
        "Not a period of this report: a month is written 2026-10, a quarter 2026-Q3, a half year 2026-H2, "
        "a year 2026; it must not be in the future."
    ),
    ("indicator", "unknown"): N_("Not an indicator of this report: choose one from the list."),
    ("structure", "invalid"): N_("Choose today's units or the units as they were at the end of the period."),
    ("unit_id", "out_of_scope"): N_("Not a unit of your area."),
    ("signed_on", "required"): N_("Give the day the warning sign was put up."),
    ("fenced_on", "required"): N_("Give the day the fence or cover was put up."),
    ("children_girls", "exceeds"): N_("More than the children in care."),
    ("children_disabled", "exceeds"): N_("More than the children in care."),
    ("facility_ids", "outside"): N_("Must be a facility managed by your unit or a unit below it."),
    ("facility_ids", "unknown"): N_("No such facility in your area."),
    ("facility_ids", "closed"): N_("This facility is closed."),
}

_INDEX = re.compile(r"\[\d+\]")


def form_field(service_field: str) -> str:
    """The form input a service field belongs to: ``guardians[0].phone`` -> ``guardian_phone``."""
    base = _INDEX.sub("", service_field)
    if base.startswith("guardians."):
        return "guardian_" + base.split(".", 1)[1].replace("full_name", "name")
    if base.startswith("groups."):
        return "group_since" if base.endswith((".since", ".until")) else "group"
    return base


PARAM_CODES = {"date_form": "bad_date", "no_such_day": "bad_date"}
"""Codes whose message takes ``params`` (the field's name, the form, an example), each with the code
said instead when the params are missing."""


def error_message(field: str, code: str, lang: str, /, **params: str) -> str:
    """The message of a field error: the field's own for the code, else the code's, else "not valid"."""
    if code in PARAM_CODES and not {"field", "form", "example"} <= params.keys():
        code, params = PARAM_CODES[code], {}
    marked = FIELD_ERRORS.get((field, code)) or ERRORS.get(code) or ERRORS["invalid"]
    return translate(lang, marked, **params) if code in PARAM_CODES else translate(lang, marked)
