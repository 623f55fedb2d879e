"""The child registry API."""

from __future__ import annotations

import uuid

from litestar import get, patch, post
from litestar.params import FromPath, JSONBody

from portal.boundary.deps import CallerDep, DbDep
from portal.boundary.pagination import Page
from portal.registry.responses import ChildOut, HistoryOut
from portal.registry.schemas import ChildCreate, ChildPatch
from portal.registry.serialize import child_json, history_json
from portal.registry.service import child_history, create_child, read_child_record, update_child


@post("/api/v1/children", sync_to_thread=False, tags=["registry"], summary="Record a child in a hamlet")
def post_child(data: JSONBody[ChildCreate], caller: CallerDep, db: DbDep) -> ChildOut:
    return ChildOut.of(child_json(create_child(db, caller, data)))


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
