"""The child registry API."""

from __future__ import annotations

import uuid

from litestar import Response, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED

from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.registry.models import Child
from portal.registry.moves import move_json
from portal.registry.responses import ChildOut, HistoryOut, MoveOut
from portal.registry.schemas import ChildCreate, ChildPatch
from portal.registry.serialize import child_json, history_json
from portal.registry.service import child_history, read_child_record, register_child, update_child


@post(
    "/api/v1/children",
    sync_to_thread=False,
    tags=["registry"],
    summary="Record a child in a hamlet",
    description="201 with the record. When an active record in another commune holds the child's personal "
    "identification number, 202 with the move that asks for it (or that claims a move with no destination "
    "yet) instead of a duplicate.",
    responses={
        202: ResponseSpec(data_container=MoveOut, description="A move brings the existing record here")
    },
)
def post_child(data: JSONBody[ChildCreate], caller: CallerDep, db: DbDep) -> Response[ChildOut | MoveOut]:
    made = register_child(db, caller, data)
    if isinstance(made, Child):
        return Response(ChildOut.of(child_json(made)), status_code=HTTP_201_CREATED)
    return Response(MoveOut.of(move_json(db, caller, made)), status_code=HTTP_202_ACCEPTED)


@get("/api/v1/children/{child_id:uuid}", sync_to_thread=False, tags=["registry"])
def read_child(child_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> ChildOut:
    return ChildOut.of(read_child_record(db, caller, child_id))


@patch(
    "/api/v1/children/{child_id:uuid}",
    sync_to_thread=False,
    tags=["registry"],
    summary="Change some fields; lists given replace the whole list; history is kept",
)
def patch_child(
    child_id: FromPath[uuid.UUID], data: JSONBody[ChildPatch], caller: CallerDep, db: DbDep
) -> ChildOut:
    return ChildOut.of(child_json(update_child(db, caller, child_id, data)))


@get("/api/v1/children/{child_id:uuid}/history", sync_to_thread=False, tags=["registry"])
def read_child_history(child_id: FromPath[uuid.UUID], caller: CallerDep, db: DbDep) -> Page[HistoryOut]:
    return Page.whole([HistoryOut.of(history_json(h)) for h in child_history(db, caller, child_id)])
