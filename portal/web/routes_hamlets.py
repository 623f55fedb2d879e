"""The hamlets of a commune (staff managers: the ward officer for the commune, district and province
officers for a commune of their area): add, rename, close. ``portal.staff.hamlets`` decides, as for
the API (``POST /units/{commune}/hamlets``, ``PATCH /hamlets/{id}``, ``POST /hamlets/{id}/close``):
a name is unique in the commune whatever its accents, and a hamlet with active children or staff is
not closed (409, said with the counts and the accounts)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from authz.caller import Caller
from authz.guards import authorize, authorize_action
from infra.clock import today
from infra.errors import Conflict, FieldError, NotVisible, ValidationFailed
from portal.boundary.deps import CallerDep, DbDep
from portal.staff import hamlets
from portal.staff.hamlets import KINDS
from portal.staff.schemas import HamletIn, HamletPatch
from portal.web.deps import FormData, lang_of
from portal.web.i18n import field_errors, fmt_date, message
from portal.web.render import page, see_other
from tenancy.models import Unit
from tenancy.service import child_units, get_unit, natural_key, units_below


def _communes(db: Session, caller: Caller) -> list[Unit]:
    home = caller.unit
    if home is None:
        return []
    if home.level == "commune":
        return [home]
    return sorted(units_below(db, home, "commune", current=True), key=lambda u: natural_key(u.name))


def _commune(db: Session, caller: Caller, text: str) -> Unit | None:
    """The commune asked for (``?commune=``, a form's ``commune_id``), the ward officer's own by default;
    one outside the caller's area is refused (403, audited) as the API refuses it."""
    text = text.strip()
    if not text:
        home = caller.unit
        return home if home is not None and home.level == "commune" else None
    unit = get_unit(db, int(text)) if text.isdigit() and len(text) < 19 else None
    if unit is None or unit.level != "commune":
        raise NotVisible("commune not found", resource="hamlet", action="update")
    authorize(caller, "hamlet", "update", unit)
    return unit


def hamlets_page(
    request: Request[Any, Any, Any],
    db: Session,
    caller: Caller,
    commune: Unit | None,
    *,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    refused: str | None = None,
    status_code: int = 200,
) -> Template:
    authorize_action(caller, "hamlet", "update")
    lang = lang_of(request)
    listed = (
        [h for h in child_units(db, commune.id) if h.level == "hamlet" and h.valid_to is None]
        if commune is not None
        else []
    )
    return page(
        request,
        "hamlets.html",
        status_code=status_code,
        commune=commune,
        communes=[(str(u.id), u.name) for u in _communes(db, caller)],
        hamlets=listed,
        kind_options=[(k, k) for k in KINDS],
        values={"name": "", "kind": "", **(values or {})},
        errors=field_errors(errors or [], lang),
        form_message="form_errors" if errors else None,
        refused=refused,
        done=_done(request, db, commune, lang),
    )


def _done(request: Request[Any, Any, Any], db: Session, commune: Unit | None, lang: str) -> str:
    done = request.query_params.get("done", "")
    hamlet_id = request.query_params.get("hamlet", "")
    hamlet = get_unit(db, int(hamlet_id)) if hamlet_id.isdigit() and len(hamlet_id) < 19 else None
    if hamlet is None or commune is None or hamlet.parent_id != commune.id:
        return ""
    if done == "added":
        return message("hamlet_added_to", lang, name=hamlet.name, commune=commune.name)
    if done == "renamed":
        return message("hamlet_renamed_to", lang, name=hamlet.name)
    if done == "closed" and hamlet.valid_to is not None:
        return message("hamlet_closed", lang, name=hamlet.name, day=fmt_date(hamlet.valid_to, lang))
    return ""


def _back(commune: Unit, done: str, hamlet: Unit) -> Redirect:
    return see_other(f"/hamlets?commune={commune.id}&done={done}&hamlet={hamlet.id}")


@get("/hamlets", sync_to_thread=False, include_in_schema=False)
def hamlets_list(request: Request[Any, Any, Any], caller: CallerDep, db: DbDep) -> Template:
    authorize_action(caller, "hamlet", "update")
    commune = _commune(db, caller, request.query_params.get("commune", ""))
    if commune is None:
        communes = _communes(db, caller)
        commune = communes[0] if len(communes) == 1 else None
    return hamlets_page(request, db, caller, commune)


@post("/hamlets/new", sync_to_thread=False, include_in_schema=False)
def hamlet_create(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, data: FormData
) -> Template | Redirect:
    authorize_action(caller, "hamlet", "create")
    commune = _commune(db, caller, str(data.get("commune_id") or ""))
    values = {k: str(data.get(k) or "").strip() for k in ("name", "kind")}
    if commune is None:
        errors = [FieldError("commune_id", "choose the commune", "required")]
        return hamlets_page(request, db, caller, None, values=values, errors=errors, status_code=422)
    try:
        with db.begin_nested():
            made = hamlets.create_hamlet(
                db, caller, commune, HamletIn(name=values["name"], kind=values["kind"] or None)
            )
    except ValidationFailed as exc:
        return hamlets_page(request, db, caller, commune, values=values, errors=exc.errors, status_code=422)
    except Conflict:
        taken = [FieldError("name", "taken", "name_taken")]
        return hamlets_page(request, db, caller, commune, values=values, errors=taken, status_code=409)
    return _back(commune, "added", made)


def _hamlet(db: Session, caller: Caller, hamlet_id: int, action: str) -> tuple[Unit, Unit]:
    """The hamlet and its commune, refused (403, 404) as the service refuses them, before any input."""
    authorize_action(caller, "hamlet", action)
    hamlet = get_unit(db, hamlet_id)
    if hamlet is None or hamlet.level != "hamlet" or hamlet.parent_id is None:
        raise NotVisible("hamlet not found", resource="hamlet", action=action, resource_ids=[hamlet_id])
    authorize(caller, "hamlet", action, hamlet)
    commune = get_unit(db, hamlet.parent_id)
    assert commune is not None
    return hamlet, commune


@post("/hamlets/{hamlet_id:int}", sync_to_thread=False, include_in_schema=False)
def hamlet_rename(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, hamlet_id: FromPath[int], data: FormData
) -> Template | Redirect:
    hamlet, commune = _hamlet(db, caller, hamlet_id, "update")
    field = f"name_{hamlet_id}"
    name = str(data.get(field) or "").strip()
    try:
        with db.begin_nested():
            hamlets.update_hamlet(db, caller, hamlet_id, HamletPatch(name=name))
    except ValidationFailed as exc:
        errors = [FieldError(field if e.field == "name" else e.field, e.message, e.code) for e in exc.errors]
        return hamlets_page(
            request, db, caller, commune, values={field: name}, errors=errors, status_code=422
        )
    except Conflict:
        taken = [FieldError(field, "taken", "name_taken")]
        return hamlets_page(request, db, caller, commune, values={field: name}, errors=taken, status_code=409)
    return _back(commune, "renamed", hamlet)


@post("/hamlets/{hamlet_id:int}/close", sync_to_thread=False, include_in_schema=False)
def hamlet_close(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, hamlet_id: FromPath[int], data: FormData
) -> Template | Redirect:
    hamlet, commune = _hamlet(db, caller, hamlet_id, "close")
    if not data.get(f"confirm_{hamlet_id}"):
        errors = [FieldError(f"confirm_{hamlet_id}", "tick the box to confirm", "unconfirmed")]
        return hamlets_page(request, db, caller, commune, errors=errors, status_code=422)
    name = hamlet.name
    opened_today = hamlet.valid_from is not None and hamlet.valid_from >= today()
    try:
        with db.begin_nested():
            hamlets.close_hamlet(db, caller, hamlet_id)
    except Conflict as exc:
        return hamlets_page(
            request,
            db,
            caller,
            commune,
            refused=_not_closed(exc, name, opened_today, lang_of(request)),
            status_code=409,
        )
    return _back(commune, "closed", hamlet)


def _not_closed(exc: Conflict, name: str, opened_today: bool, lang: str) -> str:
    """Why the hamlet stays open, in words: who is still there, or that it opened today."""
    staff = exc.extra.get("active_staff")
    if isinstance(staff, list):
        children = exc.extra.get("active_children", 0)
        return message(
            "hamlet_not_closed",
            lang,
            name=name,
            children=str(children),
            staff=str(len(staff)),
            accounts=", ".join(str(s) for s in staff) or "—",
        )
    return message("hamlet_opened_today" if opened_today else "hamlet_already_closed", lang, name=name)


ROUTES = [hamlets_list, hamlet_create, hamlet_rename, hamlet_close]
