"""The child form: read the posted text into the registry's schemas, and a record back into the form.

Only format problems are found here (a date that is not dd/mm/yyyy, an empty required field); every
rule about meaning is the registry service's, whose ``FieldError``s are shown the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from infra.errors import FieldError
from portal.registry.models import Child
from portal.registry.schemas import ChildCreate, ChildPatch, GuardianIn, PeriodIn
from portal.registry.serialize import snapshot
from portal.web.i18n import fmt_date, parse_date

TEXT_FIELDS = ("full_name", "ethnicity", "national_id", "address", "school_status", "notes", "sex")
FORM_FIELDS = (
    *TEXT_FIELDS,
    "date_of_birth",
    "birth_registered",
    "status",
    "guardian_name",
    "guardian_relationship",
    "guardian_phone",
    "group",
    "group_since",
    "hamlet_id",
)


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
    return values


def _date(values: dict[str, str], name: str, errors: list[FieldError], required: bool) -> date | None:
    text = values[name]
    if not text:
        if required:
            errors.append(FieldError(name, "is required", "required"))
        return None
    found = parse_date(text)
    if found is None:
        errors.append(FieldError(name, "is not a dd/mm/yyyy date", "bad_date"))
    return found


def _common(values: dict[str, str], errors: list[FieldError]) -> tuple[date | None, list[GuardianIn]]:
    for name in ("full_name", "sex"):
        if not values[name]:
            errors.append(FieldError(name, "is required", "required"))
    born = _date(values, "date_of_birth", errors, required=True)
    guardians = []
    if values["guardian_name"]:
        guardians.append(
            GuardianIn(
                full_name=values["guardian_name"],
                relationship=values["guardian_relationship"] or "other",
                phone=values["guardian_phone"] or None,
            )
        )
    elif values["guardian_phone"]:
        errors.append(FieldError("guardians[0].full_name", "is required", "required"))
    return born, guardians


def _groups(values: dict[str, str], errors: list[FieldError], today: date) -> list[PeriodIn]:
    since = _date(values, "group_since", errors, required=False)
    if not values["group"]:
        return []
    return [PeriodIn(code=values["group"], since=since or today)]


def create_from(values: dict[str, str], today: date) -> tuple[ChildCreate | None, list[FieldError]]:
    errors: list[FieldError] = []
    born, guardians = _common(values, errors)
    groups = _groups(values, errors, today)
    hamlet = values["hamlet_id"]
    if not hamlet.isdigit():
        errors.append(FieldError("hamlet_id", "is required", "required"))
    if errors or born is None:
        return None, errors
    return (
        ChildCreate(
            full_name=values["full_name"],
            date_of_birth=born,
            sex=values["sex"],
            ethnicity=values["ethnicity"],
            hamlet_id=int(hamlet),
            national_id=values["national_id"] or None,
            birth_registered=bool(values["birth_registered"]),
            address=values["address"] or None,
            school_status=values["school_status"] or "unknown",
            notes=values["notes"] or None,
            groups=groups,
            guardians=guardians,
        ),
        [],
    )


def patch_from(
    values: dict[str, str], child: Child, version: int
) -> tuple[ChildPatch | None, list[FieldError]]:
    """Only the fields that differ from the record (an unchanged field is not validated again)."""
    errors: list[FieldError] = []
    born, guardians = _common(values, errors)
    if values["status"] not in ("active", "moved_away", "deceased"):
        errors.append(FieldError("status", "unknown status", "invalid"))
    if errors or born is None:
        return None, errors
    current = snapshot(child)
    wanted: dict[str, Any] = {
        "full_name": values["full_name"],
        "date_of_birth": born,
        "sex": values["sex"],
        "ethnicity": values["ethnicity"],
        "national_id": values["national_id"] or None,
        "birth_registered": bool(values["birth_registered"]),
        "address": values["address"] or None,
        "school_status": values["school_status"] or "unknown",
        "status": values["status"],
        "notes": values["notes"] or None,
    }
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
    return ChildPatch(**changed, version=version), []
