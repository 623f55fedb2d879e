"""The training pages' inputs: the year filter, the chosen attendees, a course as form values, the
accounts offered as attendees, and the attendance form's problems said per person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import FieldError
from portal.auth.models import User
from portal.staff import service
from portal.staff.models import TrainingCourse
from portal.staff.responses import Attendee
from portal.staff.schemas import StaffFilter
from portal.web.i18n import error_message, fmt_date
from tenancy.models import Unit
from tenancy.service import natural_key, units_below

CANDIDATES = 100
"""Accounts offered at once on the attendance form; a commune or a name narrows the list."""


def year_filter(text: str, errors: list[FieldError]) -> int | None:
    """The list's ``?year=`` (blank: every year); not a year adds a problem named ``year``."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) != 4:
        errors.append(FieldError("year", "is not a year", "invalid"))
        return None
    return int(text)


def chosen_ids(raw: Any, errors: list[FieldError]) -> list[int]:
    """The ticked attendees (``user_ids``, one value per box), in the order sent, each once."""
    values = raw if isinstance(raw, list) else [] if raw is None else [raw]
    ids: list[int] = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or len(text) > 18:
            errors.append(FieldError("user_ids", "is not an account id", "invalid"))
            continue
        if int(text) not in ids:
            ids.append(int(text))
    return ids


def course_values(course: TrainingCourse) -> dict[str, str]:
    return {
        "title": course.title,
        "held_on": fmt_date(course.held_on),
        "place": course.place or "",
        "topic": course.topic or "",
    }


@dataclass(frozen=True)
class Candidates:
    """The accounts offered on the attendance form (not yet recorded), and how they were narrowed."""

    items: list[tuple[User, Unit | None]]
    total: int
    areas: list[tuple[str, str]]
    area: str
    q: str


def candidates(
    db: Session, caller: Caller, request: Request[Any, Any, Any], unit: Unit, attendance: list[Attendee]
) -> Candidates:
    """Active accounts the caller manages working under the course's ``unit`` (``?area=`` a commune
    below it, ``?q=`` part of a name or username), those already recorded left out."""
    areas = sorted(units_below(db, unit, "commune", current=True), key=lambda u: natural_key(u.name))
    area = request.query_params.get("area", "").strip()
    within = next((u for u in areas if str(u.id) == area), None)
    q = request.query_params.get("q", "").strip()[:100]
    found = service.list_accounts(
        db,
        caller,
        StaffFilter(
            unit_id=(within or unit).id,
            role="collaborator" if unit.level == "commune" else None,  # a commune trains its collaborators
            active=True,
            q=q or None,
            page_size=CANDIDATES,
        ),
    )
    recorded = {a.user_id for a in attendance}
    items = [(u, n) for u, n in found.items if u.id not in recorded]
    return Candidates(
        items=items,
        total=found.total,
        areas=[(str(u.id), u.name) for u in areas],
        area=str(within.id) if within else "",
        q=q,
    )


def attendance_form(errors: list[FieldError], values: dict[str, str], lang: str) -> list[tuple[str, str]]:
    """Each problem of a posted attendance as (the account's id, or "" for the form, the message):
    the service names the i-th id sent ``user_ids[i]``."""
    sent = [int(i) for i in values.get("user_ids", "").split(",") if i]
    out = []
    for error in errors:
        index = error.field.removeprefix("user_ids[").removesuffix("]")
        who = str(sent[int(index)]) if index.isdigit() and int(index) < len(sent) else ""
        out.append((who, error_message("user_ids", error.code, lang)))
    return out
