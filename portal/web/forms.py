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

import msgspec

from infra.errors import FieldError
from portal.locale import N_, translate
from portal.registry.models import Child
from portal.registry.national_id import ID_PROVINCES
from portal.registry.schemas import ChildCreate, ChildPatch, GuardianIn, PeriodIn
from portal.registry.serialize import snapshot
from portal.registry.validation import MAX_GUARDIANS
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
    "household_code",
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
    "household_code",
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
GUARDIAN_ROWS = 3  # the rows the forms show at least: the record's guardians, then blank ones
GUARDIAN_INPUTS = ("full_name", "relationship", "phone", "lives_with_child")
GUARDIAN_BOXES = tuple(
    f"gd_{i}_{box}" for i in range(MAX_GUARDIANS) for box in ("lives_with_child", "remove")
)
GUARDIAN_FIELDS = tuple(f"gd_{i}_{part}" for i in range(MAX_GUARDIANS) for part in GUARDIAN_INPUTS[:3])
"""A guardian's row ``gd_<i>_``: name, relationship, phone, and the boxes "lives with the child" and (on
the edit form) "remove"; a row with neither name, relationship nor phone is empty and ignored."""
FORM_FIELDS = (
    *TEXT_FIELDS,
    *GROUP_FIELDS,
    *GUARDIAN_FIELDS,
    "date_of_birth",
    "birth_registered",
    "status",
    "group",
    "group_since",
    "hamlet_id",
    "not_duplicate_of",
)
Inputs = dict[str, str]
"""The form input of each service field of a row (``guardians[0].phone`` -> ``gd_2_phone``), for
``portal.web.i18n.field_errors``: a posted form reads as (request struct or None, problems, Inputs)."""


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
    for box in ("birth_registered", *GUARDIAN_BOXES):
        out[box] = "on" if form.get(box) else ""
    return out


def _blank_guardians() -> dict[str, str]:
    """Empty guardian rows; "lives with the child" ticked, as a guardian recorded without it is."""
    values = dict.fromkeys(GUARDIAN_FIELDS + GUARDIAN_BOXES, "")
    values.update({f"gd_{i}_lives_with_child": "on" for i in range(MAX_GUARDIANS)})
    return values


def blank_values(hamlet_id: int | None) -> dict[str, str]:
    values = dict.fromkeys(FORM_FIELDS, "")
    values.update(ethnicity="Kinh", school_status="unknown", birth_registered="on", status="active")
    values.update(_blank_guardians())
    values["hamlet_id"] = str(hamlet_id or "")
    return values


def guardian_rows(values: dict[str, str]) -> range:
    """The guardian rows a form shows: every filled one and at least one blank (``GUARDIAN_ROWS`` at
    least, ``MAX_GUARDIANS`` at most)."""
    filled = [i for i in range(MAX_GUARDIANS) if _filled(values, f"gd_{i}_")]
    return range(min(MAX_GUARDIANS, max(GUARDIAN_ROWS, filled[-1] + 2 if filled else 0)))


def record_values(child: Child) -> dict[str, str]:
    values = {f: str(getattr(child, f) or "") for f in TEXT_FIELDS}
    values.update(
        date_of_birth=fmt_date(child.date_of_birth),
        birth_registered="on" if child.birth_registered else "",
        status=child.status,
        group="",
        group_since="",
        hamlet_id=str(child.hamlet_id),
    )
    values.update(_blank_guardians())
    for i, guardian in enumerate(child.guardians[:MAX_GUARDIANS]):
        values[f"gd_{i}_full_name"] = guardian.full_name
        values[f"gd_{i}_relationship"] = guardian.relationship
        values[f"gd_{i}_phone"] = guardian.phone or ""
        values[f"gd_{i}_lives_with_child"] = "on" if guardian.lives_with_child else ""
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


def edited_periods(
    values: dict[str, str], errors: list[FieldError], pre: str, inputs: Inputs
) -> list[PeriodIn]:
    """The edit form's rows of one list (prefix ``pre``) with a code chosen (a row emptied of its code is
    removed); a row's end date ends the period. Subgroup and note ride along unseen. ``inputs`` learns
    the row of each period sent (the service names them ``groups[0]``...)."""
    periods: list[PeriodIn] = []
    rows = [i for i in range(GROUP_ROWS) if values.get(f"{pre}_{i}_code")]
    for sent, i in enumerate(rows):
        where = f"{PERIOD_LISTS[pre]}[{sent}]"
        inputs[where] = f"{pre}_{i}_code"
        inputs.update({f"{where}.{part}": f"{pre}_{i}_{part}" for part in GROUP_PARTS})
        given = {k: values.get(f"{pre}_{i}_{k}") or None for k in ("subgroup", "note")}
        read = ("code", "since", "until")
        period = read_form(values, PeriodIn, errors, f"{pre}_{i}_", inputs=read, given=given)
        if period is not None:
            periods.append(period)
    return periods


def _filled(values: dict[str, str], pre: str) -> bool:
    return any(values.get(pre + part) for part in GUARDIAN_INPUTS[:3])


def edited_guardians(values: dict[str, str], errors: list[FieldError], inputs: Inputs) -> list[GuardianIn]:
    """The guardian rows that are filled and not ticked "remove", in their order (the whole list: the
    service replaces the record's). ``inputs`` learns the row of each guardian sent (``guardians[0]``...);
    a row's problems are named as the service names them, so both show beside the row's inputs."""
    guardians: list[GuardianIn] = []
    kept = [f"gd_{i}_" for i in range(MAX_GUARDIANS)]
    kept = [pre for pre in kept if _filled(values, pre) and not values.get(pre + "remove")]
    for sent, pre in enumerate(kept):
        where = f"guardians[{sent}]"
        inputs.update({f"{where}.{part}": pre + part for part in GUARDIAN_INPUTS})
        guardian = read_form(values, GuardianIn, errors, pre, field_prefix=where + ".")
        if guardian is not None:
            guardians.append(guardian)
    return guardians


def _as_snapshot(period: PeriodIn) -> dict[str, Any]:
    return {
        "code": period.code,
        "subgroup": period.subgroup,
        "since": period.since.isoformat(),
        "until": period.until.isoformat() if period.until else None,
        "note": period.note,
    }


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


def create_from(values: dict[str, str], today: date) -> tuple[ChildCreate | None, list[FieldError], Inputs]:
    errors: list[FieldError] = []
    inputs: Inputs = {}
    parts: dict[str, Any] = {
        "groups": _groups(values, errors, today),
        "guardians": edited_guardians(values, errors, inputs),
    }
    parts["not_duplicate_of"] = confirmed_distinct(values)
    body = read_form(values, ChildCreate, errors, inputs=INPUTS, given=parts)
    return (None, errors, inputs) if errors or body is None else (body, [], inputs)


def patch_from(
    values: dict[str, str], child: Child, version: int
) -> tuple[ChildPatch | None, list[FieldError], Inputs]:
    """Only the fields that differ from the record (an unchanged field is not validated again); the
    guardians, when any differs, as the whole list the rows now hold."""
    errors: list[FieldError] = []
    inputs: Inputs = {}
    guardians = edited_guardians(values, errors, inputs)
    lists = {name: edited_periods(values, errors, pre, inputs) for pre, name in PERIOD_LISTS.items()}
    read = read_form(values, ChildCreate, errors, inputs=INPUTS, given={"hamlet_id": child.hamlet_id})
    if values["status"] not in ("active", "moved_away", "deceased"):
        errors.append(FieldError("status", "unknown status", "invalid"))
    if errors or read is None:
        return None, errors, inputs
    wanted: dict[str, Any] = {f: getattr(read, f) for f in INPUTS if f != "hamlet_id"}
    wanted["status"] = values["status"]
    current = snapshot(child)
    changed = {k: v for k, v in wanted.items() if (v.isoformat() if isinstance(v, date) else v) != current[k]}
    if [msgspec.structs.asdict(g) for g in guardians] != current["guardians"]:
        changed["guardians"] = guardians
    for name, periods in lists.items():
        as_sent = sorted((_as_snapshot(p) for p in periods), key=lambda p: (p["code"], p["since"]))
        if as_sent != current[name]:
            changed[name] = periods
    confirmed = confirmed_distinct(values)
    if confirmed:
        changed["not_duplicate_of"] = confirmed
    return ChildPatch(**changed, version=version), [], inputs
