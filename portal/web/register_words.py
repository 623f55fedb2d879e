"""The registers' codes in the reader's words (kinds, list filters, history actions), and what a register
page says happened (``?done=``)."""

from __future__ import annotations

from collections.abc import Mapping

from infra.errors import FieldError
from portal.locale import N_, Msg, translate
from portal.registers.schemas import RegisterFilter

WATER_KIND: dict[str, Msg] = {
    "pond": N_("Pond"),
    "lake": N_("Lake or reservoir"),
    "river": N_("River or stream"),
    "canal": N_("Canal or ditch"),
    "well": N_("Well"),
    "pit": N_("Construction or mining pit"),
    "sea": N_("Sea or beach"),
    "other": N_("Other"),
}
FACILITY_KIND: dict[str, Msg] = {
    "public": N_("Public social protection facility"),
    "non_public": N_("Non-public social protection facility"),
    "counselling": N_("Counselling and support centre"),
    "shelter": N_("Shelter or safe house"),
    "other": N_("Other"),
}
WATER_STATUS: dict[str, Msg] = {
    "open": N_("In place"),
    "unsigned": N_("No warning sign"),
    "unfenced": N_("No fence or cover"),
    "removed": N_("Filled in or gone"),
    "all": N_("All"),
}
FACILITY_STATUS: dict[str, Msg] = {"open": N_("Operating"), "closed": N_("Closed"), "all": N_("All")}
ACTION: dict[str, Msg] = {
    "create": N_("Recorded"),
    "update": N_("Changed"),
    "check": N_("Checked"),
    "photo": N_("Photo added"),
    "remove": N_("Marked filled in or gone"),
    "close": N_("Marked closed"),
}
DONE: dict[str, Msg] = {
    "created": N_("Recorded."),
    "updated": N_("Changes saved."),
    "unchanged": N_("Nothing changed."),
    "checked": N_("Check recorded."),
    "photo": N_("Photo added."),
    "removed": N_("Marked filled in or gone: it stays in the register."),
    "closed": N_("Marked closed: it stays in the register."),
}


def options(table: dict[str, Msg], lang: str) -> list[tuple[str, str]]:
    """(code, words) in the table's order, for a select."""
    return [(code, translate(lang, words)) for code, words in table.items()]


def words(table: dict[str, Msg], code: str | None, lang: str) -> str:
    return "—" if code is None else translate(lang, table[code]) if code in table else code


def register_filter(query: Mapping[str, str]) -> tuple[dict[str, str], RegisterFilter, list[FieldError]]:
    """A register list's filters as chosen in the address (unit, kind, status): the text of each, the
    filter the service reads, and a problem naming ``unit_id`` when it is not a unit's id."""
    chosen = {k: str(query.get(k, "")).strip() for k in ("unit_id", "kind", "status")}
    raw = chosen["unit_id"]
    unit_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
    problems = [FieldError("unit_id", "is not a unit", "invalid")] if raw and unit_id is None else []
    wanted = RegisterFilter(unit_id=unit_id, kind=chosen["kind"] or None, status=chosen["status"] or None)
    return chosen, wanted, problems
