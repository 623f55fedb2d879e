"""The ward officer's referrals and transfers: what the commune sent and what was sent to it.

Each row links to the case while the caller reads it (an open or accepted referral to the commune, a case
still the commune's); the sender's stub of a transfer shows the reference and where the case went only.
Every call goes through portal.cases.crossing with the caller's scoped session, as the API does.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from portal.boundary.deps import CallerDep, DbDep
from portal.cases.crossing import list_referrals
from portal.cases.view import referrals_json
from portal.web.render import page

STATES = ("open", "accepted", "refused", "cancelled")


@get("/referrals", sync_to_thread=False, include_in_schema=False)
def referrals_page(
    request: Request[Any, Any, Any],
    caller: CallerDep,
    db: DbDep,
    wanted: Annotated[str | None, QueryParameter(name="state")] = None,
) -> Template:
    chosen = wanted if wanted in STATES else None
    sides = {
        side: referrals_json(
            db, caller, list_referrals(db, caller, side, chosen), lambda r: r.state in ("open", "accepted")
        )
        for side in ("in", "out")
    }
    return page(
        request,
        "referrals.html",
        incoming=sides["in"],
        outgoing=sides["out"],
        states=STATES,
        chosen=chosen,
        flash="saved" if request.query_params.get("msg") == "done" else None,
    )


ROUTES = [referrals_page]
