"""The child form: read the posted text into the registry's schemas, and a record back into the form.

Only format problems are found here (a date that is not dd/mm/yyyy, an empty required field), by
``portal.web.form_input.read_form``; every rule about meaning is the registry service's, whose
``FieldError``s are shown the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from infra.errors import FieldError
from portal.locale import N_, translate
from portal.registry.models import Child
from portal.registry.national_id import ID_PROVINCES
from portal.registry.schemas import ChildCreate, ChildPatch, GuardianIn, PeriodIn
from portal.registry.serialize import snapshot
from portal.web.form_input import read_form
from portal.web.i18n import fmt_date

INPUTS = (
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "hamlet_id",
    "national_id",
    "birth_province_code",
    "birth_registered",
    "address",
    "school_status",
    "notes",
)
"""The fields of ``ChildCreate`` the form has an input for (lists are read apart)."""
TEXT_FIELDS = (
    "full_name",
    "ethnicity",
    "national_id",
    "birth_province_code",
    "address",
    "school_status",
    "notes",
    "sex",
)
GROUP_ROWS = 6  # the edit form's rows per list of periods: the record's, then blank ones
GROUP_PARTS = ("code", "since", "until", "subgroup", "note")
PERIOD_LISTS = {"gp": "groups", "rk": "at_risk", "sp": "supports"}
"""The edit form's prefix of each list of periods (special-circumstance groups, risks, supports)."""
GROUP_FIELDS = tuple(
    f"{pre}_{i}_{part}" for pre in PERIOD_LISTS for i in range(GROUP_ROWS) for part in GROUP_PARTS
)
FORM_FIELDS = (
    *TEXT_FIELDS,
    *GROUP_FIELDS,
    "date_of_birth",
    "birth_registered",
    "status",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "group",
    "group_since",
    "hamlet_id",
    "not_duplicate_of",
)


def birth_province_options(lang: str) -> list[tuple[str, str]]:
    """The 63 codes of the personal id (Circular 07/2016/TT-BCA), each with the 2025 province it is in."""
    now_in = translate(lang, N_("now in %(province)s"))
    out = []
    for code, p in ID_PROVINCES.items():
        text = f"{code} · {p.name}"
        if p.province_2025_name != p.name:
            text += " (" + now_in.replace("%(province)s", p.province_2025_name) + ")"
        out.append((code, text))
    return out


def values_of(form: Mapping[str, Any]) -> dict[str, str]:
    """The posted values as text, to put back into the form when it is shown again."""
    out = {name: str(form.get(name) or "").strip() for name in FORM_FIELDS}
    out["birth_registered"] = "on" if form.get("birth_registered") else ""
    return out


def blank_values(hamlet_id: int | None) -> dict[str, str]:
    values = dict.fromkeys(FORM_FIELDS, "")
    values.update(ethnicity="Kinh", school_status="unknown", birth_registered="on", status="active")
    values["guardian_relationship"] = "mother"
    values["hamlet_id"] = str(hamlet_id or "")
    return values


def record_values(child: Child) -> dict[str, str]:
    guardian = child.guardians[0] if child.guardians else None
    values = {f: str(getattr(child, f) or "") for f in TEXT_FIELDS}
    values.update(
        date_of_birth=fmt_date(child.date_of_birth),
        birth_registered="on" if child.birth_registered else "",
        status=child.status,
        guardian_name=guardian.full_name if guardian else "",
        guardian_relationship=guardian.relationship if guardian else "mother",
        guardian_phone=(guardian.phone or "") if guardian else "",
        group="",
        group_since="",
        hamlet_id=str(child.hamlet_id),
    )
    values.update(dict.fromkeys(GROUP_FIELDS, ""))
    current = snapshot(child)
    for pre, name in PERIOD_LISTS.items():
        for i, period in enumerate(current[name][:GROUP_ROWS]):
            until = period["until"]
            values[f"{pre}_{i}_code"] = period["code"]
            values[f"{pre}_{i}_since"] = fmt_date(date.fromisoformat(period["since"]))
            values[f"{pre}_{i}_until"] = fmt_date(date.fromisoformat(until)) if until else ""
            values[f"{pre}_{i}_subgroup"] = period["subgroup"] or ""
            values[f"{pre}_{i}_note"] = period["note"] or ""
    return values


def edited_periods(values: dict[str, str], errors: list[FieldError], pre: str) -> list[PeriodIn]:
    """The edit form's rows of one list (prefix ``pre``) with a code chosen (a row emptied of its code is
    removed); a row's end date ends the period. Subgroup and note ride along unseen."""
    periods = []
    for i in range(GROUP_ROWS):
        if not values.get(f"{pre}_{i}_code"):
            continue
        given = {k: values.get(f"{pre}_{i}_{k}") or None for k in ("subgroup", "note")}
        inputs = ("code", "since", "until")
        period = read_form(values, PeriodIn, errors, f"{pre}_{i}_", inputs=inputs, given=given)
        if period is not None:
            periods.append(period)
    return periods


def _as_snapshot(period: PeriodIn) -> dict[str, Any]:
    return {
        "code": period.code,
        "subgroup": period.subgroup,
        "since": period.since.isoformat(),
        "until": period.until.isoformat() if period.until else None,
        "note": period.note,
    }


def _guardians(values: dict[str, str], errors: list[FieldError]) -> list[GuardianIn]:
    """The first guardian of the form (name, relationship, phone), if any of it is filled."""
    if not (values["guardian_name"] or values["guardian_phone"]):
        return []
    form = {"full_name": values["guardian_name"], "phone": values["guardian_phone"]}
    given = {"relationship": values["guardian_relationship"] or "other"}
    guardian = read_form(
        form, GuardianIn, errors, inputs=("full_name", "phone"), given=given, field_prefix="guardians[0]."
    )
    return [guardian] if guardian is not None else []


def _groups(values: dict[str, str], errors: list[FieldError], today: date) -> list[PeriodIn]:
    """The special-circumstance group chosen, since the day given (default today)."""
    if not values["group"]:
        return []
    given: dict[str, Any] = {"code": values["group"]}
    if not values["group_since"]:
        given["since"] = today
    period = read_form(values, PeriodIn, errors, "group_", inputs=("since",), given=given)
    return [period] if period is not None else []


def confirmed_distinct(values: dict[str, str]) -> list[uuid.UUID]:
    """The records the user confirmed as a different child ("not_duplicate_of": the suspects' ids the
    form showed, comma-joined, sent only when the box is ticked); anything else in it is ignored."""
    ids = []
    for part in values.get("not_duplicate_of", "").split(","):
        try:
            ids.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return ids


def create_from(values: dict[str, str], today: date) -> tuple[ChildCreate | None, list[FieldError]]:
    errors: list[FieldError] = []
    parts: dict[str, Any] = {
        "groups": _groups(values, errors, today),
        "guardians": _guardians(values, errors),
    }
    parts["not_duplicate_of"] = confirmed_distinct(values)
    body = read_form(values, ChildCreate, errors, inputs=INPUTS, given=parts)
    return (None, errors) if errors or body is None else (body, [])


def patch_from(
    values: dict[str, str], child: Child, version: int
) -> tuple[ChildPatch | None, list[FieldError]]:
    """Only the fields that differ from the record (an unchanged field is not validated again)."""
    errors: list[FieldError] = []
    guardians = _guardians(values, errors)
    lists = {name: edited_periods(values, errors, pre) for pre, name in PERIOD_LISTS.items()}
    read = read_form(values, ChildCreate, errors, inputs=INPUTS, given={"hamlet_id": child.hamlet_id})
    if values["status"] not in ("active", "moved_away", "deceased"):
        errors.append(FieldError("status", "unknown status", "invalid"))
    if errors or read is None:
        return None, errors
    wanted: dict[str, Any] = {f: getattr(read, f) for f in INPUTS if f != "hamlet_id"}
    wanted["status"] = values["status"]
    current = snapshot(child)
    changed = {k: v for k, v in wanted.items() if (v.isoformat() if isinstance(v, date) else v) != current[k]}
    kept = [
        GuardianIn(
            full_name=g["full_name"],
            relationship=g["relationship"],
            phone=g["phone"],
            lives_with_child=g["lives_with_child"],
        )
        for g in current["guardians"][1:]
    ]
    first = current["guardians"][:1]
    if guardians and first:
        guardians[0].lives_with_child = first[0]["lives_with_child"]
    new_first = [
        {
            "full_name": g.full_name,
            "relationship": g.relationship,
            "phone": g.phone,
            "lives_with_child": g.lives_with_child,
        }
        for g in guardians
    ]
    if new_first != first and (guardians or first):
        changed["guardians"] = guardians + kept
    for name, periods in lists.items():
        as_sent = sorted((_as_snapshot(p) for p in periods), key=lambda p: (p["code"], p["since"]))
        if as_sent != current[name]:
            changed[name] = periods
    confirmed = confirmed_distinct(values)
    if confirmed:
        changed["not_duplicate_of"] = confirmed
    return ChildPatch(**changed, version=version), []
