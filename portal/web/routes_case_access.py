"""Who reads a case, on its page: ending a share (a grant), and reading who reported the case.

Sharing itself is one of the case page's actions (``routes_case_page.ACTIONS["grant"]``). Both routes
call the API's services (``portal.cases.grants.revoke``, ``portal.cases.service.informant``): only a
ward officer of the case's commune ends a share or reads the informant, and the refusal of anyone else
is said on the case's page (403) and audited. The informant is shown only in the answer to its own
button, a POST: never in a link, a list or the page as it first opens, and every reading is audited.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from infra.errors import Forbidden
from portal.boundary.deps import CallerDep, DbDep
from portal.cases import grants, service
from portal.web.render import see_other
from portal.web.routes_case_page import case_page_with, refused


@post("/cases/{case_id:uuid}/grants/{grant_id:uuid}/revoke", sync_to_thread=False, include_in_schema=False)
def case_revoke(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    case_id: FromPath[uuid.UUID],
    grant_id: FromPath[uuid.UUID],
) -> Template | Redirect:
    try:
        grants.revoke(db, caller, case_id, grant_id)
    except Forbidden as exc:
        db.rollback()
        return refused(request, db, caller, case_id, "revoke", exc)
    return see_other(f"/cases/{case_id}?msg=revoke&item={grant_id}")


@post("/cases/{case_id:uuid}/informant", sync_to_thread=False, include_in_schema=False)
def case_informant(
    request: Request[Any, Any, Any], caller: CallerDep, db: DbDep, case_id: FromPath[uuid.UUID]
) -> Template:
    try:
        found = service.informant(db, caller, case_id)
    except Forbidden as exc:
        db.rollback()
        return refused(request, db, caller, case_id, "informant", exc)
    return case_page_with(request, db, caller, case_id, informant=found)


ROUTES = [case_revoke, case_informant]
