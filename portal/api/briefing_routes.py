"""Monthly collaborator briefings of a commune (giao ban): record one, its attendance and proposals,
read and list them. Each call is the service's (portal.briefings) with the caller's scoped session."""

from __future__ import annotations

from litestar import get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.briefings import minutes, service
from portal.briefings.responses import BriefingDetail, BriefingOut
from portal.briefings.schemas import (
    AttendanceIn,
    BriefingFilter,
    BriefingIn,
    BriefingPatch,
    ProposalIn,
    ProposalPatch,
)

TAGS = ["briefings"]


def _detail(db: DbDep, caller: CallerDep, briefing_id: int) -> BriefingDetail:
    return minutes.detail(db, caller, *service.get_briefing(db, caller, briefing_id))


@post(
    "/api/v1/briefings",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="Record a briefing of the commune's collaborators",
)
def post_briefing(data: JSONBody[BriefingIn], caller: CallerDep, db: DbDep) -> BriefingDetail:
    b, unit = service.create_briefing(db, caller, data)
    return minutes.detail(db, caller, b, unit)


@get(
    "/api/v1/briefings", sync_to_thread=False, tags=TAGS, summary="Briefings of the caller's area or attended"
)
def list_briefings(
    caller: CallerDep, db: DbDep, unit_id: FromQuery[int | None] = None, year: FromQuery[int | None] = None
) -> Page[BriefingOut]:
    rows = service.list_briefings(db, caller, BriefingFilter(unit_id=unit_id, year=year))
    return Page.whole([BriefingOut.of(b, u, p, a) for b, u, p, a in rows])


@get("/api/v1/briefings/{briefing_id:int}", sync_to_thread=False, tags=TAGS)
def read_briefing(briefing_id: FromPath[int], caller: CallerDep, db: DbDep) -> BriefingDetail:
    return _detail(db, caller, briefing_id)


@patch("/api/v1/briefings/{briefing_id:int}", sync_to_thread=False, tags=TAGS)
def patch_briefing(
    briefing_id: FromPath[int], data: JSONBody[BriefingPatch], caller: CallerDep, db: DbDep
) -> BriefingDetail:
    service.update_briefing(db, caller, briefing_id, data)
    return _detail(db, caller, briefing_id)


@put(
    "/api/v1/briefings/{briefing_id:int}/attendance",
    sync_to_thread=False,
    tags=TAGS,
    summary="Mark the commune's collaborators present, or absent with the reason",
)
def put_attendance(
    briefing_id: FromPath[int], data: JSONBody[AttendanceIn], caller: CallerDep, db: DbDep
) -> BriefingDetail:
    minutes.record_attendance(db, caller, briefing_id, data)
    return _detail(db, caller, briefing_id)


@post(
    "/api/v1/briefings/{briefing_id:int}/proposals",
    sync_to_thread=False,
    status_code=201,
    tags=TAGS,
    summary="A proposal the briefing took up, with who carries it and by when",
)
def post_proposal(
    briefing_id: FromPath[int], data: JSONBody[ProposalIn], caller: CallerDep, db: DbDep
) -> BriefingDetail:
    minutes.add_proposal(db, caller, briefing_id, data)
    return _detail(db, caller, briefing_id)


@patch("/api/v1/briefings/{briefing_id:int}/proposals/{proposal_id:int}", sync_to_thread=False, tags=TAGS)
def patch_proposal(
    briefing_id: FromPath[int],
    proposal_id: FromPath[int],
    data: JSONBody[ProposalPatch],
    caller: CallerDep,
    db: DbDep,
) -> BriefingDetail:
    minutes.update_proposal(db, caller, briefing_id, proposal_id, data)
    return _detail(db, caller, briefing_id)


ROUTES = [
    post_briefing,
    list_briefings,
    read_briefing,
    patch_briefing,
    put_attendance,
    post_proposal,
    patch_proposal,
]
