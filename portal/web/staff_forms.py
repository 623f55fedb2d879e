"""The account page's choices and words: where an account may be moved (the units offered), the
changes a posted form asks for, and why the service refused one, in the reader's language.

The service (``portal.staff.service``, ``portal.staff.access.check_grant``) decides every change; the
choices offered here only spare the reader forms that would be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from authz.caller import Caller
from infra.errors import Forbidden
from portal.auth.models import User
from portal.staff.ranks import LEVEL_OF_ROLE, outranks
from portal.web.i18n import label, message
from tenancy.models import Unit
from tenancy.service import child_units, get_unit, natural_key, units_below

AREA_LEVELS = ("district", "commune")


@dataclass(frozen=True)
class Placement:
    """The units offered on the move form (``units``), inside the area chosen (``within``) among those
    the caller manages (``areas``: their unit and the districts and communes below it)."""

    areas: list[tuple[str, str]]
    within: Unit | None
    units: list[Unit]


def _order(unit: Unit) -> tuple[int, tuple[tuple[int, int | str], ...]]:
    return unit.depth, natural_key(unit.name)


def _open(unit: Unit) -> bool:
    return unit.valid_to is None


def _units_in(db: Session, within: Unit, levels: set[str | None]) -> list[Unit]:
    """``within`` and the units below it at ``levels``; hamlets only those of a commune chosen."""
    found = [within] if within.level in levels and _open(within) else []
    for level in AREA_LEVELS:
        if level in levels and level != within.level:
            found += units_below(db, within, level, current=True)
    if within.level == "commune" and "hamlet" in levels:
        found += [u for u in child_units(db, within.id) if u.level == "hamlet" and _open(u)]
    return sorted(found, key=_order)


def placement(db: Session, caller: Caller, roles: list[str], unit: Unit | None, chosen: str) -> Placement:
    """The move form's units: those fitting a role the caller grants, inside the area ``chosen`` (an
    id from ``?within=``), by default the one holding the account's unit."""
    levels: set[str | None] = {LEVEL_OF_ROLE[r] for r in roles}
    home = caller.unit
    areas: list[Unit] = []
    if home is not None:
        below = [u for level in AREA_LEVELS for u in units_below(db, home, level, current=True)]
        areas = [home] + sorted((u for u in below if u.id != home.id), key=_order)
    parent = get_unit(db, unit.parent_id) if unit is not None and unit.parent_id is not None else None
    by_id = {str(a.id): a for a in areas}
    within = by_id.get(chosen.strip())
    if within is None:
        within = by_id.get(str(parent.id)) if parent is not None else None
    if within is None:
        within = home if home is not None else parent
    units = _units_in(db, within, levels) if within is not None else []
    if unit is not None and unit.level in levels and all(u.id != unit.id for u in units):
        units.insert(0, unit)
    return Placement(areas=[(str(a.id), a.name) for a in areas], within=within, units=units)


def changed(wanted: dict[str, Any], user: User) -> dict[str, Any]:
    """The fields of ``wanted`` that differ from the account's (a page sends only those)."""
    return {k: v for k, v in wanted.items() if v != getattr(user, k)}


def who(user: User) -> str:
    return f"{user.full_name} ({user.username})"


def refusal(db: Session, caller: Caller, exc: Forbidden, lang: str) -> str:
    """Why the service refused a change, in words: a role not below the caller's, a unit outside
    their area, the contact address of an account that reads more than they do, their own account."""
    ctx = exc.context
    role = ctx.get("role")
    if ctx.get("action") == "update_contact":
        return message("refused_contact", lang)
    if isinstance(role, str) and not outranks(caller.role, role):
        return message(
            "refused_role", lang, role=label("role", role, lang), own=label("role", caller.role, lang)
        )
    unit_id = ctx.get("unit_id")
    if isinstance(role, str) and isinstance(unit_id, int):
        unit = get_unit(db, unit_id)
        return message("refused_unit", lang, unit=unit.name if unit else str(unit_id))
    if ctx.get("resource_ids") == [caller.user_id]:
        return message("refused_self", lang)
    return message("refused", lang)
