"""The move forms of the pages: reading the move-out form into ``MoveOutIn`` (the destination given by
the commune's code or a part of its name, chosen from the communes found) and what the child page
shows of a child's move.

Only format problems and the destination's lookup are found here; every rule about the move is the
service's (``portal.registry.moves``), whose ``FieldError``s are shown the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.clock import today
from infra.errors import FieldError
from portal.registry.models import Child
from portal.registry.move_views import decisions_for, find_communes, may_move, open_move_of, province_of
from portal.registry.schemas import MoveOutIn
from portal.web.form_input import read_form
from portal.web.i18n import fmt_date

FIELDS = ("moved_on", "destination", "to_unit_id", "unknown", "destination_note", "reason")


@dataclass
class MoveForm:
    """The move-out form as shown: its values, its problems by input, the communes to choose from."""

    values: dict[str, str]
    errors: list[FieldError] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    message: str | None = None  # a message key about the move (portal.web.i18n.MESSAGES)


def blank() -> MoveForm:
    values = dict.fromkeys(FIELDS, "")
    values["moved_on"] = fmt_date(today())
    return MoveForm(values)


def read(db: Session, form: Mapping[str, Any]) -> tuple[MoveOutIn | None, MoveForm]:
    """The move-out request, or None with the form to show again (problems, or communes to choose)."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    shown = MoveForm(values)
    to_unit_id: int | None = None
    if values["unknown"]:
        values["destination"] = values["to_unit_id"] = ""
    elif values["to_unit_id"].isdigit():
        to_unit_id = int(values["to_unit_id"])
    elif not values["destination"]:
        shown.errors.append(FieldError("destination", "give the commune's code or name", "required"))
    else:
        found = find_communes(db, values["destination"])
        provinces = province_of(db, found)
        if not found:
            shown.errors.append(FieldError("destination", "no commune in force matches", "not_found"))
        elif len(found) == 1 and found[0].code == values["destination"]:
            to_unit_id = found[0].id
        else:  # a name: the officer picks the commune among those found
            shown.choices = [
                (str(u.id), f"{u.name} ({u.code}), {provinces.get(u.id, '')}".rstrip(", ")) for u in found
            ]
    body = read_form(
        values,
        MoveOutIn,
        shown.errors,
        inputs=("moved_on", "destination_note", "reason"),
        given={"to_unit_id": to_unit_id},
    )
    if shown.errors or shown.choices or body is None:
        return None, shown
    return body, shown


def child_context(db: Session, caller: Caller, child: Child, form: MoveForm | None = None) -> dict[str, Any]:
    """What child.html shows of moves: the open move with the caller's decisions on it, or the form."""
    move = open_move_of(db, caller, child.id)
    return {
        "move": move,
        "move_decisions": decisions_for(caller, move) if move else [],
        "may_move": move is None and child.status == "active" and may_move(caller),
        "move_form": form or blank(),
    }
